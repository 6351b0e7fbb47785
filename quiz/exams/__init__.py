"""Exams, draw rules, assignments, attempts, grading and the phone pages."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """exams' tables, the worker's pages and the phone's JSON API, the trainer's
    pages (with the live view), ``flask exams``, the worker's and the trainer's
    home panels, the demo exams, and the hook through which banks ask whether a
    question is used."""
    from quiz.exams import cli, demo, models, usage, views  # noqa: F401  (models: its tables)
    from quiz.exams.assignments import todo
    from quiz.org.demo import add_loader
    from quiz.panels import register_panel

    views.register_blueprints(app)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    register_panel(app, "worker", "exams/_tasks_panel.html",
                   lambda user: {"tasks": todo.tasks_for(user), "may_start": todo.may_start_again}, order=10)
    register_panel(app, "trainer", "exams/trainer_panel.html", views.trainer.panel_context, order=30)
    add_loader(app, demo.load)
    usage.register()  # banks ask exams whether a question is used through this hook
