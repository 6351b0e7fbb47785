"""Units, job types, people and their roles, the roster import, the audit log
and the home page."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """org's tables, pages (the home page, units, people, the roster import),
    ``flask users`` and ``flask demo``, and the admin's home panel."""
    from quiz import uploads  # noqa: F401  (its table: uploads waiting for confirmation, for org and banks)
    from quiz.org import cli, models, views  # noqa: F401  (models: its tables)
    from quiz.org.roster import views as roster_views
    from quiz.panels import register_panel

    app.register_blueprint(views.bp)
    app.register_blueprint(roster_views.bp)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    register_panel(app, "admin", "org/_admin_panel.html", views.admin_panel, order=5)
