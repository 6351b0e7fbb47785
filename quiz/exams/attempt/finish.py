"""The end of an attempt: submitted by the worker, finalised by the clock
(the one "overdue" query), by too many page leaves, regraded after a
trainer scored items. Every function flushes and never commits (DESIGN
rule 7). Each change to what an attempt counts for sends ``attempt_changed``;
a result that became final sends ``attempt_graded``.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from quiz.banks.models import Question, QuestionRevision
from quiz.db import utcnow
from quiz.exams import clock, grading, mistakes
from quiz.exams.attempt.locking import grace_seconds, is_sqlite, write_lock
from quiz.exams.models import Attempt
from quiz.exams.signals import attempt_changed, attempt_graded
from quiz.extensions import db


def submit(attempt: Attempt, *, by: str = "worker", now: datetime | None = None) -> Attempt:
    """Finalise the attempt with what was saved. Idempotent: submitting a
    finalised attempt (a double tap, a retry) returns it unchanged."""
    now = now or utcnow()
    write_lock(attempt)
    if attempt.status == "in_progress":
        overdue = clock.is_overdue(attempt.deadline_at, now, grace_seconds())
        finalise(attempt, "clock" if overdue else by, now)
    return attempt


def refresh(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finalise ``attempt`` if its time is up (the lazy half of rule 4): called
    whenever a page or the API touches it. Takes the lock only when needed."""
    now = now or utcnow()
    if attempt.status == "in_progress" and clock.is_overdue(attempt.deadline_at, now, grace_seconds()):
        write_lock(attempt)
        if attempt.status == "in_progress":
            finalise(attempt, "clock", now)
    return attempt


def overdue_query(now: datetime, user_id: int | None = None, exam_id: int | None = None):
    cutoff = now - timedelta(seconds=grace_seconds())
    query = select(Attempt).where(Attempt.status == "in_progress", Attempt.deadline_at.is_not(None),
                                  Attempt.deadline_at < cutoff)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    return query


def has_overdue(now: datetime | None = None, *, user_id: int | None = None, exam_id: int | None = None) -> bool:
    """Whether any attempt (of ``user_id``, at ``exam_id``) waits to be finalised by the clock:
    one ``SELECT EXISTS``, no lock. Pages check this before ``finalise_overdue``
    so that they take the write lock only when there is something to write."""
    now = now or utcnow()
    overdue = overdue_query(now, user_id, exam_id).with_only_columns(Attempt.id)
    return bool(db.session.scalar(select(exists(overdue))))


def finalise_overdue(now: datetime | None = None, *, user_id: int | None = None) -> int:
    """Finalise every attempt whose deadline plus grace has passed, with what
    was saved (for cron and for lazy use). Returns how many."""
    now = now or utcnow()
    write_lock()
    return finalise_overdue_under_lock(now, user_id=user_id)


def finalise_overdue_under_lock(now: datetime, *, user_id: int | None = None, exam_id: int | None = None) -> int:
    """``finalise_overdue`` for a caller that holds the write lock already."""
    query = overdue_query(now, user_id, exam_id).options(selectinload(Attempt.items)).order_by(Attempt.id)
    if not is_sqlite():
        query = query.with_for_update(of=Attempt, skip_locked=True)
    done = 0
    for attempt in db.session.scalars(query).all():
        finalise(attempt, "clock", now)
        done += 1
    return done


def _load_paper(attempt: Attempt) -> list:
    """The questions and revisions of ``attempt``'s items in two reads, so that grading
    and the mistakes book find them in the session instead of reading one per item
    (each of those reads would also flush the item graded just before). The caller
    keeps the list while it works: the session holds loaded objects only weakly."""
    items = attempt.items
    return [*db.session.scalars(select(QuestionRevision).where(QuestionRevision.id.in_({i.revision_id for i in items}))),
            *db.session.scalars(select(Question).where(Question.id.in_({i.question_id for i in items})))]


def finalise(attempt: Attempt, by: str, now: datetime) -> None:
    """Grade ``attempt`` with what was saved and end it (``by``: worker, clock, leave_limit …). Flushes."""
    policy = attempt.exam.multiple_policy
    practice = attempt.mode == "practice"
    paper = _load_paper(attempt)  # noqa: F841  (kept alive while the items are graded)
    for item in attempt.items:
        if item.graded_by_id is not None or (practice and item.score is not None):
            continue
        rev = item.revision
        item.score = grading.item_score(rev.type, rev.answer, item.response, item.points, policy=policy)
    if not practice:  # once per item, even when a reopened attempt ends again
        mistakes.record_items(attempt.user_id, attempt.items, now)
    attempt.status = "submitted"
    attempt.submitted_at = now
    attempt.finalised_by = by
    _apply_result(attempt)


def _apply_result(attempt: Attempt) -> None:
    result = grading.summarise(((i.score, i.points) for i in attempt.items), attempt.exam.pass_mark)
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.pending_grading = result.pending
    attempt.passed = result.passed
    db.session.flush()
    attempt_changed.send(attempt)
    if not result.pending and attempt.mode == "exam":
        attempt_graded.send(attempt)


def regrade(attempt: Attempt) -> None:
    """Recompute a finalised attempt's total after a trainer scored items
    (``item.score`` and ``graded_by_id`` set); sends ``attempt_graded`` once
    nothing is pending any more."""
    if attempt.status != "in_progress":
        _apply_result(attempt)

