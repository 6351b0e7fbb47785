"""The spreadsheet question-bank format: .xlsx, .xls, .csv import and the Excel export."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.banks.formats import sheet
from quiz.banks.types.base import QuestionData
from quiz.text import UnreadableFile, normalize

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "realworld-banks"
HEADER = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "正确答案", "答案解析", "分值"]


def xlsx(*sheets, merge=None) -> bytes:
    """A workbook: each sheet is (title, rows)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        if merge:
            ws.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def one(rows, title="Sheet1"):
    return sheet.parse(xlsx((title, rows)), "bank.xlsx")


def messages(issues):
    return " ".join(i.where + " " + i.message for i in issues)


# -- layout -------------------------------------------------------------------


def test_header_under_a_merged_title_row():
    data = xlsx(("Sheet1", [
        ["江铜题库模板", None, None, None],
        ["题型", "题目", "正确答案", "选项A", "选项B", "选项C"],
        ["单选题", "皮带跑偏应（ ）。", "B", "用手推", "停机调整", "不管"],
    ]), merge="A1:F1")
    result = sheet.parse(data, "t.xlsx")
    assert result.ok, messages(result.errors)
    [q] = result.questions
    assert (q.type, q.options, q.answer) == ("single", ["用手推", "停机调整", "不管"], [1])
    assert q.where == "工作表「Sheet1」第 3 行"


def test_summary_numbers_above_header_on_row_3_and_a_second_table_below():
    result = one([
        ["选择题", 4, 129, "问答题", 132],
        ["选择题"],
        ["题目", "A", "B", "C", "D", "答案", "难度"],
        ["春秋始霸是", "齐桓公", "晋文公", "秦穆公", "宋襄公", "A", 1],
        ["问题", "答案", "难度"],
        ["都江堰工程由谁领导修建", "李冰", 1],
        ["三国中最先灭亡的是____。", "蜀汉", 2, None, None, None, 3],
    ])
    assert [q.type for q in result.questions] == ["single", "short", "fill"]
    assert result.questions[1].answer == {"reference": "李冰", "keywords": []}
    assert result.questions[2].answer == [["蜀汉"]]
    assert result.questions[0].difficulty == 1
    # the stray value in column G (no header above it) is reported, not lost silently
    assert any(w.where == "工作表「Sheet1」第 7 行 G 列" for w in result.warnings)


def test_identical_sheets_are_flagged_and_imported_once():
    rows = [HEADER, ["判断题", "高处作业要系安全带。", None, None, None, None, "对"]]
    result = sheet.parse(xlsx(("必答题", rows), ("选答题", rows), ("说明", [["说明文字"]])), "t.xlsx")
    assert len(result.questions) == 1
    assert "选答题" in messages(result.warnings) and "必答题" in messages(result.warnings)


def test_empty_template_says_the_file_has_no_questions():
    result = one([["题库模板"], ["题型", "题目", "正确答案", "选项A", "选项B"]] + [[None]] * 20)
    assert result.questions == []
    assert not result.ok
    assert "没有题目" in messages(result.errors)


def test_empty_file_and_headerless_file():
    assert "没有题目" in messages(sheet.parse(b"", "empty.csv").errors)
    result = sheet.parse("随便写的内容,没有表头\n第二行,也不是\n".encode(), "x.csv")
    assert not result.ok and "表头" in messages(result.errors)


def test_missing_answer_column_is_one_clear_error_not_silent_questions():
    result = one([["题干", "选项A", "选项B", "选项C"]] + [[f"题目{i}（ ）", "甲", "乙", "丙"] for i in range(5)])
    assert result.questions == []
    [error] = result.errors
    assert error.where == "工作表「Sheet1」第 1 行"
    assert "答案列" in error.message and "5" in error.message


# -- encodings ----------------------------------------------------------------

