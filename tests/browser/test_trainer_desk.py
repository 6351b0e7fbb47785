"""The trainer at a desk (issue 11, point 12): the main sections in the header without ☰, the home
page links to the banks, and units for an assignment chosen in a searchable tree of checkboxes
with full paths (plain checkboxes without JavaScript)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quiz.exams.models import Assignment, AssignmentTarget
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.browser.pages import PHONE, sign_in
from tests.exams.factories import make_exam
from tests.org.factories import PASSWORD, login, make_unit, make_user

DESKTOP = {"width": 1280, "height": 800}


class Org:
    """Three sections, each with its own 一班 and 二班: the flat list's "many identical 一班"."""

    def __init__(self):
        self.company = make_unit("中铝山西新材料", kind="company")
        self.alumina = make_unit("氧化铝厂", self.company, kind="unit")
        self.ore = make_unit("矿制工区", self.alumina, kind="section")
        self.roast = make_unit("焙烧工区", self.alumina, kind="section")
        self.smelter = make_unit("电解厂", self.company, kind="unit")
        self.pot = make_unit("电解一工区", self.smelter, kind="section")
        self.teams = {}
        for section in (self.ore, self.roast, self.pot):
            for name in ("一班", "二班"):
                self.teams[(section.name, name)] = make_unit(name, section, kind="team")
        self.trainer = make_user("T9001", name="李培训", unit=self.company, roles={"trainer": [None]})
        self.exam = make_exam([make_question(make_bank(), "single")], title="皮带机安全考试")
        db.session.commit()


@pytest.fixture
def org(app):
    return Org()


def _context(browser, live_server, viewport, javascript=True):
    phone = viewport == PHONE
    return browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale="zh-CN",
                               timezone_id="Asia/Shanghai", base_url=live_server, java_script_enabled=javascript)


def test_the_desktop_header_shows_the_main_sections_and_home_links_to_the_banks(browser, live_server, org, artifacts):
    context = _context(browser, live_server, DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, org.trainer.employee_no, PASSWORD)
        page.wait_for_url(lambda url: url.endswith("/"))
        assert page.locator("details.menu[open]").count() == 0
        banks = page.locator("header.topbar a:text-is('题库')").first
        assert banks.is_visible()  # no ☰ to open first
        for label in ("考试", "完成情况"):
            assert page.locator(f"header.topbar a:text-is('{label}')").first.is_visible()
        home_link = page.locator("main a[href$='/banks']")
        assert home_link.count() >= 1 and home_link.first.is_visible()
        page.screenshot(path=str(artifacts / "trainer-home-1280.png"))
        banks.click()
        page.wait_for_url("**/banks")
    finally:
        context.close()


def test_the_phone_header_keeps_the_menu(browser, live_server, org):
    context = _context(browser, live_server, PHONE)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, org.trainer.employee_no, PASSWORD)
        page.wait_for_url(lambda url: url.endswith("/"))
        assert not page.locator("header.topbar a:text-is('题库')").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()


def _visible_units(page) -> list[str]:
    return page.locator("#unit-picker li:visible label").evaluate_all(
        "ls => ls.map(l => l.querySelector('.unit-path').textContent.replace(/\\s+/g, ''))")


def test_units_are_chosen_in_a_searchable_tree_with_full_paths(browser, live_server, org, artifacts):
    context = _context(browser, live_server, DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, org.trainer.employee_no, PASSWORD)
        page.wait_for_url(lambda url: url.endswith("/"))
        page.goto(f"/trainer/exams/{org.exam.id}/assign")
        boxes = page.locator("#unit-picker input[type=checkbox][name=unit_ids]")
        assert boxes.count() == 12
        assert "氧化铝厂/矿制工区/一班" in _visible_units(page)
        search = page.locator("#unit-picker input[type=search]")
        assert search.is_visible()
        search.fill("矿制 一班")
        shown = _visible_units(page)
        assert "氧化铝厂/矿制工区/一班" in shown
        assert not any(p.endswith("/一班") and "矿制" not in p for p in shown), shown
        assert not any(p.endswith("二班") for p in shown), shown
        page.screenshot(path=str(artifacts / "trainer-unit-picker-1280.png"), full_page=True)
        search.fill("一班")
        page.screenshot(path=str(artifacts / "trainer-unit-picker-yiban-1280.png"), full_page=True)
        search.fill("矿制 一班")
        target = org.teams[("矿制工区", "一班")]
        page.check(f"#unit-picker input[value='{target.id}']")
        search.fill("")
        assert len(_visible_units(page)) == 12
        assert "1" in page.locator("#unit-picker .unit-count").inner_text()
        page.click("form button.primary")
        page.wait_for_selector("text=已布置给")
    finally:
        context.close()
    db.session.rollback()
    assignment = db.session.scalar(select(Assignment))
    assert [t.unit_id for t in db.session.scalars(select(AssignmentTarget).where(
        AssignmentTarget.assignment_id == assignment.id))] == [target.id]


def test_without_javascript_the_tree_is_plain_checkboxes(client, org):
    login(client, org.trainer)
    page = client.get(f"/trainer/exams/{org.exam.id}/assign").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*name="unit_ids"|<input[^>]*name="unit_ids"[^>]*type="checkbox"',
                       page)
    assert len(boxes) == 12
    assert re.search(r"氧化铝厂\s*/\s*矿制工区\s*/\s*一班", page)
    assert "<script>" not in page and " onclick=" not in page
    team = org.teams[("电解一工区", "二班")]
    response = client.post(f"/trainer/exams/{org.exam.id}/assign", data={"unit_ids": [team.id]},
                           follow_redirects=True)
    assert "已布置给" in response.get_data(as_text=True)


def test_without_javascript_in_the_browser_the_checkboxes_still_assign(browser, live_server, org):
    context = _context(browser, live_server, DESKTOP, javascript=False)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, org.trainer.employee_no, PASSWORD)
        page.goto(f"/trainer/exams/{org.exam.id}/assign")
        assert not page.locator("#unit-picker input[type=search]").is_visible()  # no search box that does nothing
        assert len(_visible_units(page)) == 12
        target = org.teams[("焙烧工区", "二班")]
        page.check(f"#unit-picker input[value='{target.id}']")
        page.click("form button.primary")
        page.wait_for_selector("text=已布置给")
    finally:
        context.close()
    db.session.rollback()
    assert [t.unit_id for t in db.session.scalars(select(AssignmentTarget))] == [target.id]
