"""Attack: a trainer (or admin) grades, reopens, extends or adds attempts to
their own attempt (DESIGN rule 11).

Every such action, for every role that has it (trainer of the whole
company, trainer of a unit, admin), is refused with a clear message and
changes nothing; their own answers never appear in their grading queue;
and the same actions on somebody else's attempt still work."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.exams.attempt import answers as attempt_answers

from quiz.exams.attempt import finish as attempt_finish

from quiz.exams.attempt import start as attempt_start
from quiz.exams.models import Attempt, AttemptItem, ExamAllowance
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_unit, make_user

REFUSAL = "不能处理自己的考试"
ROLES = {
    "trainer_company": lambda unit: {"trainer": [None]},
    "trainer_unit": lambda unit: {"trainer": [unit.id]},
    "admin": lambda unit: {"admin": [None]},
}


def _setup(role: str):
    unit = make_unit("电解厂")
    actor = make_user(name="培训员", unit=unit, roles=ROLES[role](unit))
    worker = make_user(name="员工", unit=unit)
    bank = make_bank()
    questions = [make_question(bank, "short"), make_question(bank, "single")]
    exam = make_exam(questions, time_limit_minutes=30, attempts_allowed=1)
    from tests.exams.factories import assign
    assign(exam, unit=unit)
    db.session.commit()
    return actor, worker, exam


def _submitted(person, exam) -> Attempt:
    attempt = attempt_start.start_attempt(person, exam)
    attempt_answers.save_answer(attempt, 0, "我的回答", 1)
    attempt_finish.submit(attempt)
    db.session.commit()
    assert attempt.pending_grading
    return attempt


def _short_item(attempt) -> AttemptItem:
    return next(i for i in attempt.items if i.revision.type == "short")


@pytest.mark.parametrize("role", sorted(ROLES))
def test_nobody_grades_their_own_answer(app, client, role):
    actor, worker, exam = _setup(role)
    mine = _submitted(actor, exam)
    login(client, actor)
    item = _short_item(mine)
    # not in their queue: the queue has nothing for them
    page = client.get("/trainer/grading")
    assert page.status_code == 200 and f"/trainer/grading/{item.id}" not in page.get_data(as_text=True)
    # not by URL either: refused, with the reason, for the form and for a posted score
    for response in (client.get(f"/trainer/grading/{item.id}", follow_redirects=True),
                     client.post(f"/trainer/grading/{item.id}", data={"score": "10", "comment": "自己给满分"},
                                 follow_redirects=True)):
        assert REFUSAL in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AttemptItem, item.id).score is None
    assert db.session.get(Attempt, mine.id).pending_grading


@pytest.mark.parametrize("role", sorted(ROLES))
def test_nobody_reopens_extends_or_adds_attempts_for_themselves(app, client, role):
    actor, worker, exam = _setup(role)
    mine = _submitted(actor, exam)
    login(client, actor)
    for url, data in ((f"/trainer/attempts/{mine.id}/reopen", {"minutes": "30"}),
                      (f"/trainer/exams/{exam.id}/people/{actor.id}/extra-time", {"minutes": "30"}),
                      (f"/trainer/exams/{exam.id}/people/{actor.id}/extra-attempt", {})):
        response = client.post(url, data=data, follow_redirects=True)
        assert REFUSAL in response.get_data(as_text=True), url
    db.session.expire_all()
    assert db.session.get(Attempt, mine.id).status == "submitted"
    assert db.session.scalar(select(ExamAllowance).where(ExamAllowance.user_id == actor.id)) is None
    # extra time on a running attempt of one's own: refused too
    mine_again = db.session.get(Attempt, mine.id)
    mine_again.status = "in_progress"
    deadline = mine_again.deadline_at
    db.session.commit()
    response = client.post(f"/trainer/exams/{exam.id}/people/{actor.id}/extra-time", data={"minutes": "30"},
                           follow_redirects=True)
    assert REFUSAL in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attempt, mine.id).deadline_at == deadline


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_same_actions_on_someone_else_still_work(app, client, role):
    actor, worker, exam = _setup(role)
    theirs = _submitted(worker, exam)
    login(client, actor)
    item = _short_item(theirs)
    assert client.get("/trainer/grading").headers["Location"].startswith(f"/trainer/grading/{item.id}")
    response = client.post(f"/trainer/grading/{item.id}", data={"score": "1", "comment": "好"},
                           follow_redirects=True)
    assert REFUSAL not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AttemptItem, item.id).score == 1
    for url, data in ((f"/trainer/attempts/{theirs.id}/reopen", {"minutes": "30"}),
                      (f"/trainer/exams/{exam.id}/people/{worker.id}/extra-time", {"minutes": "30"}),
                      (f"/trainer/exams/{exam.id}/people/{worker.id}/extra-attempt", {})):
        response = client.post(url, data=data, follow_redirects=True)
        assert REFUSAL not in response.get_data(as_text=True), url
    db.session.expire_all()
    assert db.session.get(Attempt, theirs.id).status == "in_progress"
    allowance = db.session.scalar(select(ExamAllowance).where(ExamAllowance.user_id == worker.id))
    assert allowance.extra_attempts == 1


def test_a_trainers_home_counts_no_answer_of_their_own(app, client):
    actor, worker, exam = _setup("trainer_company")
    _submitted(actor, exam)
    from quiz.auth.scopes import scope_for
    from quiz.exams.trainer import grading_queue as queue
    assert queue.queue_count(scope_for(actor, "train")) == 0
    _submitted(worker, exam)
    assert queue.queue_count(scope_for(actor, "train")) == 1
