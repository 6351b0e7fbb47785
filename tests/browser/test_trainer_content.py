"""What trainers and admins write, as people see it in Chromium: a study article
on a 360×740 phone (Markdown rendered: headings, lists, bold, a table and an
uploaded image), and the certificate template's preview, whole and scaled to
fit at 1280×800 and 360×740. Screenshots go to test-artifacts/."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from quiz.banks import services as bank_services
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.browser.pages import no_horizontal_scroll, sign_in
from tests.exams.factories import make_exam
from tests.org.factories import PASSWORD, make_unit, make_user

ARTICLE = Path(__file__).resolve().parents[2] / "question_banks" / "articles" / "behaviour_safety.md"


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 600), (230, 240, 250))
    ImageDraw.Draw(image).rectangle((100, 100, 1100, 500), outline=(13, 59, 102), width=12)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_worker_reads_a_markdown_article_on_the_phone(page, app, artifacts):
    article = bank_services.load_article(ARTICLE)
    image = bank_services.add_article_image(article, _png(), "现场示意图.png")
    article.body += (f"\n\n## 现场示意\n\n![现场示意图](/articles/images/{image.id})\n\n"
                     "| 情形 | 怎么做 |\n|---|---|\n| 一般问题 | 工休时沟通 |\n| 严重违章 | 立即制止，停工分析 |\n")
    worker = make_user(name="王工人", unit=make_unit("矿制工区一班"))
    exam = make_exam([make_question(make_bank())], article=article, assign_to=worker)
    db.session.commit()
    sign_in(page, worker.employee_no, PASSWORD)
    page.goto(f"/exams/{exam.id}/article")
    body = page.locator(".prose")
    assert body.locator("h2").count() >= 5
    assert body.locator("li").count() >= 5 and body.locator("strong").count() >= 3
    assert "**" not in body.inner_text()
    # a heading looks like one: larger and bolder than the text under it
    h2 = body.locator("h2").first.evaluate("e => [parseFloat(getComputedStyle(e).fontSize), getComputedStyle(e).fontWeight]")
    p = body.locator("p").first.evaluate("e => [parseFloat(getComputedStyle(e).fontSize), getComputedStyle(e).fontWeight]")
    assert h2[0] > p[0] and int(h2[1]) >= 600
    # list items are separate lines, each with its marker
    items = body.locator("ul li")
    assert items.nth(1).bounding_box()["y"] > items.nth(0).bounding_box()["y"]
    img = body.locator("img")
    img.scroll_into_view_if_needed()
    assert img.evaluate("e => e.complete && e.naturalWidth > 0")  # served from the database
    assert img.bounding_box()["width"] <= 360
    assert body.locator("table td").count() == 4
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "article-phone.png"), full_page=True)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}],
                         ids=["desktop", "phone"])
def test_certificate_template_preview_shows_the_whole_page(browser, live_server, app, artifacts, viewport):
    admin = make_user(name="管理员", unit=make_unit("公司", kind="company"), roles={"admin": [None]})
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, admin.employee_no, PASSWORD)
        page.goto("/certificates/admin/template")
        frame_element = page.locator("iframe[name=preview]")
        frame_element.scroll_into_view_if_needed()
        frame = page.frame(name="preview")
        frame.wait_for_selector(".sheet")
        # inside the frame nothing is cut off: the page's width and height fit the frame's
        inner = frame.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
                               " window.innerWidth, window.innerHeight]")
        assert inner[0] <= inner[2] + 1 and inner[1] <= inner[3] + 1, inner
        # and the frame, scaled, fits the column it sits in
        box = frame_element.bounding_box()
        column = page.locator(".cert-preview-fit").bounding_box()
        assert box["width"] <= column["width"] + 1 and box["height"] <= column["height"] + 1, (box, column)
        assert box["width"] >= column["width"] - 3  # as large as the column allows
        # the QR code at the page's bottom-right area is on screen (not cropped)
        qr = frame.locator(".qr img").bounding_box()
        assert qr is not None and qr["x"] + qr["width"] <= 1147
        assert no_horizontal_scroll(page)
        # 预览 posts the unsaved form into the sandboxed frame: the admin's <b> shows, a <script> does not run
        page.fill("#issuer", "<b>安全环保部</b><script>document.title='pwned'</script>")
        page.click("button[formtarget=preview]")
        frame = page.frame(name="preview")
        frame.wait_for_selector(".issuer b")
        assert frame.inner_text(".issuer b") == "安全环保部" and frame.evaluate("document.title") != "pwned"
        page.screenshot(path=str(artifacts / f"certificate-template-{viewport['width']}.png"), full_page=True)
    finally:
        context.close()


def test_trainer_checks_the_answer_key_and_admin_sees_a_unit_typo(browser, live_server, app, artifacts):
    """1280×800: a GBK text bank's preview shows every answer at a glance; a roster with 烧成工去
    lists the unit it would create beside 烧成工区, and nothing is created until the admin says so."""
    from sqlalchemy import select

    from quiz.org.models import Unit
    from tests.banks.factories import GBK_BANK
    from tests.org.factories import roster_xlsx

    company = make_unit("中铝山西新材料有限公司", kind="company")
    alumina = make_unit("氧化铝厂", company)
    make_unit("烧成工区", alumina, kind="section")
    trainer = make_user(name="郭培训", unit=company, roles={"trainer": [None], "admin": [None]})
    db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        sign_in(page, trainer.employee_no, PASSWORD)
        page.goto("/banks/upload")
        page.set_input_files("input[type=file]", files=[{"name": "焙烧题库.txt", "mimeType": "text/plain",
                                                          "buffer": GBK_BANK.encode("gbk")}])
        page.fill("#new_title", "焙烧安全")
        page.click("form button[type=submit]")
        page.wait_for_selector("#answer-key")
        assert "文本模板" in page.inner_text("main")
        rows = page.locator("#answer-key tbody tr")
        assert rows.count() == 4
        assert "C 氧化铝（Al2O3）" in " ".join(rows.nth(0).inner_text().split())
        assert page.locator("#answer-key").is_visible()  # not behind a toggle
        page.screenshot(path=str(artifacts / "bank-upload-answer-key-1280.png"), full_page=False)

        page.goto("/org/roster")
        roster = roster_xlsx([["000301", "钱二", "中铝山西新材料有限公司/氧化铝厂/烧成工去", "磨工", "", ""]])
        page.set_input_files("input[type=file]", files=[{"name": "花名册.xlsx", "buffer": roster,
                                                          "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
        page.click("form button.primary")
        page.wait_for_selector("#new-units")
        listed = page.inner_text("#new-units")
        assert "氧化铝厂 / 烧成工去" in listed and "氧化铝厂 / 烧成工区" in listed
        assert "没有发现问题" not in page.inner_text("main")
        page.screenshot(path=str(artifacts / "roster-unit-typo-1280.png"), full_page=True)
        assert db.session.scalar(select(Unit).where(Unit.name == "烧成工去")) is None
    finally:
        context.close()
