"""Per-person actions (extra time, one more attempt, reopen) and the grading
queue, through the services and through the live view's forms; each one
in the audit log."""
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
from quiz.exams.trainer import exam_setup
from quiz.exams.trainer import grading_queue as queue
from quiz.exams.trainer import person_actions
from quiz.errors import Refused
from quiz.exams.models import Attempt, ExamAllowance
from quiz.exams.signals import attempt_graded
from quiz.extensions import db
from quiz.org.models import AuditLog
from tests.banks.factories import RIGHT
from tests.exams.factories import ore_exam
from tests.org.factories import login


@pytest.fixture
def exam(org):
    return ore_exam(org)


def actions_logged(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def take(exam, user, *, answer_short: bool = True, now=None) -> Attempt:
    """Start, answer every item right (the short answer with some text), submit."""
    now = now or utcnow()
    attempt = attempt_start.start_attempt(user, exam, now=now)
    db.session.commit()
    for item in attempt.items:
        kind = item.revision.type
        if kind == "short" and not answer_short:
            continue
        attempt_answers.save_answer(attempt, item.position, RIGHT[kind], seq=1, now=now)
    attempt_finish.submit(attempt, now=now)
    db.session.commit()
    return attempt


# -- extra time -------------------------------------------------------------------------------

def test_extra_time_moves_the_running_attempts_deadline(org, exam):
    now = utcnow()
    attempt = attempt_start.start_attempt(org["miller"], exam, now=now)
    db.session.commit()
    deadline = attempt.deadline_at
    assert person_actions.give_extra_time(exam, org["miller"], 15, org["trainer"], now=now) == "attempt"
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).deadline_at == deadline + timedelta(minutes=15)
    [entry] = actions_logged("attempt.extra_time")
    assert entry.actor_id == org["trainer"].id and entry.details["minutes"] == 15


def test_extra_time_after_the_deadline_counts_from_now(org, exam):
    start = utcnow() - timedelta(minutes=31)
    attempt = attempt_start.start_attempt(org["miller"], exam, now=start)
    db.session.commit()
    now = utcnow()
    person_actions.give_extra_time(exam, org["miller"], 5, org["trainer"], now=now)
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).deadline_at == now + timedelta(minutes=5)


def test_extra_time_without_an_attempt_is_kept_for_the_next_start(org, exam):
    assert person_actions.give_extra_time(exam, org["miller"], 20, org["trainer"]) == "allowance"
    db.session.commit()
    now = utcnow()
    attempt = attempt_start.start_attempt(org["miller"], exam, now=now)
    assert attempt.deadline_at == now + timedelta(minutes=50)
    assert actions_logged("exam.extra_time")


def test_extra_time_must_be_sensible(org, exam):
    with pytest.raises(Refused):
        person_actions.give_extra_time(exam, org["miller"], 0, org["trainer"])


def test_extra_time_through_the_live_view(client, org, exam):
    attempt = attempt_start.start_attempt(org["miller"], exam)
    db.session.commit()
    deadline = attempt.deadline_at
    login(client, org["trainer"])
    response = client.post(f"/trainer/exams/{exam.id}/people/{org['miller'].id}/extra-time", data={"minutes": "10"},
                           follow_redirects=True)
    assert "延长 10 分钟" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline_at == deadline + timedelta(minutes=10)


def test_a_unit_trainer_cannot_act_on_people_outside_their_units(client, org, exam):
    login(client, org["ore_trainer"])
    url = f"/trainer/exams/{exam.id}/people/{org['smelter_worker'].id}/extra-time"
    assert client.post(url, data={"minutes": "10"}).status_code == 404
    assert client.post(f"/trainer/exams/{exam.id}/people/{org['miller'].id}/extra-time",
                       data={"minutes": "10"}).status_code == 302


# -- one more attempt -------------------------------------------------------------------------

