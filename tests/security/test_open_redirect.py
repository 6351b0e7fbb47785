"""Open redirect: a ``next`` taken from the request sends people only to a page of this app.

Browsers drop tabs and newlines inside a URL and read a backslash as a slash,
so ``/\\t/evil.example/`` becomes ``//evil.example/``, a link to another site.
Every payload below, given to the sign-in page (by query string, as a link
someone was sent, or by the form) and to the language switch, must land on a
path of this app; none may give a 500.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.org.factories import PASSWORD, login, make_user

PAYLOADS = [
    "//evil.example/",
    "///evil.example/",
    "/\t/evil.example/",
    "/%09/evil.example/",
    "/\n/evil.example/",
    "/%0a/evil.example/",
    "/%0A/x",
    "\\\\evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "https:evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "%2f%2fevil.example/",
    "/%5Cevil.example/",
    "/%5C%5Cevil.example/",
    "http:/\\/evil.example",
    "\r\n//evil.example/",
]


def _browser_target(location: str) -> str:
    """Where a browser goes with this Location: it drops tab/CR/LF and reads \\ as /."""
    cleaned = "".join(ch for ch in location if ch not in "\t\r\n").replace("\\", "/")
    return cleaned


def _stays_here(location: str) -> bool:
    from urllib.parse import unquote

    target = _browser_target(unquote(location) if location.startswith("%") else location)
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sign_in_next_payload_stays_on_this_site(client, app, payload):
    user = make_user()
    response = client.post("/login", data={"employee_no": user.employee_no, "password": PASSWORD,
                                           "next": payload})
    assert response.status_code == 302, response.status_code
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sign_in_link_with_next_in_query_string_stays_on_this_site(client, app, payload):
    """The link form: /login?next=… carried through the hidden field to the sign-in."""
    from urllib.parse import quote

    user = make_user()
    page = client.get("/login?next=" + quote(payload, safe="%"))
    assert page.status_code == 200
    import re

    html = page.get_data(as_text=True)
    match = re.search(r'<input id="next" [^>]*value="([^"]*)"', html)  # the sign-in form's, not the language switch's
    carried = match.group(1) if match else ""
    import html as htmlmod

    response = client.post("/login", data={"employee_no": user.employee_no, "password": PASSWORD,
                                           "next": htmlmod.unescape(carried)})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


def test_newline_in_next_gives_no_server_error(client, app):
    user = make_user()
    response = client.post("/login?next=/%0A/x", data={"employee_no": user.employee_no, "password": PASSWORD,
                                                       "next": "/\n/x"})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_language_switch_stays_on_this_site(client, app, payload):
    response = client.post("/lang", data={"lang": "en", "next": payload})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


def test_a_real_page_is_kept_after_sign_in(client, app):
    user = make_user()
    response = client.post("/login", data={"employee_no": user.employee_no, "password": PASSWORD,
                                           "next": "/tasks?tab=done"})
    assert response.headers["Location"] == "/tasks?tab=done"
    assert client.post("/lang", data={"lang": "zh", "next": "/tasks"}).headers["Location"] == "/tasks"


def test_sign_in_page_reached_from_a_protected_page_returns_there(client, app):
    user = make_user()
    to_login = client.get("/tasks")
    assert "/login" in to_login.headers["Location"]
    next_value = urlsplit(to_login.headers["Location"]).query
    from urllib.parse import parse_qs

    target = parse_qs(next_value)["next"][0]
    response = client.post("/login", data={"employee_no": user.employee_no, "password": PASSWORD, "next": target})
    assert urlsplit(response.headers["Location"]).path == "/tasks"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_local_path_refuses_every_payload(payload):
    from quiz.auth.redirects import local_path

    assert local_path(payload) is None


@pytest.mark.parametrize("good", ["/", "/tasks", "/attempts/3?x=1#q2", "/a/%2f%2fb"])
def test_local_path_keeps_real_paths(good):
    from quiz.auth.redirects import local_path

    assert local_path(good) == good
