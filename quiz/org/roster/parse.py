"""Reading the HR roster export (.xlsx, .xls or .csv) into checked rows.

Pure: no Flask app, no database. ``parse_roster`` gets the rows and the
header row out of the file (``read``: file kinds, zip-bomb limits,
header detection, Chinese or English column names) and checks every row
here. Each problem comes back with its row number and what to do about it;
what it could fix by itself (a 工号 stored as a number, spaces in a phone
number, a repeated identical row) comes back as a warning.

Whether a row changes anything in the database is decided by the import
service (``quiz.org.roster.importing``), not here.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from quiz.org.roster.read import UnreadableRoster, _collect, _find_header, _sheets
from quiz.text import normalize

ROLE_WORDS = {
    "员工": "worker", "职工": "worker", "普通员工": "worker", "worker": "worker", "employee": "worker",
    "培训员": "trainer", "培训师": "trainer", "培训管理员": "trainer", "trainer": "trainer",
    "部门负责人": "head", "负责人": "head", "单位负责人": "head", "head": "head", "manager": "head",
    "管理员": "admin", "系统管理员": "admin", "admin": "admin", "administrator": "admin",
}
_ROLE_SPLIT = re.compile(r"[、,，;；/|+\s]+")

UNIT_LEVELS = ("company", "unit", "section", "team")

_EMPLOYEE_NO = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_DOT_ZERO = re.compile(r"^(\d+)\.0+$")
_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass
class RosterIssue:
    row: int | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "message": self.message}


@dataclass
class RosterRow:
    """One person as the roster states them. Empty optional cells are ``""``
    (and ``roles`` None): "not stated", which the import leaves unchanged."""

    row_number: int
    employee_no: str
    name: str
    unit_path: list[str]
    job_type: str
    phone: str
    roles: list[str] | None
    numeric_employee_no: bool = False  # Excel stored it as a number


@dataclass
class RosterParseResult:
    rows: list[RosterRow] = field(default_factory=list)  # the rows without errors
    errors: list[RosterIssue] = field(default_factory=list)
    warnings: list[RosterIssue] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # column keys found, in sheet order
    header_row: int = 0
    sheet: str = ""
    total_rows: int = 0  # data rows read, with or without errors
    employee_nos: set[str] = field(default_factory=set)  # every 工号 in the file, bad rows too

    @property
    def ok(self) -> bool:
        return not self.errors

    def has(self, column: str) -> bool:
        return column in self.columns


# --------------------------------------------------------------------------- cells

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat()
    return normalize(str(value))


_PATH_SEPARATORS = ("/", "／", ">", "＞", "\\", "→")


def split_path(value: str) -> list[str]:
    """``中铝山西新材料/氧化铝厂/矿制工区/一班`` (or with ／ > -) to its names.

    ``-`` separates only when nothing else does, so ``1班-3`` inside a
    ``/`` path stays one name."""
    value = value.strip()
    if not value:
        return []
    for sep in _PATH_SEPARATORS:
        if sep in value:
            return [part.strip() for part in value.split(sep) if part.strip()]
    if "-" in value:
        return [part.strip() for part in value.split("-") if part.strip()]
    return [value]


def parse_roles(value: str) -> tuple[list[str] | None, list[str]]:
    """``培训员、部门负责人`` to (["trainer", "head"], unknown words). Empty: (None, [])."""
    words = [w for w in _ROLE_SPLIT.split(value.strip()) if w]
    if not words:
        return None, []
    roles, unknown = [], []
    for word in words:
        role = ROLE_WORDS.get(word.lower())
        if role is None:
            unknown.append(word)
        elif role not in roles:
            roles.append(role)
    return sorted(roles, key=("worker", "trainer", "head", "admin").index), unknown


# --------------------------------------------------------------------------- rows

def parse_roster(data: bytes, filename: str) -> RosterParseResult:
    """Read a roster file. Raises ``UnreadableRoster`` (message in Chinese)
    when it is not a spreadsheet, is empty, or has no 工号/姓名 header."""
    if not data or not data.strip():
        raise UnreadableRoster(_("文件是空的：请上传从人事系统导出的花名册（.xlsx 或 .csv）。"))
    found = None
    for sheet_name, raw_rows in _sheets(data, filename):
        rows = _collect(raw_rows)
        header = _find_header([cells for _n, cells in rows])
        if header is not None:
            found = (sheet_name, rows, header)
            break
    if found is None:
        raise UnreadableRoster(_(
            "找不到表头：花名册需要有一行写着“工号”和“姓名”（也可用 employee_no 和 name），"
            "其余列可为 单位、工区、班组（或 单位路径）、工种、手机号、角色。请检查后重新上传。"))
    sheet_name, rows, (header_index, mapping) = found
    result = RosterParseResult(columns=[key for _c, key in mapping], header_row=rows[header_index][0],
                               sheet=sheet_name)
    _read_rows(rows[header_index + 1:], mapping, result)
    if result.total_rows == 0:
        raise UnreadableRoster(_("花名册只有表头，没有人员：请检查导出的文件。"))
    return result


def _read_rows(rows, mapping, result: RosterParseResult) -> None:
    unit_columns = [(col, key) for col, key in mapping if key in UNIT_LEVELS or key == "path"]
    single_unit_column = len(unit_columns) == 1
    seen: dict[str, RosterRow] = {}
    bad: set[int] = set()
    numeric: list[RosterRow] = []
    text_has_leading_zero = False
    for number, cells in rows:
        raw = {key: (cells[col] if col < len(cells) else None) for col, key in mapping}
        values = {key: _text(value) for key, value in raw.items()}
        employee_no, name = values.get("employee_no", ""), values.get("name", "")
        if not employee_no and not name:
            result.warnings.append(RosterIssue(number, _("第 %(row)d 行没有工号和姓名，已跳过。", row=number)))
            continue
        result.total_rows += 1
        errors: list[str] = []
        numeric_no = isinstance(raw.get("employee_no"), (int, float)) and not isinstance(raw.get("employee_no"), bool)
        if not numeric_no and _DOT_ZERO.match(employee_no):  # a CSV saved from Excel: 123.0
            employee_no, numeric_no = _DOT_ZERO.match(employee_no).group(1), True
        if isinstance(raw.get("employee_no"), float) and not raw["employee_no"].is_integer() or \
                _SCIENTIFIC.match(employee_no):
            errors.append(_("第 %(row)d 行：工号“%(no)s”被 Excel 当成了数字（小数或科学计数法），原工号已无法还原。"
                            "请在 Excel 中把工号列设为“文本”格式，从人事系统重新导出后再上传。",
                            row=number, no=employee_no))
        elif not employee_no:
            errors.append(_("第 %(row)d 行：工号为空。请补上 %(name)s 的工号，或删除这一行。", row=number, name=name))
        elif not _EMPLOYEE_NO.match(employee_no):
            errors.append(_("第 %(row)d 行：工号“%(no)s”含有不允许的字符。工号只能包含数字、字母、短横线和下划线，最长 32 位。",
                            row=number, no=employee_no))
        if not name:
            errors.append(_("第 %(row)d 行：工号 %(no)s 的姓名为空。请填写姓名。", row=number, no=employee_no))
        elif len(name) > 60:
            errors.append(_("第 %(row)d 行：姓名过长（最多 60 个字）。", row=number))
        path = _unit_path(values, unit_columns, single_unit_column)
        if any(len(part) > 100 for part in path):
            errors.append(_("第 %(row)d 行：单位名称过长（每级最多 100 个字）。", row=number))
        job_type = values.get("job_type", "")
        if len(job_type) > 60:
            errors.append(_("第 %(row)d 行：工种名称过长（最多 60 个字）。", row=number))
        phone = _phone(values.get("phone", ""), number, errors, result)
        roles, unknown = parse_roles(values.get("roles", ""))
        if unknown:
            errors.append(_("第 %(row)d 行：角色“%(words)s”无法识别。可填：员工、培训员、部门负责人、管理员"
                            "（多个用顿号“、”分隔），或留空。", row=number, words="、".join(unknown)))
        elif roles and "head" in roles and not path:
            errors.append(_("第 %(row)d 行：部门负责人需要填写所负责的单位（单位/工区/班组）。", row=number))
        row = RosterRow(number, employee_no, name, path, job_type, phone, roles, numeric_no)
        if employee_no:
            result.employee_nos.add(employee_no)
            first = seen.get(employee_no)
            if first is not None:
                if _same(first, row):
                    result.warnings.append(RosterIssue(number, _(
                        "第 %(row)d 行与第 %(first)d 行完全相同，已忽略重复的一行。", row=number, first=first.row_number)))
                    continue
                errors.append(_("第 %(row)d 行：工号 %(no)s 与第 %(first)d 行重复（%(a)s / %(b)s）。同一工号只能出现一次，"
                                "请删除或改正其中一行；这两行都不会导入。", row=number, no=employee_no,
                                first=first.row_number, a=first.name, b=name))
                bad.add(first.row_number)
            else:
                seen[employee_no] = row
        for message in errors:
            result.errors.append(RosterIssue(number, message))
        if errors:
            bad.add(number)
        if numeric_no:
            numeric.append(row)
        elif employee_no.startswith("0"):
            text_has_leading_zero = True
        result.rows.append(row)
    for row in numeric:
        if row.row_number in bad:
            continue
        if text_has_leading_zero:
            bad.add(row.row_number)
            result.errors.append(RosterIssue(row.row_number, _(
                "第 %(row)d 行：工号 %(no)s 在 Excel 里是数字格式，而其他工号带前导零，这个工号的前导零可能已丢失。"
                "请在 Excel 中把工号列设为“文本”格式，从人事系统重新导出后再上传。", row=row.row_number, no=row.employee_no)))
        else:
            result.warnings.append(RosterIssue(row.row_number, _(
                "第 %(row)d 行：工号是数字格式，已按文本“%(no)s”读取。如果工号本应有前导零，"
                "请把工号列设为“文本”格式后重新导出。", row=row.row_number, no=row.employee_no)))
    result.rows = [row for row in result.rows if row.row_number not in bad]
    result.errors.sort(key=lambda issue: issue.row or 0)
    result.warnings.sort(key=lambda issue: issue.row or 0)


def _same(a: RosterRow, b: RosterRow) -> bool:
    return (a.name, a.unit_path, a.job_type, a.phone, a.roles) == (b.name, b.unit_path, b.job_type, b.phone, b.roles)


def _unit_path(values: dict, unit_columns, single_column: bool) -> list[str]:
    if single_column:
        return split_path(values.get(unit_columns[0][1], "")) if unit_columns else []
    path: list[str] = []
    for key in ("path", *UNIT_LEVELS):
        if any(k == key for _c, k in unit_columns) and values.get(key):
            value = values[key]
            path.extend(split_path(value) if key == "path" else [value])
    return path


def _phone(value: str, number: int, errors: list[str], result: RosterParseResult) -> str:
    if not value:
        return ""
    cleaned = re.sub(r"[\s()（）]", "", value)
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    elif cleaned.startswith("86") and len(cleaned) == 13:
        cleaned = cleaned[2:]
    if _MOBILE.match(cleaned.replace("-", "")):
        cleaned = cleaned.replace("-", "")
    if _MOBILE.match(cleaned) or _LANDLINE.match(cleaned):
        if cleaned != value:
            result.warnings.append(RosterIssue(number, _("第 %(row)d 行：手机号“%(old)s”已整理为 %(new)s。",
                                                         row=number, old=value, new=cleaned)))
        return cleaned
    errors.append(_("第 %(row)d 行：手机号“%(phone)s”不是有效的号码。请填写 11 位手机号（或带区号的座机号），或留空。",
                    row=number, phone=value))
    return value
