import pytest

from quiz.banks import types
from quiz.banks.types.base import QuestionData
from quiz.banks.types.fill import canonical_stem


def test_registry():
    assert [t.name for t in types.all_types()] == ["single", "multiple", "truefalse", "fill", "short"]
    assert str(types.get("single").label) == "单选题"
    with pytest.raises(KeyError):
        types.get("matching")


def test_single_grade_and_validate():
    t = types.get("single")
    assert t.grade([1], [1]) == 1.0 and t.grade([1], [2]) == 0.0 and t.grade([1], None) == 0.0
    assert t.validate(QuestionData("single", "题", ["a", "b"], [1])) == []
    assert t.validate(QuestionData("single", "题", ["a"], [0]))
    assert t.validate(QuestionData("single", "题", ["a", "b"], [0, 1]))
    assert t.response_from_form(["2", "x"]) == [2]


def test_multiple_partial():
    t = types.get("multiple")
    assert t.grade([0, 2, 3], [0, 2, 3]) == 1.0
    assert t.grade([0, 2, 3], [0, 2]) == 0.0
    assert t.grade([0, 2, 3], [0, 2], partial=True) == pytest.approx(2 / 3)
    assert t.grade([0, 2, 3], [0, 1], partial=True) == 0.0
    assert t.response_from_form(["3", "1", "1"]) == [1, 3]
    assert t.validate(QuestionData("multiple", "题", ["a", "b", "c"], [1]))


def test_truefalse():
    t = types.get("truefalse")
    assert t.grade(True, True) == 1.0 and t.grade(True, False) == 0.0 and t.grade(True, None) == 0.0
    assert t.response_from_form(["false"]) is False and t.is_answered(False)


def test_fill_normalises_width_case_spaces():
    t = types.get("fill")
    answer = [["ＡＢＣ", "甲"], ["预防为主"]]
    assert t.grade(answer, ["a b c", "预防 为主"]) == 1.0
    assert t.grade(answer, ["甲", "错"]) == 0.5
    assert t.grade(answer, None) == 0.0
    assert canonical_stem("安全（ ）第一(  )，____和{{3}}") == "安全____第一____，____和____"
    assert t.validate(QuestionData("fill", "无空格", answer=[["a"]]))
    assert t.validate(QuestionData("fill", "a____b____", answer=[["a"]]))


def test_short_needs_a_trainer():
    t = types.get("short")
    assert t.grade({"reference": "", "keywords": []}, "文字") is None
    assert t.response_from_form([" 文字 "]) == "文字"


@pytest.mark.parametrize("q", [
    QuestionData("single", "题", ["甲", "乙"], [1], explanation="秘密解析"),
    QuestionData("multiple", "题", ["甲", "乙", "丙"], [0, 1], explanation="秘密解析"),
    QuestionData("truefalse", "题", [], True, explanation="秘密解析"),
    QuestionData("fill", "甲____乙", [], [["秘密答案"]], explanation="秘密解析"),
    QuestionData("short", "题", [], {"reference": "秘密答案", "keywords": ["秘密"]}, explanation="秘密解析"),
])
def test_public_view_never_reveals(q):
    view = types.get(q.type).public_view(q)
    assert "秘密" not in repr(view)
    assert "answer" not in view and "explanation" not in view


def test_public_view_order():
    q = QuestionData("single", "题", ["甲", "乙", "丙"], [1])
    assert types.get("single").public_view(q, [2, 0, 1])["options"] == [(2, "丙"), (0, "甲"), (1, "乙")]
