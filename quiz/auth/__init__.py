"""Sign-in, passwords, throttling, and who may see what (``scopes``)."""
from __future__ import annotations

import functools

from flask import Flask, session


def register(app: Flask) -> None:
    """auth's table, the sign-in pages and the loader that turns a session cookie into a person."""
    from quiz.auth import models, views  # noqa: F401  (models: its table)
    from quiz.extensions import db, login_manager

    app.register_blueprint(views.bp)

    @login_manager.user_loader
    def load_user(user_id: str):
        # one indexed read of the row (a statement built once): the grants load only if a page asks for the roles
        user = db.session.execute(_user_by_id(), {"user_id": int(user_id)}).scalar_one_or_none()
        if user is None or not user.active:
            return None
        # a cookie signed before sign-out, a password change, a reset or deactivation is dead;
        # the version rides on the row just loaded: no extra query
        if session.get("sv") != user.session_version:
            return None
        return user


@functools.cache
def _user_by_id():
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import lazyload

    from quiz.org.models import User

    return select(User).where(User.id == bindparam("user_id")).options(lazyload(User.grants))
