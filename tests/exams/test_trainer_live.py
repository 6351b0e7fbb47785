"""The live view of a running exam: who has not started, who is in progress
(time left, answered, page leaves), who submitted, scores; scoped to the
trainer's units; overdue attempts finalised on the way. And the demo exams."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.db import utcnow
from quiz.exams.assignments import assigning
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams import live as live_model
from quiz.exams.trainer import exam_setup
from quiz.org import models as org_models
from quiz.exams.models import Attempt, Exam
from quiz.extensions import db
from tests.banks.factories import RIGHT, WRONG, make_bank, make_question
from tests.org.factories import login


@pytest.fixture
def exam(org):
    bank = make_bank("岗位安全")
    questions = [make_question(bank, "single") for _ in range(4)]
    db.session.commit()
    exam = exam_setup.save_exam(None, exam_setup.ExamData(title="岗位安全 考试", pass_mark=3, time_limit_minutes=30,
                                            leave_limit=5, fixed=[(q.id, 1.0) for q in questions]),
                         org["trainer"])
    assigning.assign(exam, org["trainer"], unit_ids=[org["company"].id])
    db.session.commit()
    return exam


def running(org, exam):
    """miller in progress (2 answered, 2 leaves, 10 minutes in), inspector passed,
    smelter_worker failed; the trainers and head are in the company too."""
    now = utcnow()
    a = attempt_start.start_attempt(org["miller"], exam, now=now - timedelta(minutes=10))
    db.session.commit()
    attempt_answers.save_answer(a, 0, RIGHT["single"], seq=1, now=now)
    attempt_answers.save_answer(a, 1, WRONG["single"], seq=1, now=now)
    attempt_answers.leave(a, 2, now=now)
    db.session.commit()
    for user, answer in ((org["inspector"], RIGHT), (org["smelter_worker"], WRONG)):
        b = attempt_start.start_attempt(user, exam, now=now)
        db.session.commit()
        for item in b.items:
            attempt_answers.save_answer(b, item.position, answer["single"], seq=1, now=now)
        attempt_finish.submit(b, now=now)
        db.session.commit()
    return now


def test_live_figures(org, exam):
    now = running(org, exam)
    data = live_model.live(exam, scope_for(org["trainer"], "train"), now=now)
    rows = {r.user.employee_no: r for r in data.rows}
    miller, inspector, smelter = rows["100001"], rows["100002"], rows["100003"]
    assert miller.status == "in_progress" and (miller.answered, miller.total, miller.leave_count) == (2, 4, 2)
    assert 19 * 60 < miller.remaining_seconds <= 20 * 60
    assert inspector.status == "passed" and inspector.attempt.score == 4
    assert smelter.status == "failed" and smelter.attempt.score == 0
    assert data.counts["assigned"] == 6  # three workers, two trainers and the head
    assert (data.counts["in_progress"], data.counts["submitted"], data.counts["passed"]) == (1, 2, 1)
    assert data.counts["not_started"] == 3 and data.average == 2.0


def test_live_view_is_scoped_to_the_trainers_units(org, exam):
    now = running(org, exam)
    data = live_model.live(exam, scope_for(org["ore_trainer"], "train"), now=now)
    assert {r.user.employee_no for r in data.rows} == {"100001", "100002", "900002"}


def test_live_view_finalises_overdue_attempts(org, exam):
    start = utcnow() - timedelta(minutes=40)
    attempt = attempt_start.start_attempt(org["miller"], exam, now=start)
    db.session.commit()
    data = live_model.live(exam, scope_for(org["trainer"], "train"))
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).finalised_by == "clock"
    assert {r.user.employee_no: r.status for r in data.rows}["100001"] == "failed"


def test_live_page_and_its_rows(client, org, exam):
    running(org, exam)
    login(client, org["trainer"])
    page = client.get(f"/trainer/exams/{exam.id}/live").get_data(as_text=True)
    assert "js/live.js" in page and 'http-equiv="refresh"' in page
    rows = client.get(f"/trainer/exams/{exam.id}/live/rows")
    html = rows.get_data(as_text=True)
    assert rows.status_code == 200 and "<html" not in html
    assert 'data-user="100001" data-status="in_progress"' in html and "2 / 4" in html
    assert 'data-user="100002" data-status="passed"' in html and "4 / 4" in html
    assert html.count('name="csrf_token"') >= 3
    assert '<b id="n-in-progress">1</b>' in html


def test_workers_and_heads_get_403_on_the_live_view(client, org, exam):
    for who in ("miller", "head"):
        login(client, org[who])
        assert client.get(f"/trainer/exams/{exam.id}/live").status_code == 403
        assert client.get(f"/trainer/exams/{exam.id}/live/rows").status_code == 403
        client.post("/logout")


def test_exam_list_shows_running_and_pending(client, org, exam):
    running(org, exam)
    login(client, org["trainer"])
    html = client.get("/trainer/exams").get_data(as_text=True)
    assert "岗位安全 考试" in html and f"/trainer/exams/{exam.id}/live" in html


def test_live_page_screenshot_at_desktop_width(org, exam, browser, live_server, artifacts):
    from tests.browser.pages import sign_in
    from tests.org.factories import PASSWORD

    running(org, exam)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", base_url=live_server)
    page = context.new_page()
    try:
        sign_in(page, org["trainer"].employee_no, PASSWORD)
        page.goto(f"/trainer/exams/{exam.id}/live")
        assert page.locator("#live-table tbody tr").count() == 6
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        # live.js swaps in fresh rows by itself: the head starts while the page is open
        attempt_start.start_attempt(org["head"], exam)
        db.session.commit()
        page.wait_for_selector('tr[data-user="900003"][data-status="in_progress"]', timeout=15000)
        assert "已刷新" in page.inner_text("#live-stamp")
        page.click('tr[data-user="100002"] summary')
        page.screenshot(path=str(artifacts / "trainer_live_1280.png"), full_page=True)
        page.goto(f"/trainer/exams/{exam.id}/edit")
        page.screenshot(path=str(artifacts / "trainer_exam_form_1280.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()


def test_demo_loader_builds_an_exam_per_bank(app):
    from quiz.org import demo as org_demo

    from quiz.exams import demo

    assert demo.load in org_demo.loaders()
    assert org_demo.loaders().index(demo.load) > min(
        i for i, f in enumerate(org_demo.loaders()) if f.__module__ == "quiz.banks.demo")
    assert "跳过" in demo.load()[0]  # no banks yet
    lines = org_demo.load()
    db.session.commit()
    # the learning paths' topic tests (quiz/paths/demo.py) are exams too, given through the path, not assigned
    exams = [e for e in db.session.scalars(select(Exam).order_by(Exam.id)) if e.assignments]
    banks = [e for e in exams if e.mode == "exam"]
    assert len(banks) == 5 and len(exams) == 6
    for exam in banks:
        assert exam.time_limit_minutes == 30 and exam.pass_mark == 60
        assert sum(r.count for r in exam.rules) == 20
        assert exam_setup.total_points(exam.rules, []) == 100
        assert exam.assignments and exam.assignments[0].due_at > utcnow() + timedelta(days=13)
    ore = [e for e in banks if "磨工" in e.title][0]
    assert [t.job_type.name for t in ore.assignments[0].targets if t.job_type] == ["磨工"]
    assert any("布置给" in line for line in lines)
    # a paper can be drawn from every demo exam
    worker = db.session.scalar(select(org_models.User).where(org_models.User.employee_no == "000101"))
    attempt = attempt_start.start_attempt(worker, banks[0])
    assert len(attempt.items) == 20


def test_trainer_home_panel(client, org, exam):
    running(org, exam)
    login(client, org["ore_trainer"])
    html = client.get("/").get_data(as_text=True)
    assert 'id="trainer-panel"' in html and "正在作答 1 人" in html and "岗位安全 考试" in html
