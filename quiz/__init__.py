"""Training and quiz platform: question banks, timed tests on phones,
certificates and completion reports for an industrial company."""
from __future__ import annotations

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints and CLI; nothing else.

    ``config`` overrides settings read from the environment (tests use it).
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    from quiz.config import load_settings

    app.config.update(load_settings(app.instance_path, config or {}))

    from quiz import extensions

    extensions.init_app(app)

    from quiz.web import register as register_web
    from quiz.auth.views import bp as auth_bp
    from quiz.org.views import bp as org_bp

    register_web(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(org_bp)
    _register_optional_blueprints(app)

    from quiz.cli import register as register_cli

    register_cli(app)
    return app


def _register_optional_blueprints(app: Flask) -> None:
    """Blueprints of the domains built on top of the organisation."""
    import importlib

    for module_name in (
        "quiz.banks.views",
        "quiz.exams.views",
        "quiz.exams.trainer_views",
        "quiz.certificates.views",
        "quiz.reports.views",
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.register_blueprint(module.bp)
