"""The worker's to-do list: which exams are assigned to them, due when, how
they stand, and whether there is a start button."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.banks.models import Article
from quiz.db import utcnow
from quiz.exams.assignments.assignees import assignments_for
from quiz.exams.models import Assignment, Attempt, Exam, ExamAllowance
from quiz.extensions import db
from quiz.org.models import User


@dataclass
class Task:
    assignment: Assignment
    exam: Exam
    status: str  # not_open, not_started, in_progress, pending, passed, failed, missed
    due_at: datetime | None
    score: float | None  # the score that counts (best or last, as the exam says)
    max_score: float | None
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    in_progress: Attempt | None
    counted_attempt: Attempt | None
    article: Article | None


STATUS_ORDER = {"in_progress": 0, "not_started": 1, "failed": 2, "not_open": 3, "pending": 4, "missed": 5,
                "passed": 6}


def counted_attempt(exam: Exam, attempts: list[Attempt]) -> Attempt | None:
    """The finalised attempt whose score counts: the best or the last."""
    done = [a for a in attempts if a.status == "submitted" and a.counted]
    if not done:
        return None
    if exam.score_policy == "last":
        return max(done, key=lambda a: a.number)
    return max(done, key=lambda a: ((a.score or 0), -a.number))


def tasks_for(user: User, now: datetime | None = None, *, assignments: list[Assignment] | None = None) -> list[Task]:
    """The worker's tasks, one per exam (the newest assignment wins), the
    ones that need doing first. ``assignments``: only these (already found
    with ``assignments_for``, newest first), e.g. one exam's for its intro page."""
    now = now or utcnow()
    by_exam: dict[int, Assignment] = {}
    for assignment in (assignments_for(user) if assignments is None else assignments):
        by_exam.setdefault(assignment.exam_id, assignment)
    if not by_exam:
        return []
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.user_id == user.id,
                                                            Attempt.exam_id.in_(by_exam))
                                      .order_by(Attempt.number)):
        attempts.setdefault(attempt.exam_id, []).append(attempt)
    extra = {a.exam_id: a.extra_attempts for a in db.session.scalars(
        select(ExamAllowance).where(ExamAllowance.user_id == user.id, ExamAllowance.exam_id.in_(by_exam)))}
    tasks = []
    for exam_id, assignment in by_exam.items():
        exam = assignment.exam
        mine = attempts.get(exam_id, [])
        running = next((a for a in mine if a.status == "in_progress"), None)
        counted = counted_attempt(exam, mine)
        used = sum(1 for a in mine if a.counted)
        left = None
        if exam.attempts_allowed is not None and exam.mode == "exam":
            left = max(exam.attempts_allowed + extra.get(exam_id, 0) - used, 0)
        closed = exam.closes_at is not None and now >= exam.closes_at
        if running is not None:
            status = "in_progress"
        elif counted is not None:
            status = "pending" if counted.pending_grading else ("passed" if counted.passed else "failed")
        elif exam.opens_at is not None and now < exam.opens_at:
            status = "not_open"
        elif closed:
            status = "missed"
        else:
            status = "not_started"
        tasks.append(Task(assignment, exam, status, assignment.due_at, counted.score if counted else None,
                          counted.max_score if counted else None, used, left, running, counted, exam.article))
    tasks.sort(key=lambda t: (STATUS_ORDER.get(t.status, 9), t.due_at is None, t.due_at or now))
    return tasks


def may_start_again(task: Task, now: datetime | None = None) -> bool:
    """Is there a start (or resume) button for this task?"""
    now = now or utcnow()
    exam = task.exam
    if task.in_progress is not None:
        return True
    if exam.opens_at is not None and now < exam.opens_at:
        return False
    if exam.closes_at is not None and now >= exam.closes_at:
        return False
    return task.attempts_left is None or task.attempts_left > 0
