"""The one exception services raise when the rules refuse something."""
from __future__ import annotations


class ExamError(Exception):
    """A refusal the worker should read: ``str(exc)`` is the message in their
    language, ``code`` a stable word for the phone and the tests."""

    def __init__(self, message: str, code: str = "refused", status: int = 409):
        super().__init__(message)
        self.code = code
        self.status = status
