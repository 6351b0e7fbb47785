"""Reading .xlsx, .xls and .csv files into plain grids of text.

Pure functions. Every cell comes back as ``str`` the way a person would read
it: numbers without a spurious ``.0``, dates as ``1997年7月1日``, line endings
folded to ``\\n``. What each column means is decided elsewhere
(``sheet.columns``); this module only gets the cells out safely.

A spreadsheet is a zip file, so an .xlsx is checked for zip bombs (total
unpacked size, per-member compression ratio, member count) before openpyxl
opens it, and reading stops past a number of rows and cells (``quiz.archives``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

from quiz.archives import CellBudget, UploadRefused, office_kind, open_zip
from quiz.text import UnreadableFile, decode

# A sheet may claim a range far beyond its data (A1:XFD1048576). Stop after
# this many blank rows in a row, and never read past this many columns.
MAX_BLANK_RUN = 500
MAX_COLUMNS = 64

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Grid:
    """One sheet: its name and its non-blank rows as (1-based row number, cells)."""

    name: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_grids(data: bytes, filename: str) -> tuple[str, list[Grid]]:
    """Return ``(kind, grids)`` where kind is ``xlsx``, ``xls`` or ``csv``.

    The kind comes from the bytes, not the name, so a renamed file still
    opens. Raises ``UnreadableFile`` with a message saying what to do.
    """
    if not data or not data.strip():
        return "csv", []
    if data.startswith(ZIP_MAGIC):
        return "xlsx", _read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        return "xls", _read_xls(data, filename)
    if data.startswith(b"%PDF") or _looks_binary(data[:4096]):
        raise UnreadableFile(_(
            "这不是电子表格文件：请上传 .xlsx、.xls 或 .csv 格式的题库（可在 Excel 中“另存为”）。"
        ))
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "CSV"
    return "csv", [_read_csv(data, stem)]


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 20 + 1


def cell_text(value) -> str:
    """One cell value to text: ``3`` not ``3.0``, ``3.5``, dates in Chinese."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return f"{value.year}年{value.month}月{value.day}日"
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    text = str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _rows_to_grid(name: str, rows, budget: CellBudget | None = None) -> Grid:
    grid = Grid(name)
    blank_run = 0
    for number, values in enumerate(rows, start=1):
        if budget is not None:
            try:
                budget.take(values)
            except UploadRefused as exc:
                raise UnreadableFile(str(exc)) from exc
        cells = [cell_text(v) for v in list(values)[:MAX_COLUMNS]]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        grid.rows.append((number, cells))
    return grid


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open ``data`` as a zip, refusing bombs (``quiz.archives``). Returns the open ZipFile."""
    try:
        archive = open_zip(data)
    except UploadRefused as exc:
        raise UnreadableFile(str(exc)) from exc
    kind = office_kind(archive)
    if kind != "xlsx":
        if kind == "docx":
            raise UnreadableFile(_("这是 Word 文档（.docx），不是电子表格：请按 Word 题库格式导入，或把题目整理到 Excel 模板中。"))
        raise UnreadableFile(_("这不是 Excel 文件：请上传 .xlsx、.xls 或 .csv 格式的题库。"))
    return archive


def _read_xlsx(data: bytes) -> list[Grid]:
    import openpyxl

    archive = check_zip(data)
    archive.close()
    try:
        with warnings.catch_warnings():
            # Real files carry data validation, conditional formats and
            # extensions openpyxl does not support; they do not matter here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                grids = []
                budget = CellBudget()
                for sheet in book.worksheets:
                    if not hasattr(sheet, "iter_rows"):  # chartsheets
                        continue
                    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
                    grids.append(_rows_to_grid(sheet.title, rows, budget))
                return grids
            finally:
                book.close()
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise UnreadableFile(_(
            "无法读取这个 Excel 文件：请在 Excel 中打开后另存为 .xlsx 再上传。"
        )) from exc


def _read_xls(data: bytes, filename: str) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        if filename.lower().endswith(".doc") or b"W\x00o\x00r\x00d\x00D\x00o\x00c" in data:
            raise UnreadableFile(_(
                "这是旧版 Word 文档（.doc）：请在 Word 中另存为 .docx 后重新上传。"
            )) from exc
        raise UnreadableFile(_(
            "无法读取这个 .xls 文件：请在 Excel 中打开后另存为 .xlsx 再上传。"
        )) from exc
    grids = []
    budget = CellBudget()
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            grids.append(_rows_to_grid(sheet.name, _xls_rows(sheet, book.datemode), budget))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids


def _xls_rows(sheet, datemode):
    import xlrd

    for r in range(sheet.nrows):
        values = []
        for c in range(min(sheet.ncols, MAX_COLUMNS)):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    values.append(xlrd.xldate_as_datetime(cell.value, datemode))
                except (ValueError, OverflowError):
                    values.append(cell.value)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                values.append(bool(cell.value))
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                values.append(None)
            else:
                values.append(cell.value)
        yield values


def _read_csv(data: bytes, name: str) -> Grid:
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ","
    for candidate in ("\t", ";"):
        if first.count(candidate) > first.count(",") and first.count(candidate) >= 1:
            delimiter = candidate
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(_(
            "CSV 文件格式有误，无法读取：请在 Excel 中打开后另存为 .xlsx 再上传。"
        )) from exc
    return _rows_to_grid(name, rows, CellBudget())
