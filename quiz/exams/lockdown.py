"""DESIGN rule 10 in one place: which questions' right answers and 解析 a
person may not be shown now, whatever the path.

Two things lock a question for a person:

- **an attempt in progress** (exam mode) at an exam that can draw it: its
  fixed questions, every question its draw rules can draw, and whatever
  their paper holds. While it runs nothing anywhere shows these answers:
  practice of a bank, practice from the mistakes book, the feedback of a
  practice-mode exam, the review of any earlier attempt, any JSON.
- **an exam open to them** (exam mode, assigned, not archived, not closed,
  an attempt left) whose trainer has not opened its banks for practice
  (``Exam.practice_open``, off by default). Practice does not show these
  answers; reviews of finished attempts follow each exam's review setting.
  Practice-mode exams lock nothing: they are practice by nature.

Every path that can show an answer asks here, with the purpose it shows it
for: ``PRACTICE`` (practice of any kind) or ``REVIEW`` (looking back at a
finished attempt). ``locked_question_filter`` gives an SQL condition for a
query on ``Question``; ``answer_lock(user).locked_ids(...)`` checks the
questions in hand; ``banks_closed_for_practice`` the banks with nothing
left to practise. Later domains (learning paths, remediation) call the same.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.sql import ColumnElement

from quiz.banks import types
from quiz.banks.models import Question
from quiz.db import utcnow
from quiz.exams.assignments.todo import tasks_for
from quiz.exams.attempt.locking import grace_seconds
from quiz.exams.models import Attempt, AttemptItem, DrawRule, ExamItem
from quiz.extensions import db
from quiz.org.models import User

PRACTICE = "practice"  # practice of a bank, of the mistakes book, feedback of a practice-mode exam
REVIEW = "review"  # the review of a finished attempt


@dataclass(frozen=True)
class AnswerLock:
    """What locks answers for one person now: ``running`` the exams they have an
    attempt in progress at (lock for every purpose), ``closed`` the exams open
    to them whose banks are closed for practice (lock for ``PRACTICE``)."""

    user_id: int
    running: tuple[int, ...]
    closed: tuple[int, ...]

    def exam_ids(self, purpose: str = PRACTICE) -> tuple[int, ...]:
        if purpose == REVIEW:
            return self.running
        return tuple(sorted(set(self.running) | set(self.closed)))

    def condition(self, purpose: str = PRACTICE) -> ColumnElement[bool]:
        """SQL condition on ``Question``: true for the questions whose answers are locked."""
        exam_ids = self.exam_ids(purpose)
        if not exam_ids:
            return false()
        conditions = [Question.id.in_(select(ExamItem.question_id).where(ExamItem.exam_id.in_(exam_ids)))]
        for rule in db.session.scalars(select(DrawRule).where(DrawRule.exam_id.in_(exam_ids))):
            conditions.append(_rule_condition(rule))
        if self.running:  # the papers themselves, whatever the exam has become since they were drawn
            conditions.append(Question.id.in_(
                select(AttemptItem.question_id).join(Attempt, Attempt.id == AttemptItem.attempt_id)
                .where(Attempt.user_id == self.user_id, Attempt.exam_id.in_(self.running),
                       Attempt.status == "in_progress")))
        return or_(*conditions)

    def locked_ids(self, question_ids: Iterable[int], purpose: str = PRACTICE) -> set[int]:
        """Those of ``question_ids`` whose answers are locked."""
        ids = {int(i) for i in question_ids}
        if not ids or not self.exam_ids(purpose):
            return set()
        return set(db.session.scalars(select(Question.id).where(Question.id.in_(ids), self.condition(purpose))))

    def is_locked(self, question_id: int, purpose: str = PRACTICE) -> bool:
        return bool(self.locked_ids([question_id], purpose))

    @property
    def during_attempt(self) -> bool:
        return bool(self.running)


def _rule_condition(rule: DrawRule) -> ColumnElement[bool]:
    """Every question ``rule`` can draw, archived or not yet published included
    (a question restored mid-exam must not slip out)."""
    conditions = [Question.bank_id == rule.bank_id]
    if rule.category:
        conditions.append(func.coalesce(Question.category, "") == rule.category)
    if rule.type:
        conditions.append(Question.type == rule.type)
    if rule.difficulty is not None:
        conditions.append(func.coalesce(Question.difficulty, -1) == rule.difficulty)
    return and_(*conditions)


def _grace() -> timedelta:
    return timedelta(seconds=grace_seconds())


def running_exam_ids(user: User, now: datetime | None = None) -> set[int]:
    """Exams at which ``user`` has an exam-mode attempt that can still take answers."""
    now = now or utcnow()
    rows = db.session.execute(select(Attempt.exam_id, Attempt.deadline_at).where(
        Attempt.user_id == user.id, Attempt.status == "in_progress", Attempt.mode == "exam")).all()
    grace = _grace()
    return {exam_id for exam_id, deadline in rows if deadline is None or now <= deadline + grace}


def closed_exam_ids(user: User, now: datetime | None = None) -> set[int]:
    """Exams open to ``user`` (assigned, live, not closed, an attempt left or
    one running) whose banks their trainer has not opened for practice."""
    now = now or utcnow()
    closed = set()
    for task in tasks_for(user, now):
        exam = task.exam
        if exam.mode != "exam" or exam.practice_open:
            continue
        if exam.closes_at is not None and now >= exam.closes_at:
            continue
        if task.in_progress is None and task.attempts_left is not None and task.attempts_left <= 0:
            continue
        closed.add(exam.id)
    return closed


def answer_lock(user: User, now: datetime | None = None) -> AnswerLock:
    """The lock on ``user``'s answers now (kept for the rest of the request)."""
    key = f"_answer_lock_{user.id}"
    if now is None and has_request_context() and key in g:
        return g.get(key)
    lock = AnswerLock(user.id, tuple(sorted(running_exam_ids(user, now))),
                      tuple(sorted(closed_exam_ids(user, now))))
    if now is None and has_request_context():
        setattr(g, key, lock)
    return lock


def locked_question_filter(user: User, purpose: str = PRACTICE) -> ColumnElement[bool]:
    """SQL condition on ``Question``: true for the questions whose right answer
    and 解析 ``user`` may not be shown now for ``purpose``. Use it negated to
    keep only what may be practised: ``.where(~locked_question_filter(user))``."""
    return answer_lock(user).condition(purpose)


def banks_closed_for_practice(user: User, bank_ids: Iterable[int] | None = None) -> set[int]:
    """Banks (of ``bank_ids``, or all) that have questions but none ``user``
    may practise now."""
    lock = answer_lock(user)
    if not lock.exam_ids(PRACTICE):
        return set()
    locked = lock.condition(PRACTICE)
    query = (select(Question.bank_id).where(Question.archived.is_(False), Question.current_revision_id.is_not(None),
                                            Question.type.in_(list(types.REGISTRY)))
             .group_by(Question.bank_id)
             .having(func.sum(case((locked, 0), else_=1)) == 0))
    if bank_ids is not None:
        query = query.where(Question.bank_id.in_(list(bank_ids)))
    return set(db.session.scalars(query))

