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

from tests.org.factories import login
from tests.test_role_matrix import MATRIX, ROLES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
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
                          (STYLE_ATTR, "style= attribute"), (STYLE_ELEMENT, "<style> block"),
                          (JS_URL, "javascript: URL")):
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


# -- in a real browser: the policy blocks nothing the app itself needs ------------------------

CSP_WATCH = """(function () {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + location.pathname);
  });
})();"""


@pytest.mark.browser
def test_no_policy_violation_in_the_browser_and_the_exam_still_works(browser, live_server, app, artifacts):
    from quiz.extensions import db
    from tests.banks.factories import make_bank, make_question
    from tests.exams.factories import assign, make_exam
    from tests.org.factories import PASSWORD, make_unit, make_user

    company = make_unit("中铝山西新材料有限公司", kind="company")
    team = make_unit("一班", make_unit("氧化铝厂", company), kind="team")
    people = {
        "worker": make_user("780001", name="孙工", unit=team),
        "trainer": make_user("780002", name="周培训", unit=company, roles={"trainer": [None]}),
        "head": make_user("780003", name="吴负责", unit=company, roles={"head": [company.id]}),
        "admin": make_user("780004", name="郑管理", unit=company, roles={"admin": [None]}),
    }
    bank = make_bank("行为安全")
    questions = [make_question(bank, "single", stem=f"第{i}题") for i in range(3)]
    exam = make_exam(questions, title="安全考试", time_limit_minutes=20)
    assign(exam, unit=company)
    from datetime import timedelta

    from quiz.auth.models import SignInFailure
    from quiz.db import utcnow

    db.session.add(SignInFailure(employee_no="780001", address="10.20.30.66", failures=5,
                                 blocked_until=utcnow() + timedelta(minutes=12)))
    db.session.add(SignInFailure(employee_no="789999", address="10.20.30.66", failures=5,
                                 blocked_until=utcnow() + timedelta(minutes=9)))
    db.session.commit()
    pages = {
        "worker": ["/", "/tasks", f"/exams/{exam.id}", "/practice", "/mistakes", "/certificates/", "/password"],
        "trainer": ["/trainer/exams", f"/trainer/exams/{exam.id}/edit", f"/trainer/exams/{exam.id}/live",
                    "/banks", f"/banks/{bank.id}", "/trainer/grading", "/reports/exams"],
        "head": ["/reports/", "/reports/chase", "/org/people", "/org/units"],
        "admin": ["/org/people", "/org/units", "/org/audit", "/certificates/admin/template", "/admin/sign-in-locks",
                  "/org/roster"],
    }
    violations, errors = [], []
    for role, urls in pages.items():
        context = browser.new_context(viewport={"width": 1280, "height": 800} if role != "worker" else
                                      {"width": 360, "height": 740}, base_url=live_server, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(10000)
        page.add_init_script(CSP_WATCH)
        page.on("console", lambda m: ("Content Security Policy" in m.text or "Refused to" in m.text)
                and violations.append(f"{m.text[:160]}"))
        page.on("pageerror", lambda e: errors.append(str(e)[:160]))
        page.goto("/login")
        page.fill("#employee_no", people[role].employee_no)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # live pages refresh, iframes load
            violations.extend(page.evaluate("window.__csp || []"))
        if role == "worker":  # the exam: countdown and autosave under the policy
            page.goto(f"/exams/{exam.id}")
            page.click("#start")
            page.wait_for_url("**/attempts/*")
            first = page.locator("#countdown").inner_text()
            page.wait_for_timeout(1600)
            assert page.locator("#countdown").inner_text() != first, "the countdown does not run"
            page.locator("#q0 input[name='q0'][value='2']").check()
            page.wait_for_function("() => document.querySelector('#q0 [data-sync]').className.indexOf('saved') >= 0")
            page.screenshot(path=str(artifacts / "csp-exam-saved-360.png"))
            violations.extend(page.evaluate("window.__csp || []"))
        if role == "admin":
            page.goto("/admin/sign-in-locks")
            assert "孙工" in page.locator("#locks").inner_text()
            page.screenshot(path=str(artifacts / "sign-in-locks-1280.png"), full_page=True)
            page.set_viewport_size({"width": 360, "height": 740})
            page.screenshot(path=str(artifacts / "sign-in-locks-360.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto("/certificates/admin/template")
            page.wait_for_timeout(800)
            page.screenshot(path=str(artifacts / "csp-certificate-template-1280.png"), full_page=True)
            violations.extend(page.evaluate("window.__csp || []"))
        context.close()
    assert not violations, "\n".join(violations)
    assert not errors, "\n".join(errors)
