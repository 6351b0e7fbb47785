"""Completion certificates: issuing, PDF rendering, public verification."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """certificates' tables, pages, ``flask certificates``, the worker's home
    panel, and issuing on ``attempt_graded``."""
    from quiz.certificates import cli, models, services, views  # noqa: F401  (models: its tables)
    from quiz.exams.signals import attempt_graded
    from quiz.panels import register_panel

    app.register_blueprint(views.bp)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    register_panel(app, "worker", "certificates/_panel.html", views.panel_context, order=40)
    attempt_graded.connect(services.on_attempt_graded)
