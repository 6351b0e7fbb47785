"""Whether exams use a question: the answer banks ask for before deleting one.

Banks sit below exams and may not import them, so ``register`` hands
``question_in_use`` to ``quiz.banks.services.register_usage_check`` when the
app is built.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from quiz.banks.models import Question
from quiz.banks.services import register_usage_check
from quiz.exams.models import AttemptItem, ExamItem
from quiz.extensions import db


def question_in_use(question: Question) -> bool:
    """An attempt showed the question, or an exam lists it."""
    return bool(db.session.scalar(select(
        exists().where(AttemptItem.question_id == question.id)
        | exists().where(ExamItem.question_id == question.id))))


def register() -> None:
    """Tell banks how to ask whether a question is used (called by the app factory)."""
    register_usage_check(question_in_use)
