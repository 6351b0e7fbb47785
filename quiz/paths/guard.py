"""Rule 10 for remediation and review practice: a practice question whose
answer would be shown must not be one that an exam the worker has an
attempt in progress at can draw.

``hidden_questions`` is the single function the paths' practice asks; it
asks the exam engine's one rule (``quiz.exams.lockdown``) with the
``REVIEW`` purpose: only exams in progress lock, as for the review of a
finished attempt. (The stricter ``PRACTICE`` purpose would also close every
bank that feeds an open assigned exam, and so block the remediation the
path's own gate waits for.)
"""
from __future__ import annotations

from collections.abc import Iterable

from quiz.exams import lockdown
from quiz.extensions import db
from quiz.org.models import User


def hidden_questions(user_id: int, question_ids: Iterable[int]) -> set[int]:
    """Those of ``question_ids`` that an exam with an attempt of ``user_id`` in
    progress can draw (its fixed items, its draw rules' pools, the paper it
    drew): their answers must not be shown to this worker now."""
    ids = set(question_ids)
    user = db.session.get(User, user_id) if ids else None
    if user is None:
        return set()
    return lockdown.answer_lock(user).locked_ids(ids, lockdown.REVIEW)
