"""Training and quiz platform: question banks, timed tests on phones,
certificates and completion reports for an industrial company."""
from __future__ import annotations

from flask import Flask

from quiz import auth, banks, certificates, exams, extensions, org, paths, reports, sessions, web
from quiz.config import load_settings

# Each domain's register(app) adds its tables, blueprints, CLI group, home
# panels, demo loader and signal receivers. Lowest layer first: a domain's
# demo loader runs after those of the domains it builds on, and a signal's
# receivers run in this order.
DOMAINS = (org, auth, banks, exams, certificates, reports, paths, sessions)


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, the shared pages, then every domain
    in ``DOMAINS``' order.

    ``config`` overrides settings read from the environment (tests use it).
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(load_settings(app.instance_path, config or {}))
    extensions.init_app(app)
    web.register(app)  # first: its request hooks (idle sign-out, forced password change) run before any domain's
    for domain in DOMAINS:
        domain.register(app)
    return app
