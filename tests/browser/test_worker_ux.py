"""What a worker trips over the first time, on a 360×740 phone (issue 11,
points 1, 3, 4 and 5): the countdown hidden when scrolling, the way to the
result and certificate after passing, partial credit, the sync mark, the
confirmation, practice feedback, the English result page, the favicon."""
from __future__ import annotations

from quiz.exams.attempt import answers as attempt_answers

from quiz.exams.attempt import finish as attempt_finish

from quiz.exams.attempt import start as attempt_start
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.browser.pages import LONG_STEM, no_horizontal_scroll, signed_in, topmost, wait_for_sync_mark
from tests.exams.factories import make_exam
from tests.org.factories import make_user


def test_countdown_and_progress_stay_on_top_when_scrolling_a_long_question(page, app, artifacts):
    worker = make_user("880101", name="钱工")
    bank = make_bank()
    questions = [make_question(bank, "single", stem=LONG_STEM, options=[LONG_STEM[:60] + str(i) for i in range(4)])
                 for _ in range(20)]
    exam = make_exam(questions, assign_to=worker, time_limit_minutes=30)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    page.wait_for_selector("#countdown")
    assert page.evaluate("document.documentElement.scrollHeight") > 740 * 1.5  # the question is taller than the screen
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)
    page.screenshot(path=str(artifacts / "exam-scrolled-bottom-360.png"))
    assert page.evaluate("window.scrollY") > 400
    assert topmost(page, "#countdown"), "the countdown is covered when the page is scrolled"
    assert topmost(page, "#progress"), "已答 n/20 is covered when the page is scrolled"
    assert "/ 20" in page.locator("#progress").inner_text()
    assert no_horizontal_scroll(page)
    # half-way down, and after going to the question map at the bottom
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    page.wait_for_timeout(100)
    page.screenshot(path=str(artifacts / "exam-scrolled-middle-360.png"))
    assert topmost(page, "#countdown")
    page.locator(".qmap").scroll_into_view_if_needed()
    assert topmost(page, "#countdown") and topmost(page, "#progress")


def test_an_answer_typed_back_to_what_was_saved_shows_saved_not_waiting(page, app, artifacts):
    worker = make_user("880102", name="孙工")
    bank = make_bank()
    exam = make_exam([make_question(bank, "fill"), make_question(bank, "single")], assign_to=worker,
                     time_limit_minutes=20)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    blanks = page.locator("#q0 input.blank")
    blanks.nth(0).fill("一")
    wait_for_sync_mark(page, 0, "saved")
    blanks.nth(0).fill("一二")  # typing: 等待同步 at once
    wait_for_sync_mark(page, 0, "pending")
    blanks.nth(0).fill("一")  # … and back to exactly what the server has
    page.wait_for_timeout(2500)  # past the 1.5 s typing pause
    page.screenshot(path=str(artifacts / "exam-sync-mark-back-to-saved-360.png"))
    assert "saved" in page.locator("#q0 [data-sync]").get_attribute("class")
    assert "等待同步" not in page.locator("#q0 [data-sync]").inner_text()


def test_the_submit_confirmation_names_flagged_questions(page, app, artifacts):
    worker = make_user("880103", name="李工")
    bank = make_bank()
    exam = make_exam([make_question(bank, "single") for _ in range(3)], assign_to=worker, time_limit_minutes=20)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    page.locator("#q0 input[name='q0'][value='2']").check()
    page.locator("#q0 input[name='flag']").check()
    wait_for_sync_mark(page, 0, "saved")
    page.click("#q0 button.submit")
    page.wait_for_selector("#confirm:not([hidden])")
    page.screenshot(path=str(artifacts / "exam-confirm-flagged-360.png"))
    flagged = page.locator("#confirm-flagged")
    assert flagged.is_visible() and "第 1 题" in flagged.inner_text()


def test_practice_check_shows_the_right_option_and_the_button_goes(page, app, artifacts):
    worker = make_user("880104", name="周工")
    bank = make_bank()
    exam = make_exam([make_question(bank, "single", explanation="丙是对的"), make_question(bank, "fill")],
                     assign_to=worker, mode="practice", time_limit_minutes=None)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    page.locator("#q0 input[name='q0'][value='1']").check()  # wrong: 乙
    page.click("#q0 button.check")
    page.wait_for_selector("#q0 [data-feedback]")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "practice-attempt-checked-360.png"), full_page=True)
    assert not page.locator("#q0 button.check").is_visible()
    assert page.locator("#q0 label.opt.right input[value='2']").count() == 1  # 丙 highlighted as the right one
    assert page.locator("#q0 label.opt.wrong input[value='1']").count() == 1
    colours = page.evaluate("""() => [...document.querySelectorAll('#q0 label.opt')]
        .map(l => getComputedStyle(l).backgroundColor)""")
    assert colours[1] == "rgb(253, 236, 234)" and colours[2] == "rgb(230, 244, 234)"  # 乙 red, 丙 green
    # the same after a reload (the server's page)
    page.reload()
    page.wait_for_selector("#q0 [data-feedback]")
    assert page.locator("#q0 button.check").count() == 0
    assert page.locator("#q0 label.opt.right input[value='2']").count() == 1


