"""``org``: the reports' organisation with known results, for exact figures (drawn in
tests/reports/factories.py)."""
from __future__ import annotations

import pytest

from tests.reports.factories import build_org


@pytest.fixture
def org(app):
    return build_org()
