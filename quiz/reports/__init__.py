"""Completion and item-analysis reports for heads and trainers, and their exports."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """reports' pages, ``flask reports``, the head's home panel, and ``exam_progress``
    kept current on the exam engine's ``attempt_changed`` and org's ``people_moved``."""
    from quiz.exams.signals import attempt_changed
    from quiz.org.signals import people_moved
    from quiz.panels import register_panel
    from quiz.reports import cli, progress, views

    app.register_blueprint(views.bp)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    register_panel(app, "head", "reports/_panel.html", views.panel_context, order=20)
    attempt_changed.connect(progress.on_attempt_changed)
    people_moved.connect(progress.on_people_moved)
