"""Answering: save an answer (the full way and the phone's fast way), flag,
move, count page leaves; and what the phone sees of an attempt to resume
it. Every function flushes and never commits (DESIGN rule 7); each takes
the write lock (``locking``) before it reads what it will change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from quiz.banks import types
from quiz.banks.models import QuestionRevision
from quiz.db import utcnow
from quiz.exams import clock, grading, mistakes
from quiz.exams.attempt.finish import finalise
from quiz.exams.attempt.locking import grace_seconds, write_lock
from quiz.errors import Refused
from quiz.exams.models import Attempt, AttemptItem, Exam
from quiz.extensions import db


# -- responses ------------------------------------------------------------------

def form_values(response: Any) -> list[str]:
    """A stored response as the form values that would post it (the inverse
    of ``response_from_form``): what the phone's inputs show as chosen."""
    if response is None:
        return []
    if isinstance(response, bool):
        return ["true" if response else "false"]
    if isinstance(response, list):
        return ["" if v is None else str(v) for v in response]
    return [str(response)]


def _response_for_item(item: AttemptItem, values: list[str] | None, response: Any) -> Any:
    """Whatever the phone sent, through the type's own form parser, and only
    options this item showed."""
    return response_from_values(item.revision.type, item.revision.options, item.option_order, values, response)


def response_from_values(rev_type: str, rev_options: list | None, option_order: list[int] | None,
                           values: list[str] | None, response: Any) -> Any:
    """The stored response for the form ``values`` posted (or, without them, a
    stored-shape ``response``) to a question of ``rev_type`` shown with
    ``option_order``: only options it showed."""
    qtype = types.get(rev_type)
    if values is None:
        values = form_values(response)
    if not isinstance(values, list):
        raise Refused(_("答案格式不正确，请重试。"), "bad_response", 400)
    values = [str(v)[:5000] for v in values[:50]]
    result = qtype.response_from_form(values)
    if qtype.has_options and isinstance(result, list):
        shown = set(option_order or range(len(rev_options or [])))
        result = [i for i in result if i in shown] or None
    return result


# -- answering ----------------------------------------------------------------------

# How long a worker spent on a question: the server-clock time from the attempt's previous
# save (or its start) to this save, added to the question saved. Capped, so that a phone left
# on the table, or an attempt resumed the next morning, does not count as reading time.
TIME_CAP_MS = 5 * 60 * 1000


def time_since(previous: datetime | None, now: datetime) -> int:
    """Milliseconds from ``previous`` to ``now``, between 0 and ``TIME_CAP_MS``."""
    if previous is None:
        return 0
    return max(0, min(TIME_CAP_MS, int((now - previous).total_seconds() * 1000)))


@dataclass
class Saved:
    saved_seq: int
    stale: bool  # the server already had this or a newer answer
    remaining_seconds: int | None
    item: AttemptItem | None  # None from ``fast_save.save_answer_fast``
    position: int | None = None

    def __post_init__(self):
        if self.position is None and self.item is not None:
            self.position = self.item.position


def _item(attempt: Attempt, position: Any) -> AttemptItem:
    try:
        position = int(position)
    except (TypeError, ValueError):
        position = -1
    item = db.session.scalar(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id,
                                                       AttemptItem.position == position))
    if item is None:
        raise Refused(_("没有这道题。"), "bad_position", 400)
    return item


def _open_for_answers(attempt: Attempt, now: datetime) -> None:
    """Finalise an overdue attempt; refuse when it no longer takes answers."""
    if attempt.status == "in_progress" and clock.is_overdue(attempt.deadline_at, now, grace_seconds()):
        finalise(attempt, "clock", now)
    if attempt.status != "in_progress":
        if attempt.finalised_by == "clock":
            raise Refused(_("考试时间已到（含 %(s)s 秒宽限），答案不能再保存。截止前已保存的答案已计分。",
                            s=grace_seconds()), "deadline", 409)
        raise Refused(_("本次考试已交卷，答案不能再修改。"), "submitted", 409)


