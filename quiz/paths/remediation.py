"""Building a remediation set from a failed test, and the lesson sheet's
ranking of what a crew missed. Pure: no Flask, no database.

A knowledge point (知识点) is a question's category (its first tag when it
has no category). A remediation set has, for each point the person missed:
the sentences of the study text the missed questions were written from
(their source excerpts, the text to learn), and practice questions of the
same point: *other* questions first, so that the retest measures learning,
not memory; the missed ones only when the bank has no others.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

NO_POINT = "未分类"
RIGHTS_NEEDED = 2


def point_of(category: str | None, tags: Sequence[str] | None = None) -> str:
    """The knowledge point of a question."""
    category = (category or "").strip()
    if category:
        return category
    for tag in tags or ():
        if str(tag).strip():
            return str(tag).strip()
    return NO_POINT


def is_text_to_learn(excerpt: str | None) -> bool:
    """Whether a source excerpt is a sentence to learn, not a bare label of
    where it came from (older banks write just ``原文：通用安全知识``)."""
    text = (excerpt or "").strip()
    if not text:
        return False
    return any(mark in text for mark in "：:。！？.") or len(text) > 12


@dataclass(frozen=True)
class Missed:
    """A question answered wrong (or not at all) in the failed test."""

    question_id: int
    bank_id: int
    point: str
    excerpt: str = ""


@dataclass(frozen=True)
class PointPlan:
    bank_id: int
    point: str
    excerpts: tuple[str, ...]
    missed_ids: tuple[int, ...]
    practice_ids: tuple[int, ...]  # others first (in pool order), then the missed ones


def build(missed: Iterable[Missed], pools: Mapping[tuple[int, str], Sequence[int]]) -> list[PointPlan]:
    """One plan per (bank, point) missed, in the order first missed.

    ``pools[(bank_id, point)]`` lists the usable question ids of that point.
    Excerpts are kept once each, in order; blanks and bare labels dropped.
    """
    order: list[tuple[int, str]] = []
    grouped: dict[tuple[int, str], list[Missed]] = {}
    for m in missed:
        key = (m.bank_id, m.point)
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        grouped[key].append(m)
    plans = []
    for key in order:
        items = grouped[key]
        missed_ids = tuple(dict.fromkeys(m.question_id for m in items))
        excerpts = tuple(dict.fromkeys(m.excerpt.strip() for m in items if is_text_to_learn(m.excerpt)))
        pool = list(dict.fromkeys(pools.get(key, ())))
        others = [q for q in pool if q not in missed_ids]
        plans.append(PointPlan(key[0], key[1], excerpts, missed_ids, tuple(others) + missed_ids))
    return plans


def next_question(practice_ids: Sequence[int], last: int | None, rng: random.Random,
                  allowed: set[int] | None = None) -> int | None:
    """A practice question of a point: never the one just asked when there is
    another; among the *other* questions when the point has any. ``allowed``
    (when given) drops questions that must not be shown now."""
    ids = [q for q in practice_ids if allowed is None or q in allowed]
    if not ids:
        return None
    if len(ids) > 1 and last in ids:
        ids = [q for q in ids if q != last]
    return rng.choice(ids)


# -- the lesson sheet -----------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """One answered question of a crew member's finalised test of the topic."""

    user_id: int
    question_id: int
    point: str
    right: bool
    excerpt: str = ""


@dataclass
class PointRank:
    point: str
    wrong: int = 0
    answered: int = 0
    share: float = 0.0  # of all the crew's wrong answers on the topic
    rate: float = 0.0  # wrong / answered for this point
    people: list[int] = field(default_factory=list)  # who missed it, most misses first
    excerpts: list[str] = field(default_factory=list)
    questions: list[tuple[int, int]] = field(default_factory=list)  # (question id, times missed), most first


def rank(answers: Iterable[Answer]) -> list[PointRank]:
    """The knowledge points a crew missed, worst first: most wrong answers,
    then the highest rate of wrong answers, then the name. Points nobody
    missed are left out."""
    by_point: dict[str, PointRank] = {}
    misses_by_person: dict[str, dict[int, int]] = {}
    misses_by_question: dict[str, dict[int, int]] = {}
    excerpts: dict[str, dict[str, None]] = {}
    total_wrong = 0
    for a in answers:
        r = by_point.setdefault(a.point, PointRank(a.point))
        r.answered += 1
        if a.right:
            continue
        r.wrong += 1
        total_wrong += 1
        people = misses_by_person.setdefault(a.point, {})
        people[a.user_id] = people.get(a.user_id, 0) + 1
        questions = misses_by_question.setdefault(a.point, {})
        questions[a.question_id] = questions.get(a.question_id, 0) + 1
        if is_text_to_learn(a.excerpt):
            excerpts.setdefault(a.point, {})[a.excerpt.strip()] = None
    ranked = [r for r in by_point.values() if r.wrong]
    for r in ranked:
        r.share = r.wrong / total_wrong
        r.rate = r.wrong / r.answered
        people = misses_by_person[r.point]
        r.people = sorted(people, key=lambda u: (-people[u], u))
        questions = misses_by_question[r.point]
        r.questions = sorted(questions.items(), key=lambda qc: (-qc[1], qc[0]))
        r.excerpts = list(excerpts.get(r.point, {}))
    ranked.sort(key=lambda r: (-r.wrong, -r.rate, r.point))
    return ranked
