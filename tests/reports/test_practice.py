"""Practice assignments are practice: done or not done, never in pass rates or chase lists
(issue 11, point 8)."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from quiz.auth.scopes import scope_for
from quiz.extensions import db
from quiz.reports.report import Report
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_assignment, make_attempt, make_exam
from tests.org.factories import login

TITLE = "安全规程练习"


@pytest.fixture
def practice(org):
    bank = make_bank()
    exam = make_exam([make_question(bank)], title="规程练习", pass_mark=0.0, commit=False)
    exam.mode = "practice"
    assignment = make_assignment(exam, units=[org.company], title=TITLE, due_at=org.now)
    make_attempt(org.e1, exam, assignment, score=1, max_score=1, counted=False)  # 张一 practised
    make_attempt(org.e2, exam, assignment, status="in_progress", counted=False)  # 张二 began, did not finish
    db.session.commit()
    return assignment


def test_practice_is_never_in_the_figures_or_the_chase_list(org, practice):
    report = Report(scope_for(org.head_e, "view"))
    assert practice.id not in {info.id for info, _c in report.totals()}
    assert all(r.assignment_id != practice.id for r in report.chase())
    assert [(info.id, assigned, done) for info, assigned, done in report.practice()] == [(practice.id, 6, 1)]


def test_the_pages_and_exports_show_practice_as_done_or_not(client, org, practice):
    login(client, org.head_e)
    page = client.get("/reports/").get_data(as_text=True)
    figures = page[page.index('id="assignments"'):page.index("</table>", page.index('id="assignments"'))]
    assert TITLE not in figures
    assert re.search(r'<table[^>]*id="practice"', page)
    row = re.search(rf'<tr data-practice="{practice.id}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert TITLE in cells[0] and cells[1:4] == ["6", "1", "5"]  # assigned, done, not done
    assert "不计成绩" in page
    assert TITLE not in client.get("/reports/chase").get_data(as_text=True)
    lines = client.get("/reports/chase.csv").data.decode("utf-8-sig")
    assert TITLE not in lines
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/export.xlsx").data))
    assert not any(TITLE in str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r
                   if ws.title != "练习")
    person = client.get(f"/reports/people/{org.e1.id}").get_data(as_text=True)
    assert TITLE in person and "已练习" in person
    assert "已练习" not in client.get(f"/reports/people/{org.e4.id}").get_data(as_text=True)


def test_the_intro_of_a_practice_says_nothing_of_a_pass_mark(client, org, practice):
    login(client, org.e4)
    page = client.get(f"/exams/{practice.exam_id}").get_data(as_text=True)
    assert "练习" in page and "及格" not in page
