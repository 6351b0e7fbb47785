"""Extensions, created unbound; ``init_app`` binds them in the factory."""
from __future__ import annotations


import flask_babel
from flask import Flask, has_request_context, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel, Domain, get_translations
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
import flask_wtf

from quiz.db import Base, guard_requests

class CSRFProtect(flask_wtf.CSRFProtect):
    """Flask-WTF's, looking for the token of a JSON request in its header straight
    away: a JSON body has no form fields, but the look-up parsed the body as a
    form first, on every answer save (~5 % of it)."""

    def _get_csrf_token(self):
        from flask import current_app, request

        if request.is_json:
            for header_name in current_app.config["WTF_CSRF_HEADERS"]:
                token = request.headers.get(header_name)
                if token:
                    return token
            return None
        return super()._get_csrf_token()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def no_rate_limit(view):
    """Mark a view Flask-Limiter's before-request check skips outright (see
    ``_skip_marked``): the check otherwise resolves and evaluates the limits of
    every request, also of views that have none. For the hot paths without a
    limit of their own (the answer save, ``/healthz``, the attempt page); never
    on a view that has a ``@limiter.limit`` (``tests/auth/test_rate_limits.py`` checks)."""
    view.no_rate_limit = True
    return view


def view_marked(mark: str) -> bool:
    """Does the view serving this request carry ``mark`` (``no_rate_limit``,
    ``quiz.auth.light``'s ``checks_sign_in_itself``)?"""
    from flask import current_app, request

    return getattr(current_app.view_functions.get(request.endpoint), mark, False)


def _skip_marked(app: Flask) -> None:
    """Flask-Limiter's before-request hook, not run for views marked ``no_rate_limit``."""
    hooks = app.before_request_funcs.setdefault(None, [])
    for i, hook in enumerate(hooks):
        if hook == limiter._check_request_limit:
            def check(hook=hook):
                if view_marked("no_rate_limit"):
                    return None
                return hook()

            hooks[i] = check


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


class RequestDomain(Domain):
    """Flask-Babel's domain, with the request's catalogue looked up once per request.

    Flask-Babel resolves the locale and looks its catalogue up again on every
    ``gettext`` call; this keeps the answer on the request's Babel context
    (``babel_translations``, which ``flask_babel.refresh`` and ``force_locale``
    reset), so later calls in the same request go straight to the catalogue."""

    def get_translations(self):
        ctx = _babel_context()
        if ctx is None:
            return super().get_translations()
        translations = getattr(ctx, "babel_translations", None)
        if translations is None:
            translations = ctx.babel_translations = super().get_translations()
        return translations


_babel_context = flask_babel._get_current_context  # the request's Babel namespace (None outside a request)


def bound_gettext() -> dict:
    """A context processor: ``_``, ``gettext`` and ``ngettext`` bound to this render's
    catalogue, so a template's many look-ups skip Flask-Babel's per-call locale
    and catalogue resolution (and Jinja's alias from ``_`` to ``gettext``). Same
    results as Jinja's new-style gettext: marked safe under autoescape, always
    %-formatted with the keyword arguments."""
    from jinja2 import pass_eval_context
    from markupsafe import Markup

    translations = get_translations()
    ugettext, ungettext = translations.ugettext, translations.ungettext

    @pass_eval_context
    def gettext(eval_ctx, __string: str, **variables) -> str:
        rv = ugettext(__string)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_eval_context
    def ngettext(eval_ctx, __singular: str, __plural: str, __num: int, **variables) -> str:
        variables.setdefault("num", __num)
        rv = ungettext(__singular, __plural, __num)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that ``/healthz`` (a load balancer's
    probe, many a minute) neither reads nor writes the cookie."""

    def open_session(self, app, request_):
        if request_.path == "/healthz":
            return self.make_null_session(app)
        return super().open_session(app, request_)


def init_app(app: Flask) -> None:
    db.init_app(app)
    guard_requests(app)  # begin_write refuses to commit half a request
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
    babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)
    app.context_processor(bound_gettext)
    app.session_interface = SessionInterface()
    limiter.init_app(app)
    _skip_marked(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