CSV_TEXT = (
    "题型,题目,选项A,选项B,选项C,答案\r\n"
    '单选题,"第一行\r\n第二行（ ）",甲,乙,丙,C\r\n'
    "判断题,特种作业人员须持证上岗。,,,,正确\r\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_crlf_and_multiline_fields(encoding):
    result = sheet.parse(CSV_TEXT.encode(encoding), "bank.csv")
    assert result.ok, messages(result.errors)
    single, tf = result.questions
    assert single.stem == "第一行\n第二行( )" and single.answer == [2]
    assert tf.answer is True
    assert tf.where == "工作表「bank」第 3 行"


# -- cells --------------------------------------------------------------------


@pytest.mark.parametrize("right,wrong", [
    ("对", "错"), ("正确", "错误"), ("√", "×"), ("✔", "❌"), ("T", "F"),
    ("true", "false"), ("1", "0"), ("A", "B"), ("正确。", "错误。"),
])
def test_truefalse_spellings(right, wrong):
    result = one([HEADER, ["判断题", "甲", None, None, None, None, right],
                  ["判断", "乙", None, None, None, None, wrong]])
    assert [q.answer for q in result.questions] == [True, False], messages(result.errors)
    assert all(q.options == [] for q in result.questions)


def test_truefalse_with_options_and_letter_key():
    result = one([HEADER, ["判断题", "甲", "正确", "错误", None, None, "B"],
                  ["判断题", "乙", "错误", "正确", None, None, "B"]])
    assert [q.answer for q in result.questions] == [False, True]


def test_numeric_cells_are_read_as_text():
    result = one([HEADER, ["单选题", 12345, 3, 3.5, 4.0, 5, "A", None, 8.0]])
    [q] = result.questions
    assert q.stem == "12345" and q.options == ["3", "3.5", "4", "5"] and q.points == 8


@pytest.mark.parametrize("key,expected", [
    (" B", [1]), ("Ｄ", [3]), ("c", [2]), ("A,B,C", [0, 1, 2]), ("ABC", [0, 1, 2]),
    ("A、C", [0, 2]), ("（B）", [1]),
])
def test_answer_letters_as_people_type_them(key, expected):
    kind = "多选题" if len(expected) > 1 else "单选题"
    [q] = one([HEADER, [kind, "题", "甲", "乙", "丙", "丁", key]]).questions
    assert q.answer == expected


def test_option_prefixes_spaces_nbsp_and_u3000_are_cleaned():
    result = one([
        ["题型", "题目", "选项1", "选项2", "选项3", "选项4", "正确答案", "答案解析", "分值"],
        ["单选题", "\xa0安全月主题是（  ）。", "A、防风险", " B．除隐患", "C.遏事故", "D\u3000保安全", "B", None, 8],
        ["单选题", "裸字母前缀", "A防风险", "B除隐患", "C遏事故", "D保安全", "A"],
        ["单选题", "只有一个像前缀", "ABS塑料", "钢", "铁", "铜", "A"],
    ])
    first, bare, kept = result.questions
    assert first.stem == "安全月主题是( )。"
    assert first.options == ["防风险", "除隐患", "遏事故", "保安全"]
    assert bare.options == ["防风险", "除隐患", "遏事故", "保安全"]
    assert kept.options[0] == "ABS塑料"


def test_json_options_column_and_numeric_type_codes_1_2_3():
    rows = [["questionAnswer", "questionContent", "optionContent", "questionExplain", "questionType"],
            ["2", "可以穿实验服进食堂。", None, "不可以。", 1],
            ["1", "用完要关电源。", None, None, 1],
            ["B", "生物安全柜使用前应（ ）", '[{"optionContent":"直接用"},{"optionContent":"先运行5min"}]', None, 2],
            ["A,B", "防护用品包括（ ）", '[{"optionContent":"手套"},{"optionContent":"护目镜"},{"optionContent":"拖鞋"}]', None, 3],
            ["1", "没有题型的判断题。", None, None, None]]
    result = one(rows)
    assert result.ok, messages(result.errors)
    assert [(q.type, q.answer) for q in result.questions] == [
        ("truefalse", False), ("truefalse", True), ("single", [1]), ("multiple", [0, 1]), ("truefalse", True)]
    assert result.questions[2].options == ["直接用", "先运行5min"]
    assert result.questions[0].explanation == "不可以。"
    assert "1=判断题" in messages(result.warnings) and "3=多选题" in messages(result.warnings)


def test_ampersand_joined_options_answers_as_text_and_codes_0_1_2():
    text = ("题目,题目类型,答案,分数\n"
            "安全管理包括()&组织建设&事前检查&制度建设,1,组织建设&制度建设,5\n"
            "信息安全最薄弱的环节是()&技术&策略&人,0,人,5\n"
            "网络道德建设是精神文明建设的需要,2,0,5\n"
            "我国互联网没有漏洞,2,1,5\n")
    result = sheet.parse(text.encode("utf-8-sig"), "net.csv")
    assert result.ok, messages(result.errors)
    multi, single, right, wrong = result.questions
    assert multi.stem == "安全管理包括()" and multi.options == ["组织建设", "事前检查", "制度建设"]
    assert multi.answer == [0, 2] and single.answer == [2] and single.type == "single"
    assert (right.answer, wrong.answer) == (True, False)
    assert "0=单选题" in messages(result.warnings) and "0=正确" in messages(result.warnings)


def test_joined_options_in_one_column():
    result = one([["题型", "题目", "选项", "答案"],
                  ["单选", "甲（ ）", "A.一 B.二 C.三", "B"],
                  ["多选", "乙（ ）", "一\n二\n三", "AC"],
                  ["single", "丙", "一|二", "A"]])
    assert [q.options for q in result.questions] == [["一", "二", "三"], ["一", "二", "三"], ["一", "二"]]


def test_types_inferred_from_answer_when_the_column_is_missing():
    result = one([["题目", "选项A", "选项B", "选项C", "答案"],
                  ["甲（ ）", "一", "二", "三", "AB"],
                  ["乙（ ）", "一", "二", "三", "b"],
                  ["丙", None, None, None, "错"],
                  ["丁是____。", None, None, None, "铜"]])
    assert [q.type for q in result.questions] == ["multiple", "single", "truefalse", "fill"]
    assert "4 道题没有填写题型" in messages(result.warnings)


def test_fill_answers_in_option_columns_and_in_the_answer_cell():
    result = one([["题型", "问题内容", "难度", "正确选项", "A", "B"],
                  ["填空题", "x<y 和 x>=y 分别为___和___。", "中等", None, "true", "false"],
                  ["填空题", "（）是事物的内在规定性。", "困难", "A", "质", None],
                  ["填空题", "方针是安全第一、____、____。", 2, "预防为主|预防；综合治理", None, None],
                  ["简答题", "用 Java 输出 Hello。", "简单", None, None, None]])
    assert result.ok, messages(result.errors)
    two, ref, alt, short = result.questions
    assert two.answer == [["true"], ["false"]] and two.stem.count("____") == 2
    assert ref.answer == [["质"]] and ref.stem == "____是事物的内在规定性。" and ref.difficulty == 5
    assert alt.answer == [["预防为主", "预防"], ["综合治理"]]
    assert short.answer == {"reference": "", "keywords": []} and short.difficulty == 1


def test_errors_name_sheet_row_and_column_and_say_what_to_do():
    result = one([HEADER,
                  ["单选题", "甲", "一", "二", "三", None, "D"],
                  ["单选题", "乙", "一", "二", None, None, "AB"],
                  ["单选题", "丙", "一", None, "三", None, "A"],
                  ["排序题", "丁", None, None, None, None, "1234"],
                  ["怪题", "戊", None, None, None, None, "x"],
                  ["判断题", "己", None, None, None, None, "也许"],
                  ["单选题", None, "一", "二", None, None, "A"]], title="安全")
    wheres = [e.where for e in result.errors]
    assert wheres == ["工作表「安全」第 2 行 G 列", "工作表「安全」第 3 行 G 列", "工作表「安全」第 4 行 D 列",
                      "工作表「安全」第 6 行 A 列", "工作表「安全」第 7 行 G 列", "工作表「安全」第 8 行 B 列"]
    assert all("请" in e.message for e in result.errors)
    assert [s.as_dict() for s in result.skipped] == [{"where": "工作表「安全」第 5 行 A 列", "type": "排序题"}]
    assert result.questions == []


def test_english_headers_and_metadata_columns():
    result = one([["type", "question", "option A", "option B", "answer", "explanation", "score",
                   "difficulty", "category", "tags", "job types", "source"],
                  ["multiple", "Pick two", "x", "y", "A,B", "both", "2.5", "hard", "Ch1", "a, b", "磨工、巡检工", "p.2"]])
    [q] = result.questions
    assert (q.answer, q.points, q.difficulty, q.category) == ([0, 1], 2.5, 5, "Ch1")
    assert (q.tags, q.job_types, q.source_excerpt, q.explanation) == (["a", "b"], ["磨工", "巡检工"], "p.2", "both")


# -- files that are not spreadsheets -------------------------------------------


def test_zip_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(UnreadableFile, match="压缩炸弹"):
        sheet.parse(out.getvalue(), "bomb.xlsx")


@pytest.mark.parametrize("data,name", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "pic.xlsx"),
    (b"%PDF-1.7\n" + bytes(range(256)), "bank.pdf"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.doc"),
])
def test_non_spreadsheets_get_a_clear_message(data, name):
    with pytest.raises(UnreadableFile) as info:
        sheet.parse(data, name)
    assert "请" in str(info.value)


