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


def count(model) -> int:
    """How many rows the model's table holds."""
    return db.session.scalar(select(func.count()).select_from(model))
