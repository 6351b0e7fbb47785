"""A timed exam on a 360×740 phone: taps, the network dropping, a wrong phone
clock, the deadline passing, double taps and two tabs."""
from datetime import timedelta

from quiz.db import utcnow
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import start as attempt_start
from quiz.exams.models import Attempt
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.browser.pages import no_horizontal_scroll, signed_in
from tests.exams.factories import make_exam
from tests.org.factories import make_user


def _exam(n=4, **settings):
    worker = make_user("880001", name="赵工")
    bank = make_bank()
    questions = [make_question(bank, "single", stem=f"第{i}题：选丙") for i in range(n)]
    settings.setdefault("time_limit_minutes", 20)
    exam = make_exam(questions, assign_to=worker, **settings)
    return worker, exam


def _answers(attempt_id):
    db.session.rollback()  # end this thread's read snapshot: the server wrote since
    attempt = db.session.get(Attempt, attempt_id)
    return attempt, [i.response for i in attempt.items]


def _pick(page, position, value):
    page.locator(f"#q{position} input[name='q{position}'][value='{value}']").check()


def _wait_saved(page, position):
    page.wait_for_function(f"() => document.querySelector('#q{position} [data-sync]').className.indexOf('saved') >= 0")


def test_a_whole_timed_exam(page, app, artifacts):
    worker, exam = _exam()
    signed_in(page, worker)
    page.goto("/tasks")
    page.click(f"a[href='/exams/{exam.id}']")
    page.screenshot(path=str(artifacts / "exam-intro-360.png"), full_page=True)
    page.click("#start")
    page.wait_for_url("**/attempts/*")
    assert no_horizontal_scroll(page)
    assert page.locator("#countdown").inner_text().startswith(("19:", "20:"))
    for position in range(3):
        _pick(page, position, "2")
        _wait_saved(page, position)
        page.screenshot(path=str(artifacts / f"exam-question-{position}-360.png"))
        page.click(f"#q{position} button.next")
    assert page.locator("#answered-count").inner_text() == "3"
    page.click("#q3 button.submit")
    assert "第 4 题" in page.locator("#confirm-unanswered").inner_text()
    page.screenshot(path=str(artifacts / "exam-confirm-360.png"))
    page.click("#confirm-yes")
    page.wait_for_url("**/result")
    page.screenshot(path=str(artifacts / "exam-result-360.png"), full_page=True)
    assert "3" in page.locator("#score").inner_text()
    db.session.rollback()
    attempt = db.session.query(Attempt).one()
    assert _answers(attempt.id)[1] == [[2], [2], [2], None]


def test_answering_offline_reloading_and_coming_back(page, app, artifacts):
    worker, exam = _exam()
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.ready.then(function(){return 1}) : 1")
    _pick(page, 0, "2")
    _wait_saved(page, 0)
    page.reload()  # the service worker now has a copy of the page
    page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.ready.then(function(){return 1}) : 1")
    page.context.set_offline(True)
    page.click("#q0 button.next")
    _pick(page, 1, "1")
    page.wait_for_selector("#net-banner:not([hidden])")
    assert "等待同步" in page.locator("#q1 [data-sync]").inner_text()
    page.click("#q1 button.next")
    _pick(page, 2, "3")
    page.screenshot(path=str(artifacts / "exam-offline-360.png"))
    assert _answers(attempt.id)[1][1:3] == [None, None]
    page.reload()  # while offline
    page.wait_for_selector("#q1", state="attached")
    assert page.locator("#q1 input[name='q1'][value='1']").is_checked()
    assert page.locator("#q2 input[name='q2'][value='3']").is_checked()
    page.screenshot(path=str(artifacts / "exam-offline-reloaded-360.png"))
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_saved(page, 1)
    _wait_saved(page, 2)
    assert _answers(attempt.id)[1] == [[2], [1], [3], None]


def test_a_phone_clock_hours_off_still_shows_the_right_time(page, app):
    worker, exam = _exam(time_limit_minutes=30)
    attempt = attempt_start.start_attempt(worker, exam, now=utcnow() - timedelta(minutes=10))
    db.session.commit()
    page.add_init_script("""(function () {
      var Real = Date, offset = 5 * 3600 * 1000 + 17 * 60 * 1000;
      function Fake(a, b, c, d, e, f, g) {
        if (!(this instanceof Fake)) { return new Real(Real.now() + offset).toString(); }
        return arguments.length ? new (Function.prototype.bind.apply(Real, [null].concat([].slice.call(arguments))))()
                                : new Real(Real.now() + offset);
      }
      Fake.now = function () { return Real.now() + offset; };
      Fake.prototype = Real.prototype; Fake.UTC = Real.UTC; Fake.parse = Real.parse;
      window.Date = Fake;
    })();""")
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    page.wait_for_timeout(1200)
    shown = page.locator("#countdown").inner_text()
    minutes = int(shown.split(":")[0])
    assert minutes in (19, 18), shown


