"""Sign-in, forced password change and a worker's home page on a phone."""
from tests.browser.pages import no_horizontal_scroll, sign_in
from tests.org.factories import PASSWORD, make_unit, make_user


def test_first_sign_in_on_a_phone(page, app, artifacts):
    team = make_unit("一班", make_unit("矿制工区"))
    make_user("010203", name="王小明", unit=team, must_change_password=True)
    sign_in(page, "010203", PASSWORD)
    page.wait_for_url("**/password")
    assert "首次登录" in page.content()
    assert no_horizontal_scroll(page)
    page.fill("#current", PASSWORD)
    page.fill("#new", "Mine12345")
    page.fill("#confirm", "Mine12345")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/"))
    assert "您好，王小明" in page.content()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "worker-home-360.png"), full_page=True)
    # the menu opens and signs out with big enough targets
    page.click("details.menu summary")
    box = page.locator("#logout").bounding_box()
    assert box["height"] >= 40
    page.click("#logout")
    page.wait_for_url("**/login")


def test_login_page_fits_phone_and_shows_errors(page, app, artifacts):
    page.goto("/login")
    assert no_horizontal_scroll(page)
    page.fill("#employee_no", "999999")
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    assert "工号或密码不正确" in page.content()
    assert page.input_value("#employee_no") == "999999"  # what was typed is kept
    page.screenshot(path=str(artifacts / "login-error-360.png"))
