"""Attack: sit an exam once to collect the answer key from its review, then
sit it again with the key.

By default the review shows the right answers and 解析 only once no attempt
is left or the exam has closed; a trainer who chooses to show them at once
while attempts remain is warned on the exam form."""
from __future__ import annotations

import re
from datetime import timedelta

from quiz.db import utcnow
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams.models import Exam, ExamAllowance
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user

EXPL = "Zq9REVIEW"


def _exam(worker, **settings):
    bank = make_bank()
    questions = [make_question(bank, "single", explanation=f"{EXPL}{n}") for n in range(2)]
    return make_exam(questions, assign_to=worker, **settings)


def _sit(client, worker, exam) -> str:
    attempt = attempt_start.start_attempt(worker, exam)
    attempt_finish.submit(attempt)
    db.session.commit()
    return client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)


def _form(exam_id=None, **overrides):
    bank = make_bank()
    make_question(bank, "single")
    data = {"title": "复训考试", "mode": "exam", "pass_mark": "0", "attempts_allowed": "3", "wait_minutes": "0",
            "score_policy": "best", "navigation": "free", "review": "final", "multiple_policy": "all_or_nothing",
            "rules-0-bank_id": str(bank.id), "rules-0-count": "1", "rules-0-points": "1"}
    data.update(overrides)
    return data


def test_new_exams_show_answers_only_when_no_attempt_is_left(app, client):
    trainer = make_user(roles={"trainer": [None]})
    login(client, trainer)
    page = client.get("/trainer/exams/new").get_data(as_text=True)
    assert re.search(r'<option[^>]*\bselected\b[^>]*value="final"|<option[^>]*value="final"[^>]*\bselected\b', page)
    assert client.post("/trainer/exams/new", data=_form()).status_code == 302
    assert db.session.scalars(db.select(Exam)).one().review == "final"
    assert make_exam([], title="x").review == "final"  # the model's default too


def test_default_review_hides_the_key_while_attempts_remain(app, client):
    worker = make_user()
    exam = _exam(worker, attempts_allowed=2)
    login(client, worker)
    first = _sit(client, worker, exam)
    assert EXPL not in first  # one attempt left: no key to copy
    assert "错误" in first or "正确" in first  # but the worker still sees which were wrong
    second = _sit(client, worker, exam)
    assert EXPL in second  # none left: the answers and 解析 to learn from


def test_an_extra_attempt_holds_the_key_back_again(app, client):
    worker = make_user()
    exam = _exam(worker, attempts_allowed=1)
    db.session.add(ExamAllowance(exam_id=exam.id, user_id=worker.id, extra_attempts=1, extra_minutes=0))
    db.session.commit()
    login(client, worker)
    assert EXPL not in _sit(client, worker, exam)


def test_default_review_shows_the_key_once_the_exam_closes(app, client):
    worker = make_user()
    exam = _exam(worker, attempts_allowed=3)
    login(client, worker)
    attempt = attempt_start.start_attempt(worker, exam)
    attempt_finish.submit(attempt)
    db.session.commit()
    assert EXPL not in client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    exam.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert EXPL in client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)


def test_the_exam_form_warns_when_answers_show_while_attempts_remain(app, client):
    trainer = make_user(roles={"trainer": [None]})
    login(client, trainer)
    response = client.post("/trainer/exams/new", data=_form(review="full", attempts_allowed="3"),
                           follow_redirects=True)
    assert "还有作答机会" in response.get_data(as_text=True)  # flashed on saving
    exam = db.session.scalars(db.select(Exam)).one()
    page = client.get(f"/trainer/exams/{exam.id}/edit").get_data(as_text=True)
    assert 'id="review-warning"' in page and "还有作答机会" in page
    for quiet in (dict(review="full", attempts_allowed="1"), dict(review="final", attempts_allowed="3"),
                  dict(review="full", attempts_allowed="3", mode="practice")):
        response = client.post(f"/trainer/exams/{exam.id}/edit", data=_form(**quiet), follow_redirects=True)
        assert "还有作答机会" not in response.get_data(as_text=True), quiet
        page = client.get(f"/trainer/exams/{exam.id}/edit").get_data(as_text=True)
        assert 'id="review-warning"' not in page, quiet
    # unlimited attempts count as attempts left
    client.post(f"/trainer/exams/{exam.id}/edit", data=_form(review="full", attempts_allowed=""))
    assert 'id="review-warning"' in client.get(f"/trainer/exams/{exam.id}/edit").get_data(as_text=True)
