"""Inside WeChat's browser on a phone (360×740; the ``page`` fixture's user agent is WeChat's):
a head taps 导出 Excel and is told how to get the file, and can copy its link."""
from __future__ import annotations

from tests.browser.pages import no_horizontal_scroll, sign_in
from tests.org.factories import PASSWORD
from tests.reports.factories import build_org


def test_head_in_wechat_is_told_how_to_get_the_excel(page, app, artifacts):
    with app.test_request_context():
        org = build_org()
    user_agent = page.evaluate("navigator.userAgent")
    assert "MicroMessenger" in user_agent
    sign_in(page, org.head_e.employee_no, PASSWORD)
    page.goto("/reports/")
    link = page.locator("a", has_text="导出 Excel").first
    assert link.get_attribute("href").startswith("/download?to=")
    link.click()
    page.wait_for_selector("#wechat-guide")
    text = page.locator("#wechat-guide").inner_text()
    assert "右上角" in text and "在浏览器打开" in text
    value = page.locator("#download-link").input_value()
    assert value.startswith("http://") and "/reports/export.xlsx" in value
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "wechat-download-guide-360.png"), full_page=True)
    page.click("#copy-link")
    page.wait_for_function("() => document.getElementById('copy-status').textContent.length > 0")
    assert page.locator("#copy-status").inner_text() in ("已复制，请到浏览器中粘贴打开", "请长按上面的链接，选择全选后复制")
    # the file URL itself, opened inside WeChat, shows the same guide instead of a silent failure
    response = page.goto("/reports/export.xlsx")
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("#wechat-guide").count() == 1
