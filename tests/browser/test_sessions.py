"""QR sign-in at a training session: the trainer's screen (desktop) shows a
code, phones at 360×740 sign in by opening the QR's URL or typing the code,
and the count on the trainer's screen goes up. Also inside WeChat's browser."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.browser.pages import PHONE, no_horizontal_scroll, sign_in
from tests.org.factories import PASSWORD, make_unit, make_user
from tests.sessions.factories import make_session

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 10; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/86.0.4240.99 Mobile Safari/537.36")
WECHAT_ANDROID = ("Mozilla/5.0 (Linux; Android 10; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Version/4.0 Chrome/86.0.4240.99 Mobile Safari/537.36 MicroMessenger/8.0.30.2260 "
                  "NetType/WIFI Language/zh_CN")


@pytest.fixture
def room(app):
    company = make_unit("公司", kind="company")
    smelter = make_unit("电解厂", company)
    trainer = make_user("900001", name="郭培训", unit=company, roles={"trainer": [None]})
    workers = [make_user(f"10000{i}", name=name, unit=smelter) for i, name in enumerate(("王小明", "李四", "张三"), 1)]
    session = make_session(trainer, units=[smelter], title="行为安全观察与沟通专项培训", venues=("电解厂培训室",))
    return session, trainer, workers


def _context(browser, live_server, user_agent: str, viewport=PHONE, mobile: bool = True):
    return browser.new_context(viewport=viewport, device_scale_factor=2 if mobile else 1, is_mobile=mobile,
                               has_touch=mobile, locale="zh-CN", timezone_id="Asia/Shanghai",
                               user_agent=user_agent, base_url=live_server)


def _trainer_screen(browser, live_server, session, trainer):
    context = _context(browser, live_server, "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36",
                       {"width": 1280, "height": 800}, mobile=False)
    screen = context.new_page()
    screen.set_default_timeout(15000)
    sign_in(screen, trainer.employee_no, PASSWORD)
    screen.wait_for_url(lambda url: url.endswith("/"))
    screen.goto(f"/trainer/sessions/{session.id}/screen/{session.venues[0].id}")
    return context, screen


def _code(screen) -> str:
    code = screen.get_attribute("#short-code", "data-code")
    assert re.fullmatch(r"\d{6}", code)
    assert screen.locator("#qr").evaluate("img => img.naturalWidth") > 100  # the QR image decoded
    return code


def _scan_qr(screen, artifacts) -> str:
    """What a phone's camera reads from the QR on the trainer's screen (zbarimg)."""
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg not installed (make test installs zbar-tools)")
    path = artifacts / "session-qr.png"
    screen.locator("#qr").screenshot(path=str(path))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


def test_scan_and_typed_code_are_counted_on_the_trainers_screen(browser, live_server, room, artifacts):
    session, trainer, workers = room
    context, screen = _trainer_screen(browser, live_server, session, trainer)
    assert screen.inner_text("#present") == "0" and screen.inner_text("#expected") == "3"
    screen.screenshot(path=str(artifacts / "session-screen-1280.png"))

    phone_context = _context(browser, live_server, ANDROID_CHROME)
    phone = phone_context.new_page()
    phone.set_default_timeout(10000)
    sign_in(phone, workers[0].employee_no, PASSWORD)
    phone.wait_for_url(lambda url: url.endswith("/"))
    assert "行为安全观察与沟通专项培训" in phone.inner_text("#upcoming-sessions")
    url = _scan_qr(screen, artifacts)
    assert url.startswith(live_server) and re.search(rf"/s/{session.venues[0].id}\?c=\d{{6}}$", url), url
    phone.goto(url)
    assert "签到成功" in phone.inner_text("#checkin-result")
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts / "session-scan-ok-360.png"), full_page=True)
    screen.wait_for_function("() => document.getElementById('present').textContent === '1'")
    assert "王小明" in screen.inner_text("#latest")
    phone_context.close()

    typed_context = _context(browser, live_server, ANDROID_CHROME)
    typed = typed_context.new_page()
    typed.set_default_timeout(10000)
    sign_in(typed, workers[1].employee_no, PASSWORD)
    typed.wait_for_url(lambda url: url.endswith("/"))
    typed.click("text=输入签到码")
    typed.fill("#code", _code(screen))
    typed.click("button[type=submit]")
    assert "签到成功" in typed.inner_text("#checkin-result")
    typed.screenshot(path=str(artifacts / "session-typed-ok-360.png"), full_page=True)
    screen.wait_for_function("() => document.getElementById('present').textContent === '2'")
    screen.screenshot(path=str(artifacts / "session-screen-after-1280.png"))
    typed_context.close()
    context.close()


def test_qr_sign_in_inside_wechat_starting_signed_out(browser, live_server, room, artifacts):
    session, trainer, workers = room
    context, screen = _trainer_screen(browser, live_server, session, trainer)
    wechat_context = _context(browser, live_server, WECHAT_ANDROID)
    phone = wechat_context.new_page()
    phone.set_default_timeout(10000)
    phone.goto(_scan_qr(screen, artifacts))  # WeChat's scanner opens the QR's URL
    phone.wait_for_url("**/login**")
    phone.fill("#employee_no", workers[2].employee_no)
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector("#checkin-result")
    assert "签到成功" in phone.inner_text("#checkin-result")
    assert no_horizontal_scroll(phone)
    title = phone.title()
    description = phone.get_attribute("meta[name=description]", "content")
    assert "行为安全观察与沟通专项培训" in title and "签到" in title
    assert "行为安全观察与沟通专项培训" in description
    for personal in ("张三", workers[2].employee_no):
        assert personal not in title and personal not in description
    phone.screenshot(path=str(artifacts / "session-scan-wechat-360.png"), full_page=True)
    # a second scan says 已签到 with the time
    phone.goto(f"/s/{session.venues[0].id}?c={_code(screen)}")
    assert "已签到" in phone.inner_text("#checkin-result")
    screen.wait_for_function("() => document.getElementById('present').textContent === '1'")
    wechat_context.close()
    context.close()
