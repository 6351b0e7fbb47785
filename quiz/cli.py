"""Collects each domain's ``flask`` command group (``quiz/<domain>/cli.py``)."""
from __future__ import annotations

from flask import Flask

DOMAIN_CLIS = ("quiz.org.cli", "quiz.banks.cli", "quiz.exams.cli", "quiz.certificates.cli", "quiz.reports.cli",
               "quiz.paths.cli", "quiz.sessions.cli")


def register(app: Flask) -> None:
    from quiz import _import_optional

    for module_name in DOMAIN_CLIS:
        module = _import_optional(module_name)
        for group in getattr(module, "COMMANDS", ()):
            app.cli.add_command(group)
