"""Exams, draw rules, assignments, attempts, grading and the phone pages."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """exams' tables, the worker's pages and the phone's JSON API, the trainer's
    pages (with the live view), ``flask exams``, the worker's and the trainer's
    home panels and the demo exams."""
    from quiz.exams import api, cli, demo, models, tasks, trainer_live_views, trainer_views, usage, views  # noqa: F401  (models: its tables; api, trainer_live_views: their routes on views.bp, trainer_views.bp)
    from quiz.org.demo import add_loader
    from quiz.panels import register_panel

    app.register_blueprint(views.bp)
    app.register_blueprint(trainer_views.bp)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    register_panel(app, "worker", "exams/_tasks_panel.html",
                   lambda user: {"tasks": tasks.tasks_for(user), "may_start": tasks.may_start_again}, order=10)
    register_panel(app, "trainer", "exams/trainer_panel.html", trainer_views._panel_context, order=30)
    add_loader(app, demo.load)
    usage.register()  # banks ask exams whether a question is used through this hook
