"""A GBK text bank keeps what its author wrote: NFKC folds （）①②③ ℃ ㎡ for
the parser, and the import gives back what the source had (not a guess);
line breaks inside a stem stay; "（2分）" is the points wherever it stands."""
from __future__ import annotations

from quiz.banks import formats
from quiz.text import normalize  # noqa: E402

BANK = """一、单项选择题（每题1分）
1．下列物质中属于两性氧化物的是（ C ）（2分）
A．氧化钠（Na2O）
B．氧化镁（MgO）
C．氧化铝（Al2O3）
D．二氧化硅（SiO2）
2．（2分）焙烧炉正常运行时，下列做法正确的是（　）
A．打开观察孔（须戴面罩）
B．温度超过1100℃时继续加料
答案：A
3．下列说法中正确的有几项？（2分）（ B ）
①进入有限空间前必须先通风、检测；
②作业面积小于10㎡时可以不设监护人；
③动火作业要办理作业票……
A．一项
B．两项
C．三项
4．巡检时发现皮带跑偏，应（ A ）
A．停机调整（按规程）
B．用手拨正（带电）
"""


def _parse():
    result = formats.parse(BANK.encode("gbk"), "题库.txt")
    assert result.errors == [], result.errors
    assert [q.type for q in result.questions] == ["single"] * 4
    return result.questions


def test_the_last_fullwidth_bracket_of_each_option_is_kept():
    q1, q2, _, q4 = _parse()
    assert q1.options == ["氧化钠（Na2O）", "氧化镁（MgO）", "氧化铝（Al2O3）", "二氧化硅（SiO2）"]
    assert q2.options[0] == "打开观察孔（须戴面罩）"
    assert q4.options == ["停机调整（按规程）", "用手拨正（带电）"]
    assert not any(")" in o or "(" in o for q in (q1, q2, q4) for o in q.options)


def test_circled_numbers_and_their_lines_are_kept():
    q3 = _parse()[2]
    assert q3.stem.split("\n") == [
        "下列说法中正确的有几项？（ ）",
        "①进入有限空间前必须先通风、检测；",
        "②作业面积小于10㎡时可以不设监护人；",
        "③动火作业要办理作业票……",
    ]
    assert q3.answer == [1]


def test_symbols_nfkc_folds_come_back_only_where_the_source_had_them():
    q2 = _parse()[1]
    assert "1100℃" in q2.options[1] and "°C" not in q2.options[1]


def test_points_are_read_the_same_way_wherever_they_stand():
    questions = _parse()
    assert [q.points for q in questions] == [2.0, 2.0, 2.0, 1.0]  # the 4th has the section's 每题1分
    assert all("分" not in q.stem.split("\n")[0][-4:] for q in questions), [q.stem for q in questions]
    assert questions[0].stem == "下列物质中属于两性氧化物的是（ ）"
    assert questions[1].stem == "焙烧炉正常运行时，下列做法正确的是（　）".replace("　", " ")
    assert [q.answer for q in questions] == [[2], [0], [1], [0]]


# -- the upload preview: the answer key at a glance, the format named for people ---------------

def _preview(app, data: bytes, filename: str) -> str:
    import io

    from tests.factories import login, make_user

    client = app.test_client()
    login(client, make_user(name="培训员", roles={"trainer": [None]}))
    r = client.post("/banks/upload", data={"file": (io.BytesIO(data), filename), "bank_id": "0",
                                           "new_title": "焙烧安全", "format": "auto"},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    return client.get(r.headers["Location"]).get_data(as_text=True)


def test_preview_shows_every_answer_at_a_glance_and_names_the_format(app):
    import re

    with app.test_request_context():
        page = _preview(app, BANK.encode("gbk"), "题库.txt")
    assert "文本模板" in page
    assert not re.search(r"格式</?\w*>?：\s*text\b", page) and "：text<" not in page
    key = page.split('id="answer-key"', 1)[1].split("</table>", 1)[0]
    assert "<details" not in key  # not behind a toggle
    rows = re.findall(r"<tr>(.*?)</tr>", key, re.S)[1:]
    assert len(rows) == 4
    for row, answer in zip(rows, ("C", "A", "B", "A")):
        assert f">{answer}" in row.replace(" ", "")
    assert "氧化铝（Al2O3）" in rows[0] and "两项" in rows[2] and "停机调整（按规程）" in rows[3]
    assert "2" in rows[0]  # its points


def test_spreadsheets_are_named_for_people(app):
    from quiz.banks.formats import format_label

    with app.test_request_context():
        assert format_label("sheet", "题库.xlsx") == "Excel 表格"
        assert format_label("sheet", "题库.csv") == "CSV 表格"
        assert format_label("text", "a.txt") == "文本模板"
        assert format_label("docx", "a.docx") == "Word 文档"


# -- the pure core: what the parser reads is normalize(); what comes back is the source ------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from quiz.banks.formats.restore import Source, circled, fold_line, restore  # noqa: E402

_CHARS = st.sampled_from(list("下列说法正确的是题甲乙ABCabc0123 .,:;()（）：；，。？！①②③⑴⒈㈠℃㎡…²Ａ１　\u00a0\u200b⼈"))


@settings(deadline=None, database=None)
@given(st.text(_CHARS, max_size=40))
def test_the_parser_form_is_normalize_with_circled_numbers_kept(line):
    text, shown = fold_line(line)
    assert len(text) == len(shown)
    import unicodedata

    assert "".join(unicodedata.normalize("NFKC", c) if circled(c) else c for c in text) == normalize(line)


@settings(deadline=None, database=None)
@given(st.text(_CHARS, min_size=1, max_size=40))
def test_a_whole_line_comes_back_as_the_source_wrote_it_less_what_normalize_always_folds(line):
    source = Source([line])
    text = source.lines[0]
    back = restore(text, source.region(1, 1))
    # full-width letters, digits, spaces, zero-width and radicals stay folded; nothing else differs
    assert normalize(back) == normalize(line)
    import re

    numbered = re.match(r"^\s*(\S)\s*[、.．]", line)  # "①、" numbering a question is folded on purpose
    for ch in "（）：；，？！①②③℃㎡…²":
        expected = line.count(ch) - (1 if numbered and numbered.group(1) == ch and circled(ch) else 0)
        assert back.count(ch) == expected
