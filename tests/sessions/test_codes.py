"""The rotating code and the sign-in window as pure functions."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.sessions import codes

secrets_ = st.binary(min_size=20, max_size=20).map(bytes.hex)
moments = st.floats(min_value=1.6e9, max_value=2.2e9, allow_nan=False)


@settings(deadline=None)  # the machine is shared: timing says nothing here
@given(secrets_, moments)
def test_current_code_and_one_rotation_old_are_accepted(secret, now):
    step = codes.step_of(now)
    assert codes.check(secret, codes.code_for(secret, step), now) == "ok"
    assert codes.check(secret, codes.code_for(secret, step - 1), now) == "ok"


@settings(deadline=None)  # the machine is shared: timing says nothing here
@given(secrets_, moments, st.integers(min_value=2, max_value=200))
def test_older_codes_are_expired_not_wrong(secret, now, back):
    step = codes.step_of(now)
    code = codes.code_for(secret, step - back)
    # a 6-digit code can collide with a newer one by chance (1 in a million per step)
    if code in {codes.code_for(secret, step - b) for b in range(0, back)}:
        return
    assert codes.check(secret, code, now) == "expired"


@settings(deadline=None)  # the machine is shared: timing says nothing here
@given(secrets_, secrets_, moments)
def test_another_venues_code_is_wrong(secret, other, now):
    step = codes.step_of(now)
    code = codes.code_for(other, step)
    if secret == other or any(code == codes.code_for(secret, step - b) for b in range(0, codes.EXPIRED_LOOKBACK + 2)):
        return
    assert codes.check(secret, code, now) == "wrong"


@settings(deadline=None)  # the machine is shared: timing says nothing here
@given(st.integers(min_value=0, max_value=10 ** 9), st.integers(min_value=-5, max_value=5),
       st.integers(min_value=0, max_value=3))
def test_freshness_is_the_current_step_or_tolerance_back(now_step, age, tolerance):
    assert codes.is_fresh(now_step, now_step - age, tolerance) == (0 <= age <= tolerance)


@settings(deadline=None)  # the machine is shared: timing says nothing here
@given(secrets_, st.integers(min_value=0, max_value=10 ** 9))
def test_code_is_six_digits_and_deterministic(secret, step):
    code = codes.code_for(secret, step)
    assert len(code) == 6 and code.isdigit()
    assert code == codes.code_for(secret, step)


@settings(max_examples=50, deadline=None)
@given(secrets_, moments)
def test_a_photo_of_the_code_stops_working_within_thirty_seconds(secret, now):
    code = codes.code_for(secret, codes.step_of(now))
    later = now + 2 * codes.STEP_SECONDS
    assert codes.check(secret, code, later) != "ok"


def test_typed_code_is_normalised():
    assert codes.normalise(" １２3 456 ") == "123456"
    assert codes.normalise(None) == ""


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


@settings(deadline=None)  # the machine is shared: timing says nothing here
@given(st.integers(min_value=-200, max_value=200))
def test_window_opens_before_and_closes_after_the_start(minutes):
    w = codes.window(T0, 30, 20)
    now = T0 + timedelta(minutes=minutes)
    expected = "not_open" if minutes < -30 else "closed" if minutes > 20 else "open"
    assert w.state(now) == expected


def test_lateness_and_hours():
    assert codes.arrival_status(T0 + timedelta(minutes=5), T0, 5) == "present"
    assert codes.arrival_status(T0 + timedelta(minutes=6), T0, 5) == "late"
    end = T0 + timedelta(hours=2)
    assert codes.credited_hours(2.0, T0, end) == 2.0
    assert codes.credited_hours(2.0, T0, end, T0 + timedelta(minutes=30), end) == 1.5
    assert codes.credited_hours(2.0, T0, end, T0 - timedelta(minutes=10), end + timedelta(hours=1)) == 2.0
