import pytest

from quiz.banks import formats
from quiz.banks.formats.text import parse_text
from quiz.text import UnreadableFile


def one(text):
    r = parse_text(text)
    assert r.errors == [], r.errors
    assert len(r.questions) == 1, r.questions
    return r.questions[0]


@pytest.mark.parametrize("number", ["1.", "1、", "1．", "（1）", "(1)"])
@pytest.mark.parametrize("marker", ["A.", "A、", "A．", "A)"])
def test_numbering_and_option_markers(number, marker):
    b = marker.replace("A", "B")
    q = one(f"{number}题目是什么\n{marker}甲\n{b}乙\n答案：B")
    assert (q.type, q.stem, q.options, q.answer) == ("single", "题目是什么", ["甲", "乙"], [1])


@pytest.mark.parametrize("line", ["答案：AC", "正确答案：A,C", "参考答案：A、C", "【答案】AC", "答案：ＡＣ"])
def test_answer_lines(line):
    q = one(f"1.题\nA.甲\nB.乙\nC.丙\n{line}")
    assert (q.type, q.answer) == ("multiple", [0, 2])


def test_options_on_one_line_tabs_and_glued():
    q = one("1.题\nA、甲\tB、乙   C、丙D、丁答案：D")
    assert q.options == ["甲", "乙", "丙", "丁"] and q.answer == [3]


def test_options_glued_to_stem():
    q = one("1.题目（ ）。A、甲 B、乙\n答案：A")
    assert q.stem == "题目（ ）。" and q.options == ["甲", "乙"]  # the source's full-width brackets


@pytest.mark.parametrize("stem,answer", [("题(D)", [3]), ("题（ B ）", [1])])
def test_key_in_stem(stem, answer):
    q = one(f"1.{stem}\nA.a\nB.b\nC.c\nD.d")
    assert q.answer == answer and ("( )" in q.stem or "（ ）" in q.stem)


@pytest.mark.parametrize("key,value", [("（√）", True), ("（×）", False), ("（正确）", True), ("（错误）", False)])
def test_truefalse_keys_in_stem_or_own_line(key, value):
    assert one(f"1.地球是圆的。{key}").answer is value
    assert one(f"1.地球是圆的。\n{key}").answer is value


def test_sections_and_meta():
    text = """一、单选题（共1题，每题2分）
1.甲
A.a
B.b
答案：A
解析：因为
难度：4
分类：安全

二、判断题
1.乙
答案：正确。

三、填空题
1.安全第一、（ ）、综合治理。
答案：预防为主|预防

四、简答题
1.简述。
答案：要点
关键词：甲、乙
"""
    r = parse_text(text)
    assert r.errors == []
    s, tf, fill, short = r.questions
    assert (s.points, s.explanation, s.difficulty, s.category) == (2.0, "因为", 4, "安全")
    assert tf.answer is True
    assert fill.type == "fill" and fill.stem == "安全第一、____、综合治理。" and fill.answer == [["预防为主", "预防"]]
    assert short.answer == {"reference": "要点", "keywords": ["甲", "乙"]}


def test_type_inferred_without_heading():
    r = parse_text("1.甲\nA.a\nB.b\n答案：B\n2.乙\n答案：错误\n3.丙（ ）丁\n答案：戊")
    assert [q.type for q in r.questions] == ["single", "truefalse", "fill"]


def test_key_list_at_end():
    r = parse_text("1.甲\nA.a\nB.b\n2.乙\nA.a\nB.b\nC.c\n\n参考答案\n1.B 2.AC")
    assert r.errors == [] and [q.answer for q in r.questions] == [[1], [0, 2]]
    r = parse_text("单选题\n1．甲\nA、a\nB、b\n2．乙\nA、a\nB、b\n参考答案\nA\nB")
    assert [q.answer for q in r.questions] == [[0], [1]]


def test_page_headers_and_leftover_numbering_are_warnings():
    header = "某某公司安全生产考核题库第六批"
    body = "".join(f"{i}.题目{i}\n{header}\nA.a\nB.b\n答案：A\n" for i in range(1, 12))
    r = parse_text(body + "2、3、4、5、12、最后一题（B）\nA.a\nB.b\n")
    assert len(r.questions) == 12 and r.errors == []
    assert all(header not in o for q in r.questions for o in q.options + [q.stem])
    assert r.questions[-1].answer == [1] and r.questions[-1].stem.startswith("最后一题")
    assert any("重复出现" in w.message for w in r.warnings)
    assert any("自动编号" in w.message for w in r.warnings)


def test_wrapped_stem_and_answer_with_explanation():
    q = one("1.根据规定，建筑起重机械在（ ）\n应当经检验合格。\nA.甲\nB.乙\n答案：B根据条例第三条。")
    assert q.stem == "根据规定，建筑起重机械在（ ）应当经检验合格。"  # a hard wrap joins; the source's punctuation stays
    assert q.answer == [1] and q.explanation == "根据条例第三条。"


def test_errors_say_line_and_fix():
    r = parse_text("1.甲\nA.a\nB.b\n答案：E\n\n2.乙\nA.a\nB.b\n")
    assert [e.where for e in r.errors] == ["第 4 行", "第 6 行"]
    assert "选项字母" in r.errors[0].message and "答案" in r.errors[1].message
    r = parse_text("1.甲\n答案：C")
    assert "没有选项" in r.errors[0].message


def test_encodings_and_kangxi():
    text = "1.⼯程（ ）\nA.甲\nB.乙\n答案：A\n"
    for data in (text.encode("gb18030", errors="ignore"), ("\ufeff" + text).encode(), text.replace("\n", "\r\n").encode()):
        r = formats.parse(data, "bank.txt")
        assert len(r.questions) == 1
    assert formats.parse(text.encode(), "bank.txt").questions[0].stem.startswith("工程")


def test_doc_and_binary_are_refused():
    with pytest.raises(UnreadableFile, match="另存为 .docx"):
        formats.parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "bank.doc")
    with pytest.raises(UnreadableFile):
        formats.parse(b"\x89PNG\r\n\x1a\n\0\0\0", "x.png")


def test_export_parse_identity_example():
    r = parse_text("一、单选题\n1.甲\nA.a\nB.b\n答案：B\n解析：因为")
    again = formats.parse(formats.export(r.questions, "text"), "x.txt")
    assert again.questions == [q for q in r.questions if True] or [
        (q.stem, q.answer) for q in again.questions] == [(q.stem, q.answer) for q in r.questions]
