"""What a trainer does to one person's attempts: extra time, one more
attempt, reopening (the grading queue is in ``grading_queue``, the live
view's figures in ``quiz.exams.live``).

Every change flushes (never commits) and is recorded with ``audit``. The
people a trainer may act on are those of ``scope_for(trainer, "train")``;
the views check that before calling here.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from quiz.db import begin_write, utcnow
from quiz.errors import Refused
from quiz.exams.models import Attempt, Exam, ExamAllowance
from quiz.exams.signals import attempt_changed
from quiz.extensions import db
from quiz.org.models import User
from quiz.org.services import audit

MAX_EXTRA_MINUTES = 600


def refuse_own(person_id: int, actor: User) -> None:
    """DESIGN rule 11: nobody grades, reopens, extends or adds attempts for
    their own record, whatever their role (an admin acts on other people's)."""
    if actor is not None and person_id == actor.id:
        raise Refused(own_record_message(), "own_record", 403)


def own_record_message() -> str:
    return _("不能处理自己的考试：评分、重新开放、延长时间和增加作答次数须由其他培训员或管理员办理。")


def _allowance(exam: Exam, user: User, actor: User) -> ExamAllowance:
    allowance = db.session.scalar(select(ExamAllowance).where(ExamAllowance.exam_id == exam.id,
                                                              ExamAllowance.user_id == user.id))
    if allowance is None:
        allowance = ExamAllowance(exam_id=exam.id, user_id=user.id, extra_minutes=0, extra_attempts=0,
                                  created_by_id=actor.id)
        db.session.add(allowance)
    return allowance


def running_attempt(exam: Exam, user: User) -> Attempt | None:
    """The person's attempt in progress, its row locked on PostgreSQL (SQLite
    holds the write lock already, see ``begin_write``)."""
    return db.session.scalar(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id,
                                                   Attempt.status == "in_progress").with_for_update())


def give_extra_time(exam: Exam, user: User, minutes: int, actor: User, now: datetime | None = None) -> str:
    """``minutes`` more for ``user``. With an attempt in progress its stored
    deadline moves (from now, if it had already passed); with none, the
    minutes are kept as an allowance that the next attempt they start gets.
    Returns "attempt" or "allowance" (what was changed)."""
    now = now or utcnow()
    refuse_own(user.id, actor)
    if not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise Refused(_("延长时间应在 1 到 %(n)s 分钟之间。", n=MAX_EXTRA_MINUTES), "bad_minutes", 400)
    begin_write(db.session())
    attempt = running_attempt(exam, user)
    if attempt is not None and attempt.deadline_at is not None:
        before = attempt.deadline_at
        attempt.deadline_at = max(before, now) + timedelta(minutes=minutes)
        db.session.flush()
        audit("attempt.extra_time", attempt,
              _("给 %(name)s 的考试 %(title)s 延长 %(n)s 分钟", name=user.name, title=exam.title, n=minutes),
              {"exam_id": exam.id, "user_id": user.id, "minutes": minutes, "deadline_before": before.isoformat(),
               "deadline_after": attempt.deadline_at.isoformat()}, actor=actor)
        return "attempt"
    if attempt is not None:
        raise Refused(_("这次作答不限时，无需延长。"), "no_deadline", 409)
    allowance = _allowance(exam, user, actor)
    allowance.extra_minutes = (allowance.extra_minutes or 0) + minutes
    db.session.flush()
    audit("exam.extra_time", allowance,
          _("%(name)s 下次参加考试 %(title)s 时多 %(n)s 分钟", name=user.name, title=exam.title, n=minutes),
          {"exam_id": exam.id, "user_id": user.id, "minutes": minutes,
           "extra_minutes": allowance.extra_minutes}, actor=actor)
    return "allowance"


def give_extra_attempt(exam: Exam, user: User, actor: User) -> ExamAllowance:
    """One more attempt at ``exam`` for ``user`` than the exam allows."""
    refuse_own(user.id, actor)
    if exam.mode == "practice" or exam.attempts_allowed is None:
        raise Refused(_("这场考试不限作答次数，无需增加。"), "unlimited", 409)
    begin_write(db.session())
    allowance = _allowance(exam, user, actor)
    allowance.extra_attempts = (allowance.extra_attempts or 0) + 1
    db.session.flush()
    audit("exam.extra_attempt", allowance,
          _("给 %(name)s 增加一次考试 %(title)s 的作答机会", name=user.name, title=exam.title),
          {"exam_id": exam.id, "user_id": user.id, "extra_attempts": allowance.extra_attempts}, actor=actor)
    return allowance


def reopen(attempt: Attempt, minutes: int | None, actor: User, now: datetime | None = None) -> Attempt:
    """Put an attempt finalised by mistake back in progress with what was
    saved, and a new deadline ``minutes`` from now (None: the exam's time
    limit, or no deadline when it has none). Item scores are cleared: the
    answers may change, so the attempt is graded afresh when it ends."""
    now = now or utcnow()
    refuse_own(attempt.user_id, actor)
    if minutes is not None and not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise Refused(_("作答时间应在 1 到 %(n)s 分钟之间。", n=MAX_EXTRA_MINUTES), "bad_minutes", 400)
    begin_write(db.session())
    db.session.refresh(attempt, with_for_update=True)
    if attempt.status == "in_progress":
        raise Refused(_("这次作答仍在进行中，无需重新开放。"), "in_progress", 409)
    if attempt.mode == "practice":
        raise Refused(_("练习不需要重新开放。"), "practice", 409)
    other = running_attempt(attempt.exam, attempt.user)
    if other is not None:
        raise Refused(_("此人已有一次作答在进行中，不能再重新开放另一次。"), "other_in_progress", 409)
    minutes = minutes or attempt.exam.time_limit_minutes
    before = {"score": attempt.score, "passed": attempt.passed, "finalised_by": attempt.finalised_by,
              "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None}
    attempt.status = "in_progress"
    attempt.deadline_at = now + timedelta(minutes=minutes) if minutes else None
    attempt.submitted_at = None
    attempt.finalised_by = None
    attempt.score = None
    attempt.passed = None
    attempt.pending_grading = False
    for item in attempt.items:
        item.score = None
        item.graded_by_id = None
    db.session.flush()
    attempt_changed.send(attempt)
    audit("attempt.reopen", attempt,
          _("重新开放 %(name)s 的考试 %(title)s（第 %(no)s 次作答）", name=attempt.user.name,
            title=attempt.exam.title, no=attempt.number),
          {"exam_id": attempt.exam_id, "user_id": attempt.user_id, "before": before,
           "deadline_at": attempt.deadline_at.isoformat() if attempt.deadline_at else None}, actor=actor)
    return attempt
