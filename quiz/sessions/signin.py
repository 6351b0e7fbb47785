"""Signing in to a session by its venue's code (scanned or typed), and
signing out. The code proves presence in the room; identity is the person's
own sign-in to the app. Flushes, never commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quiz.db import begin_write, utcnow
from quiz.extensions import db
from quiz.org.models import User
from quiz.sessions import codes
from quiz.sessions.audience import in_audience
from quiz.sessions.models import Attendance, SessionVenue, TrainingSession
from quiz.sessions.services import follow_up, window_of


REFUSALS = ("wrong_code", "other_session", "expired", "not_open", "closed", "outsider", "cancelled")


@dataclass
class SignInResult:
    outcome: str  # "ok", "already" or one of REFUSALS
    attendance: Attendance | None = None
    other: TrainingSession | None = None  # the session the code belongs to ("other_session")
    device_alert: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "already")


def _other_venue(code: str, venue: SessionVenue, now: datetime) -> SessionVenue | None:
    """An open session's venue whose current code is ``code`` (a code read off another room's screen)."""
    for other in open_venues(now):
        if other.id != venue.id and codes.check(other.secret, code, now) == "ok":
            return other
    return None


def open_venues(now: datetime | None = None) -> list[SessionVenue]:
    """Venues of sessions whose sign-in window may be open now (a generous SQL
    bound, then the exact window)."""
    now = now or utcnow()
    query = (select(SessionVenue).join(TrainingSession)
             .where(TrainingSession.cancelled.is_(False), TrainingSession.starts_at <= now + timedelta(days=1),
                    TrainingSession.ends_at >= now - timedelta(days=1)))
    return [v for v in db.session.scalars(query) if window_of(v.session).state(now) == "open"]


def find_venue(code: str, now: datetime | None = None) -> SessionVenue | None:
    """The open venue whose code (current or one rotation old) is ``code``: the typed-code page."""
    now = now or utcnow()
    for venue in open_venues(now):
        if codes.check(venue.secret, code, now) == "ok":
            return venue
    return None


def existing(session_id: int, user_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.session_id == session_id,
                                                      Attendance.user_id == user_id))


def device_count(session_id: int, device: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.session_id == session_id, Attendance.device == device)) or 0


def precheck(venue: SessionVenue, code: str | None, now: datetime, code_checked: bool = False) -> SignInResult | None:
    """The refusal a scan gets before we know who scans (window, code), or None."""
    session = venue.session
    if session.cancelled:
        return SignInResult("cancelled")
    state = window_of(session).state(now)
    if state != "open":
        return SignInResult(state)
    if not code_checked:
        verdict = codes.check(venue.secret, code or "", now)
        if verdict == "expired":
            return SignInResult("expired")
        if verdict == "wrong":
            other = _other_venue(code or "", venue, now)
            if other is not None:
                return SignInResult("other_session", other=other.session)
            return SignInResult("wrong_code")
    return None


def sign_in(venue: SessionVenue, user: User, code: str | None, *, now: datetime | None = None,
            device: str | None = None, method: str = "qr", code_checked: bool = False,
            locked: bool = False) -> SignInResult:
    """Record ``user`` at ``venue`` with the code they scanned or typed.

    The code proves presence in the room; identity is the person's own
    sign-in to the app. ``code_checked`` says the code was checked already
    (at the scan, before the person signed in to the app); ``locked`` that
    the caller took the write lock (``begin_write``) before reading anything.
    Recorded once: a second scan answers "already" with the first time.
    """
    now = now or utcnow()
    session = venue.session
    refusal = precheck(venue, code, now, code_checked=code_checked)
    if refusal is not None:
        return refusal
    outsider = not in_audience(user, session)
    if outsider and session.outsiders == "refuse":
        return SignInResult("outsider")
    if not locked:
        begin_write(db.session)
    found = existing(session.id, user.id)
    if found is not None and found.status in ("present", "late"):
        return SignInResult("already", found)
    status = codes.arrival_status(now, session.starts_at, session.late_after)
    if found is None:
        attendance = Attendance(session_id=session.id, user_id=user.id)
    else:  # marked absent or excused earlier, then came
        attendance = found
    attendance.venue_id, attendance.status, attendance.method = venue.id, status, method
    attendance.signed_in_at, attendance.outsider, attendance.device = now, outsider, device
    attendance.hours = session.hours if not session.sign_out else 0.0
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
            db.session.flush()
    except IntegrityError:  # the same person's other phone won the race
        return SignInResult("already", existing(session.id, user.id))
    follow_up(session, user.id, True)
    db.session.flush()
    alert = bool(device) and device_count(session.id, device) > session.device_limit
    return SignInResult("ok", attendance, device_alert=alert)


def sign_out(session: TrainingSession, user: User, now: datetime | None = None) -> Attendance | None:
    """Sign ``user`` out: their hours become the share of the session attended."""
    now = now or utcnow()
    attendance = existing(session.id, user.id)
    if attendance is None or attendance.status not in ("present", "late") or attendance.signed_in_at is None:
        return None
    attendance.signed_out_at = now
    attendance.hours = codes.credited_hours(session.hours, session.starts_at, session.ends_at,
                                            attendance.signed_in_at, now)
    db.session.flush()
    return attendance
