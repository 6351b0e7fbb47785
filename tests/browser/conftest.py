"""Headless Debian Chromium at a phone viewport, driven by Playwright.

The fixtures ``browser`` and ``live_server`` live in tests/conftest.py so
that desktop pages elsewhere can use them too. Screenshots go to
test-artifacts/; the helpers that drive a page are in tests/browser/pages.py.
"""
from __future__ import annotations

import os

import pytest

from tests.browser.pages import PHONE


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized page (360×740, touch, a WeChat-like user agent)."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN",
        timezone_id="Asia/Shanghai",
        user_agent=("Mozilla/5.0 (Linux; Android 10; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Version/4.0 Chrome/86.0.4240.99 Mobile Safari/537.36 MicroMessenger/8.0.30.2260 "
                    "NetType/WIFI Language/zh_CN"),
        base_url=live_server,
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()
