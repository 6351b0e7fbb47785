"""Collects each domain's ``flask`` command group (``quiz/<domain>/cli.py``)."""
from __future__ import annotations

import importlib

from flask import Flask

DOMAIN_CLIS = ("quiz.org.cli", "quiz.banks.cli", "quiz.exams.cli", "quiz.certificates.cli", "quiz.reports.cli")


def register(app: Flask) -> None:
    for module_name in DOMAIN_CLIS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        for group in getattr(module, "COMMANDS", ()):
            app.cli.add_command(group)
