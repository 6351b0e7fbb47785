"""Free practice: one question at a time from a bank or from the worker's
mistakes book, the right answer and 解析 at once after each answer. It
counts for nothing; wrong answers go into the mistakes book and right ones
count towards taking a question out of it.

Practice shows answers, so it never picks nor answers a question that
``lockdown`` closes to the worker (an exam of theirs running or open can
draw it, DESIGN rule 10)."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from quiz.banks import types
from quiz.banks.models import Bank, Question, QuestionRevision, bank_job_types
from quiz.banks.types.base import QuestionData
from quiz.db import begin_write
from quiz.exams import grading, lockdown, mistakes
from quiz.errors import Refused
from quiz.exams.models import DrawRule, ExamItem
from quiz.exams.assignments.assignees import assignments_for
from quiz.extensions import db
from quiz.org.models import User


def banks_for(user: User) -> list[Bank]:
    """Banks a worker may practise: those for their job type or for no job
    type in particular, and those of the exams assigned to them."""
    exam_ids = {a.exam_id for a in assignments_for(user)}
    conditions = [~Bank.id.in_(select(bank_job_types.c.bank_id))]
    if user.job_type_id is not None:
        conditions.append(Bank.id.in_(select(bank_job_types.c.bank_id)
                                      .where(bank_job_types.c.job_type_id == user.job_type_id)))
    if exam_ids:
        conditions.append(Bank.id.in_(select(DrawRule.bank_id).where(DrawRule.exam_id.in_(exam_ids))))
        conditions.append(Bank.id.in_(select(Question.bank_id).join(ExamItem, ExamItem.question_id == Question.id)
                                      .where(ExamItem.exam_id.in_(exam_ids))))
    query = select(Bank).where(Bank.archived.is_(False), or_(*conditions)).order_by(Bank.title)
    return list(db.session.scalars(query))


def may_practise(user: User, bank: Bank) -> bool:
    return any(b.id == bank.id for b in banks_for(user))


def _usable(question: Question) -> bool:
    return question.current_revision_id is not None and question.type in types.REGISTRY and not question.archived


def pick_from_bank(bank: Bank, rng: random.Random, exclude: int | None = None,
                   user: User | None = None) -> Question | None:
    """A question of ``bank`` at random (not ``exclude`` when there is another),
    none that ``user`` may not practise now."""
    query = select(Question.id).where(
        Question.bank_id == bank.id, Question.archived.is_(False), Question.current_revision_id.is_not(None),
        Question.type.in_(list(types.REGISTRY))).order_by(Question.id)
    if user is not None:
        query = query.where(~lockdown.locked_question_filter(user, lockdown.PRACTICE))
    ids = list(db.session.scalars(query))
    if len(ids) > 1 and exclude in ids:
        ids.remove(exclude)
    return db.session.get(Question, rng.choice(ids)) if ids else None


def pick_mistake(user: User, rng: random.Random, bank_id: int | None = None,
                 exclude: int | None = None) -> Question | None:
    questions = [m.question for m in mistakes.practice_pool(user.id, bank_id) if _usable(m.question)]
    locked = lockdown.answer_lock(user).locked_ids((q.id for q in questions), lockdown.PRACTICE)
    questions = [q for q in questions if q.id not in locked]
    if len(questions) > 1:
        questions = [q for q in questions if q.id != exclude]
    return rng.choice(questions) if questions else None


def public_question(revision: QuestionRevision, order: list[int] | None = None) -> dict:
    """What the phone may see of a question before it is answered: built from
    a copy that holds neither the answer nor the explanation."""
    qtype = types.get(revision.type)
    data = QuestionData(type=revision.type, stem=revision.stem, options=list(revision.options or []),
                        points=revision.points)
    view = qtype.public_view(data, order if qtype.has_options else None)
    view["template"] = qtype.template
    view["lettered"] = qtype.has_options
    return view


def answer_text(revision: QuestionRevision) -> str:
    qtype = types.get(revision.type)
    return qtype.answer_display(QuestionData(type=revision.type, stem=revision.stem,
                                             options=list(revision.options or []), answer=revision.answer))


def locked_message(user: User) -> str:
    """Why a question cannot be practised now, as the worker reads it."""
    if lockdown.answer_lock(user).during_attempt:
        return _("您有考试正在进行，考试可能抽到的题目交卷后才能练习。")
    return _("您的考试开放期间，考试可能抽到的题目不开放练习；考试结束或作答次数用完后再来练习。")


@dataclass
class Feedback:
    revision: QuestionRevision
    response: Any
    fraction: float | None
    right: bool | None
    answer: str
    explanation: str


def answer(user: User, question_id: Any, revision_id: Any, values: list[str], *, policy: str = "all_or_nothing",
           allowed: Callable[[Question], bool] = lambda q: False) -> Feedback:
    """Grade one practice answer, note it in the mistakes book, and return what
    to show: right or wrong, the right answer and 解析. Flushes.

    ``allowed(question)`` says whether this worker may practise the question
    (its bank, or its being in their book): practice reveals the answer, so
    a posted question id is never trusted on its own."""
    try:
        revision = db.session.get(QuestionRevision, int(revision_id))
    except (TypeError, ValueError):
        revision = None
    if revision is None or str(revision.question_id) != str(question_id):
        raise Refused("", "not_found", 404)
    question = revision.question
    if not allowed(question):
        raise Refused("", "not_found", 404)
    if lockdown.answer_lock(user).is_locked(question.id, lockdown.PRACTICE):
        raise Refused(locked_message(user), "locked", 403)
    begin_write(db.session())
    qtype = types.get(revision.type)
    response = qtype.response_from_form([str(v)[:5000] for v in values[:50]])
    fraction = grading.fraction(revision.type, revision.answer, response, policy=policy)
    right = None if fraction is None else fraction >= 1 - 1e-9
    if right is not None and qtype.is_answered(response):
        mistakes.record(user.id, question, right)
    return Feedback(revision, response, fraction, right, answer_text(revision), revision.explanation or "")
