"""Attempts from the server's side: saves, seq order, grace, submit, finalisation,
ownership, one in progress, practice and the mistakes book."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz.db import utcnow
from quiz.exams import mistakes
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.errors import Refused
from quiz.exams.models import Attempt, Mistake
from quiz.exams.signals import attempt_graded
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user


@pytest.fixture
def setup(app):
    worker = make_user(name="李四")
    bank = make_bank()
    questions = [make_question(bank, "single") for _ in range(3)]
    exam = make_exam(questions, assign_to=worker, time_limit_minutes=10)
    return worker, exam, questions


def start(worker, exam, **kw):
    attempt = attempt_start.start_attempt(worker, exam, **kw)
    db.session.commit()
    return attempt


def test_save_is_idempotent_and_an_older_seq_never_overwrites(setup):
    worker, exam, _ = setup
    attempt = start(worker, exam)
    attempt_answers.save_answer(attempt, 0, seq=2, values=["1"])
    db.session.commit()
    again = attempt_answers.save_answer(attempt, 0, seq=2, values=["3"])  # a retry of seq 2 with other content
    older = attempt_answers.save_answer(attempt, 0, seq=1, values=["0"])  # arrived late
    db.session.commit()
    assert again.stale and older.stale and older.saved_seq == 2
    assert attempt.items[0].response == [1]
    newer = attempt_answers.save_answer(attempt, 0, seq=3, values=["2"])
    db.session.commit()
    assert not newer.stale and attempt.items[0].response == [2]


def test_options_not_shown_are_dropped(setup):
    worker, exam, _ = setup
    attempt = start(worker, exam)
    attempt_answers.save_answer(attempt, 0, seq=1, values=["9"])
    db.session.commit()
    assert attempt.items[0].response is None


def test_refused_after_deadline_plus_grace_and_finalised_with_what_was_saved(setup, app):
    worker, exam, _ = setup
    t0 = utcnow()
    attempt = start(worker, exam, now=t0)
    attempt_answers.save_answer(attempt, 0, seq=1, values=["2"], now=t0 + timedelta(minutes=5))
    attempt_answers.save_answer(attempt, 1, seq=2, values=["2"], now=t0 + timedelta(minutes=10, seconds=50))  # in grace
    db.session.commit()
    with pytest.raises(Refused) as refused:
        attempt_answers.save_answer(attempt, 2, seq=3, values=["2"], now=t0 + timedelta(minutes=11, seconds=1))
    db.session.commit()
    assert refused.value.field == "deadline" and "宽限" in str(refused.value)
    assert attempt.status == "submitted" and attempt.finalised_by == "clock"
    assert attempt.score == 2 and attempt.items[2].response is None


def test_submit_twice_is_one_submission_and_one_signal(setup):
    worker, exam, _ = setup
    sent = []
    attempt_graded.connect(sent.append, weak=False)
    try:
        attempt = start(worker, exam)
        attempt_answers.save_answer(attempt, 0, seq=1, values=["2"])
        attempt_finish.submit(attempt)
        first = attempt.submitted_at
        attempt_finish.submit(attempt)
        db.session.commit()
    finally:
        attempt_graded.disconnect(sent.append)
    assert sent == [attempt] and attempt.submitted_at == first and attempt.score == 1


def test_lazy_finalisation_when_touched(setup, client):
    worker, exam, _ = setup
    attempt = start(worker, exam, now=utcnow() - timedelta(minutes=30))
    login(client, worker)
    reply = client.get(f"/api/attempts/{attempt.id}/state").get_json()
    assert reply["status"] == "submitted" and reply["result_url"].endswith("/result")
    assert db.session.get(Attempt, attempt.id).finalised_by == "clock"


def test_cli_finalises_overdue_attempts(setup, runner):
    worker, exam, _ = setup
    late = start(worker, exam, now=utcnow() - timedelta(minutes=30))
    other = make_user()
    from tests.exams.factories import assign
    assign(exam, user=other)
    running = start(other, exam)
    result = runner.invoke(args=["exams", "finalize-overdue"])
    assert result.exit_code == 0 and "1" in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, late.id).status == "submitted"
    assert db.session.get(Attempt, running.id).status == "in_progress"


def test_one_attempt_in_progress_and_attempts_allowed(setup):
    worker, exam, _ = setup
    first = start(worker, exam)
    assert start(worker, exam).id == first.id
    attempt_finish.submit(first)
    db.session.commit()
    with pytest.raises(Refused) as exc:
        start(worker, exam)
    assert exc.value.field == "no_attempts_left"


def test_wait_between_attempts_and_open_close(app):
    worker = make_user()
    bank = make_bank()
    exam = make_exam([make_question(bank)], assign_to=worker, attempts_allowed=3, wait_minutes=30)
    first = start(worker, exam)
    attempt_finish.submit(first)
    db.session.commit()
    with pytest.raises(Refused) as exc:
        start(worker, exam)
    assert exc.value.field == "wait"
    assert start(worker, exam, now=utcnow() + timedelta(minutes=31)).number == 2
    closed = make_exam([make_question(bank)], assign_to=worker, closes_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(Refused) as exc:
        start(worker, closed)
    assert exc.value.field == "closed"
    later = make_exam([make_question(bank)], assign_to=worker, opens_at=utcnow() + timedelta(hours=1))
    with pytest.raises(Refused):
        start(worker, later)


def test_deadline_is_the_close_time_when_earlier(app):
    worker = make_user()
    closes = utcnow() + timedelta(minutes=5)
    exam = make_exam([make_question(make_bank())], assign_to=worker, time_limit_minutes=60, closes_at=closes)
    attempt = start(worker, exam)
    assert abs((attempt.deadline_at - closes).total_seconds()) < 1


def test_another_user_gets_404_everywhere(setup, client):
    worker, exam, _ = setup
    attempt = start(worker, exam)
    intruder = make_user()
    login(client, intruder)
    for method, url in [("get", f"/attempts/{attempt.id}"), ("get", f"/attempts/{attempt.id}/result"),
                        ("get", f"/api/attempts/{attempt.id}/state"), ("post", f"/api/attempts/{attempt.id}/submit"),
                        ("post", f"/api/attempts/{attempt.id}/leave"), ("get", f"/exams/{exam.id}")]:
        assert getattr(client, method)(url).status_code == 404, url
    reply = client.post(f"/api/attempts/{attempt.id}/answers", json={"position": 0, "values": ["1"], "seq": 1})
    assert reply.status_code == 404
    assert db.session.get(Attempt, attempt.id).items[0].response is None


def test_json_api_round_trip(setup, client):
    worker, exam, _ = setup
    login(client, worker)
    location = client.post(f"/exams/{exam.id}/start").headers["Location"]
    attempt_id = int(location.rsplit("/", 1)[1])
    reply = client.post(f"/api/attempts/{attempt_id}/answers", json={"position": 1, "values": ["2"], "seq": 5})
    body = reply.get_json()
    assert body["ok"] and body["saved_seq"] == 5 and 590 <= body["remaining_seconds"] <= 600
    state = client.get(f"/api/attempts/{attempt_id}/state").get_json()
    assert state["items"][1]["values"] == ["2"] and state["answered"] == 1
    assert client.post(f"/api/attempts/{attempt_id}/submit").get_json()["status"] == "submitted"
    again = client.post(f"/api/attempts/{attempt_id}/submit").get_json()
    assert again["status"] == "submitted"
    refused = client.post(f"/api/attempts/{attempt_id}/answers", json={"position": 0, "values": ["2"], "seq": 6})
    assert refused.status_code == 409 and refused.get_json()["code"] == "submitted"


def test_plain_form_flow_without_javascript(setup, client):
    worker, exam, _ = setup
    login(client, worker)
    attempt_id = int(client.post(f"/exams/{exam.id}/start").headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/attempts/{attempt_id}").text
    assert 'action="/attempts/%d/q/0"' % attempt_id in page
    reply = client.post(f"/attempts/{attempt_id}/q/0", data={"q0": "2", "go": "next"})
    assert reply.headers["Location"].endswith("?q=1")
    client.post(f"/attempts/{attempt_id}/q/1", data={"q1": "1", "go": "submit", "flag": "1"})
    confirm = client.get(f"/attempts/{attempt_id}/submit").text
    assert "第 3 题" in confirm  # the unanswered question is named
    client.post(f"/attempts/{attempt_id}/submit")
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "submitted" and attempt.items[1].flagged
    assert [i.response for i in attempt.items] == [[2], [1], None]


def test_forward_only_navigation_refuses_going_back(app):
    worker = make_user()
    bank = make_bank()
    exam = make_exam([make_question(bank) for _ in range(3)], assign_to=worker, navigation="forward")
    attempt = start(worker, exam)
    attempt_answers.save_answer(attempt, 0, seq=1, values=["1"], move_to=1)
    db.session.commit()
    with pytest.raises(Refused) as exc:
        attempt_answers.save_answer(attempt, 0, seq=2, values=["2"])
    assert exc.value.field == "one_way"


def test_leave_limit_submits(app, client):
    worker = make_user()
    exam = make_exam([make_question(make_bank())], assign_to=worker, leave_limit=2)
    attempt = start(worker, exam)
    login(client, worker)
    for n in (1, 2, 2):  # a retried report is not counted twice
        assert client.post(f"/api/attempts/{attempt.id}/leave", json={"count": n}).get_json()["status"] == "in_progress"
    body = client.post(f"/api/attempts/{attempt.id}/leave", json={"count": 3}).get_json()
    assert body["status"] == "submitted"
    assert db.session.get(Attempt, attempt.id).finalised_by == "leave_limit"


def test_short_answer_leaves_the_result_pending(app):
    worker = make_user()
    bank = make_bank()
    exam = make_exam([make_question(bank, "single"), make_question(bank, "short")], assign_to=worker)
    attempt = start(worker, exam)
    attempt_answers.save_answer(attempt, 1, seq=1, values=["我的回答"])
    attempt_finish.submit(attempt)
    db.session.commit()
    assert attempt.pending_grading and attempt.passed is None


def test_mistakes_book_fills_and_empties_on_the_spaced_review_schedule(setup, client):
    worker, exam, questions = setup
    attempt = start(worker, exam)
    attempt_answers.save_answer(attempt, 0, seq=1, values=["1"])  # wrong
    attempt_finish.submit(attempt)
    db.session.commit()
    wrong_q = attempt.items[0].question
    assert [m.question_id for m in mistakes.open_mistakes(worker.id)] == [wrong_q.id]
    login(client, worker)
    assert wrong_q.stem in client.get("/mistakes").text
    page = client.get("/practice/mistakes").text
    assert wrong_q.stem in page
    revision = wrong_q.current_revision_id
    for n, value in enumerate(["2", "1", "2", "2"]):
        reply = client.post("/practice/mistakes", data={"question_id": wrong_q.id, "revision_id": revision, "q0": value})
        assert reply.status_code == 200
        assert ("回答正确" if value == "2" else "回答错误") in reply.text
        assert "解析" in reply.text
    mistake = db.session.scalar(select(Mistake).where(Mistake.question_id == wrong_q.id))
    db.session.refresh(mistake)
    # two right in a row on the same day no longer clear it: the next review is days away, not weeks
    assert not mistake.cleared and mistake.wrong_count == 2
    assert wrong_q.stem in client.get("/mistakes").text
    # answered right each time it falls due, the intervals grow until it leaves the book
    reviews = 0
    while not mistake.cleared:
        mistakes.record(worker.id, wrong_q, True, now=mistake.due_at)
        reviews += 1
        assert reviews < 8
    db.session.commit()
    assert 2 <= reviews <= 5
    assert "错题本是空的" in client.get("/mistakes").text


def test_practice_only_for_questions_the_worker_may_practise(app, client):
    worker = make_user()
    other_bank = make_bank(job_types=[])
    secret = make_question(make_bank(), "single")
    from quiz.org.services import ensure_job_type
    secret.bank.job_types.append(ensure_job_type("焙烧工"))
    db.session.commit()
    login(client, worker)
    assert client.get(f"/practice/bank/{secret.bank_id}").status_code == 404
    reply = client.post("/practice/mistakes", data={"question_id": secret.id, "revision_id": secret.current_revision_id,
                                                    "q0": "1"})
    assert reply.status_code == 404
    assert other_bank.title in client.get("/practice").text


def test_practice_exam_gives_the_answer_at_once_and_counts_nothing(app, client):
    worker = make_user()
    bank = make_bank()
    exam = make_exam([make_question(bank, explanation="练习解析XYZ")], assign_to=worker, mode="practice")
    login(client, worker)
    attempt_id = int(client.post(f"/exams/{exam.id}/start").headers["Location"].rsplit("/", 1)[1])
    body = client.post(f"/api/attempts/{attempt_id}/answers", json={"position": 0, "values": ["1"], "seq": 1}).get_json()
    assert body["feedback"]["right"] is False and body["feedback"]["explanation"] == "练习解析XYZ"
    attempt = db.session.get(Attempt, attempt_id)
    assert not attempt.counted
    assert mistakes.open_mistakes(worker.id)
    # unlimited practice attempts
    client.post(f"/api/attempts/{attempt_id}/submit")
    assert client.post(f"/exams/{exam.id}/start").status_code == 302


def test_tasks_page_and_home_panel(setup, client):
    worker, exam, _ = setup
    login(client, worker)
    page = client.get("/tasks").text
    assert exam.title in page and "未开始" in page
