"""Issue 11 (workers), the parts a page or a header shows: fill-in practice
prints its answer once, the English result page, the favicon, the
certificate's ASCII download name. (The browser half is in
tests/browser/test_worker_ux.py.)"""
from __future__ import annotations

import re

from quiz.certificates.views.common import disposition
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user


def test_fill_in_practice_prints_the_answer_once(app, client):
    worker = make_user()
    bank = make_bank()
    question = make_question(bank, "fill", answer=[["球磨机"], ["分级机"]])
    db.session.commit()
    login(client, worker)
    page = client.post(f"/practice/bank/{bank.id}", data={"question_id": question.id,
                                                          "revision_id": question.current_revision_id,
                                                          "q0": ["球磨机", "旋流器"]}).text
    assert "回答错误" in page
    assert page.count("分级机") == 1, "the right answer is printed twice"


def test_fill_in_in_a_practice_exam_prints_the_answer_once(app, client):
    worker = make_user()
    bank = make_bank()
    exam = make_exam([make_question(bank, "fill", answer=[["球磨机"], ["分级机"]])], assign_to=worker,
                     mode="practice")
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    login(client, worker)
    client.post(f"/attempts/{attempt.id}/q/0", data={"q0": ["球磨机", "旋流器"], "go": "check"})
    page = client.get(f"/attempts/{attempt.id}?q=0").text
    assert "回答错误" in page and page.count("分级机") == 1


def test_english_result_page_says_submitted_and_true_false(app, client):
    worker = make_user()
    worker.locale = "en"
    bank = make_bank()
    exam = make_exam([make_question(bank, "truefalse", answer=True)], assign_to=worker, review="full")
    attempt = attempt_start.start_attempt(worker, exam)
    attempt_answers.save_answer(attempt, 0, values=["false"], seq=1)
    attempt_finish.submit(attempt)
    db.session.commit()
    login(client, worker)
    page = client.get(f"/attempts/{attempt.id}/result").text
    facts = re.sub(r"\s+", " ", page)
    assert "<dt>Submitted</dt>" in facts
    assert "<dt>Submit</dt>" not in facts
    assert "Your answer: False" in facts and "Correct answer: True" in facts
    assert "Right" not in facts


def test_favicon_is_served_and_linked(app, client):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/login").text
    assert re.search(r'<link rel="icon" href="/favicon.ico"', page)
    with client.get("/static/favicon.ico") as static:
        assert static.status_code == 200


def test_certificate_download_name_keeps_the_persons_name():
    header = disposition("attachment", "000101-王五.pdf")
    assert 'filename="000101-WangWu.pdf"' in header  # browsers without RFC 5987 support
    assert "filename*=UTF-8''000101-%E7%8E%8B%E4%BA%94.pdf" in header
    assert 'filename="010000-ZhangXiaoMing(2).pdf"' in disposition("attachment", "010000-张晓明(2).pdf")


def _pending(worker, objective_right: int):
    """Four single-choice questions × 21 points and one short answer of 16; pass mark 60."""
    bank = make_bank()
    questions = [make_question(bank, "single") for _ in range(4)] + [make_question(bank, "short")]
    exam = make_exam(questions, points=21, assign_to=worker, pass_mark=60)
    exam.items[-1].points = 16
    db.session.commit()
    attempt = attempt_start.start_attempt(worker, exam)
    for position in range(4):
        attempt_answers.save_answer(attempt, position, values=["2" if position < objective_right else "0"],
                             seq=position + 1)
    attempt_answers.save_answer(attempt, 4, values=["磨机停机后挂牌上锁"], seq=9)
    attempt_finish.submit(attempt)
    db.session.commit()
    assert attempt.pending_grading
    return exam, attempt


def test_a_result_waiting_for_grading_says_whether_passing_is_possible(app, client):
    worker = make_user()
    _exam, certain = _pending(worker, 3)  # 63 graded: passed whatever the short answer gets
    other = make_user()
    _exam2, hopeless = _pending(other, 2)  # 42 + 16 < 60
    login(client, worker)
    page = re.sub(r"\s+", " ", client.get(f"/attempts/{certain.id}/result").text)
    assert "客观题 63 分，简答题 16 分待阅卷，及格线 60 分" in page and "已达到及格线" in page
    home = re.sub(r"\s+", " ", client.get("/").text)
    assert "客观题 63 分，简答题 16 分待阅卷，及格线 60 分" in home  # the task stays on the home page
    client.post("/logout")
    login(client, other)
    page = re.sub(r"\s+", " ", client.get(f"/attempts/{hopeless.id}/result").text)
    assert "客观题 42 分，简答题 16 分待阅卷，及格线 60 分" in page and "即使简答题满分也无法及格" in page


def test_a_retake_after_full_marks_says_it_changes_nothing(app, client):
    worker = make_user()
    bank = make_bank()
    exam = make_exam([make_question(bank, "single")], points=10, assign_to=worker, pass_mark=6, attempts_allowed=3)
    attempt = attempt_start.start_attempt(worker, exam, assignment=exam.assignments[0])
    attempt_answers.save_answer(attempt, 0, values=["2"], seq=1)
    attempt_finish.submit(attempt)
    db.session.commit()
    login(client, worker)
    intro = re.sub(r"\s+", " ", client.get(f"/exams/{exam.id}").text)
    assert "已通过 · 10 分" in intro and "您已是满分，再考不会改变成绩" in intro
    assert 'class="btn primary block" id="start"' not in intro
