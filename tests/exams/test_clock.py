"""The server's clock: deadline at start, time left, grace."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from quiz.exams.clock import accepts_save, deadline, is_overdue, remaining_seconds, time_used

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)


def test_deadline_is_the_earlier_of_limit_and_close():
    assert deadline(T0, 30, None) == T0 + timedelta(minutes=30)
    assert deadline(T0, 30, T0 + timedelta(minutes=10)) == T0 + timedelta(minutes=10)
    assert deadline(T0, None, T0 + timedelta(hours=2)) == T0 + timedelta(hours=2)
    assert deadline(T0, None, None) is None
    assert deadline(T0, 30, None, extra_minutes=15) == T0 + timedelta(minutes=45)
    assert deadline(T0, 30, T0 + timedelta(minutes=40), extra_minutes=15) == T0 + timedelta(minutes=40)


def test_grace():
    end = T0 + timedelta(minutes=30)
    assert accepts_save(end, end + timedelta(seconds=60), 60)
    assert not accepts_save(end, end + timedelta(seconds=61), 60)
    assert is_overdue(end, end + timedelta(seconds=61), 60)
    assert accepts_save(None, T0 + timedelta(days=400), 60)
    assert remaining_seconds(end, end + timedelta(seconds=5)) == 0
    assert remaining_seconds(None, T0) is None


def test_time_used_stops_at_the_deadline():
    end = T0 + timedelta(minutes=30)
    assert time_used(T0, T0 + timedelta(hours=5), end) == timedelta(minutes=30)
    assert time_used(T0, T0 + timedelta(minutes=3), end) == timedelta(minutes=3)


@given(limit=st.integers(1, 600), extra=st.integers(0, 120), close_after=st.one_of(st.none(), st.integers(0, 10**5)),
       now_after=st.integers(0, 10**5), grace=st.integers(0, 600))
def test_clock_properties(limit, extra, close_after, now_after, grace):
    closes = None if close_after is None else T0 + timedelta(seconds=close_after)
    end = deadline(T0, limit, closes, extra)
    assert end <= T0 + timedelta(minutes=limit + extra)
    if closes is not None:
        assert end <= closes
    now = T0 + timedelta(seconds=now_after)
    left = remaining_seconds(end, now)
    assert 0 <= left <= (limit + extra) * 60
    assert accepts_save(end, now, grace) != is_overdue(end, now, grace)
    if left > 0:
        assert accepts_save(end, now, grace)
