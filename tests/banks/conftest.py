"""Fixtures of the bank tests."""
from __future__ import annotations

import pytest

from tests.org.factories import login, make_user


@pytest.fixture
def request_context(app):
    """A request context around the test, for what renders or reads the request outside a view."""
    with app.test_request_context():
        yield


@pytest.fixture
def trainer(app):
    return make_user(name="郭培训", roles={"trainer": [None]})


@pytest.fixture
def tclient(client, trainer):
    """The client, signed in as the trainer."""
    login(client, trainer)
    return client
