"""The gate: which topics are open to whom. Pure: no Flask, no database.

Topics are numbered 1..n. For each person we know the set of topics they
passed; ``first_unpassed`` is where they stand on their own (n + 1 when
they passed them all).

Crew gate (the section's rule: the next topic only when everybody has
learned this one). A crew remembers its open topic ``k`` (it only moves
forward). The people *with* the crew at ``k`` are the active members who
passed every topic before ``k``; they block ``k`` until each has passed it.
The crew moves to ``k + 1`` when it has at least one member with it and
none of them is still blocking, or when a trainer opened ``k + 1`` early
for the crew (an override).

Joiners (and people who move in from another crew) start at topic 1 and
catch up under a personal gate: their topic opens when they pass the one
before, up to the crew's open topic; only once they have caught up do they
block. So a newcomer never sends the crew back, and never skips topics.
Leavers (deactivated people, people moved to another crew) are simply no
longer members: they stop blocking at once.

A person's override opens one topic for them whatever they passed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def first_unpassed(passed: Iterable[int], n_topics: int) -> int:
    """The first topic not in ``passed`` (n + 1 when all are)."""
    done = set(passed)
    k = 1
    while k <= n_topics and k in done:
        k += 1
    return k


@dataclass(frozen=True)
class Member:
    user_id: int
    passed: frozenset[int] = frozenset()
    overrides: frozenset[int] = frozenset()  # topics opened early for this person


@dataclass(frozen=True)
class CrewGate:
    open_topic: int
    blocking: tuple[int, ...]  # user ids still to pass the open topic (with the crew)
    catching_up: tuple[int, ...]  # members behind the crew (joiners, laggards released by an override)


def advance(stored_open: int, n_topics: int, members: Iterable[Member],
            crew_overrides: Iterable[int] = ()) -> CrewGate:
    """The crew's open topic now, from the one it remembers, its active
    members and the topics opened early for it; with who blocks it."""
    members = list(members)
    opened_early = set(crew_overrides)
    if n_topics < 1:
        return CrewGate(1, (), ())
    k = max([1, min(stored_open, n_topics)] + [t for t in opened_early if 1 <= t <= n_topics])
    while True:
        with_crew = [m for m in members if first_unpassed(m.passed, n_topics) >= k]
        blocking = [m.user_id for m in with_crew if k not in m.passed]
        if k < n_topics and ((with_crew and not blocking) or (k + 1) in opened_early):
            k += 1
            continue
        behind = [m.user_id for m in members if first_unpassed(m.passed, n_topics) < k]
        return CrewGate(k, tuple(sorted(blocking)), tuple(sorted(behind)))


def reach(member: Member, n_topics: int, crew_open: int | None) -> int:
    """The furthest topic open to ``member``: under a crew gate the smaller of
    the crew's topic and their own (catching up), under a personal gate
    (``crew_open`` None) their own; an override opens its topic in any case."""
    own = min(first_unpassed(member.passed, n_topics), n_topics)
    furthest = own if crew_open is None else min(crew_open, own)
    return max([furthest] + [t for t in member.overrides if 1 <= t <= n_topics])


def is_open(member: Member, topic: int, n_topics: int, crew_open: int | None) -> bool:
    """Whether ``member`` may take ``topic``'s test."""
    if topic in member.overrides:
        return True
    return 1 <= topic <= reach(member, n_topics, crew_open)


@dataclass(frozen=True)
class Standing:
    """Where one person stands on a path, what the page tells them."""

    current: int | None  # the topic to work on now; None: waiting for the crew, or finished
    waiting_for_crew: bool
    finished: bool
    open_topics: frozenset[int] = field(default_factory=frozenset)


def standing(member: Member, n_topics: int, crew_open: int | None) -> Standing:
    """The person's current topic, or why they have none."""
    if n_topics < 1:
        return Standing(None, False, True)
    open_topics = frozenset(t for t in range(1, n_topics + 1) if is_open(member, t, n_topics, crew_open))
    pending = sorted(t for t in open_topics if t not in member.passed)
    if pending:
        return Standing(pending[0], False, False, open_topics)
    if first_unpassed(member.passed, n_topics) > n_topics:
        return Standing(None, False, True, open_topics)
    return Standing(None, crew_open is not None, False, open_topics)


def crew_members(members: Mapping[int, Member], ids: Iterable[int]) -> list[Member]:
    return [members[i] for i in ids if i in members]
