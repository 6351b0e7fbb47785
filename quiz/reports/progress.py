"""The ``exam_progress`` rows the completion reports read: each person's
counted attempts at an exam summed up once, instead of on every report.

The exam engine sends ``attempt_changed`` (``quiz.exams.signals``) in the
same transaction as every change to what an attempt counts for (a start, a
finalisation, a regrade, a reopening); the receiver here refreshes the rows
before the engine goes on, in the same unit of work. The rows of that (exam, person) are then recomputed from the
attempts themselves rather than adjusted, so they cannot drift: whatever
happened before, after the call they are what ``rebuild`` would write.

``rebuild`` (``flask reports rebuild-progress``) recomputes every row, for
existing data and for anything written behind the engine's back (bulk
inserts, hand fixes).

Each row also carries the person's unit and job type, copied from ``users``
when the row is written; org sends ``people_moved`` (``quiz.org.signals``) in
the same transaction as every change of them (the person's page, the roster
import) and ``follow`` copies them again.

The row is the same aggregate the reports used to compute per (assignment,
person) from the attempts, split by the assignment the attempts named, so
the reports' figures stay exactly what they were; see
``quiz.reports.statuses.person_status`` for how two rows are combined.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import and_, bindparam, case, delete, func, insert, or_, select, text, update

from quiz.exams.models import Attempt, ExamProgress
from quiz.extensions import db
from quiz.org.models import User

_COLUMNS = ("exam_id", "user_id", "assignment_key", "attempts", "status", "best_score", "best_pct", "best_decile",
            "first_finished_at", "passed_at", "last_at", "unit_id", "job_type_id")
CHUNK = 500  # people per UPDATE in ``follow`` (bound parameters stay well under SQLite's limit)

# ``ExamProgress.status``: the larger code wins when rows are combined
STATUS_CODES = {"not_started": 0, "failed": 1, "in_progress": 2, "passed": 3}
STATUS_NAMES = {code: name for name, code in STATUS_CODES.items()}
DECILES = 10  # ``best_decile`` 0..9; the last takes 90 % up to 100 % (and beyond)


def _decile(pct):
    """The tenth ``pct`` falls in, by the same comparisons the histogram always made (pct < 10, < 20 …)."""
    width = 100 / DECILES
    return case((pct.is_(None), None), *((pct < width * (i + 1), i) for i in range(DECILES - 1)),
                else_=DECILES - 1)


def _summary(*conditions) -> select:
    """``SELECT`` one ``exam_progress`` row per (exam, person, named assignment) of counted attempts."""
    a = Attempt
    submitted = a.status == "submitted"
    key = func.coalesce(a.assignment_id, 0)
    any_ = lambda condition: func.max(case((condition, 1), else_=0)) == 1  # noqa: E731
    best_pct = func.max(case((and_(submitted, a.max_score > 0), a.score * 100.0 / a.max_score)))
    status = case((any_(a.passed.is_(True)), STATUS_CODES["passed"]),
                  (any_(or_(a.status == "in_progress", and_(submitted, a.passed.is_(None)))),
                   STATUS_CODES["in_progress"]),
                  (any_(submitted), STATUS_CODES["failed"]), else_=STATUS_CODES["not_started"])
    return (
        select(
            a.exam_id, a.user_id, key,
            func.count(a.id),
            status,
            func.max(case((submitted, a.score))),
            best_pct,
            _decile(best_pct),
            func.min(case((submitted, a.submitted_at))),
            func.min(case((a.passed.is_(True), a.submitted_at))),
            func.max(a.started_at),
            User.unit_id,
            User.job_type_id,
        )
        .join(User, User.id == a.user_id)
        .where(a.counted.is_(True), *conditions)
        .group_by(a.exam_id, a.user_id, key, User.unit_id, User.job_type_id)
    )


def refresh(exam_id: int, user_id: int) -> None:
    """Recompute the rows of one person at one exam from their attempts (flushes first)."""
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # two transactions changing different attempts of the same person at the same exam
        # (a trainer grading one while the worker submits another) must not both write
        # what they saw before the other committed: take turns until commit
        db.session.execute(text("SELECT pg_advisory_xact_lock(:exam_id, :user_id)"),
                           {"exam_id": exam_id, "user_id": user_id})
    forget, write = _refresh_statements()
    ids = {"progress_exam_id": exam_id, "progress_user_id": user_id}
    db.session.execute(forget, ids)
    db.session.execute(write, ids)


@cache
def _refresh_statements() -> tuple:
    """``refresh``'s DELETE and INSERT … SELECT, built once with the person and exam as
    parameters (every start and submit runs them: building them anew cost more than running them)."""
    table = ExamProgress.__table__
    exam_id, user_id = bindparam("progress_exam_id"), bindparam("progress_user_id")
    return (delete(table).where(table.c.exam_id == exam_id, table.c.user_id == user_id),
            insert(table).from_select(_COLUMNS, _summary(Attempt.exam_id == exam_id, Attempt.user_id == user_id)))


def on_attempt_changed(attempt: Attempt, **_extra) -> None:
    """The exam engine changed ``attempt``: its rows follow (practice attempts count for nothing)."""
    if attempt.counted:
        refresh(attempt.exam_id, attempt.user_id)


def follow(user_ids) -> None:
    """The rows of these people take their current unit and job type again (after a move)."""
    table = ExamProgress.__table__
    ids = sorted(set(user_ids))
    person = select(User.unit_id, User.job_type_id).where(User.id == table.c.user_id)
    for start in range(0, len(ids), CHUNK):
        db.session.execute(update(table).where(table.c.user_id.in_(ids[start:start + CHUNK]))
                           .values(unit_id=person.with_only_columns(User.unit_id).scalar_subquery(),
                                   job_type_id=person.with_only_columns(User.job_type_id).scalar_subquery()))


def on_people_moved(_sender, user_ids=(), **_extra) -> None:
    """Org changed these people's unit or job type (and flushed): their rows follow."""
    follow(user_ids)


def rebuild() -> int:
    """Recompute every row from the attempts. Returns how many rows there are now."""
    table = ExamProgress.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        # attempts changing meanwhile wait (their refresh needs ROW EXCLUSIVE) and are seen below
        db.session.execute(text("LOCK TABLE exam_progress IN SHARE ROW EXCLUSIVE MODE"))
    db.session.execute(delete(table))
    db.session.execute(insert(table).from_select(_COLUMNS, _summary()))
    return db.session.scalar(select(func.count()).select_from(table)) or 0
