"""Files of the sessions domain: the attendance sheet (Excel, and a PDF laid
out as a signed sheet to print and file), a unit's training records (Excel,
one row per person per training) and the printable record card (PDF, one
page per year). PDFs go through the platform's one renderer."""
from __future__ import annotations

import io

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from quiz.i18n import SHANGHAI
from quiz.org.services import unit_label
from quiz.sessions.attendance import Sheet
from quiz.sessions.records import KIND_LABELS, STATUS_LABELS, Entry, PersonHours, PersonRecord

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def _sheet(wb: Workbook, title: str, headers: list[str], widths: list[int]):
    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cells.append(cell)
    ws.append(cells)
    return ws


def _close(ws, columns: int, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"


def _time(value) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def attendance_xlsx(sheet: Sheet) -> bytes:
    wb = Workbook(write_only=True)
    headers = [_("单位"), _("姓名"), _("工号"), _("工种"), _("会场"), _("出勤情况"), _("签到时间"), _("签退时间"),
               _("学时"), _("名单外"), _("方式"), _("原因")]
    ws = _sheet(wb, _("签到表"), headers, [30, 10, 12, 10, 14, 10, 17, 17, 8, 8, 8, 24])
    methods = {"qr": _("扫码"), "code": _("签到码"), "manual": _("手工登记"), "sheet": _("纸质签到表")}
    for row in sheet.rows:
        a = row.attendance
        ws.append([unit_label(row.person.unit), row.person.name, row.person.employee_no,
                   row.person.job_type.name if row.person.job_type else "", row.venue_name,
                   _(STATUS_LABELS[row.status]), _time(a.signed_in_at) if a else "", _time(a.signed_out_at) if a else "",
                   a.hours if a else 0, _("是") if not row.in_audience else "",
                   methods.get(a.method, "") if a else "", (a.reason or "") if a else ""])
    _close(ws, len(headers), len(sheet.rows))
    summary = _sheet(wb, _("汇总"), [_("会场或单位"), _("出勤"), _("迟到"), _("缺勤"), _("请假")], [30, 8, 8, 8, 8])
    n = 0
    for name, counter in list(sheet.by_venue.items()) + [(None, None)] + list(sheet.by_unit.items()):
        if counter is None:
            summary.append([])
        else:
            summary.append([name or _("（未注明会场）"), counter["present"], counter["late"], counter["absent"],
                            counter["excused"]])
        n += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


PDF_CSS = """
@page { size: A4; margin: 14mm 12mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 9.5pt; color: #1d2430; }
h1 { font-size: 15pt; margin: 0 0 4pt; text-align: center; } h2 { font-size: 11pt; margin: 10pt 0 4pt; }
table { border-collapse: collapse; width: 100%; } th, td { border: 0.6pt solid #555; padding: 3pt 4pt; text-align: left; }
th { background: #eef1f5; } thead { display: table-header-group; } tr { page-break-inside: avoid; }
td.sign { width: 28mm; height: 9mm; }
.meta td { border: none; padding: 1pt 4pt; }
.card { page-break-after: always; } .card:last-child { page-break-after: auto; }
.card table.info td { width: 25%; }
.signatures { margin-top: 18pt; display: flex; justify-content: space-between; }
.signatures span { display: inline-block; min-width: 55mm; border-bottom: 0.6pt solid #333; padding-bottom: 14pt; }
.muted { color: #5b6573; }
"""


def _pdf(html: str) -> bytes:
    from quiz.certificates.render import html_to_pdf

    return html_to_pdf(html, css=PDF_CSS)


def attendance_pdf(sheet: Sheet) -> bytes:
    """A printable sheet: one line per person, a blank column to sign, the counts."""
    html = render_template("sessions/pdf_attendance.html", sheet=sheet, s=sheet.session,
                           status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, unit_label=unit_label)
    return _pdf(html)


def records_xlsx(rows: list[PersonHours], lines: dict[int, list[Entry]], year: int) -> bytes:
    """One row per person per training of ``year`` (a person with none gets one empty row)."""
    wb = Workbook(write_only=True)
    headers = [_("单位"), _("姓名"), _("工号"), _("工种"), _("日期"), _("类别"), _("培训或考试"), _("学时"), _("结果"),
               _("年度学时合计"), _("年度应修学时"), _("是否达标")]
    ws = _sheet(wb, _("培训档案 %(year)s", year=year), headers, [30, 10, 12, 10, 12, 10, 30, 8, 16, 12, 12, 10])
    n = 0
    for r in rows:
        person = r.person
        base = [unit_label(person.unit), person.name, person.employee_no, person.job_type.name if person.job_type else ""]
        tail = [r.hours, r.required, "" if r.required is None else (_("未达标") if r.below else _("达标"))]
        person_lines = lines.get(person.id) or [None]
        for e in person_lines:
            if e is None:
                ws.append(base + ["", "", "", 0, ""] + tail)
            else:
                ws.append(base + [e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d"), e.kind, e.title, e.hours, e.result]
                          + tail)
            n += 1
    _close(ws, len(headers), n)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def record_pdf(records: list[PersonRecord]) -> bytes:
    """The 安全教育培训档案 card of each person, one page per year."""
    from quiz.db import utcnow

    cards = []
    for record in records:
        years = sorted({e.year for e in record.lines}, reverse=True) or [utcnow().astimezone(SHANGHAI).year]
        for year in years:
            cards.append((record, year, [e for e in record.lines if e.year == year], record.years.get(year)))
    html = render_template("sessions/pdf_record.html", cards=cards, unit_label=unit_label)
    return _pdf(html)
