"""The mistakes book (错题本), scheduled by spaced repetition.

What goes in: an answered question that scored under ``KEEP_BELOW`` (80 %)
of its points, in an exam or in practice. A short answer marked 14/16 lost
marks not worth a place in the book; 8/16 did not. Unanswered questions are
not mistakes (there was nothing to learn from).

When it comes back: each (worker, question) in the book has an FSRS card
(the ``fsrs`` library: stability and difficulty from every answer since
the question went in). A lost-marks answer is rated Again, a partly right
one (80 % or more) Hard, a right one Good; the card then says when the
question is due again: a day after a mistake, then further apart each time
it is answered right when due. The book shows what is due first.

When it goes out: once a right answer puts the next review ``CLEAR_AFTER_DAYS``
(14) days or more away; a new mistake brings it back.

Each answer in an attempt counts once (``MistakeReview.attempt_item_id`` is
unique): an attempt reopened and finalised again does not add its wrong
answers a second time; if the answer changed, its one review is changed
and the card recomputed from the reviews.
"""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from quiz.banks import types
from quiz.banks.models import Question
from quiz.db import utcnow
from quiz.exams.models import AttemptItem, Mistake, MistakeReview
from quiz.extensions import db

KEEP_BELOW = 0.8  # a share of the points under this puts the question in the book
CLEAR_AFTER_DAYS = 14  # a right answer that puts the next review this far away takes it out

# whole days only (no 1-minute learning steps: a worker practises on shift, not in a drill app), and no
# random fuzz: the same answers give the same schedule, in tests and when a card is recomputed
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(fraction: float) -> Rating:
    """Again under ``KEEP_BELOW`` of the points, Hard for partly right, Good for full marks."""
    if fraction < KEEP_BELOW - 1e-9:
        return Rating.Again
    if fraction < 1 - 1e-9:
        return Rating.Hard
    return Rating.Good


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _apply(mistake: Mistake, card: Card, rating: Rating, when: datetime) -> Card:
    """One review of ``card``: the new card, and the mistake's counters and state."""
    card, _log = SCHEDULER.review_card(card, rating, when)
    mistake.card = card.to_dict()
    mistake.due_at = card.due
    mistake.last_review_at = when
    if rating == Rating.Again:
        mistake.wrong_count += 1
        mistake.right_streak = 0
        mistake.cleared = False
        mistake.last_wrong_at = when
    else:
        mistake.right_streak += 1
        mistake.cleared = card.due - when >= timedelta(days=CLEAR_AFTER_DAYS)
    return card


def new_card(now: datetime) -> Card:
    """A new card with its id given: ``Card()`` would make one from the clock and
    then sleep a millisecond so that the next id differs, inside the submit's
    write lock, once per new mistake. Nothing here uses the id (the mistake's
    row is the card's identity; paths' topic reviews likewise), so ids made in
    the same millisecond do no harm."""
    return Card(card_id=int(now.timestamp() * 1000))


def _card(mistake: Mistake, now: datetime) -> Card:
    return Card.from_dict(mistake.card) if mistake.card else new_card(now)


_UNKNOWN = object()


def _review(user_id: int, question: Question, fraction: float, now: datetime,
            attempt_item_id: int | None = None, mistake=_UNKNOWN) -> Mistake | None:
    rating = rating_for(fraction)
    if mistake is _UNKNOWN:
        mistake = db.session.scalar(
            select(Mistake).where(Mistake.user_id == user_id, Mistake.question_id == question.id))
    if mistake is None:
        if rating != Rating.Again:
            return None  # only mistakes have a card
        mistake = Mistake(user_id=user_id, question_id=question.id, bank_id=question.bank_id, wrong_count=0,
                          right_streak=0, cleared=False, last_wrong_at=now)
        db.session.add(mistake)
    _apply(mistake, _card(mistake, now), rating, now)
    db.session.add(MistakeReview(mistake=mistake, attempt_item_id=attempt_item_id, rating=int(rating),
                                 fraction=round(fraction, 4), reviewed_at=now))
    return mistake  # the caller flushes: a whole paper's mistakes and reviews are written together


