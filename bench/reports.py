"""Benchmark of the completion reports on a large organisation.

Builds, in a temporary SQLite database, ``demo.generate(20000)`` plus 30
assignments (15 to the whole company, 10 to one secondary unit each, 5 to a
job type) and about 600,000 attempts (bulk Core inserts in batches), then
times through the HTTP layer, as an admin:

- the dashboard for the whole company (all assignments),
- the drill-down for one secondary unit (all assignments),
- the who-to-chase CSV export for one whole-company assignment,
- the Excel export for the same assignment,

each with the number of SQL statements it issued, and then, in alternating
rounds so that other load falls on all of them: the dashboard with the app's
heap frozen (``quiz.freeze_app_heap``, what the app does once
loaded), not frozen, with the collector paused for the request (what the
views did before), and with the per-unit grouping joined to ``users`` for each
row's unit (what it did before ``exam_progress`` kept a copy of it: the
baseline, kept here), and the Excel file written by each of the three writers
measured for it: the app's streaming writer (``quiz.xlsx_stream``, through
HTTP and called directly), XlsxWriter in constant-memory mode (what the app
used before, kept here) and openpyxl's write-only mode (what it used before
that, kept here), all three from the same report rows to the same cells.
The figures (``bench/_figures.py``) are medians of the request's CPU time
(the wall-clock medians, printed in the JSON line, grow with the machine's load). The attempts are bulk
inserted behind the exam engine's back, so ``exam_progress`` is rebuilt after
them (what ``flask reports rebuild-progress`` does). Prints ONE JSON line on
stdout; progress goes to stderr.

    .venv/bin/python bench/reports.py [--employees 20000] [--attempts 600000]
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xlsxwriter  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.cell import WriteOnlyCell  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from _figures import figure  # noqa: E402
from quiz.spreadsheet import RISKY_START, xlsx_row  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class XlsxWriterBook:
    """The heads' Excel report written with XlsxWriter's constant-memory mode: the writer the app used
    before ``quiz.xlsx_stream`` (issue 14 point 6), kept as a baseline; same interface and cells as
    ``quiz.reports.exports.Book`` (text with ``write_string`` only, risky text with the quote prefix)."""

    OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}

    def __init__(self):
        from quiz.reports.exports import PERCENT

        self.out = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.out, self.OPTIONS)
        self.header = self.wb.add_format({"bold": True, "bg_color": "#DDE7F3", "pattern": 1, "valign": "vcenter",
                                          "text_wrap": True})
        self.percent = self.wb.add_format({"num_format": PERCENT})
        self.quoted = self.wb.add_format({"quote_prefix": True})

    def sheet(self, title: str, headers: list[str], widths: list[int], percent_columns: set[int] = frozenset()):
        return XlsxWriterSheet(self, title, headers, widths, percent_columns)

    def getvalue(self) -> bytes:
        self.wb.close()
        return self.out.getvalue()


class XlsxWriterSheet:
    def __init__(self, book: XlsxWriterBook, title: str, headers: list[str], widths: list[int],
                 percent_columns: set[int] = frozenset()):
        self.ws = book.wb.add_worksheet(title)
        self.quoted = book.quoted
        self.headers = headers
        self.formats = [book.percent if i in percent_columns else None for i in range(len(headers))]
        self.rows = 0
        for i, width in enumerate(widths):
            self.ws.set_column(i, i, width)
        self.ws.freeze_panes(1, 0)
        self.write(0, headers, [book.header] * len(headers))

    def write(self, row: int, values: list, formats: list) -> None:
        ws = self.ws
        for col, (value, fmt) in enumerate(zip(values, formats)):
            if value is None or value == "":  # an empty text is no cell
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value, self.quoted if value.startswith(RISKY_START) else fmt)
            else:
                ws.write_number(row, col, value, fmt)

    def append(self, values: list) -> None:
        self.rows += 1
        self.write(self.rows, values, self.formats)

    def close(self) -> None:
        self.ws.autofilter(0, 0, self.rows, len(self.headers) - 1)


class OpenpyxlBook:
    """The heads' Excel report written with openpyxl's write-only mode: the writer the app used
    before XlsxWriter, kept as the baseline; same interface and cells as
    ``quiz.reports.exports.Book``."""

    def __init__(self):
        self.wb = Workbook(write_only=True)

    def sheet(self, title: str, headers: list[str], widths: list[int], percent_columns: set[int] = frozenset()):
        return OpenpyxlSheet(self.wb, title, headers, widths, percent_columns)

    def getvalue(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()


class OpenpyxlSheet:
    """A write-only sheet with a styled, frozen, filtered header and known column widths."""

    def __init__(self, wb: Workbook, title: str, headers: list[str], widths: list[int],
                 percent_columns: set[int] = frozenset()):
        from quiz.reports.exports import PERCENT

        self.ws = wb.create_sheet(title)
        self.headers = headers
        self.percent = percent_columns
        self.percent_format = PERCENT
        self.rows = 0
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        cells = []
        for text in headers:
            cell = WriteOnlyCell(self.ws, value=text)
            cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            cells.append(cell)
        self.ws.append(cells)

    def append(self, values: list) -> None:
        values = [None if value == "" else value for value in values]  # an empty text is no cell
        for i in self.percent:
            if values[i] is not None:
                cell = WriteOnlyCell(self.ws, value=values[i])
                cell.number_format = self.percent_format
                values[i] = cell
        self.ws.append(xlsx_row(self.ws, values))  # user text never becomes a formula
        self.rows += 1

    def close(self) -> None:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.headers))}{self.rows + 1}"


def build(employees: int, target_attempts: int, seed: int = 6) -> dict:
    from quiz.auth.passwords import hash_generated
    from quiz.db import utcnow
    from quiz.exams.models import Assignment, AssignmentTarget, Attempt, Exam
    from quiz.extensions import db
    from quiz.org import demo
    from quiz.org.models import JobType, RoleGrant, Unit, User
    from quiz.reports import progress
    from quiz.exams.assignments.assignees import assignee_pairs

    rng = random.Random(seed)
    started = time.perf_counter()
    demo.generate(employees, progress=lambda n: None)
    db.session.commit()
    log(f"organisation: {employees} people in {time.perf_counter() - started:.1f}s")
    admin = User(employee_no="BENCHADMIN", name="基准管理员", password_hash=hash_generated("bench-pass-1"),
                 must_change_password=False)
    admin.grants.append(RoleGrant(role="admin", unit_id=None))
    db.session.add(admin)
    now = utcnow()
    roots = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
    secondary = list(db.session.scalars(select(Unit).where(Unit.depth == 1).order_by(Unit.id)))
    jobs = list(db.session.scalars(select(JobType).order_by(JobType.id)))
    assignments = []
    for i in range(30):
        exam = Exam(title=f"基准考试{i + 1}", pass_mark=60.0)
        a = Assignment(exam=exam, title=f"基准任务{i + 1}", due_at=now + timedelta(days=rng.randint(-20, 20)),
                       created_at=now - timedelta(days=30))
        if i < 15:
            targets = [AssignmentTarget(unit_id=r.id) for r in roots]
        elif i < 25:
            targets = [AssignmentTarget(unit_id=secondary[i % len(secondary)].id)]
        else:
            targets = [AssignmentTarget(job_type_id=jobs[i % len(jobs)].id)]
        a.targets.extend(targets)
        db.session.add(a)
        assignments.append(a)
    db.session.commit()
    pairs = db.session.execute(assignee_pairs([a.id for a in assignments])).all()
    exam_of = {a.id: a.exam_id for a in assignments}
    log(f"assignments: 30, assigned pairs: {len(pairs)}")
    start_share = 0.88
    mean_attempts = target_attempts / (start_share * len(pairs))
    table = Attempt.__table__
    batch: list[dict] = []
    total = 0
    t0 = time.perf_counter()
    for assignment_id, user_id in pairs:
        if rng.random() > start_share:
            continue
        count = max(1, int(mean_attempts) + (1 if rng.random() < mean_attempts - int(mean_attempts) else 0))
        begin = now - timedelta(days=29) + timedelta(minutes=rng.randrange(60 * 24 * 28))
        for number in range(1, count + 1):
            started_at = begin + timedelta(hours=number * 5)
            in_progress = number == count and rng.random() < 0.03
            score = None if in_progress else float(rng.randint(20, 100))
            batch.append({
                "exam_id": exam_of[assignment_id], "user_id": user_id, "assignment_id": assignment_id,
                "number": number, "mode": "exam", "status": "in_progress" if in_progress else "submitted",
                "seed": 0, "started_at": started_at, "deadline_at": None,
                "submitted_at": None if in_progress else started_at + timedelta(minutes=25),
                "finalised_by": None if in_progress else "worker", "score": score, "max_score": 100.0,
                "passed": None if in_progress else score >= 60, "pending_grading": False, "leave_count": 0,
                "counted": True,
            })
        if len(batch) >= 20000:
            db.session.execute(insert(table), batch)
            total += len(batch)
            batch.clear()
            if total % 100000 < 20000:
                log(f"attempts: {total} ({time.perf_counter() - t0:.0f}s)")
    if batch:
        db.session.execute(insert(table), batch)
        total += len(batch)
    db.session.commit()
    log(f"attempts: {total} in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    rows = progress.rebuild()  # the bulk insert went behind the exam engine's back: as `flask reports rebuild-progress`
    db.session.commit()
    log(f"exam_progress: {rows} rows rebuilt in {time.perf_counter() - t0:.1f}s")
    from sqlalchemy import text

    db.session.execute(text("ANALYZE"))
    db.session.commit()
    whole_company = assignments[0].id
    unit = secondary[0].id
    return {"admin": "BENCHADMIN", "password": "bench-pass-1", "assignment": whole_company, "unit": unit,
            "pairs": len(pairs), "attempts": total}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--attempts", type=int, default=600000)
    parser.add_argument("--db", help="keep the database in this file and reuse it when it exists (for profiling)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the dashboard and Excel timings")
    args = parser.parse_args()
    from quiz import create_app
    from quiz.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        reuse = path.exists()
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "TESTING": True})
        with app.app_context():
            if reuse:
                info = json.loads(path.with_suffix(".info.json").read_text())
                from sqlalchemy import text as sa_text

                from quiz.exams.models import ExamProgress
                from quiz.reports import progress

                inspector = db.inspect(db.engine)
                if inspector.has_table(ExamProgress.__tablename__) and "unit_id" not in {
                        c["name"] for c in inspector.get_columns(ExamProgress.__tablename__)}:
                    ExamProgress.__table__.drop(db.engine)  # a file from before the copies of the unit
                if not db.inspect(db.engine).has_table(ExamProgress.__tablename__):  # a file from before the table
                    db.create_all()
                    log(f"exam_progress: {progress.rebuild()} rows rebuilt")
                    db.session.commit()
                    db.session.execute(sa_text("ANALYZE"))
                    db.session.commit()
                for index in ExamProgress.__table__.indexes:  # indexes added since the file was built
                    index.create(db.engine, checkfirst=True)
            else:
                db.create_all()
                info = build(args.employees, args.attempts)
                if args.db:
                    path.with_suffix(".info.json").write_text(json.dumps(info))
            statements = [0]

            @event.listens_for(db.engine, "before_cursor_execute")
            def count(*_args, **_kwargs):
                statements[0] += 1

            client = app.test_client()
            response = client.post("/login", data={"employee_no": info["admin"], "password": info["password"]})
            assert response.status_code == 302, response.status_code
            db.session.remove()
            urls = {
                "dashboard": "/reports/",
                "drilldown_unit": f"/reports/units/{info['unit']}",
                "chase_csv": f"/reports/chase.csv?assignment={info['assignment']}",
                "excel": f"/reports/export.xlsx?assignment={info['assignment']}",
            }
            result = {"employees": args.employees, "assignments": 30, "assigned_pairs": info["pairs"],
                      "attempts": info["attempts"], "database": "sqlite"}
            for name, url in urls.items():
                client.get(url)  # warm the caches once, as a running server would be
                statements[0] = 0
                t = time.perf_counter()
                response = client.get(url)
                body = response.get_data()
                elapsed = time.perf_counter() - t
                assert response.status_code == 200, (url, response.status_code)
                result[f"{name}_ms"] = round(elapsed * 1000, 1)
                result[f"{name}_statements"] = statements[0]
                result[f"{name}_bytes"] = len(body)
                log(f"{name}: {elapsed * 1000:.0f} ms, {statements[0]} statements")
            result.update(compare(app, client, urls, info, args.rounds))
            result["aims"] = {"dashboard_ms": 300, "excel_ms": 2000}
            print(json.dumps(result, ensure_ascii=False))
            # CPU time of the request (in-process, one thread: on a quiet machine the time one waits);
            # the wall-clock medians are in the JSON line, they grow with the machine's load
            ms = result["cpu_ms"]
            figure("heads' Excel, whole company", result["excel_cpu_s"], "s", "<=", 2)
            figure("heads' Excel, streaming writer (direct)", ms["stream"] / 1000, "s", "<=", 2)
            figure("heads' Excel, XlsxWriter constant-memory (direct)", ms["xlsxwriter"] / 1000, "s")
            figure("heads' Excel, openpyxl write-only (direct, baseline)", ms["openpyxl"] / 1000, "s")
            figure("heads' Excel, streaming writer / XlsxWriter (CPU, same run)", result["stream_vs_xlsxwriter_cpu"], "x")
            figure("dashboard", result["dashboard_cpu_ms"], "ms", "<=", 300)
            figure("dashboard, heap not frozen (baseline)", ms["dash_unfrozen"], "ms")
            figure("dashboard, collector paused per request (before)", ms["dash_paused"], "ms")
            figure("dashboard, grouped through users (before)", ms["dash_joined"], "ms")


def joined_progress_query(rules, user_conditions, named_branch, progress_conditions, current):
    """``current`` (``unit_counts.progress_query``) with its own rows grouped as before (the baseline):
    each row's unit and job type looked up in ``users`` rather than read from the row's copies."""
    from sqlalchemy import case, literal, null, union_all

    from quiz.exams.models import ExamProgress as ep
    from quiz.org.models import User
    from quiz.reports import unit_counts
    from quiz.reports.progress import DECILES

    ids = list(rules) or [-1]
    naming_jobs = [aid for aid, rule in rules.items() if rule.job_type_ids]
    job_key = case((ep.assignment_key.in_(naming_jobs), User.job_type_id), else_=null()) if naming_jobs else null()
    own = (select(literal(0).label("part"), ep.assignment_key, ep.exam_id, User.unit_id, job_key, func.count(),
                  *unit_counts.packed_counts(ep.status, unit_counts.OTHER_CODES),
                  *unit_counts.packed_counts(ep.best_decile, range(DECILES)))
           .select_from(ep).join(User, User.id == ep.user_id)
           .where(ep.assignment_key.in_(ids), User.active.is_(True), *user_conditions)
           .group_by(ep.assignment_key, ep.exam_id, User.unit_id, *([job_key] if naming_jobs else [])))
    now = current(rules, user_conditions, named_branch, progress_conditions)
    return union_all(own, *now.selects[2:])  # the same loose and named parts


def compare(app, client, urls: dict, info: dict, rounds: int) -> dict:
    """Alternating rounds: the dashboard with the heap frozen and not, the Excel file by each writer."""
    from quiz.auth.scopes import scope_for
    from quiz.extensions import db
    from quiz.org.models import User
    from quiz.reports import exports
    from quiz.reports.filters import Filters
    from quiz import freeze_app_heap
    from quiz.reports.report import Report

    cpu: dict[str, list[float]] = {}

    def timed(fn, name: str) -> float:
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu.setdefault(name, []).append(time.process_time() - c)
        return time.perf_counter() - t

    def get(url):
        response = client.get(url)
        response.get_data()
        assert response.status_code == 200, (url, response.status_code)

    def direct(book_class):
        with app.test_request_context():
            admin = db.session.scalar(select(User).where(User.employee_no == info["admin"]))
            report = Report(scope_for(admin, "view"), Filters(assignment_id=info["assignment"]), show_phone=True)
            exports.workbook_bytes(report, book_class())
            db.session.remove()

    times: dict[str, list[float]] = {k: [] for k in ("dash_frozen", "dash_unfrozen", "dash_paused", "dash_joined",
                                                      "excel", "stream", "xlsxwriter", "openpyxl")}
    def paused(url):  # what the report views did before the heap was frozen: the collector off per request
        gc.disable()
        try:
            get(url)
        finally:
            gc.enable()

    from quiz.reports import unit_counts

    def joined(url):  # the grouping as it was: through users
        kept = unit_counts.progress_query
        unit_counts.progress_query = lambda *args: joined_progress_query(*args, current=kept)
        try:
            get(url)
        finally:
            unit_counts.progress_query = kept

    for i in range(rounds):
        modes = ("dash_frozen", "dash_joined", "dash_unfrozen", "dash_paused")
        for mode in (modes if i % 2 == 0 else modes[::-1]):
            if mode in ("dash_frozen", "dash_joined"):
                freeze_app_heap()
            else:
                gc.unfreeze()
            fn = {"dash_paused": paused, "dash_joined": joined}.get(mode, get)
            times[mode].append(timed(lambda: fn(urls["dashboard"]), mode))
        freeze_app_heap()
        order = [("excel", lambda: get(urls["excel"])), ("stream", lambda: direct(exports.Book)),
                 ("xlsxwriter", lambda: direct(XlsxWriterBook)), ("openpyxl", lambda: direct(OpenpyxlBook))]
        for name, fn in (order if i % 2 == 0 else order[::-1]):
            times[name].append(timed(fn, name))
        log(f"round {i + 1}: " + ", ".join(f"{k} {v[-1] * 1000:.0f} ms" for k, v in times.items()))
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    return {"cpu_ms": {k: round(v * 1000, 1) for k, v in med_cpu.items()},
            "dashboard_cpu_ms": round(med_cpu["dash_frozen"] * 1000, 1),
            "excel_cpu_s": round(med_cpu["excel"], 3),
            "xlsxwriter_vs_openpyxl_cpu": round(med_cpu["xlsxwriter"] / med_cpu["openpyxl"], 3),
            "stream_vs_xlsxwriter_cpu": round(med_cpu["stream"] / med_cpu["xlsxwriter"], 3),
            "stream_vs_openpyxl_cpu": round(med_cpu["stream"] / med_cpu["openpyxl"], 3),
            "dashboard_frozen_vs_paused_cpu": round(med_cpu["dash_frozen"] / med_cpu["dash_paused"], 3),
            "dashboard_frozen_ms": round(med["dash_frozen"] * 1000, 1),
            "dashboard_unfrozen_ms": round(med["dash_unfrozen"] * 1000, 1),
            "dashboard_gc_paused_ms": round(med["dash_paused"] * 1000, 1),
            "dashboard_joined_ms": round(med["dash_joined"] * 1000, 1),
            "dashboard_vs_joined_cpu": round(med_cpu["dash_frozen"] / med_cpu["dash_joined"], 3),
            "excel_s": round(med["excel"], 3), "excel_stream_s": round(med["stream"], 3),
            "excel_xlsxwriter_s": round(med["xlsxwriter"], 3),
            "excel_openpyxl_s": round(med["openpyxl"], 3),
            "xlsxwriter_vs_openpyxl": round(med["xlsxwriter"] / med["openpyxl"], 3),
            "load_average": os.getloadavg()[0]}

if __name__ == "__main__":
    main()
