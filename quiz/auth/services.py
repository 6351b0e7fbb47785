"""Signing in: password check with a per-account lock-out that expires.

Per-address throttling is Flask-Limiter's (on the view); the per-account
count lives in the database so that every app server agrees on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from quiz.auth import passwords
from quiz.db import begin_write, utcnow
from quiz.extensions import db
from quiz.org.models import User


@dataclass
class SignInResult:
    user: User | None
    error: str | None = None  # "bad", "locked", "inactive"
    locked_minutes: int = 0


def authenticate(employee_no: str, password: str) -> SignInResult:
    """Check a sign-in. Counts failures; locks the account for a while after too many.

    The password is checked on a read (scrypt takes tens of milliseconds and
    must not hold SQLite's write lock); the outcome is then recorded in a
    transaction that takes the write lock first (``begin_write``) and reads
    the person again, so concurrent sign-ins never fail with "database is
    locked" and never lose a failure count.
    """
    employee_no = employee_no.strip()
    user = db.session.scalar(select(User).where(User.employee_no == employee_no))
    now = utcnow()
    if user is None:
        passwords.verify(_DUMMY_HASH, password)  # same work whether or not the 工号 exists
        return SignInResult(None, "bad")
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        return SignInResult(None, "locked", minutes)
    right = passwords.verify(user.password_hash, password)
    if right and not user.active:
        return SignInResult(None, "inactive")
    begin_write(db.session)
    user = db.session.scalar(select(User).where(User.id == user.id).with_for_update()
                             .execution_options(populate_existing=True))
    if not right:
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            lock = current_app.config["LOGIN_LOCK_MINUTES"]
            user.locked_until = now + timedelta(minutes=lock)
            user.failed_logins = 0
            return SignInResult(None, "locked", lock)
        return SignInResult(None, "bad")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return SignInResult(user)


_DUMMY_HASH = passwords.hash_password("not-a-real-password-0")


def end_sessions(user: User) -> None:
    """End every session of ``user`` on every device: the cookies carry the old version."""
    user.session_version = (user.session_version or 0) + 1


def change_password(user: User, new_password: str) -> None:
    """Set a password the person chose. Their other sessions end (the caller keeps the current one)."""
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = False
    end_sessions(user)


def set_initial_password(user: User, password: str | None = None) -> str:
    """Give ``user`` an initial password (generated when none is given) that
    must be changed at first sign-in. Returns the plain password."""
    if password:
        user.password_hash = passwords.hash_password(password)
    else:
        password = passwords.generate()
        user.password_hash = passwords.hash_generated(password)
    user.must_change_password = True
    end_sessions(user)
    user.failed_logins = 0
    user.locked_until = None
    return password
