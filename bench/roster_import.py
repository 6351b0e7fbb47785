"""Benchmark: import a generated 20,000-person roster into a fresh SQLite database.

Run from the repository root: ``.venv/bin/python bench/roster_import.py [--rows N]``.
Prints one JSON line: seconds for the first import (read the .xlsx, check
every row, write, commit), rows per second, the process's peak memory, how
many people were created, and the seconds for re-importing the same file
(which must change nothing), and the seconds of a first import where the
admin chose one initial password for everybody. Aim: under 10 s on a 2-core machine.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from _figures import figure  # noqa: E402

def build_roster(rows: int, seed: int = 2153) -> bytes:
    """An HR export as the plants send it: a title row, then 工号 (text with
    leading zeros), 姓名, one unit path column, 工种, 手机号, 角色."""
    import openpyxl

    from quiz.org.demo import GIVEN, ORGANISATION, SECTION_JOBS, SURNAMES

    rng = random.Random(seed)
    teams = []
    for company, units in ORGANISATION.items():
        for unit, sections in units.items():
            for section, named_teams in sections.items():
                jobs = SECTION_JOBS.get(section, ["巡检工"])
                for team in named_teams:
                    teams.append((f"{company}/{unit}/{section}/{team}", jobs))
                for extra in range(1, 9):  # the newsletter names a few teams; plants have more
                    teams.append((f"{company}/{unit}/{section}/{extra}号班组", jobs))
            for n in range(1, 5):
                teams.extend((f"{company}/{unit}/第{n}作业区/{t}班", ["巡检工", "电工"]) for t in "甲乙丙丁")
    # not write_only: like Excel, the normal writer records the sheet's
    # dimension, which a read-only reader needs to avoid a second pass
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(["中铝山西 员工花名册（人事系统导出）"])
    sheet.append(["工号", "姓名", "单位路径", "工种", "手机号", "角色"])
    for i in range(rows):
        path, jobs = teams[i % len(teams)]
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        role = "培训员" if i % 997 == 0 else ("部门负责人" if i % 499 == 0 else "")
        sheet.append([f"{i + 1:06d}", name, path, jobs[i % len(jobs)], f"139{rng.randrange(10**8):08d}", role])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()

    from quiz import create_app
    from quiz.extensions import db
    from quiz.org.roster.parse import parse_roster
    from quiz.org.roster.importing import apply_roster

    data = build_roster(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
            "RATELIMIT_STORAGE_URI": "memory://",
        })
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            parsed = parse_roster(data, "roster.xlsx")
            parse_seconds = time.perf_counter() - start
            report = apply_roster(parsed, filename="roster.xlsx", create_units=True)
            db.session.commit()
            seconds = time.perf_counter() - start
            assert report.ok and report.created == args.rows, report.as_dict()

            start = time.perf_counter()
            again = apply_roster(parse_roster(data, "roster.xlsx"), filename="roster.xlsx")
            db.session.commit()
            reimport_seconds = time.perf_counter() - start
            assert again.unchanged == args.rows and again.created == again.updated == 0, again.as_dict()
            db.session.remove()
            db.engine.dispose()

        # the same first import with one password the admin chose for everybody
        # (one scrypt hash instead of 20,000 generated-password hashes)
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench2.db", "SECRET_KEY": "bench",
            "RATELIMIT_STORAGE_URI": "memory://",
        })
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            shared = apply_roster(parse_roster(data, "roster.xlsx"), initial_password="Start2024x", create_units=True)
            db.session.commit()
            shared_seconds = time.perf_counter() - start
            assert shared.created == args.rows
            db.session.remove()
            db.engine.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "benchmark": "roster_import", "rows": args.rows, "seconds": round(seconds, 2),
        "rows_per_second": round(args.rows / seconds), "parse_seconds": round(parse_seconds, 2),
        "peak_memory_mb": round(peak_kb / 1024, 1), "created": report.created,
        "units_created": report.units_created, "reimport_seconds": round(reimport_seconds, 2),
        "seconds_with_admin_password": round(shared_seconds, 2),
        "file_kb": len(data) // 1024,
    }, ensure_ascii=False))
    figure(f"{args.rows:,}-row roster import", seconds, "s", "<", 10)


if __name__ == "__main__":
    main()
