"""Declarative base, constraint naming, and SQLite settings for concurrent use.

SQLite is the embedded default: every connection gets WAL, a busy timeout and
foreign keys. pysqlite's own transaction handling is switched off so that we
emit BEGIN ourselves, which lets ``begin_write`` ask for ``BEGIN IMMEDIATE``
before a transaction that reads and then writes (otherwise two such
transactions can deadlock on the upgrade from a read to a write lock and one
fails with "database is locked" at once, whatever the busy timeout).
"""
from __future__ import annotations

import contextvars
import sqlite3
import time
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware. Timestamp defaults call this."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone; PostgreSQL's ``timestamptz`` does. Both come back as
    aware UTC datetimes so that deadlines compare the same on either.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("immediate", default=False)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    if _immediate.get():
        _immediate.set(False)
        _begin_immediate(connection)
    else:
        connection.exec_driver_sql("BEGIN")


_BUSY_RETRIES = (0.01, 0.03, 0.1, 0.3, 1.0)


def _begin_immediate(connection) -> None:
    begin_immediate(connection.exec_driver_sql, OperationalError)


def begin_immediate(execute, busy_error: type[Exception] = sqlite3.OperationalError) -> None:
    """``execute("BEGIN IMMEDIATE")``, retried a few times when SQLite answers "database is
    locked" at once: the busy timeout covers a writer holding the lock, but SQLite returns
    SQLITE_BUSY without waiting in a few WAL cases (recovery, a checkpoint starting), and
    a sign-in must not become a 500 for that. ``execute``: a SQLAlchemy connection's
    ``exec_driver_sql`` (raising ``busy_error``, SQLAlchemy's ``OperationalError``) or a
    driver cursor's ``execute`` (the answer save's fast path)."""
    for pause in (*_BUSY_RETRIES, None):
        try:
            execute("BEGIN IMMEDIATE")
            return
        except busy_error as exc:
            if pause is None or ("locked" not in str(exc) and "busy" not in str(exc)):
                raise
            time.sleep(pause)


_FLUSHED = "quiz.flushed"  # session.info key: changes flushed since the last commit or rollback
_IN_REQUEST = "quiz_in_request"  # flask.g key: the app context serves a request being handled


def guard_requests(app) -> None:
    """Mark the app context as serving a request from the first ``before_request``
    hook to its teardown, for ``begin_write`` (on ``flask.g``: a request that
    never touches the database makes no session for it)."""
    from flask import g

    @app.before_request
    def _request_starts() -> None:
        setattr(g, _IN_REQUEST, True)

    @app.teardown_request
    def _request_ends(_exc=None) -> None:  # a request may share its app context (tests): unmark it
        g.pop(_IN_REQUEST, None)


def _in_request() -> bool:
    from flask import g, has_app_context

    return has_app_context() and g.get(_IN_REQUEST, False)


@event.listens_for(Session, "after_flush")
def _remember_flush(session, _context) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_flush(session) -> None:
    session.info.pop(_FLUSHED, None)


def begin_write(session) -> None:
    """Start the session's next transaction as a writer.

    Call before a read-then-write unit of work. On SQLite this ends the
    current (read-only so far) transaction and makes the next one ``BEGIN
    IMMEDIATE``, taking the write lock up front. Elsewhere it does nothing:
    PostgreSQL callers lock the rows they read with ``with_for_update()``.

    Refused (``RuntimeError``) once the session holds a change not yet
    flushed, and, during a request, on every database once it holds one
    already flushed: ending the transaction here would commit half a request
    (views commit once, at the end). Outside a request (the demo loader, CLI
    commands, tests calling services one after another) what was flushed
    before is committed here, as those batches expect. ``guard_requests``
    marks the requests.
    """
    if callable(getattr(session, "registry", None)):  # a scoped_session (db.session): its current session
        session = session()
    if session.info.get(_FLUSHED) and _in_request():
        raise RuntimeError("begin_write() must come before any change in the session")
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() must come before any change in the session")
    if session.in_transaction():
        session.commit()
    _immediate.set(True)