def test_a_docx_is_not_taken_for_a_spreadsheet():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UnreadableFile, match="Word"):
        sheet.parse(out.getvalue(), "bank.xlsx")


@pytest.mark.skipif(not (REALWORLD / "cn_xls_biff8_mayuan_995q.xls").exists(), reason="real-world files absent")
def test_legacy_xls():
    # xlwt is not installed, so the .xls reader is checked on a real BIFF8 file (read, never copied)
    result = sheet.parse((REALWORLD / "cn_xls_biff8_mayuan_995q.xls").read_bytes(), "题库.xls")
    assert result.ok
    assert result.by_type() == {"single": 330, "multiple": 239, "truefalse": 340, "fill": 44, "short": 42}
    fill = next(q for q in result.questions if q.type == "fill")
    assert fill.answer == [["质"]]


# -- the platform's own template -------------------------------------------------


def test_template_has_an_example_of_every_type_and_instructions():
    data = sheet.template()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["题目", "填写说明"]
    ws = book["题目"]
    header = [c.value for c in ws[1]]
    assert header == ["题型", "题目"] + [f"选项{c}" for c in "ABCDEFGH"] + [
        "正确答案", "答案解析", "分值", "难度", "分类", "标签", "工种", "原文出处"]
    assert ws.freeze_panes == "C2" and ws.column_dimensions["B"].width > 30
    guide = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
    assert "正确答案" in guide and "；" in guide
    result = sheet.parse(data, "模板.xlsx")
    assert result.ok and not result.warnings
    assert [q.type for q in result.questions] == ["single", "multiple", "truefalse", "fill", "short"]


