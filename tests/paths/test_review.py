"""Passed topics come back for review on an fsrs schedule; the review shows
answers only for questions no running exam can draw."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from quiz.db import utcnow
from quiz.extensions import db
from quiz.paths import review
from quiz.paths.models import TopicReview
from tests.paths.factories import make_bank_with_points, make_path, make_section, take, workers


def test_a_passed_topic_comes_back_days_later_sooner_when_forgotten(app):
    bank, _q = make_bank_with_points()
    section, (team, _o) = make_section()
    path = make_path(bank, section, gate="personal")
    a, b = workers(team, 2)
    take(a, path.topics[0], right=True)
    take(b, path.topics[0], right=True)
    ra = db.session.scalar(select(TopicReview).where(TopicReview.user_id == a.id))
    rb = db.session.scalar(select(TopicReview).where(TopicReview.user_id == b.id))
    now = utcnow()
    assert now + timedelta(days=1) <= ra.due_at.replace(tzinfo=now.tzinfo) <= now + timedelta(days=7)
    assert review.due_reviews(a.id) == []
    later = ra.due_at + timedelta(hours=1)
    assert review.due_reviews(a.id, later) == [ra]
    question = review.pick_review_question(ra, random.Random(1))
    assert question.id in review.topic_pool(path.topics[0])
    # a round of three: all right for a, all wrong for b
    for item, right in ((ra, True), (rb, False)):
        done = [review.record_review_answer(item, question, right, now=later) for _ in range(3)]
        assert done == [False, False, True]
    db.session.commit()
    assert ra.reviews == 1 and ra.round_answered == 0
    assert rb.due_at < ra.due_at  # forgotten: back sooner
    assert ra.due_at > later + timedelta(days=2)
