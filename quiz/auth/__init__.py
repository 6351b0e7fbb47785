"""Sign-in, passwords, throttling, and who may see what (``scopes``)."""
from __future__ import annotations

from flask import Flask, session


def register(app: Flask) -> None:
    """auth's table, the sign-in pages and the loader that turns a session cookie into a person."""
    from quiz.auth import models, views  # noqa: F401  (models: its table)
    from quiz.extensions import db, login_manager
    from quiz.org.models import User

    app.register_blueprint(views.bp)

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        # a cookie signed before sign-out, a password change, a reset or deactivation is dead;
        # the version rides on the row just loaded: no extra query
        if session.get("sv") != user.session_version:
            return None
        return user