def save_answer(attempt: Attempt, position: Any, response: Any = None, seq: Any = 0, *,
                values: list[str] | None = None, move_to: int | None = None, flagged: bool | None = None,
                now: datetime | None = None) -> Saved:
    """Save one answer, idempotent per (attempt, item): a save whose ``seq`` is
    not above the item's saved sequence number changes nothing (a retry, or
    an older save arriving late). Refused after the deadline plus grace.

    ``values`` are the form values as posted (the phone sends these);
    ``response`` a stored-shape response. ``move_to`` is where the worker
    went next (with one-way navigation nothing before it may change again).
    """
    now = now or utcnow()
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        raise Refused(_("答案格式不正确，请重试。"), "bad_response", 400) from None
    write_lock(attempt)
    _open_for_answers(attempt, now)
    item = _item(attempt, position)
    forward = attempt.exam.navigation == "forward"
    if forward and item.position < attempt.current_position:
        raise Refused(_("本考试只能按顺序作答，前面的题目不能再修改。"), "one_way", 409)
    remaining = clock.remaining_seconds(attempt.deadline_at, now)
    if attempt.mode == "practice" and item.score is not None:
        return Saved(item.client_seq, True, remaining, item)  # already answered and shown
    stale = seq <= item.client_seq
    if not stale:
        previous = max((i.saved_at for i in attempt.items if i.saved_at is not None), default=attempt.started_at)
        item.time_spent_ms = (item.time_spent_ms or 0) + time_since(previous, now)
        item.response = _response_for_item(item, values, response)
        item.client_seq = seq
        item.saved_at = now
        if attempt.mode == "practice" and types.get(item.revision.type).is_answered(item.response):
            item.score = grading.item_score(item.revision.type, item.revision.answer, item.response, item.points,
                                            policy=attempt.exam.multiple_policy)
            if item.score is not None:
                mistakes.record(attempt.user_id, item.question, bool(grading.is_right(item.score, item.points)), now)
    if flagged is not None:
        item.flagged = bool(flagged)
    _move(attempt, item.position if move_to is None else move_to, forward)
    db.session.flush()
    return Saved(item.client_seq, stale, remaining, item)


def _move(attempt: Attempt, position: int, forward: bool) -> None:
    last = len(attempt.items) - 1
    try:
        position = min(max(int(position), 0), max(last, 0))
    except (TypeError, ValueError):
        return
    attempt.current_position = max(attempt.current_position, position) if forward else position


def set_flag(attempt: Attempt, position: Any, flagged: bool, now: datetime | None = None) -> AttemptItem:
    """Mark a question for review (or unmark it)."""
    now = now or utcnow()
    write_lock(attempt)
    _open_for_answers(attempt, now)
    item = _item(attempt, position)
    item.flagged = bool(flagged)
    db.session.flush()
    return item


def move(attempt: Attempt, position: int, now: datetime | None = None) -> None:
    """The worker went to ``position`` (a plain-form page turn without a save)."""
    now = now or utcnow()
    write_lock(attempt)
    _open_for_answers(attempt, now)
    _move(attempt, position, attempt.exam.navigation == "forward")
    db.session.flush()


def leave(attempt: Attempt, count: int | None = None, now: datetime | None = None) -> Attempt:
    """Count the worker leaving the page. ``count`` is the phone's own tally
    (so a retried report is not counted twice); with the exam's limit set,
    leaving more often than it allows submits the attempt."""
    now = now or utcnow()
    write_lock(attempt)
    if attempt.status == "in_progress" and clock.is_overdue(attempt.deadline_at, now, grace_seconds()):
        finalise(attempt, "clock", now)
    if attempt.status != "in_progress":
        return attempt
    try:
        count = int(count) if count is not None else attempt.leave_count + 1
    except (TypeError, ValueError):
        count = attempt.leave_count + 1
    attempt.leave_count = max(attempt.leave_count, min(count, attempt.leave_count + 10))
    limit = attempt.exam.leave_limit
    if limit is not None and attempt.mode == "exam" and attempt.leave_count > limit:
        finalise(attempt, "leave_limit", now)
    db.session.flush()
    return attempt


# -- what the phone sees --------------------------------------------------------------

def state(attempt: Attempt, now: datetime | None = None) -> dict:
    """Saved answers and the true time left: everything the phone needs to
    resume, and nothing that reveals an answer (rule 10)."""
    now = now or utcnow()
    items = []
    for item in attempt.items:
        qtype = types.get(item.revision.type)
        items.append({
            "position": item.position,
            "values": form_values(item.response),
            "answered": qtype.is_answered(item.response),
            "saved_seq": item.client_seq,
            "flagged": item.flagged,
        })
    return {
        "ok": True,
        "status": attempt.status,
        "remaining_seconds": clock.remaining_seconds(attempt.deadline_at, now)
        if attempt.status == "in_progress" else 0,
        "current_position": attempt.current_position,
        "leave_count": attempt.leave_count,
        "answered": sum(1 for i in items if i["answered"]),
        "total": len(items),
        "items": items,
    }


def load_items(attempt: Attempt) -> Attempt:
    """``attempt`` with its items and their question revisions loaded in one
    query each (the attempt page shows them all), not one per item."""
    items = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
                               .options(selectinload(AttemptItem.revision)).order_by(AttemptItem.position)).all()
    set_committed_value(attempt, "items", items)
    return attempt


def answered_count(attempt: Attempt) -> int:
    return sum(1 for i in attempt.items if types.get(i.revision.type).is_answered(i.response))


def attempts_of(user_id: int, exam_id: int) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == user_id, Attempt.exam_id == exam_id)
                                   .order_by(Attempt.number)))

