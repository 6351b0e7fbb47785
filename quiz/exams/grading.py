"""Grading a paper through the question-type registry (DESIGN rule 2).

Pure: no Flask, no database. Points per item are what the attempt showed;
the exam's multiple-choice policy decides whether a correct subset earns a
share. A short answer that was answered waits for a trainer (``None``); an
unanswered one scores 0 at once, there is nothing to grade.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from quiz.banks import types

PARTIAL = "partial"


def fraction(type_name: str, answer: Any, response: Any, *, policy: str = "all_or_nothing") -> float | None:
    """0..1 of the points, or None when a trainer has to decide."""
    qtype = types.get(type_name)
    if not qtype.is_answered(response):
        return 0.0
    value = qtype.grade(answer, response, partial=(policy == PARTIAL))
    if value is None:
        return None
    return min(max(float(value), 0.0), 1.0)


def item_score(type_name: str, answer: Any, response: Any, points: float, *,
               policy: str = "all_or_nothing") -> float | None:
    """Points obtained for one item, or None when it waits for a trainer."""
    f = fraction(type_name, answer, response, policy=policy)
    return None if f is None else round(f * points, 2)


def is_right(score: float | None, points: float) -> bool | None:
    """Full marks? None while ungraded."""
    if score is None:
        return None
    return score >= points - 1e-9


@dataclass(frozen=True)
class Result:
    score: float  # points so far (graded items only while pending)
    max_score: float
    pending: bool  # some item waits for a trainer
    passed: bool | None  # None while pending


def summarise(items: Iterable[tuple[float | None, float]], pass_mark: float) -> Result:
    """Total of ``(score, points)`` pairs; pass when the total reaches the pass mark."""
    total = maximum = 0.0
    pending = False
    for score, points in items:
        maximum += points
        if score is None:
            pending = True
        else:
            total += score
    total, maximum = round(total, 2), round(maximum, 2)
    return Result(total, maximum, pending, None if pending else total >= pass_mark - 1e-9)


@dataclass(frozen=True)
class Outlook:
    """Where a result waiting for a trainer stands: points already graded,
    points still to grade, the pass mark, and whether passing is ``certain``
    (graded points reach it), ``possible`` (only with enough of the pending
    points: ``needed`` of them) or ``impossible`` (not even with all of them)."""

    graded: float
    pending: float
    pass_mark: float
    outcome: str  # certain, possible, impossible
    needed: float  # pending points still needed to pass (0 when certain)


def outlook(items: Iterable[tuple[float | None, float]], pass_mark: float) -> Outlook:
    """The pass outlook of ``(score, points)`` pairs, some scores None (waiting)."""
    graded = pending = 0.0
    for score, points in items:
        if score is None:
            pending += points
        else:
            graded += score
    graded, pending = round(graded, 2), round(pending, 2)
    needed = max(round(pass_mark - graded, 2), 0.0)
    if needed <= 1e-9:
        outcome = "certain"
    elif needed <= pending + 1e-9:
        outcome = "possible"
    else:
        outcome = "impossible"
    return Outlook(graded, pending, pass_mark, outcome, needed)
