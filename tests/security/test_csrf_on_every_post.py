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
