"""Attack: practise an exam's questions before sitting it, to learn its answer
key (DESIGN rule 10, outside attempts).

While an exam is open to a worker (assigned, not closed, an attempt left)
its questions are closed for practice unless its trainer opens them (the
"题库练习" setting of the exam form); practice-mode exams are open by
nature; an attempt in progress closes them whatever the setting."""
from __future__ import annotations

from datetime import timedelta

from quiz.db import utcnow
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams.models import Exam
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user

EXPL = "Zq9PRACTICE"


def _setup(**exam_settings):
    worker = make_user(name="王五")
    bank = make_bank()
    questions = [make_question(bank, "single", explanation=f"{EXPL}{n}") for n in range(3)]
    exam = make_exam(rules=[{"bank_id": bank.id, "count": 2}], assign_to=worker, **exam_settings)
    return worker, bank, questions, exam


def _practise_each(client, bank, questions) -> list[str]:
    """The practice pages a worker gets by posting each question's id (the attack)
    and by asking for a question (the honest way)."""
    pages = [client.post(f"/practice/bank/{bank.id}", data={
        "question_id": q.id, "revision_id": q.current_revision_id, "q0": "0"},
        follow_redirects=True).get_data(as_text=True) for q in questions]
    pages += [client.get(f"/practice/bank/{bank.id}").get_data(as_text=True) for _ in range(6)]
    return pages


def _revealed(pages) -> bool:
    return any(EXPL in page for page in pages)


def test_an_open_exams_bank_is_closed_for_practice_by_default(app, client):
    worker, bank, questions, exam = _setup()
    assert exam.practice_open is False
    login(client, worker)
    pages = _practise_each(client, bank, questions)
    assert not _revealed(pages)
    # the worker is told why, on the page where the question would be
    assert "考试开放期间" in pages[-1] and "不开放练习" in pages[-1]
    # and not by practising the mistakes book either (a wrong answer in an earlier practice, say)
    from quiz.exams import mistakes
    mistakes.record(worker.id, questions[0], False)
    db.session.commit()
    page = client.post("/practice/mistakes", data={"question_id": questions[0].id,
                                                   "revision_id": questions[0].current_revision_id, "q0": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert EXPL not in page


def test_the_trainer_opens_the_banks_on_the_exam_form(app, client):
    worker, bank, questions, exam = _setup()
    trainer = make_user(roles={"trainer": [None]})
    login(client, trainer)
    form = client.get(f"/trainer/exams/{exam.id}/edit").get_data(as_text=True)
    assert 'name="practice_open"' in form and "题库练习" in form
    response = client.post(f"/trainer/exams/{exam.id}/edit", data={
        "title": exam.title, "mode": "exam", "pass_mark": "0", "attempts_allowed": "1", "wait_minutes": "0",
        "score_policy": "best", "navigation": "free", "review": "final", "multiple_policy": "all_or_nothing",
        "rules-0-bank_id": str(bank.id), "rules-0-count": "2", "rules-0-points": "1", "practice_open": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).practice_open is True
    login(client, worker)
    assert _revealed(_practise_each(client, bank, questions))


def test_an_attempt_in_progress_closes_them_even_when_open(app, client):
    worker, bank, questions, exam = _setup(practice_open=True, time_limit_minutes=30)
    login(client, worker)
    assert client.post(f"/exams/{exam.id}/start").status_code == 302
    assert not _revealed(_practise_each(client, bank, questions))


def test_practice_mode_exams_are_open_by_nature(app, client):
    worker, bank, questions, exam = _setup(mode="practice")
    login(client, worker)
    assert _revealed(_practise_each(client, bank, questions))


def test_a_closed_exam_or_used_up_attempts_reopen_practice(app, client):
    worker, bank, questions, exam = _setup(attempts_allowed=1)
    login(client, worker)
    assert not _revealed(_practise_each(client, bank, questions))
    attempt = attempt_start.start_attempt(worker, exam)
    attempt_finish.submit(attempt)
    db.session.commit()
    assert _revealed(_practise_each(client, bank, questions))  # no attempt left: nothing to protect

    worker2, bank2, questions2, exam2 = _setup(closes_at=utcnow() - timedelta(minutes=1))
    login(client, worker2)
    assert _revealed(_practise_each(client, bank2, questions2))


def test_questions_no_open_exam_can_draw_stay_open(app, client):
    worker = make_user()
    bank = make_bank()
    drawn = make_question(bank, "single", category="焙烧", explanation="焙烧解析")
    other = make_question(bank, "single", category="电力", explanation="电力解析")
    make_exam(rules=[{"bank_id": bank.id, "count": 1, "category": "焙烧"}], assign_to=worker)
    login(client, worker)

    def practise(q):
        return client.post(f"/practice/bank/{bank.id}", data={
            "question_id": q.id, "revision_id": q.current_revision_id, "q0": "0"}).get_data(as_text=True)

    assert "焙烧解析" not in practise(drawn)  # the exam's rule can draw it: closed
    assert "电力解析" in practise(other)  # no open exam can draw it: practised as before