def test_one_more_attempt_lets_a_worker_start_again(org, exam):
    take(exam, org["miller"])
    with pytest.raises(Refused) as exc:
        attempt_start.start_attempt(org["miller"], exam)
    assert exc.value.field == "no_attempts_left"
    db.session.rollback()
    person_actions.give_extra_attempt(exam, org["miller"], org["trainer"])
    db.session.commit()
    second = attempt_start.start_attempt(org["miller"], exam)
    assert second.number == 2
    [entry] = actions_logged("exam.extra_attempt")
    assert entry.details == {"exam_id": exam.id, "user_id": org["miller"].id, "extra_attempts": 1}


def test_one_more_attempt_through_the_live_view(client, org, exam):
    login(client, org["trainer"])
    response = client.post(f"/trainer/exams/{exam.id}/people/{org['miller'].id}/extra-attempt")
    assert response.status_code == 302
    allowance = db.session.scalar(select(ExamAllowance))
    assert (allowance.user_id, allowance.extra_attempts) == (org["miller"].id, 1)


# -- reopen -------------------------------------------------------------------------------------

def test_reopen_puts_a_finalised_attempt_back_with_its_answers_and_a_new_deadline(org, exam):
    attempt = take(exam, org["miller"])
    answers = [i.response for i in attempt.items]
    now = utcnow()
    person_actions.reopen(attempt, 10, org["trainer"], now=now)
    db.session.commit()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.status == "in_progress" and attempt.deadline_at == now + timedelta(minutes=10)
    assert attempt.score is None and attempt.submitted_at is None and attempt.passed is None
    assert [i.response for i in attempt.items] == answers
    # the worker can answer again and submit again
    attempt_answers.save_answer(attempt, 0, [0], seq=2)
    attempt_finish.submit(attempt)
    db.session.commit()
    assert attempt.status == "submitted"
    [entry] = actions_logged("attempt.reopen")
    assert entry.details["before"]["finalised_by"] == "worker"


def test_reopen_refuses_a_running_attempt_and_a_second_one(org, exam):
    first = take(exam, org["miller"])
    person_actions.give_extra_attempt(exam, org["miller"], org["trainer"])
    db.session.commit()
    second = attempt_start.start_attempt(org["miller"], exam)
    db.session.commit()
    with pytest.raises(Refused):
        person_actions.reopen(second, 10, org["trainer"])
    db.session.rollback()
    with pytest.raises(Refused) as exc:
        person_actions.reopen(first, 10, org["trainer"])
    assert exc.value.field == "other_in_progress"


def test_reopen_through_the_live_view(client, org, exam):
    attempt = take(exam, org["miller"])
    login(client, org["trainer"])
    response = client.post(f"/trainer/attempts/{attempt.id}/reopen", data={"minutes": ""}, follow_redirects=True)
    assert "已重新开放" in response.get_data(as_text=True)
    db.session.expire_all()
    reopened = db.session.get(Attempt, attempt.id)
    assert reopened.status == "in_progress"
    assert timedelta(minutes=29) < reopened.deadline_at - utcnow() <= timedelta(minutes=30)


# -- grading queue ----------------------------------------------------------------------------------

@pytest.fixture
def signals():
    sent = []

    def receiver(attempt, **_kw):
        sent.append(attempt.id)

    attempt_graded.connect(receiver)
    yield sent
    attempt_graded.disconnect(receiver)


def test_grading_the_last_short_answer_completes_the_result_and_fires_the_signal(org, exam, signals):
    attempt = take(exam, org["miller"])
    assert attempt.pending_grading and attempt.passed is None and signals == []
    scope = scope_for(org["trainer"], "train")
    [item] = db.session.scalars(queue.grading_queue(scope)).all()
    assert item.revision.type == "short"
    assert queue.grade_item(item, 1.5, "要点不全", org["trainer"]) is True
    db.session.commit()
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.score, attempt.passed, attempt.pending_grading) == (9.5, True, False)
    assert signals == [attempt.id]
    assert (item.comment, item.graded_by_id) == ("要点不全", org["trainer"].id)
    assert db.session.scalars(queue.grading_queue(scope)).all() == []
    [entry] = actions_logged("attempt.grade")
    assert entry.details["score"] == 1.5


