"""GIFT read the way Moodle reads it: questions from Moodle's own documentation
of the format (question/format/gift/examples.txt), written here.

One or more ``=`` answers beside ``~`` answers: a single choice (a partial
weight cannot be kept and is reported); weights alone: a multiple choice;
an ``=`` inside an answer's text stays text, with a warning that GIFT wants ``\\=``.
"""
from __future__ import annotations

from quiz.banks.formats import gift
from quiz.banks.types import get as get_type


def _one(text: str):
    result = gift.parse(text.encode("utf-8"))
    assert result.errors == [], result.errors
    assert len(result.questions) == 1, result.questions
    return result.questions[0], result


def test_one_equals_with_partial_weights_is_single_choice_and_says_what_was_dropped():
    q, result = _one("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}")
    assert q.type == "single"
    assert q.options == ["wrong answer", "half credit answer", "full credit answer"]
    assert q.answer == [2]
    # picking the half-credit answer is not counted as right
    assert get_type("single").grade(q.answer, [1]) == 0.0
    assert [w.where for w in result.warnings] == ["第 1 行"]
    assert "B（50%）" in result.warnings[0].message and "部分分" in result.warnings[0].message


def test_moodle_hometown_example_is_single_choice():
    q, result = _one("::Jesus' hometown::Jesus Christ was from {\n"
                     "    ~Jerusalem#This was an important city, but the wrong answer.\n"
                     "    ~%25%Bethlehem#He was born here, but not raised here.\n"
                     "    ~%50%Galilee#You need to be more specific.\n"
                     "    =Nazareth#Yes! That's right!}.")
    assert q.type == "single" and q.answer == [3]
    assert q.options == ["Jerusalem", "Bethlehem", "Galilee", "Nazareth"]
    assert "B（25%）、C（50%）" in result.warnings[0].message


def test_weights_alone_make_a_multiple_choice():
    for body in ("{\n    ~No one\n    ~%50%Grant\n    ~%50%Grant's wife\n    ~Grant's father }",
                 "{\n    ~%-50%No one\n    ~%50%Grant\n    ~%50%Grant's wife\n    ~%-50%Grant's father }"):
        q, result = _one("What two people are entombed in Grant's tomb? " + body)
        assert q.type == "multiple" and q.answer == [1, 2]
        assert result.warnings == []


def test_plain_single_choice_and_escaped_equals():
    q, _ = _one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert q.type == "single" and q.answer == [2]
    q, result = _one("Which answer equals 5? {\n     ~ \\= 2 + 2\n     = \\= 2 + 3\n     ~ \\= 2 + 4  }")
    assert q.type == "single" and q.options == ["= 2 + 2", "= 2 + 3", "= 2 + 4"] and q.answer == [1]
    assert result.warnings == []  # escaped as GIFT wants: nothing to say


def test_an_equals_inside_answer_text_does_not_split_it():
    text = ("读取 CSV 时第一行作为列名，应写：{\n"
            "    =pd.read_csv(f, header=0)\n"
            "    ~pd.read_csv(f, header=None)\n"
            "    ~pd.read_csv(f, index=True)\n}")
    q, result = _one(text)
    assert q.type == "single"
    assert q.options == ["pd.read_csv(f, header=0)", "pd.read_csv(f, header=None)", "pd.read_csv(f, index=True)"]
    assert q.answer == [0]
    assert len(result.warnings) == 1 and "\\=" in result.warnings[0].message


def test_short_answer_partial_weights_do_not_count_as_right():
    q, result = _one("::Jesus' hometown (Short answer ex.):: Jesus Christ was from {\n"
                     "     =Nazareth#Yes! That's right!\n"
                     "     =%75%Nazereth#Right, but misspelled.\n"
                     "     =%25%Bethlehem#He was born here, but not raised here.\n}.")
    assert q.type == "fill" and q.answer == [["Nazareth"]]
    assert "Bethlehem" in result.warnings[0].message
    q, _ = _one("Two plus two equals {=four =4}.")
    assert q.type == "fill" and q.answer == [["four", "4"]]


def test_two_full_marks_beside_wrong_answers_is_an_error_with_a_way_out():
    result = gift.parse("哪些是个人防护用品？{=安全帽 =防护眼镜 ~扳手}".encode())
    assert result.questions == []
    assert result.errors and "~%50%" in result.errors[0].message and result.errors[0].where == "第 1 行"
