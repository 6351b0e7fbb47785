"""Building a remediation set, picking practice, ranking a crew's gaps (pure)."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.paths import remediation as r


def test_points_group_what_was_missed_with_their_sentences_and_other_questions_first():
    missed = [r.Missed(1, 7, "检修安全", "停机断电，上锁挂牌。"), r.Missed(2, 7, "检修安全", "停机断电，上锁挂牌。"),
              r.Missed(5, 7, "个人防护", "戴耳塞。")]
    pools = {(7, "检修安全"): [1, 2, 3, 4], (7, "个人防护"): [5]}
    plans = r.build(missed, pools)
    assert [p.point for p in plans] == ["检修安全", "个人防护"]
    assert plans[0].excerpts == ("停机断电，上锁挂牌。",)
    assert plans[0].practice_ids == (3, 4, 1, 2)  # the others first, the missed ones last
    assert plans[1].practice_ids == (5,)  # the bank has no other question of that point


def test_bare_source_labels_are_not_text_to_learn():
    plans = r.build([r.Missed(1, 7, "A", "通用安全知识"), r.Missed(2, 7, "A", "通用安全知识：停机先断电。")], {})
    assert plans[0].excerpts == ("通用安全知识：停机先断电。",)


def test_point_falls_back_to_tag_then_unclassified():
    assert r.point_of("", ["皮带"]) == "皮带"
    assert r.point_of(" ", []) == r.NO_POINT
    assert r.point_of("设备操作", ["x"]) == "设备操作"


def test_next_question_avoids_the_last_one_and_hidden_ones():
    rng = random.Random(1)
    for _ in range(50):
        assert r.next_question([1, 2, 3], 2, rng) in (1, 3)
    assert r.next_question([1, 2, 3], 1, rng, allowed={1}) == 1
    assert r.next_question([1, 2], None, rng, allowed=set()) is None


missed_st = st.lists(st.builds(r.Missed, st.integers(1, 30), st.integers(1, 2), st.sampled_from("ABCD"),
                               st.sampled_from(["", "通用安全知识", "原文：句一", "原文：句二"])), max_size=20)


@settings(max_examples=200, deadline=None)
@given(missed_st, st.dictionaries(st.tuples(st.integers(1, 2), st.sampled_from("ABCD")),
                                  st.lists(st.integers(1, 30), max_size=10), max_size=8))
def test_build_properties(missed, pools):
    plans = r.build(missed, pools)
    keys = [(p.bank_id, p.point) for p in plans]
    assert len(keys) == len(set(keys)) == len({(m.bank_id, m.point) for m in missed})
    for plan in plans:
        mine = [m for m in missed if (m.bank_id, m.point) == (plan.bank_id, plan.point)]
        assert set(plan.missed_ids) == {m.question_id for m in mine}
        assert set(plan.practice_ids) >= set(plan.missed_ids)
        others = [q for q in plan.practice_ids if q not in plan.missed_ids]
        # every other question comes before any missed one
        assert list(plan.practice_ids[:len(others)]) == others
        assert all(r.is_text_to_learn(e) for e in plan.excerpts) and len(set(plan.excerpts)) == len(plan.excerpts)


def test_rank_worst_first_with_share_people_and_questions():
    answers = [r.Answer(1, 10, "A", False, "句A。"), r.Answer(2, 10, "A", False, "句A。"), r.Answer(3, 11, "A", True),
               r.Answer(1, 20, "B", False, "句B。"), r.Answer(2, 20, "B", True), r.Answer(3, 30, "C", True)]
    ranked = r.rank(answers)
    assert [p.point for p in ranked] == ["A", "B"]  # C nobody missed
    a = ranked[0]
    assert a.wrong == 2 and a.answered == 3 and abs(a.share - 2 / 3) < 1e-9
    assert a.people == [1, 2] and a.questions == [(10, 2)] and a.excerpts == ["句A。"]


answers_st = st.lists(st.builds(r.Answer, st.integers(1, 5), st.integers(1, 20), st.sampled_from("ABCDE"),
                                st.booleans()), max_size=40)


@settings(max_examples=200, deadline=None)
@given(answers_st)
def test_rank_properties(answers):
    ranked = r.rank(answers)
    wrong = sum(1 for a in answers if not a.right)
    if wrong:
        assert abs(sum(p.share for p in ranked) - 1) < 1e-9
    assert all(p.wrong > 0 for p in ranked)
    assert [(-p.wrong, -p.rate) for p in ranked] == sorted((-p.wrong, -p.rate) for p in ranked)
    for p in ranked:
        assert set(p.people) == {a.user_id for a in answers if a.point == p.point and not a.right}
