"""Grading every type through the registry, with both multiple-choice policies."""
import pytest

from quiz.exams.grading import Result, fraction, item_score, is_right, summarise
from tests.banks.factories import RIGHT, SAMPLES, WRONG


@pytest.mark.parametrize("type_name", [t for t in SAMPLES if t != "short"])
@pytest.mark.parametrize("policy", ["all_or_nothing", "partial"])
def test_right_wrong_and_blank(type_name, policy):
    answer = SAMPLES[type_name]["answer"]
    assert item_score(type_name, answer, RIGHT[type_name], 2.0, policy=policy) == 2.0
    assert item_score(type_name, answer, WRONG[type_name], 2.0, policy=policy) == 0.0
    assert item_score(type_name, answer, None, 2.0, policy=policy) == 0.0


def test_multiple_all_or_nothing_versus_partial():
    answer = [0, 2, 3]
    assert fraction("multiple", answer, [0, 2]) == 0.0
    assert fraction("multiple", answer, [0, 2], policy="partial") == pytest.approx(2 / 3)
    assert fraction("multiple", answer, [0, 1], policy="partial") == 0.0  # a wrong pick scores 0
    assert fraction("multiple", answer, [0, 2, 3], policy="partial") == 1.0


def test_fill_is_normalised_and_per_blank():
    answer = [["一", "壹"], ["二"]]
    assert fraction("fill", answer, [" 壹 ", "二"]) == 1.0
    assert fraction("fill", answer, ["一", "三"]) == 0.5
    assert fraction("fill", [["ABC"]], ["ａｂｃ"]) == 1.0  # width and case folded


def test_short_answer_waits_for_a_trainer_unless_blank():
    answer = SAMPLES["short"]["answer"]
    assert item_score("short", answer, "我的回答", 5.0) is None
    assert item_score("short", answer, "   ", 5.0) == 0.0


def test_summary_pass_fail_and_pending():
    assert summarise([(1.0, 1.0), (0.0, 1.0)], 1.0) == Result(1.0, 2.0, False, True)
    assert summarise([(1.0, 1.0), (0.0, 1.0)], 1.5).passed is False
    pending = summarise([(1.0, 1.0), (None, 5.0)], 1.0)
    assert pending.pending and pending.passed is None and pending.max_score == 6.0
    assert is_right(2.0, 2.0) and not is_right(1.0, 2.0) and is_right(None, 1.0) is None


def test_outlook_of_a_result_waiting_for_short_answers():
    from quiz.exams.grading import outlook

    certain = outlook([(65, 84), (None, 16)], 60)
    assert (certain.graded, certain.pending, certain.outcome, certain.needed) == (65, 16, "certain", 0)
    possible = outlook([(50, 84), (None, 10), (None, 6)], 60)
    assert (possible.pending, possible.outcome, possible.needed) == (16, "possible", 10)
    assert outlook([(44, 84), (None, 16)], 60).outcome == "possible"  # exactly enough
    impossible = outlook([(40, 84), (None, 16)], 60)
    assert impossible.outcome == "impossible"
