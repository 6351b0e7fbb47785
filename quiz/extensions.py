"""Extensions, created unbound; ``init_app`` binds them in the factory."""
from __future__ import annotations

from flask import Flask, has_request_context, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from quiz.db import Base, guard_requests

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    """The signed-in user's language, else the one chosen in this browser, else Chinese.

    Outside a request (CLI commands, services called from scripts) it is Chinese.
    """
    if not has_request_context():
        return "zh"
    choice = None
    if current_user and getattr(current_user, "is_authenticated", False):
        choice = current_user.locale
    choice = choice or session.get("lang")
    if choice in ("zh", "en"):
        return choice
    return "zh"


def init_app(app: Flask) -> None:
    db.init_app(app)
    guard_requests(app, db.session)  # begin_write refuses to commit half a request
    migrate.init_app(app, db, directory=str(__import__("pathlib").Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(__import__("pathlib").Path(app.root_path) / "translations"),
    )
    limiter.init_app(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
