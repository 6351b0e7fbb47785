"""Signing in: the password check, slowing and blocking of an address that keeps
failing, and ending a person's sessions.

Failures are counted per 工号 and address (``SignInFailure``). The address
that fails is slowed, then blocked for a while; the real person signing in
from anywhere else is not. The account-wide count (all addresses) has a far
higher limit and only ever slows. Every refusal spends the same hashing work
as a real check, so that timing tells nothing about which 工号 exist.
Per-address request rates are Flask-Limiter's (on the view). The counts live
in the database so that every app server agrees on them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from quiz.auth import passwords
from quiz.auth.models import SignInFailure
from quiz.db import begin_write, utcnow
from quiz.extensions import db
from quiz.org.models import User
from quiz.org.services import audit


@dataclass
class SignInResult:
    user: User | None
    error: str | None = None  # "bad", "locked", "slow", "inactive"
    locked_minutes: int = 0
    wait_seconds: int = 0


def _setting(name: str) -> int:
    return current_app.config[name]


def _refusal(row: SignInFailure | None, account: tuple[int, datetime | None], now: datetime) -> SignInResult | None:
    """Why this attempt is refused before its password counts, or None."""
    if row is not None and row.blocked_until and row.blocked_until > now:
        minutes = int((row.blocked_until - now).total_seconds() // 60) + 1
        return SignInResult(None, "locked", locked_minutes=minutes)
    if row is not None and not row.blocked_until and row.failures >= _setting("LOGIN_SLOW_AFTER") \
            and row.last_at > now - timedelta(minutes=_setting("LOGIN_FAILURE_WINDOW_MINUTES")):
        delay = _setting("LOGIN_SLOW_SECONDS") * 2 ** (row.failures - _setting("LOGIN_SLOW_AFTER"))
        ready = row.last_at + timedelta(seconds=delay)
        if ready > now:
            return SignInResult(None, "slow", wait_seconds=int((ready - now).total_seconds()) + 1)
    count, last = account
    if count >= _setting("LOGIN_ACCOUNT_SLOW_AFTER") and last is not None:
        ready = last + timedelta(seconds=_setting("LOGIN_ACCOUNT_DELAY_SECONDS"))
        if ready > now:
            return SignInResult(None, "slow", wait_seconds=int((ready - now).total_seconds()) + 1)
    return None


def account_failures(employee_no: str, now: datetime) -> tuple[int, datetime | None]:
    """Failures for ``employee_no`` from every address within the window, and the latest."""
    since = now - timedelta(minutes=_setting("LOGIN_FAILURE_WINDOW_MINUTES"))
    count, last = db.session.execute(
        select(func.coalesce(func.sum(SignInFailure.failures), 0), func.max(SignInFailure.last_at))
        .where(SignInFailure.employee_no == employee_no, SignInFailure.last_at >= since)
    ).one()
    return int(count or 0), last


def authenticate(employee_no: str, password: str, address: str = "") -> SignInResult:
    """Check a sign-in from ``address``. Counts failures; slows, then blocks, that address.

    The password is checked on a read (scrypt takes tens of milliseconds and
    must not hold SQLite's write lock); the outcome is then recorded in a
    transaction that takes the write lock first (``begin_write``) and reads
    the rows again, so concurrent sign-ins never fail with "database is
    locked" and never lose a failure count. Every path runs exactly one
    expensive hash (``passwords.verify_with_equal_work``).
    """
    employee_no = employee_no.strip()[:32]
    address = (address or "unknown")[:64]
    now = utcnow()
    user = db.session.scalar(select(User).where(User.employee_no == employee_no))
    row = db.session.scalar(select(SignInFailure).where(SignInFailure.employee_no == employee_no,
                                                        SignInFailure.address == address))
    refusal = _refusal(row, account_failures(employee_no, now), now)
    right = passwords.verify_with_equal_work(user.password_hash if user else None, password,
                                             current_app.config["LOGIN_EQUAL_WORK_METHOD"])
    if refusal is not None:
        return refusal
    if right and not user.active:
        return SignInResult(None, "inactive")
    begin_write(db.session)
    if not right:
        return _record_failure(employee_no, address, now)
    user = db.session.scalar(select(User).where(User.id == user.id).with_for_update()
                             .execution_options(populate_existing=True))
    db.session.execute(delete(SignInFailure).where(SignInFailure.employee_no == employee_no,
                                                   SignInFailure.address == address))
    user.last_login_at = now
    return SignInResult(user)


def _locked_row(employee_no: str, address: str) -> SignInFailure:
    """The failure row for (工号, address), locked for this transaction; created when missing."""
    query = (select(SignInFailure).where(SignInFailure.employee_no == employee_no, SignInFailure.address == address)
             .with_for_update().execution_options(populate_existing=True))
    row = db.session.scalar(query)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():  # two first failures at once (PostgreSQL): one insert wins
            row = SignInFailure(employee_no=employee_no, address=address, failures=0)
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(query)
    return row


def _record_failure(employee_no: str, address: str, now: datetime) -> SignInResult:
    window = timedelta(minutes=_setting("LOGIN_FAILURE_WINDOW_MINUTES"))
    row = _locked_row(employee_no, address)
    if row.failures and ((row.blocked_until and row.blocked_until <= now) or row.last_at < now - window):
        row.failures, row.first_at, row.blocked_until = 0, now, None  # a fresh run after a block or a quiet spell
    row.failures += 1
    row.last_at = now
    if row.failures >= _setting("LOGIN_MAX_FAILURES"):
        lock = _setting("LOGIN_LOCK_MINUTES")
        row.blocked_until = now + timedelta(minutes=lock)
        result = SignInResult(None, "locked", locked_minutes=lock)
    else:
        result = SignInResult(None, "bad")
    keep = max(window, timedelta(minutes=_setting("LOGIN_LOCK_MINUTES")))
    db.session.execute(delete(SignInFailure).where(SignInFailure.last_at < now - keep, SignInFailure.id != row.id)
                       .execution_options(synchronize_session=False))
    return result


@dataclass
class Lock:
    row: SignInFailure
    person: User | None


def current_locks(now: datetime | None = None) -> list[Lock]:
    """Addresses blocked from a 工号 right now, newest first, with the person if the 工号 is theirs."""
    now = now or utcnow()
    rows = db.session.scalars(select(SignInFailure).where(SignInFailure.blocked_until > now)
                              .order_by(SignInFailure.last_at.desc())).all()
    return _with_people(rows)


def slowed_accounts(now: datetime | None = None) -> list[tuple[str, int, User | None]]:
    """工号 whose failures from all addresses reach the account-wide limit: (工号, count, person)."""
    now = now or utcnow()
    since = now - timedelta(minutes=_setting("LOGIN_FAILURE_WINDOW_MINUTES"))
    total = func.sum(SignInFailure.failures)
    found = db.session.execute(
        select(SignInFailure.employee_no, total).where(SignInFailure.last_at >= since)
        .group_by(SignInFailure.employee_no).having(total >= _setting("LOGIN_ACCOUNT_SLOW_AFTER"))
        .order_by(total.desc())
    ).all()
    people = _people_by_number([no for no, _ in found])
    return [(no, int(count), people.get(no)) for no, count in found]


def _people_by_number(numbers: list[str]) -> dict[str, User]:
    if not numbers:
        return {}
    return {u.employee_no: u for u in db.session.scalars(select(User).where(User.employee_no.in_(numbers)))}


def _with_people(rows) -> list[Lock]:
    people = _people_by_number(sorted({r.employee_no for r in rows}))
    return [Lock(r, people.get(r.employee_no)) for r in rows]


def lift_lock(row: SignInFailure) -> None:
    """Let ``row``'s address try that 工号 again at once (an admin's decision, audited)."""
    audit("auth.lift_lock", None, _("解除 %(no)s 在 %(address)s 的登录锁定", no=row.employee_no, address=row.address),
          details={"employee_no": row.employee_no, "address": row.address, "failures": row.failures})
    db.session.delete(row)


def lift_account(employee_no: str) -> int:
    """Forget every failure for ``employee_no`` from every address; returns how many rows."""
    result = db.session.execute(delete(SignInFailure).where(SignInFailure.employee_no == employee_no)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def clear_account(employee_no: str) -> int:
    """An admin's 清除 on the locks page: ``lift_account``, audited when there was
    anything to forget. Returns how many rows."""
    count = lift_account(employee_no)
    if count:
        audit("auth.lift_account", None, _("清除 %(no)s 的全部登录失败记录", no=employee_no),
              details={"employee_no": employee_no, "rows": count})
    return count


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
    if user.employee_no:  # a reset is also how an admin lets a locked-out person back in
        lift_account(user.employee_no)
    return password


def reset_password(user: User, password: str | None = None) -> str:
    """An admin's reset on the person's page: ``set_initial_password``, audited.
    Returns the plain password."""
    plain = set_initial_password(user, password)
    audit("person.reset_password", user, _("重置 %(name)s（%(no)s）的密码", name=user.name, no=user.employee_no))
    return plain
