"""Headless Debian Chromium at a phone viewport, driven by Playwright.

The app is served from a thread on a free loopback port, on the same
database as the test. Never downloads a browser: Chromium is Debian's
(``CHROMIUM`` overrides the path). Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

PHONE = {"width": 360, "height": 740}
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _playwright():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (run `make test`, which installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage"],
    )
    yield browser
    browser.close()


@pytest.fixture
def live_server(app):
    """The test's app served on 127.0.0.1:<free port>; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


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


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def sign_in(page, employee_no: str, password: str) -> None:
    page.goto("/login")
    page.fill("#employee_no", employee_no)
    page.fill("#password", password)
    page.click("button[type=submit]")
