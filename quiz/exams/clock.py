"""The exam clock (DESIGN rule 4: the server is the clock).

Pure: every function takes ``now`` from the caller. Times are aware UTC
datetimes. The deadline is fixed when an attempt starts; the phone only
shows ``remaining_seconds`` as the server computed it.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

DEFAULT_GRACE_SECONDS = 60


def deadline(started_at: datetime, time_limit_minutes: int | None, closes_at: datetime | None,
             extra_minutes: int = 0) -> datetime | None:
    """The earlier of start + time limit (+ this person's extra minutes) and the
    exam's closing time; None when there is neither."""
    candidates = []
    if time_limit_minutes:
        candidates.append(started_at + timedelta(minutes=time_limit_minutes + max(extra_minutes or 0, 0)))
    if closes_at is not None:
        candidates.append(closes_at)
    return min(candidates) if candidates else None


def remaining_seconds(deadline_at: datetime | None, now: datetime) -> int | None:
    """Whole seconds left (never negative); None when there is no deadline."""
    if deadline_at is None:
        return None
    return max(0, math.floor((deadline_at - now).total_seconds()))


def accepts_save(deadline_at: datetime | None, now: datetime, grace_seconds: int = DEFAULT_GRACE_SECONDS) -> bool:
    """May an answer arriving at ``now`` still be saved? Up to the deadline plus
    the grace that covers a request in flight or a brief network gap."""
    if deadline_at is None:
        return True
    return now <= deadline_at + timedelta(seconds=max(grace_seconds, 0))


def is_overdue(deadline_at: datetime | None, now: datetime, grace_seconds: int = DEFAULT_GRACE_SECONDS) -> bool:
    """Should the attempt be finalised with what was saved? Once no save can
    arrive any more, so finalising never races an accepted save."""
    return not accepts_save(deadline_at, now, grace_seconds)


def time_used(started_at: datetime, submitted_at: datetime, deadline_at: datetime | None) -> timedelta:
    """How long the worker had the paper: from start to submission, never
    past the deadline (an attempt finalised late by the clock used it all)."""
    end = submitted_at if deadline_at is None else min(submitted_at, deadline_at)
    return max(end - started_at, timedelta(0))
