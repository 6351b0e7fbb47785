"""The exam-day benchmark at a tiny scale, so that its phones and its
reconciliation are themselves tested: 20 workers against a short-lived
gunicorn (2 workers) on a temporary SQLite database, every acknowledged
answer found in the database as sent. And the reconciliation must notice
an answer that went missing."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def exam_day():
    sys.path.insert(0, str(BENCH))
    try:
        import exam_day

        yield exam_day
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.timeout(120)
def test_tiny_exam_day_loses_nothing(exam_day):
    result = exam_day.run(workers=20, duration=2.0, start_window=0.5, rng_seed=11)
    assert result["signed_in"] == 20
    assert result["completed"] == 20, result["errors_by"]
    assert result["errors"] == 0, result["errors_by"]
    assert result["acked_answers"] >= 20 * 20
    assert result["acked_answers_checked"] == 20 * 20  # every (attempt, position) answered and checked
    assert result["lost"] == 0, result["lost_examples"]
    assert result["unknown_seq"] == 0
    assert result["submitted"] == 20 and result["acked_submits_not_final"] == 0
    assert result["integrity_check"] == "ok"
    assert set(result["p95_ms"]) == {"login", "start", "save", "submit"}  # sign-in too (issue 14 point 3)


def test_reconciliation_notices_a_lost_answer(exam_day, tmp_path):
    """An acknowledged save the database does not have is counted as lost;
    a stored response unlike what was sent is counted too."""
    from _seed import Sent, reconcile, seed, server_env

    env = server_env(tmp_path / "bench.db")
    seeded = seed(env, 2, start_attempts=True)
    attempt = seeded.attempts[seeded.people[0]]
    sent = [Sent(attempt, 0, 1, ["0"], acked=True)]  # acknowledged, never written
    result = reconcile(env, sent, submitted={attempt})
    assert result["lost"] == 1
    assert result["acked_submits_not_final"] == 1  # still in progress
    assert result["integrity_check"] == "ok"
