"""Excel, CSV and PDF exports of a completion report.

All three are built from the same ``Report`` rows and the same column lists
as the pages, so they agree to the person. Excel: ``quiz.xlsx_stream`` (rows
stream into the deflated file, memory stays flat), frozen header row, auto
filter, column widths, percentages stored as numbers with a percent format,
no formulas. CSV: UTF-8 with a BOM so Excel in Chinese opens it, streamed.
PDF: WeasyPrint through ``quiz.pdf.html_to_pdf`` (which
refuses external URLs), with the charts inline.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator

from flask_babel import gettext as _

from quiz.i18n import SHANGHAI
from quiz.spreadsheet import csv_row
from quiz.xlsx_stream import StreamBook
from quiz.reports.rollup import Counts, sum_counts
from quiz.reports.report import PersonRow, Report

PDF_MAX_ROWS = 3000  # beyond this the PDF says "see the Excel file"
LEVELS = ((1, "二级单位"), (2, "工区"), (3, "班组"))


def status_labels() -> dict[str, str]:
    return {"not_started": _("未开始"), "in_progress": _("进行中"), "passed": _("通过"), "failed": _("未通过"),
            "yes": _("是")}


def status_label(status: str) -> str:
    return status_labels().get(status, status)


def figure_headers() -> list[str]:
    return [_("应考人数"), _("未开始"), _("进行中"), _("通过"), _("未通过"), _("逾期"), _("完成率"), _("通过率")]


def figure_values(c: Counts) -> list:
    return [c.assigned, c.not_started, c.in_progress, c.passed, c.failed, c.overdue, c.completion_rate, c.pass_rate]


def chase_headers(report: Report) -> list[str]:
    headers = [_("考试"), _("二级单位"), _("工区"), _("班组"), _("工号"), _("姓名"), _("工种")]
    if report.show_phone:
        headers.append(_("电话"))
    return headers + [_("状态"), _("已考次数"), _("最高分"), _("逾期")]


def chase_values(report: Report, row: PersonRow, labels: dict[str, str] | None = None) -> list:
    labels = labels or status_labels()  # pass it in when writing many rows: gettext per cell is slow
    values = [report.assignments[row.assignment_id].title, *row.levels[1:4], row.employee_no, row.name, row.job_type]
    if report.show_phone:
        values.append(row.phone or "")
    return values + [labels.get(row.status, row.status), row.attempts, row.best_score,
                     labels["yes"] if row.overdue else ""]


def detail_headers(report: Report) -> list[str]:
    return chase_headers(report) + [_("最高得分率"), _("最近作答")]


def detail_values(report: Report, row: PersonRow, labels: dict[str, str] | None = None) -> list:
    last = row.last_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if row.last_at else ""
    pct = row.best_pct / 100 if row.best_pct is not None else None
    return chase_values(report, row, labels) + [pct, last]


# -- Excel -----------------------------------------------------------------------------------------------------------

PERCENT = "0.0%"


class Book:
    """The heads' workbook, written by ``quiz.xlsx_stream`` one sheet and one row after another.

    Measured on the whole-company report (``bench/reports.py`` prints all three
    in the same run): openpyxl's write-only mode and XlsxWriter's
    constant-memory mode spend most of their time in per-cell Python; the
    streaming writer builds each row's XML at once and takes a fraction of it.
    Text stays text (inline strings, risky text with Excel's quote prefix).
    """

    def __init__(self):
        self.book = StreamBook()

    def sheet(self, title: str, headers: list[str], widths: list[int], percent_columns: set[int] = frozenset()):
        return self.book.sheet(title, headers, widths, {i: PERCENT for i in percent_columns})

    def getvalue(self) -> bytes:
        return self.book.getvalue()


def _widths(headers: list[str], wide: dict[str, int] | None = None) -> list[int]:
    wide = wide or {}
    return [wide.get(h, max(8, min(30, 2 * len(h) + 4))) for h in headers]


def workbook_bytes(report: Report, book=None) -> bytes:
    """The whole report as an .xlsx file (``book``: another writer with ``Book``'s methods, for the benchmark)."""
    wb = book if book is not None else Book()
    figures = figure_headers()
    n_fig = len(figures)
    wide = {_("考试"): 24, _("单位"): 28, _("二级单位"): 16, _("工区"): 16, _("班组"): 14, _("姓名"): 10,
            _("工号"): 12, _("电话"): 14, _("最近作答"): 17}
    pct_cols = lambda offset: {offset + n_fig - 2, offset + n_fig - 1}  # noqa: E731

    # summary by unit: per assignment, the whole scope then each top unit, worst first
    headers = [_("考试"), _("截止日期"), _("单位"), *figures]
    sheet = wb.sheet(_("汇总"), headers, _widths(headers, wide), pct_cols(3))
    for info, total in report.totals():
        due = info.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d") if info.due_at else ""
        sheet.append([info.title, due, _("合计"), *figure_values(total)])
        for unit, counts in report.chart_units(info.id):
            sheet.append([info.title, due, report.tree.label(unit.id), *figure_values(counts)])
    sheet.close()

    # one sheet per level of the drill-down
    for depth, name in LEVELS:
        level_headers = [_("考试"), *[_(n) for _d, n in LEVELS if _d <= depth], *figures]
        sheet = wb.sheet(_(name), level_headers, _widths(level_headers, wide), pct_cols(1 + depth))
        for info in report.visible_assignments:
            for unit, counts in report.level(depth, info.id):
                names = report.tree.names_by_depth(unit.id)[1:depth + 1]
                sheet.append([info.title, *names, *figure_values(counts)])
        sheet.close()

    people = report.people()
    labels = status_labels()
    # the person level: each person's figures over the selected assignments
    person_headers = [_("二级单位"), _("工区"), _("班组"), _("工号"), _("姓名"), *figures]
    sheet = wb.sheet(_("人员"), person_headers, _widths(person_headers, wide), pct_cols(5))
    per_person: dict[int, tuple[PersonRow, list[Counts]]] = {}
    for row in people:
        info = report.assignments[row.assignment_id]
        per_person.setdefault(row.user_id, (row, []))[1].append(Counts.of_status(row.status, info.past_due(report.now)))
    for row, counts in per_person.values():
        sheet.append([*row.levels[1:4], row.employee_no, row.name, *figure_values(sum_counts(counts))])
    sheet.close()

    headers = chase_headers(report)
    sheet = wb.sheet(_("待督促"), headers, _widths(headers, wide))
    for row in people:
        if row.status != "passed":
            sheet.append(chase_values(report, row, labels))
    sheet.close()

    headers = detail_headers(report)
    sheet = wb.sheet(_("明细"), headers, _widths(headers, wide), {len(headers) - 2})
    for row in people:
        sheet.append(detail_values(report, row, labels))
    sheet.close()

    return wb.getvalue()


# -- CSV -------------------------------------------------------------------------------------------------------------

class _Line:
    def __init__(self):
        self.value = ""

    def write(self, text: str) -> None:
        self.value = text


def csv_lines(report: Report) -> Iterator[bytes]:
    """Who to chase as CSV, UTF-8 with BOM, one encoded line at a time (for a streamed response)."""
    buffer = _Line()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_row(chase_headers(report)))
    labels = status_labels()
    yield "\ufeff".encode() + buffer.value.encode("utf-8")
    for row in report.chase():
        writer.writerow(csv_row(chase_values(report, row, labels)))
        yield buffer.value.encode("utf-8")


# -- PDF -------------------------------------------------------------------------------------------------------------

# A4 landscape: the who-to-chase table has twelve columns. Names, units, statuses and numbers never
# break inside a word ("王氧/化", "未开/始"): only the assignment's title (the first column) wraps.
PDF_CSS = """
@page { size: A4 landscape; margin: 12mm 12mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 8.5pt; color: #1d2430; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 12pt 0 4pt; }
table { border-collapse: collapse; width: 100%; } th, td { border: 0.5pt solid #b8c2cf; padding: 2pt 3pt; text-align: left; }
th, td { white-space: nowrap; } td.wrap, th.wrap { white-space: normal; }
th { background: #dde7f3; } thead { display: table-header-group; } tr { page-break-inside: avoid; }
.charts { display: flex; flex-wrap: wrap; } .chart-box { width: 32%; margin: 0 1% 6pt 0; }
.muted { color: #5b6573; }
"""


def pdf_bytes(html: str) -> bytes:
    """HTML to PDF through the one renderer the platform has (refuses external URLs)."""
    from quiz.pdf import html_to_pdf

    return html_to_pdf(html, css=PDF_CSS)
