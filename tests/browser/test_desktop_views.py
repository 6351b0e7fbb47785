"""The worker's pages on a desktop too (1280×800): the exam's countdown stays on top when scrolled,
and a Markdown article reads as one (headings, lists, bold), with nothing wider than the window."""
from __future__ import annotations

from pathlib import Path

import pytest

from quiz.banks import services as bank_services
from quiz.exams.attempt import start as attempt_start
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.browser.pages import LONG_STEM, no_horizontal_scroll, sign_in, topmost
from tests.exams.factories import make_exam
from tests.org.factories import PASSWORD, make_unit, make_user

ARTICLE = Path(__file__).resolve().parents[2] / "question_banks" / "articles" / "path_mogong.md"


@pytest.fixture
def wide(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def test_countdown_on_top_and_article_readable_at_1280(wide, app, artifacts):
    worker = make_user("880201", name="卫工", unit=make_unit("矿制工区磨矿一班"))
    bank = make_bank()
    questions = [make_question(bank, "single", stem=LONG_STEM * 2, options=[LONG_STEM[:60] + str(i) for i in range(4)])
                 for _ in range(20)]
    article = bank_services.load_article(ARTICLE)
    exam = make_exam(questions, assign_to=worker, time_limit_minutes=30, article=article)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    sign_in(wide, worker.employee_no, PASSWORD)
    wide.wait_for_url(lambda url: url.endswith("/"))

    wide.goto(f"/exams/{exam.id}/article")
    body = wide.locator(".prose")
    assert body.locator("h2").count() >= 4 and body.locator("li").count() >= 2 and body.locator("strong").count() >= 2
    assert "**" not in body.inner_text()
    assert no_horizontal_scroll(wide)
    wide.screenshot(path=str(artifacts / "article-1280.png"), full_page=False)

    wide.goto(f"/attempts/{attempt.id}")
    wide.wait_for_selector("#countdown")
    wide.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    wide.wait_for_timeout(200)
    assert wide.evaluate("window.scrollY") > 300
    assert topmost(wide, "#countdown") and topmost(wide, "#progress")
    assert no_horizontal_scroll(wide)
    wide.screenshot(path=str(artifacts / "exam-scrolled-bottom-1280.png"))
