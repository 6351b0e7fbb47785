"""What changes an attempt: start, save an answer, flag, leave, submit,
finalise the overdue. Every function flushes and never commits (DESIGN
rule 7); each takes the write lock before it reads what it will change
(SQLite: ``BEGIN IMMEDIATE`` through ``begin_write``; PostgreSQL: the
attempt row ``FOR UPDATE``).
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from quiz.banks import types
from quiz.banks.models import Question, QuestionRevision
from quiz.db import begin_write, utcnow
from quiz.exams import clock, drawing, grading, mistakes
from quiz.exams.errors import ExamError
from quiz.exams.models import Assignment, Attempt, AttemptItem, Exam, ExamAllowance, ExamItem
from quiz.exams.signals import attempt_graded
from quiz.extensions import db
from quiz.org.models import User
from quiz.reports import progress

__all__ = ["ExamError", "start_attempt", "save_answer", "set_flag", "leave", "submit", "finalise_overdue",
           "refresh", "regrade", "state", "form_values", "grace_seconds"]


def grace_seconds() -> int:
    return int(current_app.config.get("ANSWER_GRACE_SECONDS", clock.DEFAULT_GRACE_SECONDS))


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _write_lock(attempt: Attempt | None = None) -> None:
    """Take the write lock, then re-read ``attempt`` under it."""
    begin_write(db.session())
    if attempt is None:
        return
    if _is_sqlite():
        db.session.refresh(attempt)
    else:
        db.session.refresh(attempt, with_for_update=True)


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


def _normalise(item: AttemptItem, values: list[str] | None, response: Any) -> Any:
    """Whatever the phone sent, through the type's own form parser, and only
    options this item showed."""
    return _normalised(item.revision.type, item.revision.options, item.option_order, values, response)


def _normalised(rev_type: str, rev_options: list | None, option_order: list[int] | None,
                values: list[str] | None, response: Any) -> Any:
    qtype = types.get(rev_type)
    if values is None:
        values = form_values(response)
    if not isinstance(values, list):
        raise ExamError(_("答案格式不正确，请重试。"), "bad_response", 400)
    values = [str(v)[:5000] for v in values[:50]]
    result = qtype.response_from_form(values)
    if qtype.has_options and isinstance(result, list):
        shown = set(option_order or range(len(rev_options or [])))
        result = [i for i in result if i in shown] or None
    return result


# -- starting ---------------------------------------------------------------------

def _allowance(exam_id: int, user_id: int) -> ExamAllowance | None:
    return db.session.scalar(select(ExamAllowance).where(ExamAllowance.exam_id == exam_id,
                                                         ExamAllowance.user_id == user_id))


def _candidate(question_id: int, revision_id: int | None, qtype_name: str, options: list | None,
               with_options: bool = True) -> drawing.Candidate | None:
    if revision_id is None:
        return None
    try:
        qtype = types.get(qtype_name)
    except KeyError:
        return None
    return drawing.Candidate(question_id, revision_id,
                             len(options or []) if with_options and qtype.has_options else 0)


def _columns(with_options: bool) -> tuple:
    # plain columns, not Question objects: a pool may hold thousands of questions
    return (Question.id, Question.current_revision_id, Question.type) + ((Question.options,) if with_options else ())


def _pool(rule, with_options: bool = True) -> list[drawing.Candidate]:
    query = select(*_columns(with_options)).where(Question.bank_id == rule.bank_id, Question.archived.is_(False))
    if rule.category:
        query = query.where(Question.category == rule.category)
    if rule.type:
        query = query.where(Question.type == rule.type)
    if rule.difficulty is not None:
        query = query.where(Question.difficulty == rule.difficulty)
    rows = db.session.execute(query)
    return [c for c in (_candidate(r[0], r[1], r[2], r[3] if with_options else None, with_options) for r in rows)
            if c is not None]


def _paper_inputs(exam: Exam, with_options: bool = True) -> tuple[list[drawing.Fixed], list[drawing.Rule]]:
    rows = db.session.execute(select(ExamItem.points, *_columns(with_options))
                              .join(Question, Question.id == ExamItem.question_id)
                              .where(ExamItem.exam_id == exam.id).order_by(ExamItem.position, ExamItem.id))
    fixed = []
    for r in rows:
        candidate = _candidate(r[1], r[2], r[3], r[4] if with_options else None, with_options)
        if candidate is not None:
            fixed.append(drawing.Fixed(candidate, r[0]))
    rules = [drawing.Rule(_pool(rule, with_options), rule.count, rule.points) for rule in exam.rules]
    return fixed, rules


def draw_paper(exam: Exam, seed: int) -> drawing.Paper:
    """The paper ``seed`` gives for ``exam`` with the banks as they are now."""
    fixed, rules = _paper_inputs(exam)
    return drawing.draw(fixed, rules, seed, shuffle_questions=exam.shuffle_questions,
                        shuffle_options=exam.shuffle_options)


def question_count(exam: Exam) -> int:
    """How many questions a paper of ``exam`` has (what the intro page shows):
    the fixed items and the rules' pools as ids only, without options or
    shuffling. The same number ``len(draw_paper(exam, 1).items)`` gives."""
    fixed, rules = _paper_inputs(exam, with_options=False)
    return len(drawing.draw(fixed, rules, 1).items)


def _in_progress(exam_id: int, user_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.exam_id == exam_id, Attempt.user_id == user_id,
                                                   Attempt.status == "in_progress"))


def start_attempt(user: User, exam: Exam, *, assignment: Assignment | None = None,
                  now: datetime | None = None, seed: int | None = None) -> Attempt:
    """The worker's attempt in progress at ``exam``, or a new one with a freshly
    drawn paper and its deadline. Refuses (``ExamError``) before the exam
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
    _write_lock()
    if not _is_sqlite():  # serialise two starts by the same worker
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    _finalise_overdue(now, user_id=user.id, exam_id=exam.id)
    existing = _in_progress(exam.id, user.id)
    if existing is not None:
        return existing
    if exam.opens_at is not None and now < exam.opens_at:
        raise ExamError(_("考试尚未开始，请在开放时间后再来。"), "not_open")
    if exam.closes_at is not None and now >= exam.closes_at:
        raise ExamError(_("考试已结束，不能再作答。"), "closed")
    practice = exam.mode == "practice"
    previous = list(db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id).order_by(Attempt.number)))
    allowance = _allowance(exam.id, user.id)
    if not practice:
        used = sum(1 for a in previous if a.counted)
        allowed = exam.attempts_allowed
        if allowed is not None and used >= allowed + (allowance.extra_attempts if allowance else 0):
            raise ExamError(_("您的作答次数已用完。"), "no_attempts_left")
        last = max((a.submitted_at for a in previous if a.submitted_at), default=None)
        if exam.wait_minutes and last is not None and now < last + timedelta(minutes=exam.wait_minutes):
            wait = last + timedelta(minutes=exam.wait_minutes) - now
            minutes = max(1, int(wait.total_seconds() + 59) // 60)
            raise ExamError(_("距离下次作答还需等待 %(n)s 分钟。", n=minutes), "wait")
    if not paper.items:
        raise ExamError(_("这场考试还没有题目，请联系培训员。"), "no_questions")
    attempt = Attempt(
        exam=exam, user_id=user.id, assignment=assignment, number=len(previous) + 1, mode=exam.mode,
        status="in_progress", seed=seed, started_at=now, max_score=paper.max_score, counted=not practice,
        deadline_at=clock.deadline(now, exam.time_limit_minutes, exam.closes_at,
                                   allowance.extra_minutes if allowance else 0),
        current_position=0, leave_count=0,
    )
    for position, item in enumerate(paper.items):
        attempt.items.append(AttemptItem(position=position, question_id=item.question_id,
                                         revision_id=item.revision_id, option_order=item.option_order,
                                         points=item.points, client_seq=0))
    db.session.add(attempt)
    db.session.flush()
    progress.attempt_changed(attempt)  # the reports' per-person summary (quiz/reports/progress.py)
    return attempt


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
    item: AttemptItem | None  # None from ``save_answer_fast``
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
        raise ExamError(_("没有这道题。"), "bad_position", 400)
    return item


def _open_for_answers(attempt: Attempt, now: datetime) -> None:
    """Finalise an overdue attempt; refuse when it no longer takes answers."""
    if attempt.status == "in_progress" and clock.is_overdue(attempt.deadline_at, now, grace_seconds()):
        _finalise(attempt, "clock", now)
    if attempt.status != "in_progress":
        if attempt.finalised_by == "clock":
            raise ExamError(_("考试时间已到（含 %(s)s 秒宽限），答案不能再保存。截止前已保存的答案已计分。",
                              s=grace_seconds()), "deadline")
        raise ExamError(_("本次考试已交卷，答案不能再修改。"), "submitted")


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
        raise ExamError(_("答案格式不正确，请重试。"), "bad_response", 400) from None
    _write_lock(attempt)
    _open_for_answers(attempt, now)
    item = _item(attempt, position)
    forward = attempt.exam.navigation == "forward"
    if forward and item.position < attempt.current_position:
        raise ExamError(_("本考试只能按顺序作答，前面的题目不能再修改。"), "one_way")
    remaining = clock.remaining_seconds(attempt.deadline_at, now)
    if attempt.mode == "practice" and item.score is not None:
        return Saved(item.client_seq, True, remaining, item)  # already answered and shown
    stale = seq <= item.client_seq
    if not stale:
        previous = max((i.saved_at for i in attempt.items if i.saved_at is not None), default=attempt.started_at)
        item.time_spent_ms = (item.time_spent_ms or 0) + time_since(previous, now)
        item.response = _normalise(item, values, response)
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


def save_answer_fast(attempt_id: int, user_id: int, position: Any, values: Any, seq: Any, *,
                     now: datetime | None = None) -> Saved | None:
    """``save_answer`` for the common case, in a few statements: an exam-mode
    attempt of ``user_id`` in progress and in time, form ``values`` posted at
    a valid position, no ``move_to`` and no flag. Returns ``None`` for
    anything else, which the caller then sends the full way (``save_answer``
    gives the refusals their messages and codes, finalises the overdue).

    Under the write lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the
    attempt row ``FOR UPDATE``): one read of the attempt with its exam, one
    of the item with its revision, one ``UPDATE … WHERE client_seq < seq``
    (an older seq never overwrites a newer one; it adds the time since the
    attempt's previous save to the item, see ``time_since``), and the attempt's
    ``current_position`` only when it moves. ``Saved.item`` is ``None``:
    nothing is loaded as objects. Practice attempts never come this way, so
    there is no feedback to give and no mistake to record. The statements are
    built once per process (``_fast_statements``) and run on the session's
    connection: on the phone's busiest request, building and ORM-wrapping them
    cost more than running them."""
    now = now or utcnow()
    if not isinstance(values, list):
        return None
    try:
        position, seq = int(position), int(seq)
    except (TypeError, ValueError):
        return None
    _write_lock()
    connection = db.session.connection()
    fast = _fast_statements(connection.dialect.name)
    a = connection.execute(fast.attempt, {"attempt_id": attempt_id}).first()
    if (a is None or a.user_id != user_id or a.status != "in_progress" or a.mode != "exam"
            or clock.is_overdue(a.deadline_at, now, grace_seconds())):
        return None
    forward = a.navigation == "forward"
    if forward and position < a.current_position:
        return None  # refused (one_way) the full way
    it = connection.execute(fast.item, {"attempt_id": attempt_id, "position": position}).first()
    if it is None:
        return None
    saved_seq, stale = it.client_seq, seq <= it.client_seq
    if not stale:
        response = _normalised(it.type, it.options, it.option_order, values, None)
        done = connection.execute(fast.update_item, {"item_id": it.id, "new_seq": seq, "new_response": response,
                                                     "now": now, "spent": time_since(a.previous, now)})
        if done.rowcount == 1:
            saved_seq = seq
        else:  # cannot happen under the lock; never claim a save that did not happen
            stale = True
            saved_seq = connection.execute(fast.item_seq, {"item_id": it.id}).scalar()
    moved = max(a.current_position, position) if forward else position
    if moved != a.current_position:
        connection.execute(fast.move, {"attempt_id": attempt_id, "moved": moved})
    return Saved(saved_seq, stale, clock.remaining_seconds(a.deadline_at, now), None, position)


@dataclass(frozen=True)
class _FastStatements:
    attempt: Any
    item: Any
    update_item: Any
    item_seq: Any
    move: Any


@functools.cache
def _fast_statements(dialect: str) -> _FastStatements:
    """``save_answer_fast``'s statements with bound parameters, built once per dialect
    (SQLAlchemy also keeps their compiled form: each runs without being built again)."""
    attempts, items, exams, revisions = (Attempt.__table__, AttemptItem.__table__, Exam.__table__,
                                         QuestionRevision.__table__)
    last_save = (select(func.max(items.c.saved_at)).where(items.c.attempt_id == attempts.c.id)
                 .correlate(attempts).scalar_subquery())
    attempt = (select(attempts.c.user_id, attempts.c.status, attempts.c.mode, attempts.c.deadline_at,
                      attempts.c.current_position, exams.c.navigation,
                      func.coalesce(last_save, attempts.c.started_at).label("previous"))
               .join(exams, exams.c.id == attempts.c.exam_id).where(attempts.c.id == bindparam("attempt_id")))
    if dialect != "sqlite":
        attempt = attempt.with_for_update(of=attempts)
    item = (select(items.c.id, items.c.client_seq, items.c.option_order, revisions.c.type, revisions.c.options)
            .join(revisions, revisions.c.id == items.c.revision_id)
            .where(items.c.attempt_id == bindparam("attempt_id"), items.c.position == bindparam("position")))
    update_item = (items.update()
                   .where(items.c.id == bindparam("item_id"), items.c.client_seq < bindparam("new_seq"))
                   .values(response=bindparam("new_response", type_=items.c.response.type),
                           client_seq=bindparam("new_seq"), saved_at=bindparam("now", type_=items.c.saved_at.type),
                           time_spent_ms=items.c.time_spent_ms + bindparam("spent")))
    item_seq = select(items.c.client_seq).where(items.c.id == bindparam("item_id"))
    move = (attempts.update().where(attempts.c.id == bindparam("attempt_id"))
            .values(current_position=bindparam("moved")))
    return _FastStatements(attempt, item, update_item, item_seq, move)


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
    _write_lock(attempt)
    _open_for_answers(attempt, now)
    item = _item(attempt, position)
    item.flagged = bool(flagged)
    db.session.flush()
    return item


def move(attempt: Attempt, position: int, now: datetime | None = None) -> None:
    """The worker went to ``position`` (a plain-form page turn without a save)."""
    now = now or utcnow()
    _write_lock(attempt)
    _open_for_answers(attempt, now)
    _move(attempt, position, attempt.exam.navigation == "forward")
    db.session.flush()


def leave(attempt: Attempt, count: int | None = None, now: datetime | None = None) -> Attempt:
    """Count the worker leaving the page. ``count`` is the phone's own tally
    (so a retried report is not counted twice); with the exam's limit set,
    leaving more often than it allows submits the attempt."""
    now = now or utcnow()
    _write_lock(attempt)
    if attempt.status == "in_progress" and clock.is_overdue(attempt.deadline_at, now, grace_seconds()):
        _finalise(attempt, "clock", now)
    if attempt.status != "in_progress":
        return attempt
    try:
        count = int(count) if count is not None else attempt.leave_count + 1
    except (TypeError, ValueError):
        count = attempt.leave_count + 1
    attempt.leave_count = max(attempt.leave_count, min(count, attempt.leave_count + 10))
    limit = attempt.exam.leave_limit
    if limit is not None and attempt.mode == "exam" and attempt.leave_count > limit:
        _finalise(attempt, "leave_limit", now)
    db.session.flush()
    return attempt


# -- finishing ----------------------------------------------------------------------

def submit(attempt: Attempt, *, by: str = "worker", now: datetime | None = None) -> Attempt:
    """Finalise the attempt with what was saved. Idempotent: submitting a
    finalised attempt (a double tap, a retry) returns it unchanged."""
    now = now or utcnow()
    _write_lock(attempt)
    if attempt.status == "in_progress":
        overdue = clock.is_overdue(attempt.deadline_at, now, grace_seconds())
        _finalise(attempt, "clock" if overdue else by, now)
    return attempt


def refresh(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finalise ``attempt`` if its time is up (the lazy half of rule 4): called
    whenever a page or the API touches it. Takes the lock only when needed."""
    now = now or utcnow()
    if attempt.status == "in_progress" and clock.is_overdue(attempt.deadline_at, now, grace_seconds()):
        _write_lock(attempt)
        if attempt.status == "in_progress":
            _finalise(attempt, "clock", now)
    return attempt


def _overdue_query(now: datetime, user_id: int | None = None, exam_id: int | None = None):
    cutoff = now - timedelta(seconds=grace_seconds())
    query = select(Attempt).where(Attempt.status == "in_progress", Attempt.deadline_at.is_not(None),
                                  Attempt.deadline_at < cutoff)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    return query


def has_overdue(now: datetime | None = None, *, user_id: int | None = None) -> bool:
    """Whether any attempt (of ``user_id``) waits to be finalised by the clock:
    one ``SELECT EXISTS``, no lock. Pages check this before ``finalise_overdue``
    so that they take the write lock only when there is something to write."""
    now = now or utcnow()
    return bool(db.session.scalar(select(exists(_overdue_query(now, user_id).with_only_columns(Attempt.id)))))


def finalise_overdue(now: datetime | None = None, *, user_id: int | None = None) -> int:
    """Finalise every attempt whose deadline plus grace has passed, with what
    was saved (for cron and for lazy use). Returns how many."""
    now = now or utcnow()
    _write_lock()
    return _finalise_overdue(now, user_id=user_id)


def _finalise_overdue(now: datetime, *, user_id: int | None = None, exam_id: int | None = None) -> int:
    query = _overdue_query(now, user_id, exam_id).options(selectinload(Attempt.items)).order_by(Attempt.id)
    if not _is_sqlite():
        query = query.with_for_update(of=Attempt, skip_locked=True)
    done = 0
    for attempt in db.session.scalars(query).all():
        _finalise(attempt, "clock", now)
        done += 1
    return done


def _finalise(attempt: Attempt, by: str, now: datetime) -> None:
    policy = attempt.exam.multiple_policy
    practice = attempt.mode == "practice"
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
    progress.attempt_changed(attempt)  # the reports' per-person summary (quiz/reports/progress.py)
    if not result.pending and attempt.mode == "exam":
        attempt_graded.send(attempt)


def regrade(attempt: Attempt) -> None:
    """Recompute a finalised attempt's total after a trainer scored items
    (``item.score`` and ``graded_by_id`` set); sends ``attempt_graded`` once
    nothing is pending any more."""
    if attempt.status != "in_progress":
        _apply_result(attempt)


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
