"""Rule 10 for remediation and review practice: a practice question whose
answer would be shown must not be one that an exam the worker has an
attempt in progress at can draw.

``hidden_questions`` is the single function the practice asks. Helper
"sec-exam" is adding the engine's own version of this rule to
``quiz/exams``; when it lands, this function should call it instead (the
callers need not change).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from quiz.banks.models import Question
from quiz.exams.models import Attempt, AttemptItem, DrawRule, ExamItem
from quiz.extensions import db


def hidden_questions(user_id: int, question_ids: Iterable[int]) -> set[int]:
    """Those of ``question_ids`` that an exam with an attempt of ``user_id`` in
    progress can draw (its fixed items, its draw rules' pools, the paper it
    drew): their answers must not be shown to this worker now."""
    ids = set(question_ids)
    if not ids:
        return set()
    exam_ids = set(db.session.scalars(select(Attempt.exam_id).where(Attempt.user_id == user_id,
                                                                     Attempt.status == "in_progress")))
    if not exam_ids:
        return set()
    hidden = set(db.session.scalars(select(ExamItem.question_id).where(ExamItem.exam_id.in_(exam_ids),
                                                                       ExamItem.question_id.in_(ids))))
    hidden |= set(db.session.scalars(
        select(AttemptItem.question_id).join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.user_id == user_id, Attempt.status == "in_progress", AttemptItem.question_id.in_(ids))))
    rules = db.session.scalars(select(DrawRule).where(DrawRule.exam_id.in_(exam_ids))).all()
    if rules:
        rows = db.session.execute(select(Question.id, Question.bank_id, Question.category, Question.type,
                                         Question.difficulty).where(Question.id.in_(ids))).all()
        for qid, bank_id, category, qtype, difficulty in rows:
            for rule in rules:
                if (rule.bank_id == bank_id and (not rule.category or rule.category == category)
                        and (not rule.type or rule.type == qtype)
                        and (rule.difficulty is None or rule.difficulty == difficulty)):
                    hidden.add(qid)
                    break
    return hidden
