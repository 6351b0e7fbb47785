"""The exceptions exams' services raise when the rules refuse something."""
from __future__ import annotations


class ExamError(Exception):
    """A refusal the worker should read: ``str(exc)`` is the message in their
    language, ``code`` a stable word for the phone and the tests."""

    def __init__(self, message: str, code: str = "refused", status: int = 409):
        super().__init__(message)
        self.code = code
        self.status = status


class Invalid(ValueError):
    """The trainer's input cannot be saved. ``errors`` maps a field name (or
    ``rules-N-count`` for a draw rule, ``""`` for the whole form) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def add_message(errors: dict[str, list[str]], key: str, message: str) -> None:
    """Add ``message`` to the messages of field ``key`` (for ``Invalid``)."""
    errors.setdefault(key, []).append(message)
