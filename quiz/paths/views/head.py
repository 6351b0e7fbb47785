"""The heads' view: each crew of their subtree on each path, its open topic,
the share who passed it, and the crews stuck longer than the path's limit."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.db import utcnow
from quiz.decorators import roles_required
from quiz.extensions import db
from quiz.paths import board, state
from quiz.paths.models import Path
from quiz.paths.views import bp


@bp.get("/paths/overview")
@roles_required("head", "trainer")
def overview():
    scope = scope_for(current_user, "view")
    now = utcnow()
    sections = []
    for path in db.session.scalars(select(Path).where(Path.archived.is_(False)).order_by(Path.id)):
        ps = state.load(path, scope)
        rows = board.rows(ps, now)  # crews made of the people the head may see, nobody else
        if rows:
            sections.append((path, ps, rows))
    return render_template("paths/overview.html", sections=sections)
