"""The table ``make bench`` ends with: every figure the benchmarks printed, in one screen.

``make bench`` runs each benchmark (``bench/*.py`` not starting with ``_``)
with its output saved to ``<dir>/<bench>.out`` and a last line
``EXIT<TAB><status>``, then runs ``python bench/_table.py <dir>/*.out``. This
reads the ``FIGURE`` lines (``bench/_figures.py`` prints one per figure) and
prints: benchmark, figure, value, aim, met / NOT met, the load average when it
was measured. A benchmark that failed, or printed no figure, gets a row that
says so. Exits 1 when a benchmark failed (an aim not met is a figure, not a failure).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def read(path: Path) -> tuple[list[list[str]], int | None]:
    rows, status = [], None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("FIGURE\t"):
            fields = line.split("\t")[1:]
            if len(fields) >= 6:
                rows.append(fields[:6])
        elif line.startswith("EXIT\t"):
            try:
                status = int(line.split("\t", 1)[1])
            except ValueError:
                status = None
    return rows, status


def table(paths: list[Path]) -> tuple[list[tuple[str, ...]], bool]:
    out: list[tuple[str, ...]] = []
    failed = False
    for path in sorted(paths):
        bench = path.stem
        rows, status = read(path)
        if status not in (0, None):
            failed = True
            out.append((bench, f"FAILED (exit {status}; see {path})", "", "", "FAILED", ""))
        elif not rows:
            out.append((bench, "no figure printed", "", "", "-", ""))
        for name, value, unit, aim, verdict, load in rows:
            shown = value if value == "n/a" else f"{value} {unit}".strip()
            aim_shown = f"{aim} {unit}".strip() if aim else ""
            out.append((bench, name, shown, aim_shown, verdict, load.removeprefix("load ")))
    return out, failed


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv if Path(p).is_file()]
    rows, failed = table(paths)
    head = ("benchmark", "figure", "value", "aim", "met", "load")
    width = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    width[1] = min(width[1], 64)
    line = lambda r: "  ".join(str(c)[:width[i]].ljust(width[i]) for i, c in enumerate(r)).rstrip()  # noqa: E731
    print()
    print(line(head))
    print(line(tuple("-" * w for w in width)))
    for r in rows:
        print(line(r))
    met = sum(r[4] == "met" for r in rows)
    aims = sum(r[4] in ("met", "NOT met") for r in rows)
    print(f"\n{met} of {aims} aims met; load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
