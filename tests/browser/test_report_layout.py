"""Report pages a head can read on a phone and on a desktop (issue 11, point 6).

At 360×740 (a head's phone) and 1280×800 (a desk), every report page: the
page never scrolls sideways and no element is wider than its container; on
the phone each row of the who-to-chase list is a card that leads with the
person's name, team, status, best score and a tap-to-call link. Screenshots
of the dashboard and the chase list at both sizes go to test-artifacts/.
"""
from __future__ import annotations

import pytest

from quiz.extensions import db
from tests.browser.pages import PHONE, sign_in
from tests.org.factories import PASSWORD
from tests.reports.factories import build_org

DESKTOP = {"width": 1280, "height": 800}

# every element of the page's main column: is anything wider than the box it sits in?
OVERFLOWS = """() => {
  const bad = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth + 1) bad.push('page ' + root.scrollWidth + ' > ' + window.innerWidth);
  for (const el of document.querySelectorAll('main.page, main.page *')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline' || style.display === 'none' || !el.clientWidth) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      bad.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' +
               el.scrollWidth + ' > ' + el.clientWidth);
    }
  }
  return bad;
}"""


@pytest.fixture
def org(app):
    o = build_org()
    for i, person in enumerate([o.e2, o.e3, o.e4, o.e5, o.a2, o.a3, o.head_e]):
        person.phone = f"1380000{i:04d}"
    o.A1.title = "2026年第一季度全员安全规程考试"
    o.team1.name = "电解一工区甲班"
    db.session.commit()
    return o


def _context(browser, live_server, viewport):
    phone = viewport == PHONE
    return browser.new_context(viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
                               has_touch=phone, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server)


def _pages(o) -> list[str]:
    return ["/reports/", f"/reports/?assignment={o.A1.id}", "/reports/units", f"/reports/units/{o.smelter.id}",
            f"/reports/units/{o.team1.id}?assignment={o.A1.id}", f"/reports/units/{o.team2.id}", "/reports/chase",
            f"/reports/chase?assignment={o.A1.id}", f"/reports/people/{o.e5.id}"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_no_report_page_is_wider_than_its_screen(browser, live_server, org, artifacts, viewport):
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    page.set_default_timeout(10000)
    size = viewport["width"]
    try:
        sign_in(page, org.head_e.employee_no, PASSWORD)
        page.wait_for_url(lambda url: url.endswith("/"))
        problems = {}
        for url in _pages(org):
            page.goto(url)
            bad = page.evaluate(OVERFLOWS)
            if bad:
                problems[url] = bad
        page.goto("/reports/")
        page.screenshot(path=str(artifacts / f"reports-dashboard-{size}.png"), full_page=True)
        page.goto("/reports/chase")
        page.screenshot(path=str(artifacts / f"reports-chase-{size}.png"), full_page=True)
        page.goto(f"/reports/units/{org.team1.id}?assignment={org.A1.id}")
        page.screenshot(path=str(artifacts / f"reports-team-{size}.png"), full_page=True)
        context.clear_cookies()
        sign_in(page, org.trainer.employee_no, PASSWORD)
        page.wait_for_url(lambda url: url.endswith("/"))
        for url in ("/reports/exams", f"/reports/exams/{org.exam1.id}/items", f"/reports/exams/{org.exam1.id}/missed",
                    f"/reports/chase?assignment={org.A1.id}"):
            page.goto(url)
            bad = page.evaluate(OVERFLOWS)
            if bad:
                problems[url] = bad
        assert not problems, problems
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_the_chase_list_shows_name_and_phone_without_scrolling(browser, live_server, org, viewport):
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, org.head_e.employee_no, PASSWORD)
        page.wait_for_url(lambda url: url.endswith("/"))
        page.goto("/reports/chase")
        rows = page.locator("#chase tbody tr[data-employee]")
        assert rows.count() == 6
        width = viewport["width"]
        for i in range(rows.count()):
            row = rows.nth(i)
            name = row.locator("td.name").bounding_box()
            call = row.locator("td.phone a[href^='tel:']")
            assert call.count() == 1, row.inner_text()
            phone = call.bounding_box()
            for box in (name, phone):
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (row.inner_text(), box)
        if viewport == PHONE:
            # a card: the name first, then team, status and best score, before anything else
            first = page.locator("#chase tbody tr[data-employee='E002']").filter(has_text="全员")  # 张二, 一班, failed with 50
            # the cells as read: line by line (cells whose boxes overlap vertically share a line), left to right
            order = first.evaluate("""r => {
                const cells = Array.from(r.querySelectorAll('td'))
                    .filter(td => td.offsetParent !== null && td.textContent.trim())
                    .map(td => ({key: td.className.split(' ')[0], box: td.getBoundingClientRect()}))
                    .sort((a, b) => a.box.top - b.box.top);
                const lines = [];
                for (const c of cells) {
                    const line = lines.find(l => c.box.top < l.bottom - 4 && c.box.bottom > l.top + 4);
                    if (line) { line.cells.push(c); line.bottom = Math.max(line.bottom, c.box.bottom); }
                    else lines.push({top: c.box.top, bottom: c.box.bottom, cells: [c]});
                }
                return lines.flatMap(l => l.cells.sort((a, b) => a.box.left - b.box.left).map(c => c.key));
            }""")
            assert order[:1] == ["name"], order
            assert {"team", "status", "best", "phone"} <= set(order[1:6]), order
            call = first.locator("td.phone a[href^='tel:']")
            assert call.get_attribute("href") == f"tel:{org.e2.phone}"
            assert call.bounding_box()["height"] >= 40  # a thumb can tap it
    finally:
        context.close()


def test_a_table_too_wide_for_a_small_desk_scrolls_in_its_card_with_a_cue(browser, live_server, org):
    """At 800 px (a small laptop window) the chase list does not fit: it scrolls inside its card,
    says so, and its first column stays in view while it scrolls."""
    context = _context(browser, live_server, {"width": 800, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, org.head_e.employee_no, PASSWORD)
        page.wait_for_url(lambda url: url.endswith("/"))
        page.goto("/reports/chase")
        wrap = page.locator(".table-wrap").first
        page.wait_for_selector(".table-wrap.overflows")
        hint = page.locator(".scroll-hint").first
        assert hint.is_visible() and "左右滑动" in hint.inner_text()
        assert not page.evaluate(OVERFLOWS.replace("el.scrollWidth > el.clientWidth + 1",
                                                   "el.scrollWidth > el.clientWidth + 1 && !el.matches('.table-wrap')"))
        first = page.locator("#chase tbody tr").first.locator("td").first
        before = first.bounding_box()["x"]
        wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; w.dispatchEvent(new Event('scroll')); }")
        page.wait_for_selector(".table-wrap.at-end")
        assert abs(first.bounding_box()["x"] - before) < 1  # the first column stays put
        assert page.locator("#chase tbody tr").first.locator("td.overdue").bounding_box()["x"] < 800
    finally:
        context.close()
