"""The one exception a service raises when the rules refuse a request.

Services raise ``Refused``; views catch it, show ``message`` (already in the
reader's language, or a msgid the view translates) beside ``field`` when it
concerns one form field, and answer JSON callers with ``status``. It sits
below every domain so that any of them may raise it.
"""
from __future__ import annotations


class Refused(Exception):
    """A request the rules refuse; ``str(exc)`` is the message shown to the person.

    ``field`` names the form field it concerns (None: the whole request) and
    ``status`` is the HTTP status a JSON answer carries.
    """

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return str(self.message)
