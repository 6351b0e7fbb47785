"""The sign-in burst benchmark at a tiny scale, so that its phones, screens
and counts are themselves tested: 20 phones against a short-lived gunicorn
on a temporary SQLite database, every acknowledged sign-in in the database
and on the trainer's live count."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def burst():
    sys.path.insert(0, str(BENCH))
    try:
        import sign_in_burst

        yield sign_in_burst
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.timeout(180)
def test_tiny_sign_in_burst_loses_nothing(burst):
    result = burst.run(phones=20, window=3.0, seed_value=5, workers=2, sign_in_concurrency=8)
    assert result["errors"] == 0, result["error_kinds"]
    assert result["acknowledged"] == result["in_database"] == 20
    assert result["lost_sign_ins"] == 0
    assert result["live_count_correct"] and result["live_expected"] == 20
    assert result["scan_p95_ms"] is not None
