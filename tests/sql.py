"""The database as the tests read it: the SQL the app sends (no N+1, cheap hot paths), row counts."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from quiz.extensions import db


@contextmanager
def statements():
    """Every statement the app sends to the database meanwhile (BEGIN included)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        seen.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def driver_statements():
    """Every statement the database driver runs meanwhile on connections taken
    from the pool in the block, also those run outside SQLAlchemy's execution
    (the answer save's fast path, ``quiz.exams.attempt.fast_save``, runs on a
    pooled driver connection), as the driver sees them: on SQLite transaction
    control (``BEGIN IMMEDIATE``, ``COMMIT``) included."""
    seen: list[str] = []
    active = [True]

    def record(statement) -> None:
        if active[0]:
            seen.append(" ".join(str(statement).split()))

    engine = db.engine
    if engine.dialect.name == "sqlite":
        def traced(dbapi_connection, _record, _proxy):
            dbapi_connection.set_trace_callback(record)

        def untraced(dbapi_connection, _record):
            dbapi_connection.set_trace_callback(None)
    else:
        import psycopg

        class Tracing(psycopg.Cursor):
            def execute(self, query, params=None, **kwargs):
                record(query if isinstance(query, str) else query.as_string(self))
                return super().execute(query, params, **kwargs)

        def traced(dbapi_connection, _record, _proxy):
            dbapi_connection.cursor_factory = Tracing

        def untraced(dbapi_connection, _record):
            dbapi_connection.cursor_factory = psycopg.Cursor

    event.listen(engine, "checkout", traced)
    event.listen(engine, "checkin", untraced)
    try:
        yield seen
    finally:
        active[0] = False
        event.remove(engine, "checkout", traced)
        event.remove(engine, "checkin", untraced)


def count(model) -> int:
    """How many rows the model's table holds."""
    return db.session.scalar(select(func.count()).select_from(model))
