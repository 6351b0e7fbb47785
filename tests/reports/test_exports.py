"""Excel, CSV and PDF: their structure, and that they agree with each other and the page, to the person."""
from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from tests.org.factories import login


@pytest.fixture
def head_client(client, org):
    login(client, org.head_e)
    return client


def workbook(client, query: str = ""):
    response = client.get(f"/reports/export.xlsx{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data))


def sheet_rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_excel_structure(head_client, org):
    wb = workbook(head_client, f"?assignment={org.A1.id}")
    assert wb.sheetnames == ["汇总", "二级单位", "工区", "班组", "人员", "待督促", "明细"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws.column_dimensions["A"].width >= 8
        for row in ws.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), "no formulas"
    summary = sheet_rows(wb["汇总"])
    total = summary[0]
    assert (total["单位"], total["应考人数"], total["通过"], total["未通过"], total["逾期"]) == ("合计", 6, 2, 1, 4)
    assert total["通过率"] == pytest.approx(2 / 6)
    # percentages are numbers with a percent format
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    rate_cell = ws.cell(row=2, column=header.index("通过率") + 1)
    assert isinstance(rate_cell.value, float) and "%" in rate_cell.number_format
    teams = {r["班组"]: (r["应考人数"], r["通过"]) for r in sheet_rows(wb["班组"])}
    assert teams == {"一班": (3, 1), "二班": (2, 1)}
    details = sheet_rows(wb["明细"])
    assert {r["工号"]: r["状态"] for r in details} == {
        "H001": "未开始", "E001": "通过", "E002": "未通过", "E003": "进行中", "E004": "未开始", "E005": "通过"}
    e5 = [r for r in details if r["工号"] == "E005"][0]
    assert (e5["已考次数"], e5["最高分"], e5["最高得分率"]) == (2, 90, 0.9)
    assert "电话" in details[0]
    assert {r["工号"]: r["电话"] for r in details}["E001"] == "13900000001"


def test_trainer_exports_have_no_phone(client, org):
    login(client, org.trainer)
    wb = workbook(client)
    assert "电话" not in [c.value for c in wb["待督促"][1]]
    lines = client.get("/reports/chase.csv").data.decode("utf-8-sig").splitlines()
    assert "电话" not in lines[0]


def test_csv_has_bom_and_rows(head_client, org):
    response = head_client.get(f"/reports/chase.csv?assignment={org.A1.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:7] == ["考试", "二级单位", "工区", "班组", "工号", "姓名", "工种"]
    assert [r[4] for r in rows[1:]] == ["H001", "E002", "E003", "E004"]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def chase_keys_from_page(html: str) -> list[str]:
    return re.findall(r'<tr data-employee="([^"]+)">', html)


@pytest.mark.parametrize("who, query", [("head_e", "?assignment={A1}"), ("admin", ""), ("head_a", "")])
def test_page_excel_csv_pdf_agree_to_the_person(client, org, who, query):
    login(client, getattr(org, who))
    query = query.format(A1=org.A1.id)
    page = client.get(f"/reports/chase{query}").get_data(as_text=True)
    from_page = chase_keys_from_page(page)
    assert from_page
    wb = workbook(client, query)
    chase_sheet = sheet_rows(wb["待督促"])
    details = sheet_rows(wb["明细"])
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/chase.csv{query}").data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    from_csv = [(r[header.index("考试")], r[header.index("工号")], r[header.index("状态")]) for r in body]
    from_xlsx = [(r["考试"], r["工号"], r["状态"]) for r in chase_sheet]
    assert from_csv == from_xlsx
    assert [k for _a, k, _s in from_xlsx] == from_page
    # the details sheet holds the same not-passed people, plus those who passed
    assert [(r["考试"], r["工号"], r["状态"]) for r in details if r["状态"] != "通过"] == from_xlsx
    # the summary agrees with the details
    summary_total = sum(r["应考人数"] for r in sheet_rows(wb["汇总"]) if r["单位"] == "合计")
    assert summary_total == len(details)
    pdf = client.get(f"/reports/report.pdf{query}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    for _assignment, number, _status in from_xlsx:
        assert number in text
    assert f"待督促名单（{len(from_xlsx)}）" in text.replace(" ", "")
    # and the dashboard page shows the same totals
    dashboard = client.get(f"/reports/{query}").get_data(as_text=True)
    for r in sheet_rows(wb["汇总"]):
        if r["单位"] == "合计":
            assert f">{r['应考人数']}</td>" in dashboard


def test_pdf_has_the_charts(head_client, org):
    response = head_client.get(f"/reports/report.pdf?assignment={org.A1.id}")
    text = pdf_text(response.data)
    # the charts' own text is drawn: the histogram's axis, the timeline's legend and due-date marker
    assert "培训完成情况报告" in text and "最高得分率 %" in text and "已完成 已通过" in text and "截止" in text
