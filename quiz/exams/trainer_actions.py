"""What a trainer does to one person's attempts: extra time, one more
attempt, reopening; the grading queue of short answers; and the figures of
the live view.

Every change flushes (never commits) and is recorded with ``audit``. The
people a trainer may act on are those of ``scope_for(trainer, "train")``;
the views check that before calling here. Results are recomputed by the
worker side's ``services.regrade`` so there is one way a total is made.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quiz.db import begin_write, utcnow
from quiz.exams import clock, mistakes, services
from quiz.exams.errors import ExamError
from quiz.exams.models import Assignment, Attempt, AttemptItem, Exam, ExamAllowance
from quiz.extensions import db
from quiz.org.models import User
from quiz.org.services import audit
from quiz.reports import progress

MAX_EXTRA_MINUTES = 600


def refuse_own(person_id: int, actor: User) -> None:
    """DESIGN rule 11: nobody grades, reopens, extends or adds attempts for
    their own record, whatever their role (an admin acts on other people's)."""
    if actor is not None and person_id == actor.id:
        raise ExamError(own_record_message(), "own_record", 403)


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
        raise ExamError(_("延长时间应在 1 到 %(n)s 分钟之间。", n=MAX_EXTRA_MINUTES), "bad_minutes", 400)
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
        raise ExamError(_("这次作答不限时，无需延长。"), "no_deadline", 409)
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
        raise ExamError(_("这场考试不限作答次数，无需增加。"), "unlimited", 409)
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
        raise ExamError(_("作答时间应在 1 到 %(n)s 分钟之间。", n=MAX_EXTRA_MINUTES), "bad_minutes", 400)
    begin_write(db.session())
    db.session.refresh(attempt, with_for_update=True)
    if attempt.status == "in_progress":
        raise ExamError(_("这次作答仍在进行中，无需重新开放。"), "in_progress", 409)
    if attempt.mode == "practice":
        raise ExamError(_("练习不需要重新开放。"), "practice", 409)
    other = running_attempt(attempt.exam, attempt.user)
    if other is not None:
        raise ExamError(_("此人已有一次作答在进行中，不能再重新开放另一次。"), "other_in_progress", 409)
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
    progress.attempt_changed(attempt)  # the reports' per-person summary (quiz/reports/progress.py)
    audit("attempt.reopen", attempt,
          _("重新开放 %(name)s 的考试 %(title)s（第 %(no)s 次作答）", name=attempt.user.name,
            title=attempt.exam.title, no=attempt.number),
          {"exam_id": attempt.exam_id, "user_id": attempt.user_id, "before": before,
           "deadline_at": attempt.deadline_at.isoformat() if attempt.deadline_at else None}, actor=actor)
    return attempt


# -- grading queue -------------------------------------------------------------------------

def grading_queue(scope, exam_id: int | None = None):
    """``select(AttemptItem)`` of answers waiting for a trainer: items still
    without a score in finalised exam attempts (practice counts for nothing
    and is not graded), of people in ``scope`` other than its viewer (nobody
    grades their own, rule 11), oldest submission first."""
    query = (select(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .join(User, User.id == Attempt.user_id)
             .where(Attempt.status == "submitted", Attempt.mode == "exam", Attempt.pending_grading.is_(True),
                    AttemptItem.score.is_(None), scope.people_condition(), Attempt.user_id != scope.user_id)
             .order_by(Attempt.submitted_at, Attempt.id, AttemptItem.position))
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    return query


def queue_count(scope, exam_id: int | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(grading_queue(scope, exam_id).subquery())) or 0


def grade_item(item: AttemptItem, score: float, comment: str, actor: User, now: datetime | None = None) -> bool:
    """A trainer's score (0..points) and comment for one answer. When it was
    the attempt's last item waiting, the result is recomputed and
    ``attempt_graded`` sent (by ``services.regrade``). Returns True then."""
    now = now or utcnow()
    attempt = item.attempt
    refuse_own(attempt.user_id, actor)
    if not 0 <= score <= item.points + 1e-9:
        raise ExamError(_("得分应在 0 到 %(p)s 分之间。", p=f"{item.points:g}"), "bad_score", 400)
    begin_write(db.session())
    db.session.refresh(attempt, with_for_update=True)
    db.session.refresh(item)
    if attempt.status != "submitted":
        raise ExamError(_("这次作答还没有交卷，不能评分。"), "not_submitted", 409)
    if item.score is not None:
        # once scored the result may be final (and attempt_graded sent): no second verdict here
        raise ExamError(_("这道题已经评过分了。"), "already_graded", 409)
    before = item.score
    item.score = round(float(score), 2)
    item.comment = (comment or "").strip() or None
    item.graded_by_id = actor.id
    mistakes.record_item(item, now)  # partial credit of 80 % or more is not a mistake
    db.session.flush()
    audit("attempt.grade", attempt,
          _("评分：%(name)s 的考试 %(title)s 第 %(no)s 题 %(score)s / %(points)s 分", name=attempt.user.name,
            title=attempt.exam.title, no=item.position + 1, score=f"{item.score:g}", points=f"{item.points:g}"),
          {"item_id": item.id, "score": item.score, "before": before, "comment": item.comment}, actor=actor)
    was_pending = attempt.pending_grading
    services.regrade(attempt)
    return was_pending and not attempt.pending_grading


# -- the live view ----------------------------------------------------------------------------

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
    from quiz.exams.tasks import counted_attempt
    from quiz.exams.trainer_services import assignee_ids

    now = now or utcnow()
    if finalise and _has_overdue(exam, now):
        services.finalise_overdue(now)
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
            row.answered = services.answered_count(running)
        else:
            counted = counted_attempt(exam, mine) if exam.mode == "exam" else (mine[-1] if mine else None)
            if counted is not None:
                row.attempt = counted
                row.status = ("pending" if counted.pending_grading else "passed" if counted.passed else "failed")
                row.answered = services.answered_count(counted)
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


def _has_overdue(exam: Exam, now: datetime) -> bool:
    cutoff = now - timedelta(seconds=services.grace_seconds())
    return db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.status == "in_progress", Attempt.deadline_at.is_not(None),
        Attempt.deadline_at < cutoff)) > 0
