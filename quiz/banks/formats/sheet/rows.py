"""One spreadsheet row to one question: options, type by shape, the answer.

Pure functions used by ``sheet.parse``; a ``Row`` holds the cells of one row
already assigned to fields by the header it sits under. Every problem found is
added to the ``ParseResult`` with the row (and column) it is in.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from quiz.banks.formats.sheet import columns as cols
from quiz.banks.types import get as get_type
from quiz.banks.types.base import Issue, ParseResult, QuestionData
from quiz.banks.types.fill import blank_count, canonical_stem, split_answer_text
from quiz.banks.types.single import parse_letters
from quiz.banks.types.truefalse import parse_truefalse
from quiz.text import normalize

LONG_ANSWER = 30  # a text answer longer than this, with no options, is a short answer


def column_letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass
class Row:
    sheet: str
    number: int
    cells: dict = field(default_factory=dict)  # field -> (text, column index)
    options: list[str] = field(default_factory=list)
    option_cols: list[int] = field(default_factory=list)
    stray: list[int] = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # field -> column index, from the header

    def where(self, col: int | None = None) -> str:
        base = _("工作表「%(sheet)s」第 %(row)d 行", sheet=self.sheet, row=self.number)
        if col is None:
            return base
        return base + " " + _("%(col)s 列", col=column_letter(col))

    def text(self, name: str) -> str:
        return self.cells.get(name, ("", None))[0]

    def col(self, name) -> int | None:
        return self.cells.get(name, ("", self.columns.get(name)))[1]


# -- reading rows ------------------------------------------------------------


def row_from_cells(sheet: str, number: int, cells: list[str], mapping: dict,
                    result: ParseResult) -> Row | None:
    row = Row(sheet, number, columns={name: col for col, name in mapping.items()})
    by_index: dict[int, tuple[str, int]] = {}
    for col, raw in enumerate(cells):
        if not raw.strip():
            continue
        name = mapping.get(col)
        if name is None:
            row.stray.append(col)
        elif name == cols.IGNORED:
            continue
        elif isinstance(name, tuple):
            by_index[name[1]] = (raw, col)
        elif name in (cols.STEM, cols.ANSWER, cols.EXPLANATION, cols.SOURCE):
            row.cells[name] = (normalize(raw), col)
        else:
            row.cells[name] = (raw, col)
    if not row.cells and not by_index:
        return None
    if by_index:
        last = max(by_index)
        for index in range(last + 1):
            text, col = by_index.get(index, ("", row.columns.get((cols.OPTION, index), -1)))
            row.options.append(normalize(text))
            row.option_cols.append(col)
    elif cols.OPTIONS_JSON in row.cells:
        row.options = _json_options(row, result)
    elif cols.OPTIONS_JOINED in row.cells:
        row.options = cols.split_joined_options(row.text(cols.OPTIONS_JOINED))
    if row.options and by_index:
        row.options = cols.strip_option_prefixes(row.options)
    if not row.options and "&" in row.text(cols.STEM):
        _split_ampersand_stem(row)
    return row


def _json_options(row: Row, result: ParseResult) -> list[str]:
    raw = row.text(cols.OPTIONS_JSON)
    try:
        items = json.loads(raw)
        if not isinstance(items, list):
            raise ValueError
        options = []
        for item in items:
            if isinstance(item, dict):
                item = next((v for k, v in item.items() if "content" in k.lower() or "text" in k.lower()),
                            next(iter(item.values()), ""))
            options.append(normalize(str(item).replace("\\t", " ")))
        return cols.strip_option_prefixes(options)
    except (ValueError, TypeError):
        return cols.split_joined_options(raw)


def _split_ampersand_stem(row: Row) -> None:
    """``题干&选项1&选项2…`` with the answer written as option text (or letters)."""
    parts = [p.strip() for p in row.text(cols.STEM).split("&")]
    if len(parts) < 3 or not parts[0] or not all(parts[1:]):
        return
    answer = row.text(cols.ANSWER)
    if _match_option_texts(answer, parts[1:]) is None and parse_letters(answer, len(parts) - 1) is None:
        return
    row.cells[cols.STEM] = (parts[0], row.col(cols.STEM))
    row.options = parts[1:]


def _match_option_texts(answer: str, options: list[str]) -> list[int] | None:
    """Answer written as option text(s), joined with ``&`` ``,`` ``、`` …, to indices."""
    answer = normalize(answer)
    if not answer or not options:
        return None
    keyed = {normalize(o).rstrip("。.;；"): i for i, o in reversed(list(enumerate(options))) if o}
    whole = answer.rstrip("。.;；")
    if whole in keyed:
        return [keyed[whole]]
    for sep in ("&", "|", "\n", ";", "；", "，", ",", "、"):
        if sep in answer:
            parts = [p.strip().rstrip("。.") for p in answer.split(sep) if p.strip()]
            if len(parts) >= 2 and all(p in keyed for p in parts):
                return sorted({keyed[p] for p in parts})
    return None


# -- types -------------------------------------------------------------------

_TF_ONLY = re.compile(r"^[(（\[【]?\s*(对|错|正确|错误|√|×|✓|✔|✗|✘|❌|t|f|true|false|是|否|yes|no|对的|错的)\s*[)）\]】]?[。.]?$", re.I)


def _is_tf_pair(options: list[str]) -> bool:
    filled = [o for o in options if o]
    if len(filled) != 2 or len(options) != 2:
        return False
    values = [parse_truefalse(o) for o in filled]
    return None not in values and values[0] != values[1] and not any(
        len(normalize(o)) == 1 and normalize(o).isalpha() and normalize(o).lower() in "ab" for o in filled)


def shape(row: Row) -> str | None:
    """The type a row's answer and options suggest, or None."""
    answer = row.text(cols.ANSWER)
    options = [o for o in row.options if o]
    if len(options) >= 2:
        letters = parse_letters(answer, len(row.options))
        if _is_tf_pair(row.options) and (letters in ([0], [1]) or _TF_ONLY.match(answer)):
            return "truefalse"
        if letters:
            return "multiple" if len(letters) > 1 else "single"
        found = _match_option_texts(answer, row.options)
        if found:
            return "multiple" if len(found) > 1 else "single"
        return None
    if not answer:
        return None
    if _TF_ONLY.match(answer) or answer in ("0", "1", "2"):
        return "truefalse"
    letters = parse_letters(answer)
    if letters is not None and len(answer.replace(",", "").replace(" ", "")) <= 8 and answer.isascii():
        return "multiple" if len(letters) > 1 else "single"  # a key with no options: reported later
    if len(answer) > LONG_ANSWER or "\n" in answer or not blank_count(row.text(cols.STEM)):
        return "short"  # a text answer to a stem with no blank to fill: graded by a trainer
    return "fill"