def test_expiry_while_the_page_is_open(page, app, artifacts):
    worker, exam = _exam(time_limit_minutes=1)
    attempt = attempt_start.start_attempt(worker, exam, now=utcnow() - timedelta(seconds=56))
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    _pick(page, 0, "2")
    page.wait_for_selector("#countdown.urgent")
    page.screenshot(path=str(artifacts / "exam-last-minute-360.png"))
    page.wait_for_url("**/result", timeout=15000)
    attempt, answers = _answers(attempt.id)
    assert attempt.status == "submitted" and answers[0] == [2]


def test_expiry_while_the_page_is_closed(page, app):
    worker, exam = _exam(time_limit_minutes=10)
    attempt = attempt_start.start_attempt(worker, exam, now=utcnow() - timedelta(minutes=30))
    attempt_answers.save_answer(attempt, 0, seq=1, values=["2"], now=utcnow() - timedelta(minutes=25))
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    page.wait_for_url("**/result")
    assert "时间到自动交卷" in page.content()
    attempt, _ = _answers(attempt.id)
    assert attempt.finalised_by == "clock" and attempt.score == 1


def test_double_submit(page, app):
    worker, exam = _exam(n=2)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    _pick(page, 0, "2")
    page.click("#q0 button.submit")
    page.evaluate("document.getElementById('confirm-yes').click(); document.getElementById('confirm-yes').click();")
    page.wait_for_url("**/result")
    statuses = page.evaluate("""Promise.all([1, 2].map(function () {
        return fetch('/api/attempts/%d/submit', {method: 'POST', headers: {'Content-Type': 'application/json'}})
          .then(function (r) { return r.status; }); }))""" % attempt.id)
    assert statuses == [200, 200]
    attempt, answers = _answers(attempt.id)
    assert attempt.status == "submitted" and attempt.score == 1
    assert db.session.query(Attempt).count() == 1  # answers() ended the snapshot


def test_two_tabs_on_the_same_attempt(page, app):
    worker, exam = _exam(n=3)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    signed_in(page, worker)
    page.goto(f"/attempts/{attempt.id}")
    other = page.context.new_page()
    other.goto(f"/attempts/{attempt.id}")
    _pick(page, 0, "2")
    _wait_saved(page, 0)
    other.click("#q0 button.next")
    _pick(other, 1, "0")
    _wait_saved(other, 1)
    assert _answers(attempt.id)[1][:2] == [[2], [0]]
    page.click("#q0 button.submit")
    page.click("#confirm-yes")
    page.wait_for_url("**/result")
    other.click("#q1 button.next")
    _pick(other, 2, "1")  # refused: already submitted, so the tab goes to the result
    other.wait_for_url("**/result")
    assert _answers(attempt.id)[1] == [[2], [0], None]


def test_a_whole_exam_with_javascript_off(browser, live_server, app, artifacts):
    """Old or locked-down phones: with no JavaScript the paper is plain forms, and nothing is lost."""
    from tests.browser.pages import PHONE

    worker, exam = _exam(3)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, base_url=live_server, locale="zh-CN")
    page = context.new_page()
    try:
        signed_in(page, worker)
        page.goto(f"/exams/{exam.id}")
        page.click("#start")
        page.wait_for_url("**/attempts/*")
        assert no_horizontal_scroll(page)
        for position in range(3):
            page.locator(f"#q{position} input[name='q{position}'][value='2']").check()
            page.click(f"#q{position} button.next" if position < 2 else f"#q{position} button.submit")
            page.wait_for_load_state()
        page.screenshot(path=str(artifacts / "exam-nojs-confirm-360.png"), full_page=True)
        page.click("button:has-text('确认交卷')")
        page.wait_for_url("**/result")
        assert "3" in page.locator("#score").inner_text()
        db.session.rollback()
        attempt = db.session.query(Attempt).one()
        assert attempt.status == "submitted"
        assert _answers(attempt.id)[1] == [[2], [2], [2]]
    finally:
        context.close()
