"""Issue 11 (workers), the parts a page or a header shows: fill-in practice
prints its answer once, the English result page, the favicon, the
certificate's ASCII download name. (The browser half is in
tests/browser/test_worker_ux.py.)"""
from __future__ import annotations

import re

from quiz.certificates.views import _disposition
from quiz.exams import services
from quiz.extensions import db
from tests.exams.factories import make_bank, make_exam, make_question
from tests.factories import login, make_user


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
    attempt = services.start_attempt(worker, exam)
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
    attempt = services.start_attempt(worker, exam)
    services.save_answer(attempt, 0, values=["false"], seq=1)
    services.submit(attempt)
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
    assert re.search(r'<link rel="icon" href="/static/favicon.ico', page)
    with client.get("/static/favicon.ico") as static:
        assert static.status_code == 200


def test_certificate_download_name_keeps_the_persons_name():
    header = _disposition("attachment", "000101-王五.pdf")
    assert 'filename="000101-WangWu.pdf"' in header  # browsers without RFC 5987 support
    assert "filename*=UTF-8''000101-%E7%8E%8B%E4%BA%94.pdf" in header
    assert 'filename="010000-ZhangXiaoMing(2).pdf"' in _disposition("attachment", "010000-张晓明(2).pdf")
