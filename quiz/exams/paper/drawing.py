"""Drawing a personal paper: fixed questions plus draw rules, seeded.

Pure: no Flask, no database. The caller passes what the banks hold (one
``Candidate`` per question, with its current revision) and stores the
``PaperItem`` list it gets back (DESIGN rule 5: the attempt keeps the
revision, option order and points it showed). The same inputs and seed give
the same paper, so a paper can be re-drawn to check or explain it.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    """A question that may go on a paper, as it stands now."""

    question_id: int
    revision_id: int
    option_count: int = 0  # 0 for types without options (true/false, fill, short)


@dataclass(frozen=True)
class Fixed:
    candidate: Candidate
    points: float = 1.0


@dataclass(frozen=True)
class Rule:
    """Draw ``count`` questions from ``pool``, each worth ``points``."""

    pool: Sequence[Candidate]
    count: int
    points: float = 1.0


@dataclass(frozen=True)
class PaperItem:
    question_id: int
    revision_id: int
    option_order: list[int]
    points: float


@dataclass
class Paper:
    items: list[PaperItem] = field(default_factory=list)
    shortfall: int = 0  # questions the rules asked for but their pools did not have

    @property
    def max_score(self) -> float:
        return sum(i.points for i in self.items)


def draw(fixed: Sequence[Fixed], rules: Sequence[Rule], seed: int, *,
         shuffle_questions: bool = False, shuffle_options: bool = False) -> Paper:
    """The paper for ``seed``: fixed questions first (in their order), then each
    rule's draw, never the same question twice; then shuffled as asked.

    Pools are sorted by question id before drawing, so the database's row
    order does not change the paper. A rule whose pool is too small gives
    what it has and the missing count is reported as ``shortfall``.
    """
    rng = random.Random(seed)
    used: set[int] = set()
    chosen: list[tuple[Candidate, float]] = []
    for item in fixed:
        if item.candidate.question_id in used:
            continue
        used.add(item.candidate.question_id)
        chosen.append((item.candidate, item.points))
    shortfall = 0
    for rule in rules:
        pool = sorted({c.question_id: c for c in rule.pool if c.question_id not in used}.values(),
                      key=lambda c: c.question_id)
        want = max(rule.count, 0)
        take = min(want, len(pool))
        shortfall += want - take
        for candidate in rng.sample(pool, take):
            used.add(candidate.question_id)
            chosen.append((candidate, rule.points))
    if shuffle_questions:
        rng.shuffle(chosen)
    items = []
    for candidate, points in chosen:
        order = list(range(candidate.option_count))
        if shuffle_options:
            rng.shuffle(order)
        items.append(PaperItem(candidate.question_id, candidate.revision_id, order, float(points)))
    return Paper(items, shortfall)
