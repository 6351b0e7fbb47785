"""Articles, question banks, questions and their revisions; the question
types (``types/``), the file formats (``formats/``) and drafting from an article."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """banks' tables, pages (banks and questions, uploads, drafts), ``flask banks``
    and the shipped banks in ``demo load``."""
    from quiz.banks import cli, demo, draft_views, models, upload_views, views  # noqa: F401  (models: its tables; upload_views: its routes on views.bp)
    from quiz.org.demo import add_loader

    app.register_blueprint(views.bp)
    app.register_blueprint(draft_views.bp)
    for group in cli.COMMANDS:
        app.cli.add_command(group)
    add_loader(app, demo.load_shipped)