# -- answers -----------------------------------------------------------------


def _answer_error(row: Row, message: str, result: ParseResult) -> None:
    col = row.col(cols.ANSWER)
    result.errors.append(Issue(row.where(col), message))


def _choice(row: Row, kind: str, result: ParseResult, question: QuestionData) -> bool:
    options = row.options
    while options and not options[-1]:
        options = options[:-1]
    if len([o for o in options if o]) < 2:
        result.errors.append(Issue(row.where(), _(
            "选择题至少需要两个选项，这一行只有 %(n)d 个：请在选项列（选项A、选项B…）中填写选项。",
            n=len([o for o in options if o]))))
        return False
    if "" in options:
        gap = options.index("")
        col = row.option_cols[gap] if gap < len(row.option_cols) and row.option_cols[gap] >= 0 else None
        result.errors.append(Issue(row.where(col), _(
            "选项 %(letter)s 是空的，但后面还有选项：请补上选项 %(letter)s 或把后面的选项往前移。",
            letter=chr(65 + gap))))
        return False
    answer = row.text(cols.ANSWER)
    if not answer:
        _answer_error(row, _("没有填写正确答案：请在答案列填写选项字母，如 B 或 ACD。"), result)
        return False
    found = parse_letters(answer, len(options))
    if found is None:
        found = _match_option_texts(answer, options)
    if not found:
        wide = parse_letters(answer)
        if wide:
            _answer_error(row, _(
                "答案「%(answer)s」指向的选项 %(letter)s 不存在（这一题只有 %(n)d 个选项）：请补上该选项或改正答案。",
                answer=answer, letter=chr(65 + wide[-1]), n=len(options)), result)
        else:
            _answer_error(row, _(
                "答案「%(answer)s」不是选项字母，也和任何选项的文字都对不上：请填写选项字母，如 B 或 ACD。",
                answer=answer), result)
        return False
    if kind == "single" and len(found) > 1:
        _answer_error(row, _(
            "单选题只能有一个正确答案，这里有 %(n)d 个（%(answer)s）：请把题型改为多选题，或改正答案。",
            n=len(found), answer=answer), result)
        return False
    if kind == "multiple" and len(found) == 1:
        result.warnings.append(Issue(row.where(row.col(cols.ANSWER)), _(
            "多选题只有一个正确答案，已按单选题导入：如确是多选题，请补全答案。")))
        question.type = "single"
    question.options = list(options)
    question.answer = found
    return True


def _truefalse(row: Row, tf_digits: dict[str, bool], result: ParseResult, question: QuestionData) -> bool:
    answer = row.text(cols.ANSWER)
    value = None
    options = [o for o in row.options if o]
    letters = parse_letters(answer, len(row.options)) if options else None
    if letters and len(letters) == 1 and row.options[letters[0]]:
        value = parse_truefalse(row.options[letters[0]])
        if value is None and len(options) == 2:
            value = letters[0] == 0
    elif answer in tf_digits:
        value = tf_digits[answer]
    elif answer:
        value = parse_truefalse(answer)
    if value is None:
        if not answer:
            message = _("判断题没有填写答案：请填写“正确”或“错误”（也可写 对/错、√/×、T/F）。")
        else:
            message = _("判断题答案「%(answer)s」无法识别：请填写“正确”或“错误”（也可写 对/错、√/×、T/F）。",
                        answer=answer)
        _answer_error(row, message, result)
        return False
    question.answer = value
    return True


