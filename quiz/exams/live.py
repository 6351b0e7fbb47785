"""The live read model of a running exam for its trainer: everybody the
exam's assignments cover (within the trainer's scope) and how each stands
now: not started, in progress (time left, answered so far, page leaves),
waiting for grading, passed or failed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quiz.db import utcnow
from quiz.exams import clock
from quiz.exams.assignments.assigning import assignee_ids
from quiz.exams.assignments.todo import counted_attempt
from quiz.exams.attempt.answers import answered_count
from quiz.exams.attempt.finish import finalise_overdue, has_overdue
from quiz.exams.models import Assignment, Attempt, AttemptItem, Exam, ExamAllowance
from quiz.exams.trainer.grading_queue import queue_count
from quiz.extensions import db
from quiz.org.models import User


@dataclass
class LiveRow:
    user: User
    status: str  # not_started, in_progress, pending, passed, failed
    attempt: Attempt | None  # the running one, else the one that counts
    attempts: int = 0
    remaining_seconds: int | None = None
    answered: int = 0
    total: int = 0
    leave_count: int = 0
    extra_attempts: int = 0
    extra_minutes: int = 0


@dataclass
class Live:
    exam: Exam
    rows: list[LiveRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    average: float | None = None
    pending_items: int = 0


STATUS_ORDER = {"in_progress": 0, "pending": 1, "not_started": 2, "failed": 3, "passed": 4}


def live(exam: Exam, scope, now: datetime | None = None, finalise: bool = True) -> Live:
    """Everybody the exam's assignments cover (within ``scope``) plus anyone
    else in scope who attempted it: who has not started, who is in progress
    (time left, answered so far, page leaves), who has submitted and their
    scores. Overdue attempts are finalised first (rule 4, the lazy half),
    so the caller should commit after."""
    now = now or utcnow()
    if finalise and has_overdue(now, exam_id=exam.id):
        finalise_overdue(now)
    assignment_ids = list(db.session.scalars(select(Assignment.id).where(Assignment.exam_id == exam.id)))
    people_ids = assignee_ids(assignment_ids, scope) if assignment_ids else set()
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(
            select(Attempt).join(User, User.id == Attempt.user_id)
            .where(Attempt.exam_id == exam.id, scope.people_condition())
            .options(selectinload(Attempt.items).selectinload(AttemptItem.revision))
            .order_by(Attempt.number)):
        attempts.setdefault(attempt.user_id, []).append(attempt)
    people_ids |= set(attempts)
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(people_ids)).options(selectinload(User.unit)))} if people_ids else {}
    allowances = {a.user_id: a for a in db.session.scalars(
        select(ExamAllowance).where(ExamAllowance.exam_id == exam.id))}
    result = Live(exam)
    scores = []
    for user_id, user in people.items():
        mine = attempts.get(user_id, [])
        running = next((a for a in mine if a.status == "in_progress"), None)
        allowance = allowances.get(user_id)
        row = LiveRow(user, "not_started", None, attempts=sum(1 for a in mine if a.counted),
                      extra_attempts=allowance.extra_attempts if allowance else 0,
                      extra_minutes=allowance.extra_minutes if allowance else 0)
        if running is not None:
            row.status, row.attempt = "in_progress", running
            row.remaining_seconds = clock.remaining_seconds(running.deadline_at, now)
            row.answered = answered_count(running)
        else:
            counted = counted_attempt(exam, mine) if exam.mode == "exam" else (mine[-1] if mine else None)
            if counted is not None:
                row.attempt = counted
                row.status = ("pending" if counted.pending_grading else "passed" if counted.passed else "failed")
                row.answered = answered_count(counted)
                if counted.score is not None and not counted.pending_grading:
                    scores.append(counted.score)
        if row.attempt is not None:
            row.total = len(row.attempt.items)
            row.leave_count = row.attempt.leave_count
        result.rows.append(row)
    result.rows.sort(key=lambda r: (STATUS_ORDER[r.status], r.user.employee_no))
    result.counts = {s: sum(1 for r in result.rows if r.status == s) for s in STATUS_ORDER}
    result.counts["assigned"] = len(result.rows)
    result.counts["submitted"] = result.counts["pending"] + result.counts["passed"] + result.counts["failed"]
    result.average = round(sum(scores) / len(scores), 1) if scores else None
    result.pending_items = queue_count(scope, exam.id)
    return result
