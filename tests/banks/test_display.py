"""Stored question text keeps Chinese full-width punctuation after NFKC normalising."""
import pytest

from quiz.banks import formats
from quiz.banks.formats.common import display
from quiz.text import normalize


@pytest.mark.parametrize("raw, shown", [
    ("下列说法正确的是（ ）？", "下列说法正确的是（ ）？"),
    ("安全第一，预防为主：综合治理", "安全第一，预防为主：综合治理"),
    ("发现违章（如未戴安全帽）应制止！", "发现违章（如未戴安全帽）应制止！"),
    ("产量 1,000 吨", "产量 1,000 吨"),
    ("Hello, world!", "Hello, world!"),
    ("ＡＢＣ全角字母", "ABC全角字母"),
])
def test_display_after_normalize(raw, shown):
    assert display(normalize(raw)) == shown


def test_parsed_questions_keep_full_width_punctuation():
    text = "一、单选题\n1. 观察时间至少多长？（ ）\nA. 10秒，太短\nB. 30秒\n答案：B\n解析：不少于30秒：这是要求。\n"
    result = formats.parse(text.encode(), "bank.txt")
    q = result.questions[0]
    assert q.stem.startswith("观察时间至少多长？")
    assert q.options[0] == "10秒，太短"
    assert q.explanation == "不少于30秒：这是要求。"


def test_comment_header_lines_are_not_questions():
    text = "# 题库：示例\n# 工种：磨工\n一、判断题\n1. 检修前必须停机挂牌。\n答案：正确\n"
    result = formats.parse(text.encode(), "bank.txt")
    assert result.warnings == [] and result.errors == []
    assert [q.stem for q in result.questions] == ["检修前必须停机挂牌。"]
    assert result.questions[0].where.endswith("4 行")


def test_answer_line_with_a_semicolon_for_the_colon():
    text = "1. 决赛人数不得少于（ ）人。\nA. 70\nB. 60\nC. 30\n答案；B\n"
    result = formats.parse(text.encode(), "bank.txt")
    assert result.errors == [] and result.questions[0].answer == [1]