def test_score_must_be_within_the_items_points(org, exam):
    take(exam, org["miller"])
    scope = scope_for(org["trainer"], "train")
    item = db.session.scalar(queue.grading_queue(scope))
    with pytest.raises(Refused):
        queue.grade_item(item, 3, "", org["trainer"])


def test_an_unanswered_short_answer_does_not_wait_for_a_trainer(org, exam, signals):
    attempt = take(exam, org["miller"], answer_short=False)
    assert not attempt.pending_grading and attempt.score == 8
    assert signals == [attempt.id]


def test_the_queue_is_scoped_to_the_trainers_units(org, exam):
    assigning.assign(exam, org["trainer"], user_ids=[org["smelter_worker"].id])
    db.session.commit()
    take(exam, org["miller"])
    take(exam, org["smelter_worker"])
    everyone = scope_for(org["trainer"], "train")
    ore_only = scope_for(org["ore_trainer"], "train")
    assert queue.queue_count(everyone) == 2
    items = db.session.scalars(queue.grading_queue(ore_only)).all()
    assert [i.attempt.user_id for i in items] == [org["miller"].id]


def test_grading_pages_show_one_answer_at_a_time_and_go_on_to_the_next(client, org, exam, signals):
    take(exam, org["miller"])
    take(exam, org["inspector"])
    login(client, org["trainer"])
    first = client.get("/trainer/grading")
    assert first.status_code == 302
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "参考答案" in page and "关键词：关键" in page and "我的回答" in page and "还有 2 道待评阅" in page
    item_url = first.headers["Location"].split("?")[0]
    response = client.post(item_url, data={"score": "2", "comment": "好"})
    assert response.status_code == 302 and "/trainer/grading" in response.headers["Location"]
    second = client.get(response.headers["Location"])
    assert second.status_code == 302 and second.headers["Location"].split("?")[0] != item_url
    client.post(second.headers["Location"].split("?")[0], data={"score": "0", "comment": ""})
    assert "没有待评阅的答案" in client.get("/trainer/grading").get_data(as_text=True)
    assert len(signals) == 2
    assert len(actions_logged("attempt.grade")) == 2


def test_grading_page_refuses_an_out_of_range_score(client, org, exam):
    take(exam, org["miller"])
    login(client, org["trainer"])
    url = client.get("/trainer/grading").headers["Location"].split("?")[0]
    response = client.post(url, data={"score": "5"})
    assert response.status_code == 200 and "得分应在 0 到 2 分之间" in response.get_data(as_text=True)


def test_a_unit_trainer_cannot_grade_outside_their_units(client, org, exam):
    assigning.assign(exam, org["trainer"], user_ids=[org["smelter_worker"].id])
    db.session.commit()
    take(exam, org["smelter_worker"])
    item = db.session.scalar(queue.grading_queue(scope_for(org["trainer"], "train")))
    login(client, org["ore_trainer"])
    assert client.get(f"/trainer/grading/{item.id}").status_code == 404
    assert client.post(f"/trainer/grading/{item.id}", data={"score": "1"}).status_code == 404


def test_an_item_is_graded_once(org, exam, signals):
    attempt = take(exam, org["miller"])
    item = db.session.scalar(grading_queue_of(org["trainer"]))
    queue.grade_item(item, 2, "", org["trainer"])
    db.session.commit()
    with pytest.raises(Refused) as exc:
        queue.grade_item(item, 0, "", org["trainer"])
    assert exc.value.field == "already_graded"
    auto = next(i for i in attempt.items if i.revision.type == "single")
    with pytest.raises(Refused):
        queue.grade_item(auto, 0, "", org["trainer"])
    assert signals == [attempt.id]


def grading_queue_of(trainer):
    return queue.grading_queue(scope_for(trainer, "train"))
