"""A trainer's form refused with several messages at once, one list per field.

Every other refusal in exams is a ``quiz.errors.Refused`` with one message;
``Invalid`` is the same refusal for a form that may be wrong in several
fields at once (the exam form, assigning, training sessions), so that a view
can show each message beside its field.
"""
from __future__ import annotations

from quiz.errors import Refused


class Invalid(Refused):
    """The trainer's input cannot be saved. ``errors`` maps a field name (or
    ``rules-N-count`` for a draw rule, ``""`` for the whole form) to messages;
    ``str(exc)`` is all of them."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def add_message(errors: dict[str, list[str]], key: str, message: str) -> None:
    """Add ``message`` to the messages of field ``key`` (for ``Invalid``)."""
    errors.setdefault(key, []).append(message)
