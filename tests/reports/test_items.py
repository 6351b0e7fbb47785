"""Item statistics: pure functions (property tests) and the item-analysis queries."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.auth.scopes import scope_for
from quiz.banks import types as qtypes
from quiz.extensions import db
from quiz.reports import item_stats as items
from quiz.reports.item_analysis import item_analysis, missed_by_team
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import answer, make_attempt, make_exam
from tests.org.factories import login

scores = st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 100, allow_nan=False)), min_size=2,
                  max_size=60)


@given(scores)
@settings(max_examples=150, deadline=None)
def test_pearson_from_sums_matches_two_pass(pairs):
    xs = [x for x, _y in pairs]
    ys = [y for _x, y in pairs]
    direct = items.pearson(xs, ys)
    n = len(xs)
    from_sums = items.pearson_from_sums(n, sum(xs), sum(ys), sum(x * x for x in xs), sum(y * y for y in ys),
                                        sum(x * y for x, y in pairs))
    if direct is None or from_sums is None:
        # both agree that (at least) one variable is (nearly) constant, or the tolerance differs on the edge
        spread_x = max(xs) - min(xs)
        spread_y = max(ys) - min(ys)
        assert direct is None and from_sums is None or min(spread_x, spread_y) < 1e-3
        return
    assert -1.0 <= from_sums <= 1.0
    assert math.isclose(direct, from_sums, abs_tol=1e-6)


@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=3, max_size=30), st.floats(0.1, 10), st.floats(-5, 5))
@settings(max_examples=100, deadline=None)
def test_pearson_is_one_for_a_linear_relation(xs, a, b):
    if max(xs) - min(xs) < 1e-3:
        return
    ys = [a * x + b for x in xs]
    assert math.isclose(items.pearson(xs, ys), 1.0, abs_tol=1e-9)
    assert math.isclose(items.pearson(xs, [-y for y in ys]), -1.0, abs_tol=1e-9)


def test_pearson_of_constants_is_none():
    assert items.pearson([1, 1, 1], [1, 2, 3]) is None
    assert items.pearson_from_sums(3, 3, 6, 3, 14, 6) is None
    assert items.pearson([1.0], [2.0]) is None


@given(st.lists(st.tuples(st.floats(0, 5), st.floats(0.5, 5)), min_size=1, max_size=40))
def test_facility_is_a_share(pairs):
    got = items.facility(sum(min(s, p) for s, p in pairs), sum(p for _s, p in pairs))
    assert 0.0 <= got <= 1.0


def test_facility_without_points():
    assert items.facility(0, 0) is None


@given(st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True))
def test_stored_choices_are_counted_by_their_original_index(original):
    # stored responses already hold original indices (the phone posts them whatever order it showed)
    chosen = qtypes.get("multiple").chosen_options
    assert items.option_counts([original], 5, chosen) == [1 if i in original else 0 for i in range(5)]


def test_option_counts_ignore_junk():
    assert items.option_counts([None, True, ["x", 7, -1, 1]], 3, qtypes.get("multiple").chosen_options) == [0, 1, 0]
    assert items.option_counts([True, False, True, None, 1], 2, qtypes.get("truefalse").chosen_options) == [2, 1]


@pytest.mark.parametrize("fac, disc, n, expected", [
    (0.1, 0.5, 40, ["too_hard"]),
    (0.99, 0.5, 40, ["too_easy"]),
    (0.5, -0.3, 40, ["negative"]),
    (0.5, 0.1, 40, ["low"]),
    (0.5, 0.2, 40, []),
    (0.2, 0.5, 40, []),
    (0.95, 0.5, 40, []),
    (0.1, -0.5, 3, []),  # too few answers to say anything
    (0.1, -0.5, 29, []),
    (0.1, -0.5, 30, ["too_hard", "negative"]),
    (None, None, 40, []),
])
def test_flags(fac, disc, n, expected):
    assert items.flags(fac, disc, n) == expected


def test_flagged_first_order():
    a = items.ItemStats(1, 10, 10, 0.5, 0.5, 1000, flags=[])
    b = items.ItemStats(2, 10, 10, 0.1, -0.2, 1000, flags=["too_hard", "negative"])
    c = items.ItemStats(3, 10, 10, 0.5, 0.1, 1000, flags=["low"])
    assert [s.question_id for s in items.flagged_first([a, c, b])] == [2, 3, 1]


def test_most_missed_keeps_top_per_team():
    rows = [(1, 10, 5, 10), (1, 11, 9, 10), (1, 12, 0, 10), (1, 13, 1, 10), (2, 10, 1, 1)]
    assert items.most_missed(rows, top=2) == {1: [(11, 9, 10), (10, 5, 10)], 2: [(10, 1, 1)]}


# -- against the database -----------------------------------------------------------------------------------------

@pytest.fixture
def analysed(org):
    """Six people of 电解厂 and three of 氧化铝厂 answer three questions, four times each
    (36 answers per question: above the sample flags need).

    q_good separates strong from weak; q_wrong_key is answered "right" only by
    the weak ones (a wrong key); q_easy everybody gets. Options are shown shuffled.
    """
    bank = make_bank()
    q_good = make_question(bank, "single", stem="好题", options=["甲", "乙", "丙", "丁"], answer=[1])
    q_wrong = make_question(bank, "single", stem="答案可能标错", options=["甲", "乙", "丙"], answer=[0])
    q_easy = make_question(bank, "truefalse", stem="送分题", answer=True)
    exam = make_exam([q_good, q_wrong, q_easy], title="分析考试", pass_mark=60.0, commit=False)
    people = [org.e1, org.e2, org.e3, org.e4, org.e5, org.head_e, org.a1, org.a2, org.a3]
    strong = {org.e1.id, org.e2.id, org.e3.id, org.a1.id}
    for i, person in enumerate(people):
        good = person.id in strong
        total = (1 if good else 0) + (0 if good else 1) + 1
        for number in range(1, 5):
            attempt = make_attempt(person, exam, score=total * 10 + (50 if good else 0), max_score=100,
                                   number=number)
            order = [2, 0, 1, 3] if i % 2 else [0, 1, 2, 3]
            answer(attempt, q_good, [1] if good else [2], 1.0 if good else 0.0, option_order=order, position=0)
            answer(attempt, q_wrong, [2] if good else [0], 0.0 if good else 1.0, option_order=[1, 2, 0],
                   position=1)
            answer(attempt, q_easy, True, 1.0, time_spent_ms=4000, position=2)
    db.session.commit()
    return {"exam": exam, "good": q_good, "wrong": q_wrong, "easy": q_easy}


def test_item_analysis_flags_the_wrong_key(org, analysed):
    stats, questions = item_analysis(scope_for(org.trainer), analysed["exam"].id)
    by_id = {s.question_id: s for s in stats}
    wrong = by_id[analysed["wrong"].id]
    assert wrong.flags == ["negative"] and stats[0].question_id == analysed["wrong"].id
    assert wrong.options == [20, 0, 16] and wrong.n == 36 and wrong.answered == 36
    assert math.isclose(wrong.facility, 5 / 9)
    good = by_id[analysed["good"].id]
    assert good.discrimination > 0.9 and good.options == [0, 16, 20, 0] and not good.flags
    easy = by_id[analysed["easy"].id]
    assert easy.facility == 1.0 and easy.flags == ["too_easy"] and easy.options == [36, 0]
    assert easy.avg_time_ms == 4000


def test_item_analysis_is_scoped(org, analysed):
    org.trainer.grants[0].unit_id = org.smelter.id  # a trainer of 电解厂 only
    db.session.commit()
    stats, _q = item_analysis(scope_for(org.trainer), analysed["exam"].id)
    assert {s.n for s in stats} == {24}


def test_most_missed_by_team(org, analysed):
    per_team, questions = missed_by_team(scope_for(org.admin), analysed["exam"].id)
    # 磨矿一班: a1 strong (misses q_wrong), a2 and a3 weak (miss q_good)
    grind = per_team[org.grind.id]
    assert grind[0] == (analysed["good"].id, 8, 12) and grind[1] == (analysed["wrong"].id, 4, 12)
    assert analysed["easy"].id not in {q for team in per_team.values() for q, _m, _n in team}


def test_item_pages(client, org, analysed):
    login(client, org.trainer)
    page = client.get(f"/reports/exams/{analysed['exam'].id}/items").get_data(as_text=True)
    assert page.index("答案可能标错") < page.index("好题")
    assert 'data-flag="negative"' in page
    # how often each option was chosen, the key marked: choice options by letter, true/false by word
    assert '<tr class="key"><td>A 甲 ✓</td><td class="num">20</td></tr>' in page
    assert '<tr><td>C 丙</td><td class="num">16</td></tr>' in page
    assert '<tr class="key"><td> 正确 ✓</td><td class="num">36</td></tr>' in page
    assert '<tr><td> 错误</td><td class="num">0</td></tr>' in page
    missed = client.get(f"/reports/exams/{analysed['exam'].id}/missed")
    assert missed.status_code == 200 and "磨矿一班" in missed.get_data(as_text=True)
    assert client.get("/reports/exams").status_code == 200
