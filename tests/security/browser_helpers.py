"""A phone-sized Chromium page for the security tests that need a real browser.

(tests/browser/conftest.py has the same for tests/browser/; fixtures there are not seen here.)
"""
from __future__ import annotations

import pytest

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def sign_in(page, employee_no: str, password: str) -> None:
    page.goto("/login")
    page.fill("#employee_no", employee_no)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def sign_out(page) -> None:
    page.click("details.menu summary")
    page.click("#logout")
    page.wait_for_url("**/login")
