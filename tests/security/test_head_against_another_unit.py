"""A head of one unit against another unit's people, reports, exports and certificates.

The head of 电解厂 tries every way into 氧化铝厂: object ids in URLs (guessed
by incrementing), unit filters in query strings, and the downloads. Objects
outside the scope are 403/404; filters are silently limited to the scope, so
no export holds anyone of 氧化铝厂.
"""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from pypdf import PdfReader

from sqlalchemy import select

from quiz.certificates.models import Certificate
from quiz.certificates.services import issue_for_attempt
from quiz.extensions import db
from tests.exams.factories import make_attempt
from tests.org.factories import login
from tests.reports.factories import build_org

OUTSIDE = ("王一", "王二", "王三", "O001", "O002", "O003", "王氧化", "H002")


@pytest.fixture
def org(app):
    with app.test_request_context():
        o = build_org()
        attempt = make_attempt(o.a1, o.exam1, o.A1, score=100.0, passed=True, number=9, graded=True)
        db.session.flush()
        o.a1_cert = db.session.scalar(select(Certificate).where(Certificate.user_id == o.a1.id)) \
            or issue_for_attempt(attempt)
        db.session.commit()
        assert o.a1_cert is not None
        yield o


@pytest.fixture
def head(client, org):
    login(client, org.head_e)
    return client


def test_objects_of_another_unit_by_url(head, org):
    urls = [f"/org/people/{org.a1.id}", f"/org/people/{org.a1.id}/edit", f"/reports/people/{org.a1.id}",
            f"/reports/people/{org.head_a.id}", f"/reports/units/{org.alumina.id}", f"/reports/units/{org.ore.id}",
            f"/reports/units/{org.grind.id}", f"/org/units/{org.alumina.id}",
            f"/certificates/bulk/download?exam={org.exam1.id}&unit={org.alumina.id}&format=zip",
            f"/certificates/bulk/download?exam={org.exam1.id}&unit={org.company.id}&format=pdf"]
    urls.append(f"/certificates/{org.a1_cert.id}.pdf")
    for url in urls:
        assert head.get(url).status_code in (403, 404), url
    # ids guessed by incrementing from the head's own people: every hit is inside the scope
    inside = {org.e1.id, org.e2.id, org.e3.id, org.e4.id, org.e5.id, org.head_e.id}
    for person_id in range(1, max(inside) + 10):
        status = head.get(f"/reports/people/{person_id}").status_code
        assert status in (403, 404) or person_id in inside, person_id


def test_query_string_filters_are_limited_to_the_scope(head, org):
    for query in (f"?unit={org.alumina.id}", f"?unit={org.company.id}", f"?unit={org.grind.id}&unit={org.smelter.id}",
                  f"?unit=-1", "?unit=1 OR 1=1"):
        page = head.get(f"/reports/{query}").get_data(as_text=True)
        chase = head.get(f"/reports/chase{query}").get_data(as_text=True)
        csv_text = head.get(f"/reports/chase.csv{query}").data.decode("utf-8-sig")
        wb = openpyxl.load_workbook(io.BytesIO(head.get(f"/reports/export.xlsx{query}").data))
        cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
        pdf = head.get(f"/reports/report.pdf{query}")
        pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages) if pdf.status_code == 200 else ""
        for text, what in ((page, "page"), (chase, "chase"), (csv_text, "csv"), (cells, "xlsx"), (pdf_text, "pdf")):
            leaked = [name for name in OUTSIDE if name in text]
            assert not leaked, f"{what}{query}: {leaked}"
        rows = list(csv.reader(io.StringIO(csv_text)))
        assert all(r[1].startswith("电解厂") for r in rows[1:]), query

