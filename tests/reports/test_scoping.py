"""A head of 电解厂 gets nothing of 氧化铝厂, whatever the URL or query string says;
workers get 403 everywhere."""
from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.org.models import Unit, User
from tests.org.factories import login

# everything of 氧化铝厂 a page could leak: units, people, 工号, phones, its own exam
FOREIGN = ("氧化铝厂", "矿制工区", "磨矿一班", "王一", "王二", "王三", "王氧化", "O001", "O002", "O003", "H002",
           "13900000011", "磨工岗位")


def urls(org) -> list[str]:
    base = ["/reports/", "/reports/units", "/reports/chase", "/reports/export.xlsx", "/reports/chase.csv",
            "/reports/report.pdf"]
    queries = ["", f"?unit={org.alumina.id}", f"?unit={org.grind.id}", f"?assignment={org.A3.id}",
               f"?assignment={org.A3.id}&unit={org.ore.id}", "?unit=999999", "?assignment=abc&unit=-1"]
    return [b + q for b in base for q in queries]


def body_text(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        wb = openpyxl.load_workbook(io.BytesIO(response.data))
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None) + "\n".join(wb.sheetnames)
    if response.mimetype == "application/pdf":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    return response.data.decode("utf-8-sig")


def test_head_gets_nothing_of_another_unit_on_any_report_or_export(client, org):
    login(client, org.head_e)
    for url in urls(org):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_text(response)
        for word in FOREIGN:
            assert word not in text, (url, word)


def test_objects_out_of_scope_are_404_including_guessed_ids(client, org):
    login(client, org.head_e)
    visible_units = {org.smelter.id, org.smelter_sec.id, org.team1.id, org.team2.id}
    top_unit = db.session.scalar(select(func.max(Unit.id)))
    for unit_id in range(1, top_unit + 3):
        status = client.get(f"/reports/units/{unit_id}").status_code
        assert status == (200 if unit_id in visible_units else 404), unit_id
    visible_people = {org.head_e.id, org.e1.id, org.e2.id, org.e3.id, org.e4.id, org.e5.id}
    top_user = db.session.scalar(select(func.max(User.id)))
    for person_id in range(1, top_user + 3):
        status = client.get(f"/reports/people/{person_id}").status_code
        assert status == (200 if person_id in visible_people else 404), person_id
    # most-missed pages are per exam: an exam only 氧化铝厂 took or was given is out of scope
    assert client.get(f"/reports/exams/{org.exam3.id}/missed").status_code == 404
    assert client.get(f"/reports/exams/{org.exam1.id}/missed").status_code == 200
    assert client.get("/reports/exams/999/missed").status_code == 404


def test_drill_down_of_own_unit_leaks_nothing_through_the_query_string(client, org):
    login(client, org.head_e)
    response = client.get(f"/reports/units/{org.smelter.id}?unit={org.alumina.id}&assignment={org.A3.id}")
    text = response.get_data(as_text=True)
    for word in FOREIGN:
        assert word not in text


def test_trainer_limited_to_a_unit_cannot_analyse_foreign_exams(client, org):
    org.trainer.grants[0].unit_id = org.smelter.id
    db.session.commit()
    login(client, org.trainer)
    assert client.get(f"/reports/exams/{org.exam3.id}/items").status_code == 404
    assert client.get(f"/reports/exams/{org.exam1.id}/items").status_code == 200
    assert "磨工考试" not in client.get("/reports/exams").get_data(as_text=True)


def test_head_without_trainer_role_has_no_item_analysis(client, org):
    login(client, org.head_e)
    assert client.get(f"/reports/exams/{org.exam1.id}/items").status_code == 403


@pytest.mark.parametrize("path", ["/reports/", "/reports/units", "/reports/chase", "/reports/export.xlsx",
                                  "/reports/chase.csv", "/reports/report.pdf", "/reports/exams",
                                  "/reports/units/1", "/reports/people/1", "/reports/exams/1/items",
                                  "/reports/exams/1/missed"])
def test_workers_get_403(client, org, path):
    login(client, org.e1)
    assert client.get(path).status_code == 403


def test_signed_out_is_sent_to_login(client, org):
    assert client.get("/reports/").status_code == 302


def test_head_home_panel(client, org):
    login(client, org.head_e)
    text = client.get("/").get_data(as_text=True)
    assert "培训完成情况" in text and "全员安全考试" in text and "磨工岗位" not in text
