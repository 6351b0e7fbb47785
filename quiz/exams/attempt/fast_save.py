"""The phone's everyday answer save, on the database driver's own connection.

``save_answer`` (in ``answers``) does everything an answer save can need
through the ORM. Nearly every save on exam day is the same simple case, and
there the ORM's and SQLAlchemy's own per-statement machinery (building the
execution context, the session's transaction, the result objects) cost more
than the statements: ``save_answer_fast`` runs that case as five plain SQL
statements on a pooled driver connection, in its own transaction, and says
``None`` for anything else, which the caller then sends the full way.

The case: an exam-mode attempt of the person the session cookie claims
(checked here as the sign-in loader would: see ``quiz.auth.light``), in
progress and in time, form ``values`` posted at a valid position (not behind
a one-way paper's furthest question), no ``move_to`` and no flag.

First, before the write lock, one read of the item with its revision (what
it showed never changes, and a save already stale stays stale). Then under
the lock (SQLite: ``BEGIN IMMEDIATE``, retried as ``quiz.db`` does;
PostgreSQL: the attempt row ``FOR UPDATE``), which is held for less the
less runs inside it: one read of the attempt with its exam and its person,
one ``UPDATE … WHERE client_seq < seq`` (an older seq never overwrites a newer
one; it adds the time since the attempt's previous save to the item, see
``answers.time_since``), the attempt's ``current_position`` only when it
moves, and the commit. Nothing is loaded as objects, so there is no
practice feedback to give and no mistake to record: practice attempts never
come this way. Values are written as the ORM's column types write them
(``quiz.db.UTCDateTime``, JSON), which ``tests/exams/test_fast_paths.py``
checks by reading the saves back through the ORM.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from quiz.auth import light
from quiz.db import begin_immediate, utcnow
from quiz.exams import clock
from quiz.exams.attempt.answers import Saved, response_from_values, time_since
from quiz.exams.attempt.locking import grace_seconds
from quiz.extensions import db

_ATTEMPT = """
SELECT a.user_id, a.status, a.mode, a.deadline_at, a.current_position, e.navigation,
       COALESCE((SELECT MAX(i.saved_at) FROM attempt_items i WHERE i.attempt_id = a.id), a.started_at),
       u.active, u.session_version, u.must_change_password
FROM attempts a JOIN exams e ON e.id = a.exam_id JOIN users u ON u.id = a.user_id
WHERE a.id = :attempt_id"""
_ITEM = """
SELECT i.id, i.client_seq, i.option_order, r.type, r.options
FROM attempt_items i JOIN question_revisions r ON r.id = i.revision_id
WHERE i.attempt_id = :attempt_id AND i.position = :position"""
_UPDATE_ITEM = """
UPDATE attempt_items SET response = :response, client_seq = :seq, saved_at = :now,
       time_spent_ms = time_spent_ms + :spent
WHERE id = :item_id AND client_seq < :seq"""
_MOVE = "UPDATE attempts SET current_position = :moved WHERE id = :attempt_id"


class _SQLite:
    """sqlite3: named parameters as written; times as SQLAlchemy's SQLite DATETIME text (UTC); JSON as text."""

    attempt, item, update_item, move = _ATTEMPT, _ITEM, _UPDATE_ITEM, _MOVE

    @staticmethod
    def begin(cursor) -> None:
        begin_immediate(cursor.execute)  # retried as the ORM session's is

    @staticmethod
    def when(value) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)

    @staticmethod
    def stamp(value: datetime) -> str:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def json_in(value) -> Any:
        return None if value is None else json.loads(value)

    json_out = staticmethod(json.dumps)


class _PostgreSQL:
    """psycopg: ``%(name)s`` parameters; timestamptz and JSON come back as Python values."""

    attempt = re.sub(r":(\w+)", r"%(\1)s", _ATTEMPT) + " FOR UPDATE OF a"
    item, update_item, move = (re.sub(r":(\w+)", r"%(\1)s", s) for s in (_ITEM, _UPDATE_ITEM, _MOVE))

    @staticmethod
    def begin(cursor) -> None:
        pass  # psycopg opens the transaction with the first statement; the row lock is the attempt's FOR UPDATE

    @staticmethod
    def when(value) -> datetime | None:
        return value

    @staticmethod
    def stamp(value: datetime) -> datetime:
        return value

    @staticmethod
    def json_in(value) -> Any:
        return value

    @staticmethod
    def json_out(value) -> Any:
        from psycopg.types.json import Json

        return Json(value)


_DIALECTS = {"sqlite": _SQLite, "postgresql": _PostgreSQL}


def save_answer_fast(attempt_id: int, who: light.Claim, position: Any, values: Any, seq: Any, *,
                     now: datetime | None = None) -> Saved | None:
    """Save the phone's everyday answer and commit it, or change nothing and say
    ``None`` (see the module's text)."""
    now = now or utcnow()
    if not isinstance(values, list):
        return None
    try:
        position, seq = int(position), int(seq)
    except (TypeError, ValueError):
        return None
    engine = db.engine
    sql = _DIALECTS.get(engine.dialect.name)
    if sql is None:
        return None
    raw = engine.raw_connection()  # from the pool; back to it (rolled back if not committed) on close
    try:
        cursor = raw.cursor()
        # the item first, before the write lock: what it showed (revision, option order) never changes,
        # and its saved seq only grows, so a save already stale now stays stale
        cursor.execute(sql.item, {"attempt_id": attempt_id, "position": position})
        item = cursor.fetchone()
        if item is None:
            return None
        raw.rollback()  # PostgreSQL: the read's transaction ends; the save's begins under the lock
        sql.begin(cursor)
        saved = _save(cursor, sql, attempt_id, who, position, values, seq, now, item)
        if saved is None:
            raw.rollback()
        else:
            raw.commit()
        return saved
    finally:
        raw.close()


def _save(cursor, sql, attempt_id: int, who: light.Claim, position: int, values: list, seq: int,
          now: datetime, item) -> Saved | None:
    cursor.execute(sql.attempt, {"attempt_id": attempt_id})
    a = cursor.fetchone()
    if a is None:
        return None
    user_id, status, mode, deadline_at, current_position, navigation, previous, active, version, must_change = a
    deadline_at = sql.when(deadline_at)
    if (not light.holds(who, user_id, active, version, must_change) or status != "in_progress" or mode != "exam"
            or clock.is_overdue(deadline_at, now, grace_seconds())):
        return None
    forward = navigation == "forward"
    if forward and position < current_position:
        return None  # refused (one_way) the full way
    item_id, client_seq, option_order, rev_type, rev_options = item
    saved_seq, stale = client_seq, seq <= client_seq
    if not stale:
        response = response_from_values(rev_type, sql.json_in(rev_options), sql.json_in(option_order), values, None)
        cursor.execute(sql.update_item, {"item_id": item_id, "seq": seq, "response": sql.json_out(response),
                                         "now": sql.stamp(now), "spent": time_since(sql.when(previous), now)})
        if cursor.rowcount != 1:
            return None  # a newer save came in between: the full way tells what there is now
        saved_seq = seq
    moved = max(current_position, position) if forward else position
    if moved != current_position:
        cursor.execute(sql.move, {"attempt_id": attempt_id, "moved": moved})
    return Saved(saved_seq, stale, clock.remaining_seconds(deadline_at, now), None, position)
