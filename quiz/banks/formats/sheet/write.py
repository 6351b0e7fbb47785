"""Writing the platform's own Excel template (export and the blank download).

One sheet 题目 with the columns below, header frozen, sensible widths, and a
drop-down list on 题型. ``sheet.parse`` reads it back to the same questions:

* single / multiple: the options in 选项A…选项H, the key as letters (``B``, ``ACD``);
* true/false: 正确 or 错误, no options;
* fill-in: one answer per blank separated by ``；``, alternatives by ``|``;
* short answer: the reference answer, then a last line ``关键词：a、b``;
* 标签 and 工种: several values separated by ``、``.
"""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from quiz.spreadsheet import set_text
from openpyxl.worksheet.datavalidation import DataValidation

from quiz.banks.formats.sheet.columns import strip_option_prefixes
from quiz.banks.types import all_types, get as get_type
from quiz.banks.types.base import QuestionData
from quiz.banks.types.single import letter

SHEET_TITLE = "题目"
BASE_OPTIONS = 8  # 选项A…选项H; 选项I/J are added only when a question needs them
MAX_OPTIONS = 10
BEFORE = ["题型", "题目"]
AFTER = ["正确答案", "答案解析", "分值", "难度", "分类", "标签", "工种", "原文出处"]
WIDTHS = {"题型": 9, "题目": 48, "正确答案": 14, "答案解析": 36, "分值": 7, "难度": 7,
          "分类": 14, "标签": 14, "工种": 14, "原文出处": 30}
OPTION_WIDTH = 18


def columns(option_count: int = BASE_OPTIONS) -> list[str]:
    return BEFORE + [f"选项{letter(i)}" for i in range(option_count)] + AFTER


def _number(value: float | None):
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def answer_text(q: QuestionData) -> str:
    """The 正确答案 cell for a question (see the module docstring)."""
    return get_type(q.type).sheet_answer(q)


def row_values(q: QuestionData, option_count: int = BASE_OPTIONS) -> list:
    if len(q.options) > option_count:
        raise ValueError(f"question has {len(q.options)} options, the sheet has {option_count} option columns")
    qtype = get_type(q.type)
    options = list(q.options) if qtype.has_options else []
    if strip_option_prefixes(options) != options:
        # Text that itself starts like "B." in column B would lose it on import:
        # write every option with its letter, which the import removes again.
        options = [f"{letter(i)}.{text}" for i, text in enumerate(options)]
    options += [""] * (option_count - len(options))
    return [qtype.title, q.stem, *options,
            answer_text(q), q.explanation, _number(q.points), q.difficulty, q.category,
            "、".join(q.tags), "、".join(q.job_types), q.source_excerpt]


def _set(cell, value) -> None:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value:
            return
        set_text(cell, value)  # never a formula, even when the text starts with '='
    elif value is not None:
        cell.value = value


