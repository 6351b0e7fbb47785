"""The floor: a minimal Flask app, no extensions, no sign-in, no session,
doing the same INSERT and commit as ``POST /bench/insert`` into the same
SQLite database with the app's settings (WAL, busy timeout, synchronous
NORMAL, ``BEGIN IMMEDIATE``). ``bench/answer_save.py`` serves it with the
same gunicorn settings as the app, so that the app's per-request machinery
shows as the difference between the two.

One connection per worker process, kept open (as SQLAlchemy's pool keeps the
app's). The database comes from ``DATABASE_URL`` (``sqlite:///path``).
"""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone

from flask import Flask, jsonify, request

TABLE = "bench_inserts"

app = Flask(__name__)
_connection: sqlite3.Connection | None = None


def _db() -> sqlite3.Connection:
    global _connection
    if _connection is None:
        path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, "
                           "seq INTEGER NOT NULL, payload TEXT, created_at VARCHAR(40) NOT NULL)")
        _connection = connection
    return _connection


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/bench/insert")
def insert():
    """One INSERT and one commit: ``{seq?, values?}`` → ``{ok, id}``."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    try:
        seq = int(body.get("seq", 0))
    except (TypeError, ValueError):
        seq = 0
    connection = _db()
    connection.execute("BEGIN IMMEDIATE")
    try:
        row_id = connection.execute(
            f"INSERT INTO {TABLE} (user_id, seq, payload, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            (0, seq, json.dumps(body.get("values"), ensure_ascii=False)[:5000],
             datetime.now(timezone.utc).isoformat())).fetchone()[0]
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return jsonify(ok=True, id=row_id)
