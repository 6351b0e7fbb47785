"""Fixtures of the exam tests."""
from __future__ import annotations

import pytest

from tests.exams.factories import setup_org


@pytest.fixture
def org(app):
    """The trainers' organisation of ``setup_org``."""
    return setup_org()
