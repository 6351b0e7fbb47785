"""What pages show of an attempt: the public view of each item, the worker's
own answer as text, and (only when the rules allow) the right answer.

Everything here that can reveal an answer is behind ``review_level`` or
``practice_feedback``, and both ask ``lockdown`` first; the attempt page
only ever uses ``item_view`` (DESIGN rule 10).
"""
from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import func, select

from quiz.banks import types
from quiz.banks.types.base import QuestionData
from quiz.db import utcnow
from quiz.exams import grading, lockdown
from quiz.exams.models import Attempt, AttemptItem, ExamAllowance
from quiz.exams.practice import public_question
from quiz.exams.attempt.answers import form_values
from quiz.extensions import db


def letter(i: int) -> str:
    return chr(ord("A") + i)


def item_view(item: AttemptItem) -> dict:
    """The item as the phone may see it while the attempt runs: no answer, no 解析."""
    rev = item.revision
    qtype = types.get(rev.type)
    view = public_question(rev, item.option_order)
    view.update({
        "position": item.position,
        "number": item.position + 1,
        "field": f"q{item.position}",
        "response": item.response,
        "values": form_values(item.response),
        "answered": qtype.is_answered(item.response),
        "flagged": item.flagged,
        "saved_seq": item.client_seq,
        "points": item.points,
        "letters": {str(value): letter(i) for i, (value, _text) in enumerate(view["options"])},
    })
    return view


def _as_text(view: dict, values: list[str]) -> str:
    if view["options"]:
        shown = []
        for i, (value, text) in enumerate(view["options"]):
            if str(value) in values:
                lettered = types.get(view["type"]).has_options
                shown.append(f"{letter(i)}. {text}" if lettered else str(text))
        return "；".join(shown)
    return "；".join(v for v in values if v)


def response_text(item: AttemptItem) -> str:
    """The worker's own answer as they read it (options by their display letter)."""
    return _as_text(item_view(item), form_values(item.response))


def answer_text(item: AttemptItem) -> str:
    """The right answer as the worker's paper showed it. Only for review."""
    rev = item.revision
    view = public_question(rev, item.option_order)
    if view["options"]:
        return _as_text(view, form_values(rev.answer))
    qtype = types.get(rev.type)
    return qtype.answer_display(QuestionData(type=rev.type, stem=rev.stem, options=list(rev.options or []),
                                             answer=rev.answer))


def review_level(attempt: Attempt, now: datetime | None = None) -> str | None:
    """What the result page may show: None while the attempt runs; then
    "score", "wrong" (which were wrong) or "full" (right answers and 解析).
    "after_close" shows the score only until the exam closes, then all;
    "final" shows which were wrong until no attempt is left or the exam has
    closed, then all. Whatever the exam says, nothing beyond the score while
    the worker has an attempt running that can draw these questions (or, for
    a practice attempt, while they are closed for practice): ``lockdown``."""
    if attempt.status != "submitted":
        return None
    level = _level(attempt, now or utcnow())
    if level != "score" and held_back(attempt):
        return "score"
    return level


def _level(attempt: Attempt, now: datetime) -> str:
    if attempt.mode == "practice":
        return "full"
    review = attempt.exam.review
    if review == "after_close":
        closes = attempt.exam.closes_at
        return "full" if closes is not None and now >= closes else "score"
    if review == "final":
        return "full" if no_attempt_left(attempt, now) else "wrong"
    return review if review in ("score", "wrong", "full") else "score"


def held_back(attempt: Attempt) -> bool:
    """Does ``lockdown`` hold back this finished attempt's answers from its worker now?"""
    purpose = lockdown.PRACTICE if attempt.mode == "practice" else lockdown.REVIEW
    lock = lockdown.answer_lock(attempt.user)
    return bool(lock.exam_ids(purpose)) and bool(lock.locked_ids((i.question_id for i in attempt.items), purpose))


def held_in_practice(attempt: Attempt) -> set[int]:
    """The question ids of a practice attempt whose feedback ``lockdown`` holds
    back now (one query per attempt and request, however many items ask)."""
    if attempt.mode != "practice":
        return set()
    key = f"_held_in_practice_{attempt.id}"
    if has_request_context() and key in g:
        return g.get(key)
    lock = lockdown.answer_lock(attempt.user)
    held = lock.locked_ids((i.question_id for i in attempt.items), lockdown.PRACTICE) \
        if lock.exam_ids(lockdown.PRACTICE) else set()
    if has_request_context():
        setattr(g, key, held)
    return held


def no_attempt_left(attempt: Attempt, now: datetime | None = None) -> bool:
    """Has the exam closed (or been archived) for this worker, or have they used every attempt?"""
    exam = attempt.exam
    if exam.archived or (exam.closes_at is not None and (now or utcnow()) >= exam.closes_at):
        return True
    if exam.attempts_allowed is None:
        return False
    used = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == attempt.user_id, Attempt.counted.is_(True))) or 0
    extra = db.session.scalar(select(ExamAllowance.extra_attempts).where(
        ExamAllowance.exam_id == exam.id, ExamAllowance.user_id == attempt.user_id)) or 0
    return used >= exam.attempts_allowed + extra


def review_items(attempt: Attempt, level: str) -> list[dict]:
    rows = []
    for item in attempt.items:
        view = item_view(item)
        row = {
            "number": item.position + 1, "stem": view["stem"], "label": view["label"], "points": item.points,
            "score": item.score, "pending": item.score is None,
            "right": grading.is_right(item.score, item.points), "answered": view["answered"],
            # some points but not all (a short answer marked 14/16, a multiple choice under the partial policy)
            "partial": item.score is not None and 0 < item.score < item.points - 1e-9,
            "mine": response_text(item), "comment": item.comment,
        }
        if level == "full":
            row["answer"] = answer_text(item)
            row["explanation"] = item.revision.explanation or ""
        rows.append(row)
    return rows


def outlook(attempt: Attempt) -> grading.Outlook | None:
    """For a result waiting for a trainer: whether passing is certain, still
    possible, or out of reach (None when nothing waits)."""
    if not attempt.pending_grading:
        return None
    return grading.outlook(((i.score, i.points) for i in attempt.items), attempt.exam.pass_mark)


def practice_feedback(item: AttemptItem) -> dict | None:
    """In a practice attempt, an answered item's feedback (shown at once),
    unless ``lockdown`` closes the question for practice to this worker now."""
    if item.attempt.mode != "practice" or item.score is None:
        return None
    if item.question_id in held_in_practice(item.attempt):
        return None
    explanation = item.revision.explanation or ""
    # the values of the inputs to mark as right (choice-like questions: those whose view has options)
    shown = public_question(item.revision, item.option_order)["options"]
    right_values = form_values(item.revision.answer) if shown else []
    return {"right": bool(grading.is_right(item.score, item.points)), "answer": answer_text(item),
            "explanation": explanation, "right_values": right_values,
            "reveal": {"answer": item.revision.answer, "explanation": explanation}}
