"""The attempt's write lock and its grace: what every change to an attempt
takes first (SQLite: ``BEGIN IMMEDIATE`` through ``begin_write``;
PostgreSQL: the attempt row ``FOR UPDATE``), and how long after the
deadline a save is still taken."""
from __future__ import annotations

from flask import current_app

from quiz.db import begin_write
from quiz.exams import clock
from quiz.exams.models import Attempt
from quiz.extensions import db


def grace_seconds() -> int:
    return int(current_app.config.get("ANSWER_GRACE_SECONDS", clock.DEFAULT_GRACE_SECONDS))


def is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def write_lock(attempt: Attempt | None = None) -> None:
    """Take the write lock, then re-read ``attempt`` under it."""
    begin_write(db.session())
    if attempt is None:
        return
    if is_sqlite():
        db.session.refresh(attempt)
    else:
        db.session.refresh(attempt, with_for_update=True)

