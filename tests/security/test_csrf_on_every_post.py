"""CSRF: every POST route refuses a request without the form's token (400), signed in as an admin."""
from __future__ import annotations

import re

from tests.org.factories import PASSWORD, make_user


def test_every_post_route_refuses_a_missing_csrf_token(csrf_app):
    client = csrf_app.test_client()
    admin = make_user("000001", roles={"admin": [None]})
    # sign in through the real form, token included
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"employee_no": admin.employee_no, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    checked = []
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in {"static"}:
            continue
        if rule.endpoint in csrf_app.extensions["csrf"]._exempt_views or "auth.logout" == rule.endpoint:
            pass
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", "1", url)
        response = client.post(url, data={"x": "1"}, headers={"Accept": "text/html"})
        assert response.status_code == 400, f"{rule.endpoint} {url} accepted a POST without a CSRF token"
        checked.append(rule.endpoint)
    assert "auth.login" in checked and "org.reset_password" in checked


def test_a_json_post_needs_the_token_in_its_header(csrf_app):
    """The phone's API sends JSON with the token in ``X-CSRFToken``: every POST
    route refuses JSON without it or with a wrong one, also when the body
    carries a ``csrf_token`` field (a JSON body is not a form)."""
    from quiz.exams.models import Attempt
    from quiz.extensions import db
    from tests.banks.factories import make_bank, make_question
    from tests.exams.factories import make_exam

    client = csrf_app.test_client()
    worker = make_user()
    exam = make_exam([make_question(make_bank(), "single") for _ in range(2)], assign_to=worker,
                     time_limit_minutes=10)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"employee_no": worker.employee_no, "password": PASSWORD, "csrf_token": token})
    intro = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', intro).group(1)
    attempt_id = int(client.post(f"/exams/{exam.id}/start", data={"csrf_token": token})
                     .headers["Location"].rsplit("/", 1)[1])
    save = f"/api/attempts/{attempt_id}/answers"
    body = {"position": 0, "values": ["1"], "seq": 1}
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(attempt_id), url)
        assert client.post(url, json={**body, "csrf_token": token}).status_code == 400, rule.endpoint
        assert client.post(url, json=body, headers={"X-CSRFToken": "forged"}).status_code == 400, rule.endpoint
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).items[0].response is None
    saved = client.post(save, json=body, headers={"X-CSRFToken": token})
    assert saved.status_code == 200 and saved.get_json()["saved_seq"] == 1
