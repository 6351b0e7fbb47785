"""Print the counts of each test run from its JUnit XML; list every skip with its reason.

Exit 1 in CI when a test was skipped for any reason other than running on
the other database ("only on …"): nothing is skipped silently in CI.
"""
from __future__ import annotations

import os
import sys
from xml.etree import ElementTree  # our own pytest output, not user input

LABELS = {"junit-sqlite.xml": "SQLite", "junit-postgresql.xml": "PostgreSQL"}


def main(paths: list[str]) -> int:
    bad_skips = 0
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    print()
    print("════════ summary ════════")
    for path in paths:
        name = LABELS.get(os.path.basename(path), path)
        if not os.path.exists(path):
            print(f"{name}: did not run")
            totals["failed"] += 1
            continue
        root = ElementTree.parse(path).getroot()
        ran = passed = failed = skipped = 0
        skips = []
        for case in root.iter("testcase"):
            ran += 1
            if case.find("skipped") is not None:
                skipped += 1
                reason = case.find("skipped").get("message", "")
                skips.append((f"{case.get('classname')}::{case.get('name')}", reason))
            elif case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            else:
                passed += 1
        print(f"{name}: {ran} tests run, {passed} passed, {failed} failed, {skipped} skipped")
        for test, reason in skips:
            by_design = "only on " in reason
            bad_skips += 0 if by_design else 1
            print(f"    skipped {'(by design) ' if by_design else ''}{test}: {reason}")
        totals["passed"] += passed
        totals["failed"] += failed
        totals["skipped"] += skipped
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    if os.environ.get("CI") and bad_skips:
        print(f"CI: {bad_skips} test(s) skipped for a reason other than the database: failing the run")
        return 1
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
