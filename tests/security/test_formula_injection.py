"""Spreadsheet formula injection: user text in every xlsx and csv the app writes stays text.

An assignment titled ``=HYPERLINK("http://…","点击查看成绩")`` used to become a live
formula in the heads' Excel file and a formula in the chase-list CSV. Every
writer goes through ``quiz.spreadsheet``: risky text (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) is a text cell with Excel's quote prefix in
xlsx and gets a leading apostrophe in csv; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from quiz.extensions import db
from tests.org.factories import login, make_user
from tests.reports.factories import build_org

LINK = '=HYPERLINK("http://evil.example/","点击查看成绩")'
RISKY = [LINK, "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def org(app):
    with app.test_request_context():
        yield build_org()


def cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_no_formula(wb, expect_text: list[str]):
    seen = {}
    for cell in cells(wb):
        assert cell.data_type != "f", f"{cell.parent.title}!{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            seen[cell.value] = cell
    for text in expect_text:
        assert text in seen, f"{text!r} missing from the workbook"
        assert seen[text].data_type == "s" and seen[text].quotePrefix, text


def test_report_excel_and_csv_keep_an_assignment_title_as_text(client, org):
    org.A1.title = LINK
    org.e2.name = "+SUM(1,2)"
    db.session.commit()
    login(client, org.head_e)
    r = client.get(f"/reports/export.xlsx?assignment={org.A1.id}")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert_no_formula(wb, [LINK, "+SUM(1,2)"])
    # numbers stay numbers
    header = [c.value for c in wb["汇总"][1]]
    total = [c.value for c in wb["汇总"][2]]
    assert isinstance(total[header.index("应考人数")], int)
    assert isinstance(total[header.index("通过率")], float)

    r = client.get(f"/reports/chase.csv?assignment={org.A1.id}")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    titles = {row[0] for row in rows[1:]}
    assert titles == {"'" + LINK}
    assert "'+SUM(1,2)" in {row[5] for row in rows[1:]}
    assert not any(field.startswith(("=", "+", "-", "@")) for row in rows for field in row)


def test_initial_password_sheet_keeps_names_as_text(app):
    from quiz.org.roster.importing import IssuedPassword
    from quiz.org.roster.passwords import initial_passwords_xlsx

    with app.test_request_context():
        data = initial_passwords_xlsx([IssuedPassword("000123", name, "ABCDEFGH2345", "电解厂 / " + name)
                                       for name in RISKY])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert_no_formula(wb, RISKY)


def test_rejected_rows_sheet_keeps_the_stem_as_text(client, app):
    from quiz.spreadsheet import set_cell

    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    book = openpyxl.Workbook()
    ws = book.active
    for col, value in enumerate(["题型", "题目", "选项A", "选项B", "正确答案"], start=1):
        ws.cell(1, col, value)
    for row in (2, 3):  # the same question twice: the second is left out and listed
        for col, value in enumerate(["单选题", LINK, "甲", "-乙", "A"], start=1):
            set_cell(ws, row, col, value)
    out = io.BytesIO()
    book.save(out)
    payload = {"file": (io.BytesIO(out.getvalue()), "题库.xlsx"), "bank_id": "0", "new_title": "公式", "format": "auto"}
    r = client.post("/banks/upload", data=payload, content_type="multipart/form-data")
    token = r.headers["Location"].rsplit("/", 1)[-1]
    r = client.get(f"/banks/upload/{token}/rejected.xlsx")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert_no_formula(wb, [LINK, "-乙"])


def test_bank_export_keeps_risky_stems_as_text_and_round_trips(client, app):
    from quiz.banks import importing, services
    from quiz.banks.formats import parse
    from quiz.banks.types.base import ParseResult, QuestionData

    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    with app.test_request_context():
        bank = services.create_bank("公式题库")
        qs = [QuestionData(type="single", stem=f"{s} 是哪一项？", options=["-1", "=2"], answer=[0], where="x")
              for s in ("=1+1", "+3", "@4")]
        importing.import_questions(bank, ParseResult(format="text", questions=qs))
        db.session.commit()
        bank_id = bank.id
    r = client.get(f"/banks/{bank_id}/export/xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert_no_formula(wb, ["=1+1 是哪一项？", "+3 是哪一项？", "@4 是哪一项？", "-1", "=2"])
    with app.test_request_context():
        back = parse(r.data, "export.xlsx")
    assert sorted(q.stem for q in back.questions) == ["+3 是哪一项？", "=1+1 是哪一项？", "@4 是哪一项？"]
    assert all(q.options == ["-1", "=2"] for q in back.questions)
