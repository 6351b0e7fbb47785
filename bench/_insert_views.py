"""A bare endpoint for the answer-save benchmark's baseline (``bench/answer_save.py``).

``POST /bench/insert`` does one INSERT into a small table of its own and
commits, behind the same sign-in check and CSRF header as the real answer
save, so that the two can be compared fairly under the same server. Only
``bench/_wsgi.py`` registers it, on the app the benchmarks serve: the product
package never has it. The table is created on first use, outside the models
and migrations.
"""
from __future__ import annotations

import json

from flask import Blueprint, Flask, jsonify, request
from flask_login import current_user
from sqlalchemy import text

from quiz.db import begin_write, utcnow
from quiz.extensions import db

TABLE = "bench_inserts"

bp = Blueprint("bench", __name__, url_prefix="/bench")
_created: set[str] = set()  # engine URLs whose table this process has made sure of


def register(app: Flask) -> None:
    """Register the bench blueprint (idempotent)."""
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)


def _ensure_table() -> None:
    engine = db.engine
    key = str(engine.url)
    if key in _created:
        return
    key_type = "BIGSERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(text(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id {key_type}, user_id INTEGER NOT NULL, "
            "seq INTEGER NOT NULL, payload TEXT, created_at VARCHAR(40) NOT NULL)"))
    _created.add(key)


@bp.post("/insert")
def insert():
    """One INSERT and one commit: ``{seq?, values?}`` → ``{ok, id}``."""
    if not current_user.is_authenticated:
        return jsonify(ok=False, relogin=True), 401
    _ensure_table()
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    try:
        seq = int(body.get("seq", 0))
    except (TypeError, ValueError):
        seq = 0
    begin_write(db.session())  # as the real save: the write lock first (the user was read already)
    row_id = db.session.execute(
        text(f"INSERT INTO {TABLE} (user_id, seq, payload, created_at) VALUES (:u, :s, :p, :t) RETURNING id"),
        {"u": current_user.id, "s": seq, "p": json.dumps(body.get("values"), ensure_ascii=False)[:5000],
         "t": utcnow().isoformat()},
    ).scalar()
    db.session.commit()
    return jsonify(ok=True, id=row_id)
