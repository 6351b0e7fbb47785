"""Getting a roster's rows out of the file: .xlsx, .xls or .csv, and its header row.

Pure: no Flask app, no database. ``_sheets`` tells the kind of file by its
first bytes (refusing zip bombs, Word documents and PDFs with a message in
Chinese) and yields each sheet's raw cell values; ``_collect`` keeps the
non-blank rows with their row numbers; ``_find_header`` finds the row that
names 工号 and 姓名 (even under a title row) and maps Chinese or English
column names to column keys.

Kept apart from ``parse`` because getting cells out of a file safely is a
different job from checking what the cells say, and changes for different
reasons (a new file kind, a new column name vs. a new rule about 工号).
"""
from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile

from flask_babel import gettext as _

from quiz.archives import CellBudget, UploadRefused, office_kind, open_zip
from quiz.text import UnreadableFile, decode, normalize

# Zip bombs and oversized sheets are refused by quiz.archives (a 20,000-person
# roster is about 1 MB packed, 10 MB unpacked).
MAX_COLUMNS = 40
MAX_BLANK_RUN = 500
HEADER_SEARCH_ROWS = 30

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# column key -> accepted header names (compared after _header_key)
HEADERS = {
    "employee_no": ("工号", "员工工号", "员工编号", "职工号", "职工编号", "人员编号", "员工号", "编号",
                    "employee_no", "employeeno", "employee_id", "employeeid", "id", "staff_no", "staffno", "emp_no"),
    "name": ("姓名", "员工姓名", "名字", "name", "full_name", "fullname"),
    "company": ("公司", "所属公司", "company"),
    "unit": ("单位", "二级单位", "分厂", "部门", "unit", "department", "dept"),
    "section": ("工区", "车间", "作业区", "section", "workshop"),
    "team": ("班组", "班", "班组名称", "team", "group", "crew"),
    "path": ("单位路径", "组织路径", "部门路径", "所属单位", "所属部门", "组织机构", "完整路径",
             "path", "unit_path", "org_path", "organisation", "organization"),
    "job_type": ("工种", "岗位工种", "岗位", "job_type", "jobtype", "job", "trade", "position"),
    "phone": ("手机号", "手机", "手机号码", "联系电话", "电话", "移动电话", "phone", "mobile", "tel", "telephone"),
    "roles": ("角色", "系统角色", "权限", "role", "roles"),
}
_HEADER_INDEX = {name: key for key, names in HEADERS.items() for name in names}


class UnreadableRoster(UnreadableFile):
    """The file cannot be read as a roster at all; ``str(exc)`` says what to do."""


# --------------------------------------------------------------------------- file kinds

def _refuse_bomb(data: bytes) -> None:
    try:
        archive = open_zip(data)
    except UploadRefused as exc:
        raise UnreadableRoster(str(exc)) from exc
    kind = office_kind(archive)
    archive.close()
    if kind != "xlsx":
        if kind == "docx":
            raise UnreadableRoster(_("这是 Word 文档，不是电子表格：请上传从人事系统导出的 .xlsx 或 .csv 花名册。"))
        raise UnreadableRoster(_("这不是 Excel 文件：请上传 .xlsx 或 .csv 格式的花名册。"))


def _xlsx_sheets(data: bytes):
    """Yield ``(sheet name, rows)``; rows are lists of raw cell values."""
    import openpyxl

    _refuse_bomb(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # data validation and extensions openpyxl skips
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableRoster(_("无法读取这个 Excel 文件：请在 Excel 中打开后另存为 .xlsx 再上传。")) from exc
    try:
        for sheet in book.worksheets:
            if hasattr(sheet, "iter_rows"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    yield sheet.title, sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    except UnreadableRoster:
        raise
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise UnreadableRoster(_("无法读取这个 Excel 文件：请在 Excel 中打开后另存为 .xlsx 再上传。")) from exc
    finally:
        book.close()


def _xls_sheets(data: bytes):
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        raise UnreadableRoster(_("无法读取这个 .xls 文件：请在 Excel 中另存为 .xlsx 后重新上传。")) from exc
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = []
            for r in range(sheet.nrows):
                row = []
                for c in range(min(sheet.ncols, MAX_COLUMNS)):
                    cell = sheet.cell(r, c)
                    row.append(cell.value if cell.ctype in (xlrd.XL_CELL_TEXT, xlrd.XL_CELL_NUMBER) else None)
                rows.append(row)
            yield sheet.name, rows
    finally:
        book.release_resources()


def _csv_sheets(data: bytes, filename: str):
    try:
        text = decode(data)
    except UnreadableFile as exc:
        raise UnreadableRoster(str(exc)) from exc
    first = text.split("\n", 1)[0]
    delimiter = ","
    for candidate in ("\t", ";"):
        if first.count(candidate) > first.count(","):
            delimiter = candidate
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableRoster(_("CSV 文件格式有误，无法读取：请在 Excel 中打开后另存为 .xlsx 再上传。")) from exc
    yield filename.rsplit("/", 1)[-1], rows


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return sum(1 for b in head if b < 9 or 13 < b < 32) > len(head) // 20 + 1


def _sheets(data: bytes, filename: str):
    """``(sheet name, rows)`` of every sheet, the rows counted against the file's cell budget."""
    if data.startswith(ZIP_MAGIC):
        sheets = _xlsx_sheets(data)
    elif data.startswith(OLE_MAGIC):
        sheets = _xls_sheets(data)
    elif data.startswith(b"%PDF") or _looks_binary(data[:4096]):
        raise UnreadableRoster(_("这不是电子表格文件：请上传从人事系统导出的 .xlsx 或 .csv 花名册（可在 Excel 中“另存为”）。"))
    else:
        sheets = _csv_sheets(data, filename)
    budget = CellBudget()
    return ((name, _bounded(rows, budget)) for name, rows in sheets)


def _bounded(rows, budget: CellBudget):
    for row in rows:
        try:
            budget.take(row)
        except UploadRefused as exc:
            raise UnreadableRoster(str(exc)) from exc
        yield row


# --------------------------------------------------------------------------- header

def _header_key(value) -> str | None:
    if not isinstance(value, str):
        return None
    text = normalize(value).lower()
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", text)  # 工号（必填）
    text = text.strip(" *:：").replace(" ", "_").replace("-", "_")
    return _HEADER_INDEX.get(text) or _HEADER_INDEX.get(text.replace("_", ""))


def _find_header(rows) -> tuple[int, list[tuple[int, str]]] | None:
    """The first row (within HEADER_SEARCH_ROWS) naming both 工号 and 姓名.
    Returns (its index among the rows read, [(column index, key)])."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping: list[tuple[int, str]] = []
        seen = set()
        for col, value in enumerate(cells):
            key = _header_key(value)
            if key and key not in seen:
                mapping.append((col, key))
                seen.add(key)
        if {"employee_no", "name"} <= seen:
            return index, mapping
    return None


# --------------------------------------------------------------------------- rows

def _collect(raw_rows) -> list[tuple[int, list]]:
    """Non-blank rows as (1-based row number, cells); stops after a long blank run."""
    rows = []
    blank_run = 0
    for number, values in enumerate(raw_rows, start=1):
        cells = list(values)[:MAX_COLUMNS]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        rows.append((number, cells))
    return rows