def _referenced_texts(row: Row) -> list[str] | None:
    """Answer ``A`` / ``AB`` pointing at texts typed into the option columns."""
    letters = parse_letters(row.text(cols.ANSWER), len(row.options)) if row.options else None
    if letters and all(row.options[i] for i in letters):
        return [row.options[i] for i in letters]
    return None


def _fill(row: Row, result: ParseResult, question: QuestionData) -> bool:
    answer = row.text(cols.ANSWER)
    texts = _referenced_texts(row)
    if texts is None and not answer and any(row.options):
        texts = [o for o in row.options if o]
    if texts is not None:
        blanks = [_alternatives(t) for t in texts]
    else:
        blanks = split_answer_text(answer.replace("\n", "；"), blank_count(question.stem))
    blanks = [b for b in blanks if b]
    if not blanks:
        _answer_error(row, _("填空题没有填写答案：请在答案列填写每个空的答案，多个空用“；”隔开，同一空的多个答案用“|”隔开。"), result)
        return False
    question.answer = blanks
    return True


def _alternatives(text: str) -> list[str]:
    seen = []
    for part in normalize(text).split("|"):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


_KEYWORDS = re.compile(r"(?:^|\n)\s*(?:关键词|关键字|得分点|keywords?)\s*[:：]\s*(.*)$", re.I)


def _short(row: Row, question: QuestionData) -> bool:
    answer = row.text(cols.ANSWER)
    texts = _referenced_texts(row)
    if texts is not None:
        answer = "\n".join(texts)
    keywords: list[str] = []
    match = _KEYWORDS.search(answer)
    if match:
        keywords = cols.split_list(match.group(1))
        answer = answer[:match.start()].rstrip()
    question.answer = {"reference": answer, "keywords": keywords}
    return True


def _by_registry(row: Row, result: ParseResult, question: QuestionData) -> bool:
    """A type this format has no rules of its own for: its answer read as the type reads the text template's."""
    qtype = get_type(question.type)
    if qtype.has_options:
        question.options = [o for o in row.options if o]
    answer, problem = qtype.answer_from_text(question, row.text(cols.ANSWER), [])
    if problem:
        _answer_error(row, problem, result)
        return False
    question.answer = answer
    return True


# -- one row -----------------------------------------------------------------


def build_question(row: Row, kind: str, tf_digits: dict[str, bool], result: ParseResult) -> QuestionData | None:
    stem = cols.clean_stem(row.text(cols.STEM))
    if not stem:
        result.errors.append(Issue(row.where(row.col(cols.STEM)), _(
            "这一行有内容但题目是空的：请填写题目，或删除这一行。")))
        return None
    if kind == "fill":
        stem = canonical_stem(stem)
    q = QuestionData(type=kind, stem=stem, where=row.where())
    if kind in ("single", "multiple"):
        ok = _choice(row, kind, result, q)
    elif kind == "truefalse":
        ok = _truefalse(row, tf_digits, result, q)
    elif kind == "fill":
        ok = _fill(row, result, q)
    elif kind == "short":
        ok = _short(row, q)
    else:
        ok = _by_registry(row, result, q)
    if not ok:
        return None
    _metadata(row, q, result)
    return q


def _metadata(row: Row, q: QuestionData, result: ParseResult) -> None:
    q.explanation = row.text(cols.EXPLANATION)
    q.source_excerpt = row.text(cols.SOURCE)
    q.category = normalize(row.text(cols.CATEGORY))
    q.tags = cols.split_list(row.text(cols.TAGS))
    q.job_types = cols.split_list(row.text(cols.JOB_TYPES))
    if row.text(cols.POINTS):
        points = cols.parse_points(row.text(cols.POINTS))
        if points == "bad":
            result.warnings.append(Issue(row.where(row.col(cols.POINTS)), _(
                "分值「%(value)s」不是数字，已忽略：请填写如 2 或 2.5 的数字。", value=row.text(cols.POINTS))))
        elif points != "":
            q.points = points
    if row.text(cols.DIFFICULTY):
        level = cols.parse_difficulty(row.text(cols.DIFFICULTY))
        if level == "bad":
            result.warnings.append(Issue(row.where(row.col(cols.DIFFICULTY)), _(
                "难度「%(value)s」无法识别，已忽略：请填写 1 到 5 的数字，或“简单”“中等”“困难”。",
                value=row.text(cols.DIFFICULTY))))
        elif level != "":
            q.difficulty = level
