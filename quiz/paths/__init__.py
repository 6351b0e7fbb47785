"""Learning paths: topics tested by normal exams, the crew gate, personal
remediation, what to teach a crew, practical sign-offs, spaced review."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """paths' tables, pages, ``flask paths``, the home panels of workers,
    trainers and heads, the demo paths, the practical sign-offs in the training
    record, and remediation and the gate on ``attempt_graded``."""
    from quiz.exams.signals import attempt_graded
    from quiz.org.demo import add_loader
    from quiz.panels import register_panel
    from quiz.paths import cli, demo, models, record, services  # noqa: F401  (models: its tables)
    from quiz.paths.views import bp, head, trainer, worker  # noqa: F401  (head: its routes on bp)
    from quiz.sessions.records import register_record_source

    app.register_blueprint(bp)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    register_panel(app, "worker", "paths/_panel.html", worker.panel, order=5)
    register_panel(app, "trainer", "paths/_trainer_panel.html", trainer.panel, order=30)
    register_panel(app, "head", "paths/_trainer_panel.html", trainer.head_panel, order=30)
    add_loader(app, demo.load)
    register_record_source(app, record.practical_entries)
    attempt_graded.connect(services.on_attempt_graded)
