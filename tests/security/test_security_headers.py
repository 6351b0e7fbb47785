"""Headers on every page for every role: a Content-Security-Policy that runs only the
app's own scripts and styles, plus nosniff, a referrer policy and framing rules.

Before: no Content-Security-Policy at all, so a ``<script>`` that got into a
page (the certificate issuer text) ran in every admin's browser. The pages
themselves are also read: no inline script, no ``on*=`` handler, no
``style=`` attribute, which the policy would block (and which would show that
someone added one).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import login
from tests.test_role_matrix import MATRIX, ROLES, world  # noqa: F401  (fixture)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = words[1:]
    return found


def _page_policy_problems(policy: str, preview: bool = False) -> list[str]:
    d = directives(policy)
    problems = []
    script = d.get("script-src", d.get("default-src"))
    if preview:
        if script not in (None, ["'none'"]) and d.get("default-src") != ["'none'"]:
            problems.append(f"preview runs scripts: {script}")
    elif script != ["'self'"]:
        problems.append(f"script-src {script}")
    if not preview and d.get("style-src") != ["'self'"]:
        problems.append(f"style-src {d.get('style-src')}")
    expected = {"object-src": ["'none'"], "frame-ancestors": ["'self'"], "img-src": ["'self'", "data:"]}
    if not preview:
        expected.update({"base-uri": ["'self'"], "form-action": ["'self'"]})
    for name, value in expected.items():
        if d.get(name) != value:
            problems.append(f"{name} {d.get(name)}")
    return problems


def _markup_problems(html: str) -> list[str]:
    problems = []
    for pattern, what in ((INLINE_SCRIPT, "inline <script>"), (HANDLER, "on*= handler"),
                          (STYLE_ATTR, "style= attribute"), (JS_URL, "javascript: URL")):
        match = pattern.search(html)
        if match:
            problems.append(f"{what}: {match.group(0)[:80]}")
    return problems


@pytest.mark.parametrize("role", ["signed out", *ROLES])
def test_every_page_carries_the_security_headers(app, world, role):
    people, ids, _ = world
    client = app.test_client()
    if role != "signed out":
        assert login(client, people[role]).status_code == 302
    wrong = []
    for endpoint, (template, _allowed) in MATRIX.items():
        url = template.format(**ids)
        response = client.get(url)
        body = response.get_data()
        response.close()
        headers = response.headers
        where = f"{endpoint} {url} ({response.status_code})"
        if headers.get("X-Content-Type-Options") != "nosniff":
            wrong.append(f"{where}: X-Content-Type-Options {headers.get('X-Content-Type-Options')}")
        if headers.get("Referrer-Policy") not in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"):
            wrong.append(f"{where}: Referrer-Policy {headers.get('Referrer-Policy')}")
        policy = headers.get("Content-Security-Policy")
        if not policy:
            wrong.append(f"{where}: no Content-Security-Policy")
            continue
        if directives(policy).get("frame-ancestors") != ["'self'"]:
            wrong.append(f"{where}: frame-ancestors")
        if response.mimetype == "text/html":
            preview = endpoint == "certificates.template_preview"
            wrong += [f"{where}: {p}" for p in _page_policy_problems(policy, preview)]
            if not preview:
                wrong += [f"{where}: {p}" for p in _markup_problems(body.decode("utf-8", "replace"))]
    assert not wrong, "\n".join(wrong)


def test_error_pages_and_json_carry_the_policy_too(client, app):
    for response in (client.get("/no-such-page"), client.get("/healthz"), client.post("/lang", data={"lang": "en"})):
        assert "script-src 'self'" in response.headers.get("Content-Security-Policy", ""), response.status_code
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_handlers_or_style_attributes():
    """Pages the matrix cannot reach (partials, error paths) are read from the files."""
    wrong = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "pdf" in path.relative_to(TEMPLATES).parts:  # rendered by WeasyPrint to PDF, never served as a page
            continue
        for problem in _markup_problems(path.read_text(encoding="utf-8")):
            wrong.append(f"{path.relative_to(TEMPLATES)}: {problem}")
    assert not wrong, "\n".join(wrong)
