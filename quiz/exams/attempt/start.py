"""Starting an attempt: the worker's attempt in progress, or a new one with a
freshly drawn paper and its deadline. Flushes, never commits (DESIGN rule 7).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import insert, select

from quiz.db import utcnow
from quiz.exams import clock
from quiz.exams.attempt.finish import finalise_overdue_under_lock
from quiz.exams.attempt.locking import grace_seconds, is_sqlite, write_lock
from quiz.errors import Refused
from quiz.exams.models import Assignment, Attempt, AttemptItem, Exam, ExamAllowance
from quiz.exams.paper.pool import draw_paper
from quiz.exams.signals import attempt_changed
from quiz.extensions import db
from quiz.org.models import User


def _allowance(exam_id: int, user_id: int) -> ExamAllowance | None:
    return db.session.scalar(select(ExamAllowance).where(ExamAllowance.exam_id == exam_id,
                                                         ExamAllowance.user_id == user_id))


def _in_progress(exam_id: int, user_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.exam_id == exam_id, Attempt.user_id == user_id,
                                                   Attempt.status == "in_progress"))


def start_attempt(user: User, exam: Exam, *, assignment: Assignment | None = None,
                  now: datetime | None = None, seed: int | None = None) -> Attempt:
    """The worker's attempt in progress at ``exam``, or a new one with a freshly
    drawn paper and its deadline. Refuses (``Refused``, its ``field`` a stable word such as "closed") before the exam
    opens, after it closes, when no attempt is left or the wait between
    attempts has not passed."""
    now = now or utcnow()
    existing = _in_progress(exam.id, user.id)  # a second tap on 开始: nothing to draw, nothing to lock
    if existing is not None and not clock.is_overdue(existing.deadline_at, now, grace_seconds()):
        return existing
    # Draw before taking the write lock: reading the pools is the slow part of a
    # start, and every answer save would wait for it. What the lock protects
    # (one attempt in progress, the attempts left) is checked again under it.
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    paper = draw_paper(exam, seed)
    # taking the lock on SQLite ends the read transaction, which expires every loaded object:
    # keep the ids so that only the exam (whose settings are read under the lock) is read again
    user_id, assignment_id = user.id, assignment.id if assignment is not None else None
    write_lock()
    if not is_sqlite():  # serialise two starts by the same worker
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    finalise_overdue_under_lock(now, user_id=user_id, exam_id=exam.id)
    previous = list(db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user_id).order_by(Attempt.number)))
    existing = next((a for a in previous if a.status == "in_progress"), None)
    if existing is not None:
        return existing
    if exam.opens_at is not None and now < exam.opens_at:
        raise Refused(_("考试尚未开始，请在开放时间后再来。"), "not_open", 409)
    if exam.closes_at is not None and now >= exam.closes_at:
        raise Refused(_("考试已结束，不能再作答。"), "closed", 409)
    practice = exam.mode == "practice"
    allowance = _allowance(exam.id, user_id)
    if not practice:
        used = sum(1 for a in previous if a.counted)
        allowed = exam.attempts_allowed
        if allowed is not None and used >= allowed + (allowance.extra_attempts if allowance else 0):
            raise Refused(_("您的作答次数已用完。"), "no_attempts_left", 409)
        last = max((a.submitted_at for a in previous if a.submitted_at), default=None)
        if exam.wait_minutes and last is not None and now < last + timedelta(minutes=exam.wait_minutes):
            wait = last + timedelta(minutes=exam.wait_minutes) - now
            minutes = max(1, int(wait.total_seconds() + 59) // 60)
            raise Refused(_("距离下次作答还需等待 %(n)s 分钟。", n=minutes), "wait", 409)
    if not paper.items:
        raise Refused(_("这场考试还没有题目，请联系培训员。"), "no_questions", 409)
    attempt = Attempt(
        exam=exam, user_id=user_id, assignment_id=assignment_id, number=len(previous) + 1, mode=exam.mode,
        status="in_progress", seed=seed, started_at=now, max_score=paper.max_score, counted=not practice,
        deadline_at=clock.deadline(now, exam.time_limit_minutes, exam.closes_at,
                                   allowance.extra_minutes if allowance else 0),
        current_position=0, leave_count=0,
    )
    db.session.add(attempt)
    db.session.flush()
    # the paper in one INSERT of plain rows, not twenty objects through the unit of work;
    # ``attempt.items`` is loaded from the database when first asked for
    db.session.execute(insert(AttemptItem), [
        {"attempt_id": attempt.id, "position": position, "question_id": item.question_id,
         "revision_id": item.revision_id, "option_order": item.option_order, "points": item.points, "client_seq": 0}
        for position, item in enumerate(paper.items)])
    attempt_changed.send(attempt)
    return attempt

