"""Question banks in spreadsheets: .xlsx, legacy .xls and .csv.

``parse(data, filename)`` reads what trainers already have (templates of other
exam systems, 问卷星 exports, hand-made sheets) into a ``ParseResult``;
``export(questions)`` and ``template()`` write the platform's own template
(see ``sheet_export``), which ``parse`` reads back unchanged.

How a sheet is read:

* The header row is found wherever it is (under a title row, on row 3, and
  again further down when a second table starts in the same sheet); rows
  above the first header are titles. Column names are matched in Chinese and
  English (``sheet_columns``).
* Every sheet with a header is parsed; a sheet identical to an earlier one
  is reported and skipped, so a workbook with three copies of one table does
  not import every question three times.
* The type comes from the type column (words or numeric codes) or, when it is
  empty, from the shape of the answer: several letters -> multiple, 对/错 ->
  true/false, one letter with options -> single, text without options ->
  fill-in (short answer when the text is long).
* Numeric type codes (0/1/2, 1/2/3) are decided per table by what the rows
  of each code look like; the mapping chosen is reported as a warning.
* True/false keys written 1/2 mean 1 = 正确; written 0/1 in a table whose type
  codes start at 0 they are option indices (0 = 正确), otherwise 1 = 正确.

Errors and warnings say ``工作表「名称」第 N 行`` (and the column letter when one
cell is at fault) and what to do, in Chinese, through gettext.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _

import quiz.banks.types  # noqa: F401  (the registry first: its modules import formats.common)
from quiz.banks.formats import sheet_columns as cols
from quiz.banks.formats.common import normalize, parse_letters, parse_truefalse
from quiz.banks.formats.sheet_read import read_grids
from quiz.banks.types.base import Issue, ParseResult, QuestionData, Skipped, UnreadableFile
from quiz.banks.types.fill import blank_count, canonical_stem, split_answer_text

__all__ = ["parse", "export", "template", "UnreadableFile"]

FORMAT = "sheet"
LONG_ANSWER = 30  # a text answer longer than this, with no options, is a short answer
_INSTRUCTION_SHEETS = {"填写说明", "说明", "使用说明", "导入说明", "填表说明"}


def _column_letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass
class _Row:
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
        return base + " " + _("%(col)s 列", col=_column_letter(col))

    def text(self, name: str) -> str:
        return self.cells.get(name, ("", None))[0]

    def col(self, name) -> int | None:
        return self.cells.get(name, ("", self.columns.get(name)))[1]


# -- reading rows ------------------------------------------------------------


def _row_from_cells(sheet: str, number: int, cells: list[str], mapping: dict,
                    result: ParseResult) -> _Row | None:
    row = _Row(sheet, number, columns={name: col for col, name in mapping.items()})
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


def _json_options(row: _Row, result: ParseResult) -> list[str]:
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


def _split_ampersand_stem(row: _Row) -> None:
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


def _shape(row: _Row) -> str | None:
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


@dataclass
class _Block:
    """Rows under one header row, with the numeric conventions decided for them."""

    sheet: str
    header_row: int
    mapping: dict
    rows: list[_Row] = field(default_factory=list)
    code_types: dict[str, str] = field(default_factory=dict)
    tf_digits: dict[str, bool] = field(default_factory=lambda: {"1": True, "0": False})


def _decide_codes(block: _Block, result: ParseResult) -> None:
    votes: dict[str, Counter] = defaultdict(Counter)
    for row in block.rows:
        code = normalize(row.text(cols.TYPE))
        if code.isdigit():
            votes[code][_shape(row)] += 1
    if not votes:
        return
    for code, counter in votes.items():
        counter.pop(None, None)
        if counter:
            block.code_types[code] = counter.most_common(1)[0][0]
    if block.code_types:
        described = "，".join(
            f"{code}={cols.TYPE_LABELS[name]}" for code, name in sorted(block.code_types.items()))
        result.warnings.append(Issue(
            _("工作表「%(sheet)s」第 %(row)d 行", sheet=block.sheet, row=block.header_row),
            _("题型列用的是数字代码，已按各行答案的样子推断为：%(map)s。如有不符，请把题型改写为“单选题”“多选题”“判断题”“填空题”或“简答题”。",
              map=described)))
    tf_answers = {normalize(r.text(cols.ANSWER)) for r in block.rows
                  if block.code_types.get(normalize(r.text(cols.TYPE))) == "truefalse" and not any(r.options)}
    if "2" in tf_answers:
        block.tf_digits = {"1": True, "2": False}
    elif "0" in votes and tf_answers & {"0", "1"}:
        block.tf_digits = {"0": True, "1": False}
        result.warnings.append(Issue(
            _("工作表「%(sheet)s」第 %(row)d 行", sheet=block.sheet, row=block.header_row),
            _("题型代码从 0 开始，判断题答案 0/1 按选项序号理解：0=正确，1=错误。如有不符，请把判断题答案改写为“正确”或“错误”。")))


def _row_type(row: _Row, block: _Block, result: ParseResult, inferred: list[int]) -> str | None:
    raw = normalize(row.text(cols.TYPE))
    if raw:
        if raw.isdigit():
            name = block.code_types.get(raw)
            if name is None:
                result.errors.append(Issue(row.where(row.col(cols.TYPE)), _(
                    "题型代码「%(code)s」无法判断是哪种题：请把题型改写为“单选题”“多选题”“判断题”“填空题”或“简答题”。",
                    code=raw)))
            return name
        name, unsupported = cols.type_from_name(raw)
        if unsupported:
            result.skipped.append(Skipped(row.where(row.col(cols.TYPE)), raw))
            return None
        if name is None:
            result.errors.append(Issue(row.where(row.col(cols.TYPE)), _(
                "题型「%(type)s」无法识别：请填写“单选题”“多选题”“判断题”“填空题”或“简答题”。", type=raw)))
        return name
    name = _shape(row)
    if name is None:
        result.errors.append(Issue(row.where(), _(
            "没有填写题型，也无法从答案判断题型：请在题型列填写“单选题”“多选题”“判断题”“填空题”或“简答题”。")))
        return None
    inferred.append(row.number)
    return name


# -- answers -----------------------------------------------------------------


def _answer_error(row: _Row, message: str, result: ParseResult) -> None:
    col = row.col(cols.ANSWER)
    result.errors.append(Issue(row.where(col), message))


def _choice(row: _Row, kind: str, result: ParseResult, question: QuestionData) -> bool:
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


def _truefalse(row: _Row, block: _Block, result: ParseResult, question: QuestionData) -> bool:
    answer = row.text(cols.ANSWER)
    value = None
    options = [o for o in row.options if o]
    letters = parse_letters(answer, len(row.options)) if options else None
    if letters and len(letters) == 1 and row.options[letters[0]]:
        value = parse_truefalse(row.options[letters[0]])
        if value is None and len(options) == 2:
            value = letters[0] == 0
    elif answer in block.tf_digits:
        value = block.tf_digits[answer]
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


def _referenced_texts(row: _Row) -> list[str] | None:
    """Answer ``A`` / ``AB`` pointing at texts typed into the option columns."""
    letters = parse_letters(row.text(cols.ANSWER), len(row.options)) if row.options else None
    if letters and all(row.options[i] for i in letters):
        return [row.options[i] for i in letters]
    return None


def _fill(row: _Row, result: ParseResult, question: QuestionData) -> bool:
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


def _short(row: _Row, question: QuestionData) -> bool:
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


# -- one row -----------------------------------------------------------------


def _question(row: _Row, kind: str, block: _Block, result: ParseResult) -> QuestionData | None:
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
        ok = _truefalse(row, block, result, q)
    elif kind == "fill":
        ok = _fill(row, result, q)
    else:
        ok = _short(row, q)
    if not ok:
        return None
    _metadata(row, q, result)
    return q


def _metadata(row: _Row, q: QuestionData, result: ParseResult) -> None:
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


def _validate(q: QuestionData, result: ParseResult) -> bool:
    """Ask the type registry, when it exists, whether the question is complete."""
    try:
        from quiz.banks import types as registry
        get = registry.get
    except (ImportError, AttributeError):
        return True
    try:
        problems = get(q.type).validate(q)
    except (ValueError, TypeError) as exc:
        problems = [str(exc)]
    if isinstance(problems, str):
        problems = [problems]
    problems = [p for p in (problems or []) if p and not isinstance(p, bool)]
    for problem in problems:
        result.errors.append(Issue(q.where, str(problem)))
    return not problems


# -- sheets ------------------------------------------------------------------


def _blocks(grid, result: ParseResult) -> tuple[list[_Block], bool]:
    """Split a sheet into tables, one per header row. Returns (blocks, found_header)."""
    blocks: list[_Block] = []
    block = None
    for number, cells in grid.rows:
        mapping = cols.map_header(cells)
        if mapping is not None:
            block = _Block(grid.name, number, mapping)
            blocks.append(block)
            continue
        if block is None:
            continue
        row = _row_from_cells(grid.name, number, cells, block.mapping, result)
        if row is not None:
            block.rows.append(row)
    return blocks, bool(blocks)


def _parse_block(block: _Block, result: ParseResult) -> None:
    fields = set(block.mapping.values())
    if cols.ANSWER not in fields:
        missing = [r for r in block.rows if _row_kind_hint(r) != "short"]
        if missing:
            result.errors.append(Issue(
                _("工作表「%(sheet)s」第 %(row)d 行", sheet=block.sheet, row=block.header_row),
                _("表头中没有答案列，%(n)d 道题都没有正确答案，因此一道也没有导入：请在表头加一列“正确答案”，逐行填写答案后重新上传。",
                  n=len(missing))))
            return
    _decide_codes(block, result)
    inferred: list[int] = []
    for row in block.rows:
        for col in row.stray:
            result.warnings.append(Issue(row.where(col), _(
                "这个单元格上方没有列标题，内容已忽略：如需导入，请把它移到对应的列（如“难度”列）。")))
        kind = _row_type(row, block, result, inferred)
        if kind is None:
            continue
        question = _question(row, kind, block, result)
        if question is not None and _validate(question, result):
            result.questions.append(question)
    if inferred:
        shown = "、".join(str(n) for n in inferred[:10]) + ("…" if len(inferred) > 10 else "")
        result.warnings.append(Issue(
            _("工作表「%(sheet)s」第 %(row)d 行", sheet=block.sheet, row=block.header_row),
            _("%(n)d 道题没有填写题型，已按答案推断（第 %(rows)s 行）：请在预览中核对。",
              n=len(inferred), rows=shown)))


def _row_kind_hint(row: _Row) -> str | None:
    name, _unsupported = cols.type_from_name(row.text(cols.TYPE))
    return name


def parse(data: bytes, filename: str) -> ParseResult:
    """Read a question bank from an .xlsx, .xls or .csv file.

    Raises ``UnreadableFile`` when the bytes are not a spreadsheet at all (or
    are a zip bomb); everything else is reported in the result.
    """
    result = ParseResult(format=FORMAT)
    _kind, grids = read_grids(data, filename)
    seen: dict[tuple, str] = {}
    found_header = False
    headerless = []
    for grid in grids:
        if not grid.rows:
            continue
        fingerprint = tuple(tuple(cells) for _n, cells in grid.rows)
        if fingerprint in seen:
            result.warnings.append(Issue(
                _("工作表「%(sheet)s」", sheet=grid.name),
                _("这个工作表与工作表「%(other)s」内容完全相同，已跳过，以免题目重复导入。", other=seen[fingerprint])))
            continue
        seen[fingerprint] = grid.name
        blocks, has_header = _blocks(grid, result)
        if not has_header:
            headerless.append(grid.name)
            continue
        found_header = True
        for block in blocks:
            _parse_block(block, result)
    where_file = _("文件「%(name)s」", name=filename)
    if not found_header and headerless:
        result.errors.append(Issue(where_file, _(
            "没有找到表头行：请在题目上方的一行写上列名，如“题型”“题目”“选项A”…“正确答案”，"
            "或下载平台的导入模板，按模板填写后再上传。")))
    elif headerless:
        for name in headerless:
            if name.strip() not in _INSTRUCTION_SHEETS:
                result.warnings.append(Issue(_("工作表「%(sheet)s」", sheet=name), _(
                    "这个工作表没有表头行（题目、正确答案等列名），已跳过：如果其中有题目，请加上表头。")))
    if not result.questions and not result.errors and not result.skipped:
        result.errors.append(Issue(where_file, _(
            "文件中没有题目：请在表头下面逐行填写题目（可参考平台的导入模板）后重新上传。")))
    return result


def export(questions: list[QuestionData]) -> bytes:
    """The platform's Excel template filled with ``questions`` (see ``sheet_export``)."""
    from quiz.banks.formats.sheet_export import export as _export

    return _export(questions)


def template() -> bytes:
    """The blank template to download: one example of every type and a 填写说明 sheet."""
    from quiz.banks.formats.sheet_export import template as _template

    return _template()
