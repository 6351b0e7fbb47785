"""A trainer drafts questions from an article in Chromium: keyboard shortcuts, edit,
reject, bulk accept; the page at 1280×800 and at 360×740. Screenshots in
test-artifacts/drafts-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from quiz.banks import services
from quiz.banks.models import DraftRejection, Question
from quiz.extensions import db
from tests.browser.pages import PHONE, no_horizontal_scroll, sign_in
from tests.org.factories import PASSWORD, make_user

REPO = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def setup(app):
    trainer = make_user("300001", name="郭培训", roles={"trainer": [None]})
    meta = services.read_article_file(REPO / "question_banks" / "articles" / "behaviour_safety.md")
    article = services.create_article(meta["title"], meta["source"], meta["published_on"], meta["body"])
    bank = services.create_bank("行为安全观察（草稿）", articles=[article])
    db.session.commit()
    return trainer, article, bank


def _open(browser, live_server, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  base_url=live_server, **extra)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)  # the favicon
    return context, page, errors


def test_trainer_reviews_drafts_with_the_keyboard(browser, live_server, setup, artifacts):
    trainer, article, bank = setup
    context, page, errors = _open(browser, live_server, DESKTOP)
    sign_in(page, trainer.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    page.goto(f"/articles/{article.id}")
    page.click("text=生成题目草稿")
    page.wait_for_url(f"**/banks/articles/{article.id}/drafts")
    page.wait_for_load_state("load")
    assert page.locator(".draft").count() == 80
    assert page.locator(".sent.src").count() > 20
    page.screenshot(path=str(artifacts / "drafts-1-review-1280.png"))

    # J moves to the first draft and highlights its sentence; R rejects it
    page.locator("h1").click()
    page.keyboard.press("j")
    first = page.locator(".draft.current")
    key = first.get_attribute("data-key")
    sentence = first.get_attribute("data-sentence")
    assert "current" in page.locator(f"#s-{sentence}").get_attribute("class")
    page.screenshot(path=str(artifacts / "drafts-2-current-1280.png"))
    with page.expect_navigation():
        page.keyboard.press("r")
    page.wait_for_selector("text=已拒绝这条草稿")
    page.wait_for_load_state("load")  # drafts.js runs at the end of the page
    assert page.locator(f"#d-{key}").count() == 0
    db.session.rollback()  # a fresh snapshot: the server wrote in its own thread
    assert db.session.scalar(select(DraftRejection.draft_key)) == key

    # E edits the stem of the focused draft, Esc leaves it, A accepts it into the chosen bank
    page.locator("h1").click()
    page.keyboard.press("j")
    current = page.locator(".draft.current")
    page.keyboard.press("e")
    stem = current.locator(".draft-stem")
    stem.fill("（培训员改过）" + stem.input_value())
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.keyboard.press("a")
    page.wait_for_selector("text=已加入题库")
    page.wait_for_load_state("load")
    db.session.rollback()
    question = db.session.scalar(select(Question).where(Question.bank_id == bank.id))
    assert question.stem.startswith("（培训员改过）")
    assert "第" in question.source_excerpt and "句：" in question.source_excerpt

    # X selects two drafts, Shift+A accepts the selection
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator(".pick:checked").count() == 2
    with page.expect_navigation():
        page.keyboard.press("Shift+A")
    page.wait_for_selector("text=已加入题库")
    db.session.rollback()
    assert len(db.session.scalars(select(Question).where(Question.bank_id == bank.id)).all()) == 3
    page.screenshot(path=str(artifacts / "drafts-3-accepted-1280.png"), full_page=False)
    assert errors == []
    context.close()


def test_draft_review_fits_a_phone(browser, live_server, setup, artifacts):
    trainer, article, bank = setup
    context, page, errors = _open(browser, live_server, PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    sign_in(page, trainer.employee_no, PASSWORD)
    page.wait_for_url(lambda url: url.endswith("/"))
    page.goto(f"/banks/articles/{article.id}/drafts")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "drafts-4-review-360.png"))
    page.locator(".draft").nth(0).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "drafts-5-draft-360.png"))
    page.goto("/banks/drafts/upload")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "drafts-6-upload-360.png"))
    assert errors == []
    context.close()
