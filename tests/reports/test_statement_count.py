"""No N+1: the number of SQL statements of each report does not grow with people or units."""
from __future__ import annotations

from quiz.extensions import db
from tests.org.factories import login
from tests.reports.factories import grow
from tests.sql import statements


def statement_counts(client, org) -> dict[str, int]:
    urls = {
        "dashboard": "/reports/",
        "dashboard_one": f"/reports/?assignment={org.A1.id}",
        "drill_company": f"/reports/units/{org.company.id}",
        "drill_section": f"/reports/units/{org.smelter_sec.id}?assignment={org.A1.id}",
        "drill_team": f"/reports/units/{org.team1.id}",
        "chase": "/reports/chase",
        "xlsx": "/reports/export.xlsx",
        "csv": "/reports/chase.csv",
        "pdf": f"/reports/report.pdf?assignment={org.A1.id}",
        "person": f"/reports/people/{org.e5.id}",
    }
    out = {}
    for name, url in urls.items():
        db.session.expire_all()
        with statements() as seen:
            response = client.get(url)
            response.get_data()
        assert response.status_code == 200, url
        out[name] = len(seen)
    return out


def test_statement_count_does_not_grow(client, org):
    login(client, org.admin)
    small = statement_counts(client, org)
    grow(org)
    large = statement_counts(client, org)
    assert large == small
    assert max(small.values()) <= 15, small


def test_statement_count_for_a_head(client, org):
    login(client, org.head_e)
    small = statement_counts_head(client, org)
    grow(org, sections=2, teams=2, people=5)
    assert statement_counts_head(client, org) == small


def statement_counts_head(client, org) -> dict[str, int]:
    out = {}
    for url in ("/reports/", f"/reports/units/{org.smelter.id}", "/reports/chase", "/reports/export.xlsx"):
        db.session.expire_all()
        with statements() as seen:
            client.get(url).get_data()
        out[url] = len(seen)
    return out
