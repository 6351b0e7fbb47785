"""Sign-in checked in the view's own read, for the phone's busiest request.

The usual path turns the session cookie into a person before the view runs
(Flask-Login's loader: one read of the ``users`` row, the session-version
check, the ORM object), and the ``web`` hooks then ask that person whether the
password must be changed first. The answer save reads its attempt anyway, so
a view marked ``@checks_sign_in_itself`` reads the person's ``active``,
``session_version`` and ``must_change_password`` in that same statement
instead, and the hooks leave the person alone for it:

- ``claim()`` is what the signed cookie says (person and session version), or
  ``None`` when it says nobody is signed in;
- ``holds(claim, row)`` is the loader's own test on the columns read with the
  view's data: the same person, active, the same session version, no
  password change pending.

Anything else (no claim, a claim that does not hold, a request the view does
not handle the short way) goes the usual way, through ``current_user``, which
gives the refusals (401 relogin, 403 change password) exactly as before. The
idle and maximum-age checks run on the cookie for these views as for every
other. The cookie is signed by the app's secret, so the claim cannot be forged;
a cookie from before a sign-out, a password change or a deactivation carries
an old version, which ``holds`` refuses, as the loader does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import session


@dataclass(frozen=True)
class Claim:
    user_id: int
    session_version: Any


def checks_sign_in_itself(view):
    """Mark a view that checks sign-in in its own read (see the module's text).
    The view must fall back to ``current_user`` for anything it does not hold."""
    view.checks_sign_in_itself = True
    return view


def claim() -> Claim | None:
    """The person and session version the signed session cookie carries, or ``None``."""
    raw = session.get("_user_id")
    if raw is None:
        return None
    try:
        return Claim(int(raw), session.get("sv"))
    except (TypeError, ValueError):
        return None


def holds(who: Claim, user_id: int, active: bool, session_version: int, must_change_password: bool) -> bool:
    """The loader's test (``auth.register``'s ``load_user``) plus the password-change hook's, on columns read by the view."""
    return (who.user_id == user_id and bool(active) and who.session_version == session_version
            and not must_change_password)
