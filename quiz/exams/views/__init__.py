"""The exams' pages, grouped by audience: ``worker`` (the phone's pages,
blueprint ``exams``) with ``api`` (the phone's JSON, on the same
blueprint), and ``trainer`` (the desk, blueprint ``exams_trainer``) with
``trainer_live`` (the live view, per-person actions, the grading queue, on
the same blueprint). ``register_blueprints(app)`` adds both."""
from __future__ import annotations

from flask import Flask

from quiz.exams.views import api, trainer, trainer_live, worker

BLUEPRINTS = (worker.bp, trainer.bp)
ROUTE_MODULES = (api, trainer_live)  # their routes are on the blueprints above


def register_blueprints(app: Flask) -> None:
    """The worker's blueprint first (its ``before_app_request`` guards every page), then the trainer's."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