def test_export_never_writes_formulas():
    q = QuestionData("fill", "=1+1 等于____", answer=[["=2"]])
    data = sheet.export([q])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["B2"].data_type == "s" and ws["B2"].value == "=1+1 等于____"
    assert sheet.parse(data, "x.xlsx").questions[0].answer == [["=2"]]


# -- round trip -----------------------------------------------------------------

_ALPHABET = st.sampled_from(list("安全生产巡检磨工设备皮带停机隔离能量abcABCDxyzXYZ0123456789 .,:()-+%=、"))


def _text(min_size=1, max_size=20, first_digit=False):
    # Stems never start with "12." style numbering: the import strips it as leftover numbering.
    return st.text(_ALPHABET, min_size=min_size, max_size=max_size).map(normalize).filter(
        lambda s: bool(s) and (first_digit or s[0] not in "0123456789("))


_WORD = st.text(st.sampled_from(list("安全磨工巡检班组abcXYZ")), min_size=1, max_size=6)
_LIST = st.lists(_WORD, max_size=3, unique=True)


@st.composite
def questions(draw):
    kind = draw(st.sampled_from(["single", "multiple", "truefalse", "fill", "short"]))
    stem = draw(_text()).replace("____", "")
    options, answer = [], None
    if kind in ("single", "multiple"):
        options = draw(st.lists(_text(max_size=12, first_digit=True), min_size=2, max_size=10, unique_by=str.lower))
        size = 1 if kind == "single" else draw(st.integers(2, len(options)))
        answer = sorted(draw(st.lists(st.integers(0, len(options) - 1), min_size=size, max_size=size, unique=True)))
    elif kind == "truefalse":
        answer = draw(st.booleans())
    elif kind == "fill":
        blanks = draw(st.integers(1, 3))
        # without its brackets the stem may start like "12." numbering, which the import strips
        stem = (stem.replace("(", "").replace(")", "").lstrip("0123456789.、 ") or "填空") + "".join(" ____ " + draw(_WORD) for _ in range(blanks))
        answer = [draw(st.lists(_WORD, min_size=1, max_size=3, unique=True)) for _ in range(blanks)]
    else:
        answer = {"reference": draw(st.one_of(st.just(""), _text(max_size=40))), "keywords": draw(_LIST)}
    return QuestionData(
        type=kind, stem=normalize(stem), options=options, answer=answer,
        explanation=draw(st.one_of(st.just(""), _text(max_size=30))),
        source_excerpt=draw(st.one_of(st.just(""), _text(max_size=30))),
        category=draw(st.one_of(st.just(""), _WORD)),
        tags=draw(_LIST), job_types=draw(_LIST),
        difficulty=draw(st.one_of(st.none(), st.integers(1, 5))),
        points=draw(st.one_of(st.none(), st.sampled_from([0.5, 1.0, 2.0, 2.5, 10.0]))),
    )


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 40)), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(questions(), min_size=1, max_size=6))
def test_export_then_parse_is_the_identity(qs):
    result = sheet.parse(sheet.export(qs), "export.xlsx")
    assert result.ok, messages(result.errors)
    assert not result.warnings, messages(result.warnings)
    for q in result.questions:
        q.where = ""
    assert result.questions == qs


@pytest.mark.skipif(not (REALWORLD / "cn_xls_contest_multisheet_header_row3.xls").exists(),
                    reason="real-world files absent")
def test_legacy_xls_with_copied_sheets_and_a_second_header():
    result = sheet.parse((REALWORLD / "cn_xls_contest_multisheet_header_row3.xls").read_bytes(), "题库.xls")
    assert result.by_type()["single"] == 123 and result.by_type()["short"] == 7
    assert sum("内容完全相同" in w.message for w in result.warnings) == 2
    # three rows in the file have options and a key but no stem
    assert [e.where for e in result.errors] == [f"工作表「必答题」第 {n} 行 A 列" for n in (92, 96, 114)]
    assert any(q.answer == {"reference": "1997年7月1日", "keywords": []} for q in result.questions)