def _replay(mistake: Mistake) -> None:
    """Recompute the card and counters from the mistake's reviews (one of them changed)."""
    reviews = list(db.session.scalars(select(MistakeReview).where(MistakeReview.mistake_id == mistake.id)
                                      .order_by(MistakeReview.reviewed_at, MistakeReview.id)))
    if not any(r.rating == int(Rating.Again) for r in reviews):
        # it never was a mistake after all
        db.session.execute(delete(MistakeReview).where(MistakeReview.mistake_id == mistake.id))
        db.session.delete(mistake)
        db.session.flush()
        return
    # the first review that put it in the book starts the card; right answers before it do not count
    first = next(i for i, r in enumerate(reviews) if r.rating == int(Rating.Again))
    mistake.wrong_count = mistake.right_streak = 0
    card = new_card(_aware(reviews[first].reviewed_at))
    for r in reviews[first:]:
        card = _apply(mistake, card, Rating(r.rating), _aware(r.reviewed_at))
    db.session.flush()


def record(user_id: int, question: Question, right: bool, now: datetime | None = None) -> Mistake | None:
    """Note one answer scored right or wrong as a whole (practice). Flushes."""
    mistake = _review(user_id, question, 1.0 if right else 0.0, now or utcnow())
    db.session.flush()
    return mistake


def _gradable(item: AttemptItem) -> bool:
    return item.score is not None and types.get(item.revision.type).is_answered(item.response)


def record_item(item: AttemptItem, now: datetime | None = None) -> Mistake | None:
    """Note a graded answer of an attempt, once per item: the share of its
    points decides (see ``rating_for``). An item already noted (an attempt
    reopened and finalised again, a short answer graded again) changes its
    one review when the verdict changed, and never adds a second. Flushes."""
    if not _gradable(item):
        return None
    earlier = db.session.scalar(select(MistakeReview).where(MistakeReview.attempt_item_id == item.id))
    mistake = _note_item(item, now or utcnow(), earlier, _UNKNOWN)
    db.session.flush()
    return mistake


def record_items(user_id: int, items: list[AttemptItem], now: datetime | None = None) -> None:
    """``record_item`` for every item of one finalised attempt, in two reads
    (the items' earlier reviews, the worker's mistakes for these questions)
    instead of two per item, and one flush: the whole paper is finalised at once. Flushes."""
    items = [i for i in items if _gradable(i)]
    if not items:
        return
    now = now or utcnow()
    earlier = {r.attempt_item_id: r for r in db.session.scalars(
        select(MistakeReview).where(MistakeReview.attempt_item_id.in_([i.id for i in items])))}
    held = {m.question_id: m for m in db.session.scalars(
        select(Mistake).where(Mistake.user_id == user_id, Mistake.question_id.in_({i.question_id for i in items})))}
    for item in items:
        _note_item(item, now, earlier.get(item.id), held.get(item.question_id))
    db.session.flush()  # one flush: the new mistakes in one INSERT, then their reviews in another


def _note_item(item: AttemptItem, now: datetime, earlier: MistakeReview | None, mistake) -> Mistake | None:
    fraction = item.score / item.points if item.points else 1.0
    if earlier is None:
        return _review(item.attempt.user_id, item.question, fraction, now, attempt_item_id=item.id,
                       mistake=mistake)
    rating = rating_for(fraction)
    mistake = db.session.get(Mistake, earlier.mistake_id)
    if earlier.rating != int(rating):
        earlier.rating, earlier.fraction = int(rating), round(fraction, 4)
        db.session.flush()
        _replay(mistake)
    return mistake


def open_mistakes(user_id: int, bank_id: int | None = None) -> list[Mistake]:
    """The book: every mistake not cleared, due first (most overdue first), then by next review."""
    query = (select(Mistake).where(Mistake.user_id == user_id, Mistake.cleared.is_(False))
             .options(selectinload(Mistake.question).selectinload(Question.bank))
             .order_by(Mistake.due_at.is_(None), Mistake.due_at, Mistake.id))
    if bank_id is not None:
        query = query.where(Mistake.bank_id == bank_id)
    return list(db.session.scalars(query))


def is_due(mistake: Mistake, now: datetime | None = None) -> bool:
    return mistake.due_at is None or _aware(mistake.due_at) <= (now or utcnow())


def practice_pool(user_id: int, bank_id: int | None = None, now: datetime | None = None) -> list[Mistake]:
    """What 错题练习 draws from: the mistakes due now, or when none is due, all of the book."""
    book_ = open_mistakes(user_id, bank_id)
    due = [m for m in book_ if is_due(m, now)]
    return due or book_


def book(user_id: int) -> OrderedDict:
    """Open mistakes grouped ``{bank: {category: [Mistake, ...]}}``, banks and
    categories in name order, due ones first within a category."""
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
