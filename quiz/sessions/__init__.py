"""Training sessions held in a room (special trainings, lectures, classes,
make-up lessons, drills), their venues and QR sign-in, attendance, and every
person's training record with hours (培训档案).

Sits beside certificates and reports: it may import exams, banks and org,
never the reverse.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """sessions' tables, pages, ``flask sessions`` and ``flask records``, the
    workers' and trainers' home panels and the demo sessions."""
    from quiz.org.demo import add_loader
    from quiz.panels import register_panel
    from quiz.sessions import cli, demo, models  # noqa: F401  (models: its tables)
    from quiz.sessions.views import bp, records, trainer, worker  # noqa: F401  (records: its routes on bp)

    app.register_blueprint(bp)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    register_panel(app, "worker", "sessions/_upcoming_panel.html", worker.panel_context, order=15)
    register_panel(app, "trainer", "sessions/_trainer_panel.html", trainer.panel_context, order=31)
    add_loader(app, demo.load)
