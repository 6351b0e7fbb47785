"""The mistakes book (错题本): every question a worker answered wrong, in an
exam or in practice, until they answer it right twice in a row."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quiz.banks.models import Question
from quiz.db import utcnow
from quiz.exams.models import Mistake
from quiz.extensions import db

CLEAR_AFTER = 2  # right answers in a row that take a question out of the book


def record(user_id: int, question: Question, right: bool, now: datetime | None = None) -> Mistake | None:
    """Note one answer to ``question``: a wrong one puts it in the book (again),
    a right one counts towards taking it out. Flushes."""
    mistake = db.session.scalar(
        select(Mistake).where(Mistake.user_id == user_id, Mistake.question_id == question.id))
    if right:
        if mistake is not None and not mistake.cleared:
            mistake.right_streak += 1
            if mistake.right_streak >= CLEAR_AFTER:
                mistake.cleared = True
        db.session.flush()
        return mistake
    if mistake is None:
        mistake = Mistake(user_id=user_id, question_id=question.id, bank_id=question.bank_id, wrong_count=1,
                          right_streak=0, cleared=False, last_wrong_at=now or utcnow())
        db.session.add(mistake)
    else:
        mistake.wrong_count += 1
        mistake.right_streak = 0
        mistake.cleared = False
        mistake.last_wrong_at = now or utcnow()
    db.session.flush()
    return mistake


def open_mistakes(user_id: int, bank_id: int | None = None) -> list[Mistake]:
    query = (select(Mistake).where(Mistake.user_id == user_id, Mistake.cleared.is_(False))
             .options(selectinload(Mistake.question).selectinload(Question.bank))
             .order_by(Mistake.last_wrong_at.desc(), Mistake.id))
    if bank_id is not None:
        query = query.where(Mistake.bank_id == bank_id)
    return list(db.session.scalars(query))


def book(user_id: int) -> OrderedDict:
    """Open mistakes grouped ``{bank: {category: [Mistake, ...]}}``, banks and
    categories in name order."""
    grouped: dict = {}
    for m in open_mistakes(user_id):
        grouped.setdefault(m.question.bank, {}).setdefault(m.question.category or "", []).append(m)
    out = OrderedDict()
    for bank in sorted(grouped, key=lambda b: b.title):
        out[bank] = OrderedDict(sorted(grouped[bank].items()))
    return out


def in_book(user_id: int, question_id: int) -> bool:
    """Was ``question_id`` ever in the worker's book (open or cleared)?"""
    return db.session.scalar(select(Mistake.id).where(Mistake.user_id == user_id,
                                                      Mistake.question_id == question_id)) is not None
