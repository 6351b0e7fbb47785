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
    _import_models()

    from quiz.web import register as register_web
    from quiz.auth.views import bp as auth_bp
    from quiz.org.views import bp as org_bp

    register_web(app)
    from quiz.web import bench_views

    bench_views.register(app)  # only with QUIZ_BENCH_ENDPOINTS=1: the benchmarks' bare-insert baseline
    app.register_blueprint(auth_bp)
    app.register_blueprint(org_bp)
    _register_optional_blueprints(app)

    from quiz.cli import register as register_cli

    register_cli(app)
    return app


def _import_optional(module_name: str):
    """Import a domain module that may not exist yet; re-raise any other import error."""
    import importlib

    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if not exc.name or not (module_name + ".").startswith(exc.name + "."):
            raise
        return None


def _import_models() -> None:
    """Every table is known to the metadata before migrations or create_all look."""
    for name in ("quiz.org.models", "quiz.auth.models", "quiz.banks.models", "quiz.exams.models",
                 "quiz.certificates.models", "quiz.paths.models", "quiz.sessions.models"):
        _import_optional(name)


def _register_optional_blueprints(app: Flask) -> None:
    """Blueprints of the domains built on top of the organisation."""
    for module_name in (
        "quiz.org.roster_views",
        "quiz.banks.views",
        "quiz.banks.draft_views",
        "quiz.exams.views",
        "quiz.certificates.views",
        "quiz.reports.views",
        "quiz.paths.views",
        "quiz.sessions.views",
    ):
        module = _import_optional(module_name)
        if module is not None and hasattr(module, "register_blueprints"):
            module.register_blueprints(app)  # a domain with several blueprints (quiz.exams.views)
        elif module is not None:
            app.register_blueprint(module.bp)
