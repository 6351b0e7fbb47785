"""Drawing a personal paper: reproducible, no repeats, shuffles as asked."""
from hypothesis import given, strategies as st

from quiz.exams.paper.drawing import Candidate, Fixed, Rule, draw

POOL = [Candidate(i, 100 + i, 4) for i in range(1, 31)]


def test_same_seed_same_paper_and_pool_order_does_not_matter():
    rules = [Rule(POOL, 5, 2.0)]
    a = draw([], rules, 42, shuffle_questions=True, shuffle_options=True)
    b = draw([], [Rule(list(reversed(POOL)), 5, 2.0)], 42, shuffle_questions=True, shuffle_options=True)
    assert a == b
    assert draw([], rules, 43, shuffle_questions=True).items != a.items


def test_fixed_first_then_rules_without_repeats_and_points():
    fixed = [Fixed(POOL[0], 5.0), Fixed(POOL[1], 5.0)]
    paper = draw(fixed, [Rule(POOL, 10, 1.0)], 7)
    ids = [i.question_id for i in paper.items]
    assert ids[:2] == [1, 2] and len(set(ids)) == 12
    assert paper.max_score == 20.0
    assert all(i.option_order == [0, 1, 2, 3] for i in paper.items)  # no option shuffle asked


def test_shortfall_when_pool_is_small():
    paper = draw([], [Rule(POOL[:3], 5)], 1)
    assert len(paper.items) == 3 and paper.shortfall == 2


def test_types_without_options_get_no_order():
    paper = draw([Fixed(Candidate(1, 1, 0))], [], 1, shuffle_options=True)
    assert paper.items[0].option_order == []


@given(seed=st.integers(0, 2**31), count=st.integers(0, 40), fixed=st.integers(0, 5),
       shuffle_q=st.booleans(), shuffle_o=st.booleans())
def test_any_draw_is_a_valid_paper(seed, count, fixed, shuffle_q, shuffle_o):
    paper = draw([Fixed(c) for c in POOL[:fixed]], [Rule(POOL, count)], seed,
                 shuffle_questions=shuffle_q, shuffle_options=shuffle_o)
    ids = [i.question_id for i in paper.items]
    assert len(ids) == len(set(ids)) == min(len(POOL), fixed + count)
    assert all(sorted(i.option_order) == [0, 1, 2, 3] for i in paper.items)
    assert paper == draw([Fixed(c) for c in POOL[:fixed]], [Rule(POOL, count)], seed,
                         shuffle_questions=shuffle_q, shuffle_options=shuffle_o)
