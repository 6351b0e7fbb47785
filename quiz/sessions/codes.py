"""The pure core of sign-in: rotating codes, the sign-in window, lateness
and hours. No Flask, no database.

A venue's code is derived from its secret and the 15-second time step with
HMAC (as TOTP does), so any app server checks a code from the secret alone,
with no shared state between servers. A code is accepted while it is the
current one or one rotation old (a slow phone is not refused); a code seen
on a photo sent out of the room stops working within 30 seconds.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

STEP_SECONDS = 15
TOLERANCE = 1  # rotations a code stays valid after it was replaced
DIGITS = 6
EXPIRED_LOOKBACK = 240  # steps (one hour) searched to tell an expired code from a wrong one


def new_secret() -> str:
    return secrets.token_hex(20)


def step_of(moment: datetime | float) -> int:
    """The time step a moment falls in (UTC timestamps or aware datetimes)."""
    ts = moment.timestamp() if isinstance(moment, datetime) else moment
    return int(ts // STEP_SECONDS)


def code_for(secret: str, step: int, digits: int = DIGITS) -> str:
    """The code of ``step``: HMAC-SHA256 of the step under the secret,
    truncated dynamically (RFC 4226) to ``digits`` decimal digits."""
    mac = hmac.new(bytes.fromhex(secret), step.to_bytes(8, "big", signed=True), hashlib.sha256).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % (10 ** digits)).zfill(digits)


def is_fresh(now_step: int, issued_step: int, tolerance: int = TOLERANCE) -> bool:
    """A code issued at ``issued_step`` is accepted at ``now_step``: the
    current code or up to ``tolerance`` rotations old, never one from the future."""
    return 0 <= now_step - issued_step <= tolerance


def normalise(code: str | None) -> str:
    """What a person typed, as digits only (spaces, full-width digits dropped or mapped)."""
    if not code:
        return ""
    table = {ord("０") + i: str(i) for i in range(10)}
    return "".join(ch for ch in str(code).translate(table) if ch.isdigit())[:DIGITS + 2]


def issued_step(secret: str, code: str, now_step: int, lookback: int = EXPIRED_LOOKBACK) -> int | None:
    """The most recent step, not after ``now_step`` and at most ``lookback``
    steps back, whose code is ``code`` (None: no such step)."""
    code = normalise(code)
    if len(code) != DIGITS:
        return None
    for back in range(0, lookback + 1):
        if hmac.compare_digest(code_for(secret, now_step - back), code):
            return now_step - back
    return None


def check(secret: str, code: str, now: datetime | float, tolerance: int = TOLERANCE) -> str:
    """"ok" (current or one rotation old), "expired" (a real code of this
    venue, but older) or "wrong" (not this venue's code)."""
    now_step = step_of(now)
    for back in range(0, tolerance + 1):
        if hmac.compare_digest(code_for(secret, now_step - back), normalise(code)):
            return "ok"
    found = issued_step(secret, code, now_step - tolerance - 1)
    return "expired" if found is not None else "wrong"


def seconds_left(now: datetime | float) -> float:
    """Seconds until the current code is replaced."""
    ts = now.timestamp() if isinstance(now, datetime) else now
    return STEP_SECONDS - (ts % STEP_SECONDS)


# -- the sign-in window, lateness, hours ---------------------------------------------------

@dataclass(frozen=True)
class Window:
    opens: datetime
    closes: datetime

    def state(self, now: datetime) -> str:
        """"not_open", "open" or "closed"."""
        if now < self.opens:
            return "not_open"
        if now > self.closes:
            return "closed"
        return "open"


def window(starts_at: datetime, opens_before: int, closes_after: int, ends_at: datetime | None = None) -> Window:
    """Sign-in runs from ``opens_before`` minutes before the start to
    ``closes_after`` minutes after it (and never closes before the end when
    sign-out is asked for: pass ``ends_at`` then)."""
    closes = starts_at + timedelta(minutes=closes_after)
    if ends_at is not None and ends_at + timedelta(minutes=closes_after) > closes:
        closes = ends_at + timedelta(minutes=closes_after)
    return Window(starts_at - timedelta(minutes=opens_before), closes)


def arrival_status(signed_in_at: datetime, starts_at: datetime, late_after: int) -> str:
    """"present" when signed in by the start plus ``late_after`` minutes, else "late"."""
    return "late" if signed_in_at > starts_at + timedelta(minutes=late_after) else "present"


def credited_hours(hours: float, starts_at: datetime, ends_at: datetime, signed_in_at: datetime | None = None,
                   signed_out_at: datetime | None = None) -> float:
    """Hours credited for an attendance: all of them, or with a sign-out the
    share of the scheduled time actually attended, rounded to 0.1 h."""
    if signed_in_at is None or signed_out_at is None:
        return round(hours, 1)
    scheduled = (ends_at - starts_at).total_seconds()
    if scheduled <= 0:
        return round(hours, 1)
    start = max(signed_in_at, starts_at)
    end = min(signed_out_at, ends_at)
    share = max(0.0, min(1.0, (end - start).total_seconds() / scheduled))
    return round(hours * share, 1)
