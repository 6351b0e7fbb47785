"""What the sign-in attack tests share: signing in from a given address, and a clock to move."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.db import utcnow


def sign_in(client, employee_no: str, password: str, address: str = "127.0.0.1"):
    """POST the sign-in form as a phone at ``address`` would."""
    return client.post("/login", data={"employee_no": employee_no, "password": password},
                       environ_base={"REMOTE_ADDR": address})


class Clock:
    """The time the sign-in service reads; ``advance`` moves it on."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    from quiz.auth import services

    moving = Clock()
    monkeypatch.setattr(services, "utcnow", moving)
    return moving
