"""Passed topics come back for a short review, scheduled by fsrs; and the
remediation practice. Both show the right answer after each answer, so both
ask ``guard.hidden_questions`` first (rule 10).

A review round is ``ROUND`` questions of the topic's knowledge points; two
or more right rate it Good, fewer Again (fsrs then brings it back sooner).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler
from sqlalchemy import or_, select

from quiz.banks import types
from quiz.banks.models import Question
from quiz.db import utcnow
from quiz.exams import practice as exam_practice
from quiz.exams.mistakes import new_card
from quiz.exams.models import DrawRule
from quiz.extensions import db
from quiz.paths import guard, remediation
from quiz.paths.models import Remediation, RemediationPoint, Topic, TopicReview

ROUND = 3
# no same-day learning steps: a passed topic comes back after days, then weeks
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def schedule_first(user_id: int, topic: Topic, now: datetime) -> TopicReview:
    """The first review of a topic just passed (passing counts as a Good review)."""
    existing = db.session.scalar(select(TopicReview).where(TopicReview.user_id == user_id,
                                                           TopicReview.topic_id == topic.id))
    if existing is not None:
        return existing
    card, _log = SCHEDULER.review_card(new_card(_aware(now)), Rating.Good, review_datetime=_aware(now))
    item = TopicReview(user_id=user_id, topic_id=topic.id, card=card.to_dict(), due_at=card.due, reviews=0,
                       round_answered=0, round_right=0)
    db.session.add(item)
    db.session.flush()
    return item


def due_reviews(user_id: int, now: datetime | None = None) -> list[TopicReview]:
    now = now or utcnow()
    return list(db.session.scalars(select(TopicReview).where(TopicReview.user_id == user_id,
                                                             TopicReview.due_at <= now).order_by(TopicReview.due_at)))


def next_reviews(user_id: int) -> list[TopicReview]:
    return list(db.session.scalars(select(TopicReview).where(TopicReview.user_id == user_id)
                                   .order_by(TopicReview.due_at)))


def topic_pool(topic: Topic) -> list[int]:
    """The questions a topic's test can draw (its draw rules' pools)."""
    rules = db.session.scalars(select(DrawRule).where(DrawRule.exam_id == topic.exam_id)).all()
    if not rules:
        return []
    conditions = []
    for rule in rules:
        cond = Question.bank_id == rule.bank_id
        if rule.category:
            cond = cond & (Question.category == rule.category)
        conditions.append(cond)
    return list(db.session.scalars(select(Question.id).where(
        or_(*conditions), Question.archived.is_(False), Question.current_revision_id.is_not(None),
        Question.type.in_(list(types.REGISTRY))).order_by(Question.id)))


def pick_review_question(item: TopicReview, rng: random.Random) -> Question | None:
    pool = topic_pool(item.topic)
    allowed = set(pool) - guard.hidden_questions(item.user_id, pool)
    qid = remediation.next_question(pool, item.last_question_id, rng, allowed)
    return db.session.get(Question, qid) if qid else None


def record_review_answer(item: TopicReview, question: Question, right: bool, now: datetime | None = None) -> bool:
    """Count one review answer; after ``ROUND`` the topic is rated and
    rescheduled. Returns True when the round is over. Flushes."""
    now = now or utcnow()
    item.round_answered += 1
    item.round_right += 1 if right else 0
    item.last_question_id = question.id
    if item.round_answered < ROUND:
        db.session.flush()
        return False
    rating = Rating.Good if item.round_right >= 2 else Rating.Again
    card, _log = SCHEDULER.review_card(Card.from_dict(item.card), rating, review_datetime=_aware(now))
    if rating == Rating.Again and card.due <= _aware(now):
        card.due = _aware(now) + timedelta(days=1)
    item.card = card.to_dict()
    item.due_at = card.due
    item.reviews += 1
    item.round_answered = 0
    item.round_right = 0
    db.session.flush()
    return True


# -- remediation practice ------------------------------------------------------------------

def pick_practice(point: RemediationPoint, user_id: int, rng: random.Random) -> Question | None:
    """The next practice question of a knowledge point: another one than
    just asked, never one an exam the worker is taking can draw."""
    ids = list(point.practice_ids)
    allowed = set(ids) - guard.hidden_questions(user_id, ids)
    qid = remediation.next_question(ids, point.last_question_id, rng, allowed)
    return db.session.get(Question, qid) if qid else None


def may_practise(point: RemediationPoint, user_id: int, question: Question) -> bool:
    return question.id in point.practice_ids and not guard.hidden_questions(user_id, [question.id])


def answer_practice(rem: Remediation, point: RemediationPoint, user, question_id, revision_id, values: list[str],
                    now: datetime | None = None) -> exam_practice.Feedback:
    """Grade one practice answer of a remediation point; two right answers
    finish the point, all points finished finish the remediation. Flushes."""
    feedback = exam_practice.answer(user, question_id, revision_id, values,
                                    allowed=lambda q: may_practise(point, user.id, q))
    point.last_question_id = feedback.revision.question_id
    if feedback.right:
        point.right = min(point.needed, point.right + 1)
    if all(p.done for p in rem.points) and rem.done_at is None:
        rem.done_at = now or utcnow()
    db.session.flush()
    return feedback