def _passed(worker, *, score_policy="best", attempts_allowed=3):
    """An exam of 4 questions × 25 points passed with 75 (three right), certificate issued."""
    bank = make_bank()
    exam = make_exam([make_question(bank, "single") for _ in range(4)], points=25, assign_to=worker,
                     pass_mark=60, time_limit_minutes=20, score_policy=score_policy,
                     attempts_allowed=attempts_allowed, title="磨机安全操作考试")
    attempt = attempt_start.start_attempt(worker, exam, assignment=exam.assignments[0])
    for position, value in enumerate(["2", "2", "2", "0"]):
        attempt_answers.save_answer(attempt, position, values=[value], seq=position + 1)
    attempt_finish.submit(attempt)
    db.session.commit()
    assert attempt.passed and attempt.score == 75
    return exam, attempt


def test_after_passing_the_result_and_certificate_come_first(page, app, artifacts):
    worker = make_user("880105", name="吴工")
    exam, attempt = _passed(worker)
    signed_in(page, worker)
    card = page.locator("article.task", has_text="磨机安全操作考试")
    assert card.count() == 1, "the passed exam is gone from the home page"
    page.screenshot(path=str(artifacts / "home-passed-task-360.png"), full_page=True)
    assert "已通过 · 75 分" in card.inner_text()
    main = card.locator(".task-actions a.btn.primary")
    assert main.all_inner_texts() == ["查看成绩", "下载证书"]
    retake = card.locator("a.retake")
    assert retake.count() == 1 and "primary" not in retake.get_attribute("class")
    assert "不会改变已通过的结果" in card.inner_text()  # best score counts: says it cannot hurt
    # the phone is WeChat's browser (it cannot keep a PDF): 下载证书 opens the certificate as a picture
    card.locator("text=下载证书").click()
    page.wait_for_url("**/certificates/*/image")
    pdf_url = page.url.replace("/image", ".pdf") + "?download=1"
    # outside WeChat the same certificate downloads as a PDF named after the person (RFC 5987 filename*)
    r = page.request.get(pdf_url, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 12) Chrome/120.0 Mobile"})
    assert r.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''880105-%E5%90%B4%E5%B7%A5.pdf" in r.headers["content-disposition"]
    page.go_back()
    page.goto(f"/exams/{exam.id}")
    page.screenshot(path=str(artifacts / "intro-after-passing-360.png"), full_page=True)
    assert page.locator("button.primary#start, #start.primary").count() == 0
    assert page.locator(".task-actions a.primary").all_inner_texts() == ["查看成绩", "下载证书"]
    assert page.locator("#start").inner_text() == "再考一次"
    page.click("#view-result")
    page.wait_for_url(f"**/attempts/{attempt.id}/result")


def test_after_passing_with_the_last_score_counting_the_retake_warns(page, app):
    worker = make_user("880106", name="郑工")
    _passed(worker, score_policy="last")
    signed_in(page, worker)
    card = page.locator("article.task", has_text="磨机安全操作考试")
    assert "以最后一次为准" in card.inner_text() and "变为未通过" in card.inner_text()


def test_partial_credit_in_the_review_and_the_mistakes_book_rule(page, app, artifacts):
    from quiz.exams.trainer import grading_queue as queue

    worker = make_user("880107", name="冯工")
    trainer = make_user("880108", name="培训员", roles={"trainer": [None]})
    bank = make_bank()
    exam = make_exam([make_question(bank, "single"), make_question(bank, "short", stem="磨机停机检修前要做什么？")],
                     points=16, assign_to=worker, pass_mark=16, review="full")
    attempt = attempt_start.start_attempt(worker, exam)
    attempt_answers.save_answer(attempt, 0, values=["1"], seq=1)  # wrong: into the book
    attempt_answers.save_answer(attempt, 1, values=["停机、挂牌、上锁"], seq=2)
    attempt_finish.submit(attempt)
    db.session.commit()
    queue.grade_item(attempt.items[1], 14, "少了验电", trainer)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}/result")
    page.screenshot(path=str(artifacts / "result-partial-credit-360.png"), full_page=True)
    reviews = page.locator("article.review")
    assert "✗" in reviews.nth(0).inner_text()
    assert "部分得分 14/16" in reviews.nth(1).inner_text() and "错误" not in reviews.nth(1).inner_text()
    assert no_horizontal_scroll(page)
    page.goto("/mistakes")
    page.screenshot(path=str(artifacts / "mistakes-book-360.png"), full_page=True)
    assert "80%" in page.locator("#mistakes-rule").inner_text()
    assert page.locator("ul.mistakes li").count() == 1  # the single choice, not the 14/16 short answer
    assert "磨机停机检修前" not in page.locator("main").inner_text()
    assert "下次复习" in page.locator("ul.mistakes li").inner_text()
    assert no_horizontal_scroll(page)
