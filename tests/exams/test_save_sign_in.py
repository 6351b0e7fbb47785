"""The answer save checks the sign-in in its own read of the attempt
(``quiz.auth.light``): every cookie the usual loader refuses is refused here
too, with the same reply, and nothing is saved."""
import pytest

from quiz.auth import services as auth_services
from quiz.exams.models import Attempt
from quiz.extensions import db
from quiz.org.models import User
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user
from tests.sql import driver_statements


def _started(app, client):
    worker = make_user()
    exam = make_exam([make_question(make_bank(), "single") for _ in range(3)], assign_to=worker,
                     time_limit_minutes=10)
    login(client, worker)
    attempt_id = int(client.post(f"/exams/{exam.id}/start").headers["Location"].rsplit("/", 1)[1])
    return worker.id, attempt_id


def _save(client, attempt_id, seq, value="1"):
    return client.post(f"/api/attempts/{attempt_id}/answers", json={"position": 0, "values": [value], "seq": seq})


def _saved(attempt_id):
    db.session.rollback()  # a fresh read: the test's own transaction may hold an older snapshot
    return db.session.get(Attempt, attempt_id).items[0].response


def test_a_save_reads_the_person_with_the_attempt_not_on_its_own(app, client):
    _worker_id, attempt_id = _started(app, client)
    assert _save(client, attempt_id, 1).status_code == 200
    with driver_statements() as seen:
        assert _save(client, attempt_id, 2, "2").get_json()["saved_seq"] == 2
    assert any("FROM attempts" in s for s in seen), seen
    alone = [s for s in seen if "FROM users" in s and "attempts" not in s]
    assert not alone, alone  # no separate read of the person (nor of their roles)
    assert _saved(attempt_id) == [2]


def _sign_out_elsewhere(worker_id):
    auth_services.end_sessions(db.session.get(User, worker_id))


def _deactivate(worker_id):
    db.session.get(User, worker_id).active = False


def _password_change_due(worker_id):
    db.session.get(User, worker_id).must_change_password = True


@pytest.mark.parametrize("change, status, relogin", [
    (_sign_out_elsewhere, 401, True),  # "sign out everywhere", a password change or reset
    (_deactivate, 401, True),
    (_password_change_due, 403, None),
])
def test_a_cookie_the_loader_refuses_saves_nothing(app, client, change, status, relogin):
    worker_id, attempt_id = _started(app, client)
    assert _save(client, attempt_id, 1).status_code == 200
    db.session.rollback()  # the test's own snapshot ends: the save was committed on another connection
    change(worker_id)
    db.session.commit()
    reply = _save(client, attempt_id, 2, "2")
    assert reply.status_code == status
    assert reply.get_json()["ok"] is False and reply.get_json().get("relogin") == relogin
    assert _saved(attempt_id) == [1]


def test_an_idle_cookie_is_signed_out_before_the_save(app, client):
    _worker_id, attempt_id = _started(app, client)
    with client.session_transaction() as session:
        session["seen"] = session["seen"] - app.config["IDLE_MINUTES"] * 60 - 5
    reply = _save(client, attempt_id, 1)
    assert reply.status_code == 401 and reply.get_json()["relogin"] is True
    assert _saved(attempt_id) is None
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_forged_session_without_the_version_saves_nothing(app, client):
    _worker_id, attempt_id = _started(app, client)
    with client.session_transaction() as session:
        session.pop("sv")
    assert _save(client, attempt_id, 1).status_code == 401
    assert _saved(attempt_id) is None