def _question_sheet(book: Workbook, questions: list[QuestionData]) -> None:
    sheet = book.active
    sheet.title = SHEET_TITLE
    option_count = max([BASE_OPTIONS] + [len(q.options) for q in questions])
    if option_count > MAX_OPTIONS:
        raise ValueError(f"at most {MAX_OPTIONS} options per question")
    names = columns(option_count)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="2F5597")
    for col, name in enumerate(names, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = WIDTHS.get(name, OPTION_WIDTH)
    sheet.freeze_panes = "C2"
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = {names.index(n) + 1 for n in ("题目", "答案解析", "原文出处", "正确答案")}
    for r, q in enumerate(questions, start=2):
        for col, value in enumerate(row_values(q, option_count), start=1):
            cell = sheet.cell(row=r, column=col)
            _set(cell, value)
            if col in wrapped:
                cell.alignment = wrap
    rule = DataValidation(type="list", formula1='"' + ",".join(t.title for t in all_types()) + '"', allow_blank=True)
    rule.error = _("请从下拉列表中选择题型")
    rule.prompt = _("单选题、多选题、判断题、填空题或简答题")
    sheet.add_data_validation(rule)
    rule.add(f"A2:A{max(len(questions) + 1, 1000)}")


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(questions: list[QuestionData]) -> bytes:
    """The platform's Excel template with one row per question."""
    book = Workbook()
    _question_sheet(book, list(questions))
    return _save(book)


EXAMPLES = [
    QuestionData("single", "巡检中发现皮带机跑偏，正确的做法是（ ）。",
                 ["立即用手把皮带推正", "停机、挂牌上锁后按规程调整", "继续运行，交班时再处理", "用铁棍在运行中拨正"],
                 [1], explanation="运行中的皮带严禁用手或工具纠偏，须停机并隔离能量后处理。",
                 points=2, difficulty=2, category="设备巡检", tags=["皮带机", "能量隔离"],
                 job_types=["巡检工"], source_excerpt="设备运行中严禁进行清理、调整和检修作业。"),
    QuestionData("multiple", "进入受限空间作业前，必须做到（ ）。",
                 ["办理作业许可", "通风并检测有毒有害气体", "设专人在外监护", "一个人快速进出，减少停留"],
                 [0, 1, 2], explanation="受限空间作业实行“先通风、再检测、后作业”，并设监护人。",
                 points=3, difficulty=3, category="作业许可", tags=["受限空间"], job_types=["磨工", "巡检工"]),
    QuestionData("truefalse", "设备检修时挂牌上锁后，可以不再确认能量是否已经隔离。", [], False,
                 explanation="挂牌上锁后还须试启动或测量，确认能量已隔离。", points=1, difficulty=1,
                 category="能量隔离"),
    QuestionData("fill", "安全生产工作坚持“安全第一、____、综合治理”的方针。", [], [["预防为主"]],
                 explanation="《安全生产法》第三条。", points=2, difficulty=1, category="法律法规"),
    QuestionData("short", "简述“四不伤害”的内容。", [],
                 {"reference": "不伤害自己，不伤害他人，不被他人伤害，保护他人不受伤害。",
                  "keywords": ["不伤害自己", "不伤害他人", "不被他人伤害", "保护他人"]},
                 explanation="由培训员按要点评分。", points=5, difficulty=2, category="安全常识"),
]

GUIDE = [
    ("题型", "必填", "单选题、多选题、判断题、填空题、简答题（也可写 单选/多选/判断/填空/简答）。"
     "不填时按答案推断：多个字母为多选，对/错为判断，一个字母为单选。"),
    ("题目", "必填", "题干全文。填空题用 ____（四个下划线）或（ ）标出每个空。"),
    ("选项A…选项H", "选择题必填", "每个选项一格，从选项A起连续填写，不要空格子；不必再写“A.”前缀。"
     "判断题、填空题、简答题不填。"),
    ("正确答案", "必填（简答题可不填）",
     "单选题写一个字母，如 B；多选题写多个字母，如 ACD；判断题写 正确 或 错误（也可写 对/错、√/×）；"
     "填空题按空的顺序写答案，多个空用“；”隔开，同一空可接受的多个答案用“|”隔开，如 预防为主|预防；"
     "简答题写参考答案，最后一行可写“关键词：要点1、要点2”，供阅卷参考。"),
    ("答案解析", "选填", "交卷后给员工看的解析。"),
    ("分值", "选填", "这道题的分数，如 2 或 2.5；不填时用试卷的设置。"),
    ("难度", "选填", "1 到 5 的数字（1 最容易），也可写 简单、中等、困难。"),
    ("分类", "选填", "章节或知识点，如 设备巡检。"),
    ("标签", "选填", "多个标签用“、”隔开。"),
    ("工种", "选填", "适用的工种，多个用“、”隔开，如 磨工、巡检工。"),
    ("原文出处", "选填", "题目依据的原文句子或出处，如 《劲旅》总第2153期第2版。"),
    ("", "", ""),
    ("其他说明", "", "第一行是表头，请勿修改列名；每行一道题，从第二行开始填写。"
     "第 2 到 6 行是每种题型的示例，导入前请删除或替换。一个文件可以有多个工作表，每个都会导入。"),
]


def template() -> bytes:
    """The blank template: the question sheet with one example per type, and 填写说明."""
    book = Workbook()
    _question_sheet(book, EXAMPLES)
    guide = book.create_sheet("填写说明")
    for col, name in enumerate(("列名", "是否必填", "填写方法"), start=1):
        cell = guide.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
    for r, (name, required, text) in enumerate(GUIDE, start=2):
        guide.cell(row=r, column=1, value=name or None)
        guide.cell(row=r, column=2, value=required or None)
        cell = guide.cell(row=r, column=3, value=text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 20
    guide.column_dimensions["C"].width = 90
    return _save(book)
