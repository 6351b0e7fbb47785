"""Question banks in spreadsheets: .xlsx, legacy .xls and .csv.

``parse(data, filename)`` reads what trainers already have (templates of other
exam systems, 问卷星 exports, hand-made sheets) into a ``ParseResult``;
``export(questions)`` and ``template()`` write the platform's own template
(see ``sheet.write``), which ``parse`` reads back unchanged.

Modules: ``sheet.grids`` gets text grids out of the file (zip-bomb check
first), ``sheet.columns`` says what header names and small cells mean,
``sheet.rows`` turns one row into one question, and this module finds the
tables, decides the per-table conventions and collects the result.

How a sheet is read:

* The header row is found wherever it is (under a title row, on row 3, and
  again further down when a second table starts in the same sheet); rows
  above the first header are titles. Column names are matched in Chinese and
  English (``sheet.columns``).
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

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _

from quiz.banks.formats.sheet import columns as cols
from quiz.banks.formats.sheet import rows as sheet_rows
from quiz.banks.formats.sheet.grids import read_grids
from quiz.banks.types import get as get_type
from quiz.banks.types.base import Issue, ParseResult, QuestionData, Skipped
from quiz.text import normalize

__all__ = ["parse", "export", "template"]

FORMAT = "sheet"
_INSTRUCTION_SHEETS = {"填写说明", "说明", "使用说明", "导入说明", "填表说明"}


@dataclass
class _Block:
    """Rows under one header row, with the numeric conventions decided for them."""

    sheet: str
    header_row: int
    mapping: dict
    rows: list[sheet_rows.Row] = field(default_factory=list)
    code_types: dict[str, str] = field(default_factory=dict)
    tf_digits: dict[str, bool] = field(default_factory=lambda: {"1": True, "0": False})


def _decide_codes(block: _Block, result: ParseResult) -> None:
    votes: dict[str, Counter] = defaultdict(Counter)
    for row in block.rows:
        code = normalize(row.text(cols.TYPE))
        if code.isdigit():
            votes[code][sheet_rows.shape(row)] += 1
    if not votes:
        return
    for code, counter in votes.items():
        counter.pop(None, None)
        if counter:
            block.code_types[code] = counter.most_common(1)[0][0]
    if block.code_types:
        described = "，".join(
            f"{code}={get_type(name).title}" for code, name in sorted(block.code_types.items()))
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


def _row_type(row: sheet_rows.Row, block: _Block, result: ParseResult, inferred: list[int]) -> str | None:
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
    name = sheet_rows.shape(row)
    if name is None:
        result.errors.append(Issue(row.where(), _(
            "没有填写题型，也无法从答案判断题型：请在题型列填写“单选题”“多选题”“判断题”“填空题”或“简答题”。")))
        return None
    inferred.append(row.number)
    return name


def _validate(q: QuestionData, result: ParseResult) -> bool:
    """Ask the type registry whether the question is complete."""
    try:
        problems = get_type(q.type).validate(q)
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
        row = sheet_rows.row_from_cells(grid.name, number, cells, block.mapping, result)
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
        question = sheet_rows.build_question(row, kind, block.tf_digits, result)
        if question is not None and _validate(question, result):
            result.questions.append(question)
    if inferred:
        shown = "、".join(str(n) for n in inferred[:10]) + ("…" if len(inferred) > 10 else "")
        result.warnings.append(Issue(
            _("工作表「%(sheet)s」第 %(row)d 行", sheet=block.sheet, row=block.header_row),
            _("%(n)d 道题没有填写题型，已按答案推断（第 %(rows)s 行）：请在预览中核对。",
              n=len(inferred), rows=shown)))


def _row_kind_hint(row: sheet_rows.Row) -> str | None:
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
    """The platform's Excel template filled with ``questions`` (see ``sheet.write``)."""
    from quiz.banks.formats.sheet.write import export as _export

    return _export(questions)


def template() -> bytes:
    """The blank template to download: one example of every type and a 填写说明 sheet."""
    from quiz.banks.formats.sheet.write import template as _template

    return _template()
