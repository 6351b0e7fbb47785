"""Item analysis: the statistics of one question over many attempts. Pure.

- facility: the share of the available marks people obtained (0..1);
- discrimination: Pearson correlation between the item score (as a fraction
  of its points) and the rest-of-test score (the attempt's total minus this
  item), so that the item is not correlated with itself;
- option frequencies: how often each option was chosen, by the option's
  original index (what the key refers to), whatever order it was shown in;
- flags: facility under 20 % or over 95 %, discrimination negative or under
  0.2: a possibly wrong key or an ambiguous stem, worth a trainer's look;
  only from ``MIN_RESPONSES`` graded answers on (below that a few people's
  luck decides, and a flag would send the trainer after a key that is right);
- time: the mean of the server-timed seconds of the answers that have a
  time (the phone's saves, ``quiz.exams.attempt.answers.time_since``), with how many
  answers that mean is over.

The database sends sufficient statistics (sums of x, y, x², y², xy per
question) so that 600,000 answers need not travel to Python;
``pearson_from_sums`` turns them into the coefficient and ``pearson`` is the
textbook two-pass version the tests compare it with.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from quiz.i18n import N_

FACILITY_LOW = 0.20
FACILITY_HIGH = 0.95
DISCRIMINATION_LOW = 0.20
MIN_RESPONSES = 30  # below this a flag would be noise (stated on the page)

FLAG_LABELS = {
    "too_hard": N_("得分率低于20%：答案可能有误或题目过难"),
    "too_easy": N_("得分率高于95%：题目过于简单"),
    "negative": N_("区分度为负：答案可能标错"),
    "low": N_("区分度低于0.2：题干可能有歧义"),
}


def facility(score_sum: float, points_sum: float) -> float | None:
    """Share of the marks obtained; None when nothing was worth marks."""
    if points_sum <= 0:
        return None
    return score_sum / points_sum


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of two equally long sequences; None when either does not vary."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("sequences of different lengths")
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 * max(1.0, n) or syy <= 1e-12 * max(1.0, n):
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def pearson_from_sums(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from n, Σx, Σy, Σx², Σy², Σxy; None when either variable does not vary."""
    if n < 2:
        return None
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    # relative tolerance: the subtraction loses precision when the variance is tiny
    if vx <= 1e-9 * max(1.0, n * sxx) or vy <= 1e-9 * max(1.0, n * syy):
        return None
    r = (n * sxy - sx * sy) / math.sqrt(vx * vy)
    return max(-1.0, min(1.0, r))


def discrimination(item_scores: Sequence[float], item_points: Sequence[float],
                   totals: Sequence[float]) -> float | None:
    """Item-rest correlation from raw attempts: item fraction against (total − item score)."""
    xs = [s / p if p else 0.0 for s, p in zip(item_scores, item_points)]
    ys = [t - s for t, s in zip(totals, item_scores)]
    return pearson(xs, ys)


def option_counts(responses: Iterable[object], n_options: int,
                  chosen: Callable[[object], list[int]]) -> list[int]:
    """How often each option was chosen; ``chosen(response)`` says which (the question type's
    ``chosen_options``: original indices, whatever order the phone showed them in)."""
    counts = [0] * n_options
    for response in responses:
        for index in chosen(response):
            if 0 <= index < n_options:
                counts[index] += 1
    return counts


def flags(facility_value: float | None, discrimination_value: float | None, n: int,
          min_responses: int = MIN_RESPONSES) -> list[str]:
    """Flag codes (keys of ``FLAG_LABELS``) of a question answered ``n`` times."""
    out: list[str] = []
    if n < min_responses:
        return out
    if facility_value is not None:
        if facility_value < FACILITY_LOW:
            out.append("too_hard")
        elif facility_value > FACILITY_HIGH:
            out.append("too_easy")
    if discrimination_value is not None:
        if discrimination_value < 0:
            out.append("negative")
        elif discrimination_value < DISCRIMINATION_LOW:
            out.append("low")
    return out


@dataclass
class ItemStats:
    """One question's figures over an exam's attempts."""

    question_id: int
    n: int  # graded answers
    answered: int  # not left blank
    facility: float | None
    discrimination: float | None
    avg_time_ms: float | None
    options: list[int] = field(default_factory=list)  # choices per original option
    flags: list[str] = field(default_factory=list)
    timed: int = 0  # answers with a recorded time (the mean time is over these)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def item_stats(question_id: int, n: int, answered: int, score_sum: float, points_sum: float, sx: float,
               sy: float, sxx: float, syy: float, sxy: float, time_sum: float,
               options: list[int] | None = None, timed: int | None = None) -> ItemStats:
    """Assemble one question's figures from the sums the database computed.

    ``timed`` answers carry the ``time_sum`` (all ``n`` when not given)."""
    fac = facility(score_sum, points_sum)
    disc = pearson_from_sums(n, sx, sy, sxx, syy, sxy)
    timed = n if timed is None else timed
    return ItemStats(question_id, n, answered, fac, disc, (time_sum / timed) if timed else None, options or [],
                     flags(fac, disc, n), timed)


def flagged_first(stats: Iterable[ItemStats]) -> list[ItemStats]:
    """Flagged questions first (most flags, then lowest discrimination), then by facility."""
    def key(s: ItemStats):
        disc = s.discrimination if s.discrimination is not None else 1.0
        fac = s.facility if s.facility is not None else 1.0
        return (0 if s.flags else 1, -len(s.flags), disc, fac, s.question_id)

    return sorted(stats, key=key)


def most_missed(rows: Iterable[tuple[int, int, int, int]], top: int = 5,
                min_answers: int = 1) -> dict[int, list[tuple[int, int, int]]]:
    """Per team, its most-missed questions.

    ``rows`` are (team id, question id, missed, answered); returns team id →
    [(question id, missed, answered)], highest miss share first, at most ``top``,
    only questions missed at least once.
    """
    per: dict[int, list[tuple[int, int, int]]] = {}
    for team, question, missed, answered in rows:
        if answered >= min_answers and missed > 0:
            per.setdefault(team, []).append((question, missed, answered))
    for team, items in per.items():
        items.sort(key=lambda q: (-q[1] / q[2], -q[1], q[0]))
        del items[top:]
    return per
