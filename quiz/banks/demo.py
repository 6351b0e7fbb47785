"""The shipped banks are part of the demo: ``flask --app app demo load`` loads
them through the same parse and import path as an upload."""
from __future__ import annotations

from flask import has_request_context
from flask_babel import force_locale



def load_shipped() -> list[str]:
    """Import every bank of ``question_banks/``; lines like ``题库：行为安全观察与沟通 32 题``."""
    from quiz.banks.shipped import load_shipped_banks

    if has_request_context():
        return load_shipped_banks()
    with force_locale("zh"):
        return load_shipped_banks()

