"""The gate's pure decisions: crew and personal gates, joiners, leavers, overrides."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.paths import gate
from quiz.paths.gate import Member


def m(uid, passed=(), overrides=()):
    return Member(uid, frozenset(passed), frozenset(overrides))


def test_crew_waits_for_the_last_member():
    crew = [m(1, {1}), m(2, {1}), m(3)]
    g = gate.advance(1, 4, crew)
    assert g.open_topic == 1 and g.blocking == (3,)
    g = gate.advance(1, 4, [m(1, {1}), m(2, {1}), m(3, {1})])
    assert g.open_topic == 2 and g.blocking == (1, 2, 3)


def test_a_leaver_stops_blocking():
    # member 3 left (deactivated or moved crews): no longer among the members
    assert gate.advance(1, 4, [m(1, {1}), m(2, {1})]).open_topic == 2


def test_a_joiner_never_sends_the_crew_back_and_catches_up_personally():
    crew = [m(1, {1, 2}), m(2, {1, 2}), m(9)]  # 9 joined at topic 3
    g = gate.advance(3, 4, crew)
    assert g.open_topic == 3 and g.blocking == (1, 2) and g.catching_up == (9,)
    joiner = crew[2]
    assert gate.standing(joiner, 4, 3).current == 1
    assert not gate.is_open(joiner, 2, 4, 3)
    caught = m(9, {1, 2})
    assert gate.standing(caught, 4, 3).current == 3
    # once caught up they block like everyone else
    assert gate.advance(3, 4, [m(1, {1, 2, 3}), m(2, {1, 2, 3}), caught]).blocking == (9,)


def test_crew_override_opens_the_next_topic_and_releases_the_laggard_to_catch_up():
    crew = [m(1, {1}), m(2, {1}), m(3)]
    g = gate.advance(1, 4, crew, crew_overrides=[2])
    assert g.open_topic == 2 and g.catching_up == (3,) and g.blocking == (1, 2)
    assert gate.standing(crew[0], 4, 2).current == 2
    assert gate.standing(crew[2], 4, 2).current == 1  # still has topic 1 to pass


def test_personal_override_opens_one_topic_for_one_person():
    person = m(3, set(), {2})
    assert gate.is_open(person, 2, 4, 1)
    assert not gate.is_open(person, 3, 4, 1)
    assert gate.standing(person, 4, 1).current == 1


def test_waiting_for_the_crew_and_finished():
    s = gate.standing(m(1, {1}), 3, 1)
    assert s.current is None and s.waiting_for_crew and not s.finished
    assert gate.standing(m(1, {1, 2, 3}), 3, 3).finished


def test_personal_gate_opens_on_each_pass():
    assert gate.standing(m(1, {1, 2}), 4, None).current == 3
    assert not gate.standing(m(1, {1}), 4, None).waiting_for_crew


members = st.lists(st.frozensets(st.integers(1, 5), max_size=5), min_size=0, max_size=8)


@settings(max_examples=200, deadline=None)
@given(members, st.integers(1, 5), st.frozensets(st.integers(1, 5), max_size=2))
def test_crew_gate_properties(passed_sets, stored, overrides):
    n = 5
    crew = [m(i, p) for i, p in enumerate(passed_sets)]
    g = gate.advance(stored, n, crew, overrides)
    # never goes back, never beyond the last topic
    assert min(stored, n) <= g.open_topic <= n
    # whoever blocks is with the crew and has not passed its topic
    for uid in g.blocking:
        member = crew[uid]
        assert g.open_topic not in member.passed
        assert gate.first_unpassed(member.passed, n) == g.open_topic
    # nobody is both blocking and catching up
    assert not set(g.blocking) & set(g.catching_up)
    # advancing is idempotent: the stored result gives the same result
    assert gate.advance(g.open_topic, n, crew, overrides).open_topic == g.open_topic
    # nobody may take a topic beyond the crew's unless opened for them personally
    for member in crew:
        for t in range(g.open_topic + 1, n + 1):
            assert not gate.is_open(member, t, n, g.open_topic)


@settings(max_examples=200, deadline=None)
@given(members)
def test_from_scratch_the_crew_is_at_the_first_topic_someone_has_not_passed(passed_sets):
    n = 5
    crew = [m(i, p) for i, p in enumerate(passed_sets)]
    g = gate.advance(1, n, crew)
    if not crew:
        assert g.open_topic == 1
        return
    expected = min(min(gate.first_unpassed(p, n) for p in passed_sets), n)
    assert g.open_topic == expected
