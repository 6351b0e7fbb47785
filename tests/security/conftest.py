"""Fixtures of the security tests: a clock the sign-in service reads, and a phone-sized page.

(tests/browser/conftest.py has the WeChat-like ``page``; fixtures there are not seen here.)
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.db import utcnow
from tests.browser.pages import PHONE


class Clock:
    """The time the sign-in service reads; ``advance`` moves it on."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    from quiz.auth import services

    moving = Clock()
    monkeypatch.setattr(services, "utcnow", moving)
    return moving


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized Chromium page (360×740, touch, Chinese, Shanghai time)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()
