"""The hot paths stay cheap: an answer save in a few statements whatever the
paper's length, pages that take the write lock only when they write, a start
that draws its paper before the lock, the attempt page's revisions in one
query. And the fast save keeps the full save's meaning."""
from datetime import timedelta

import pytest

from quiz.db import utcnow
from quiz.exams.attempt import locking as attempt_locking
from quiz.exams.paper import pool as paper_pool
from quiz.exams.models import Attempt
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user
from tests.sql import driver_statements, statements


def locking(seen: list[str]) -> list[str]:
    """The statements that take the write lock (SQLite) or lock rows (PostgreSQL)."""
    return [s for s in seen if s.upper().startswith("BEGIN IMMEDIATE") or "FOR UPDATE" in s.upper()]


def _exam(worker, n: int, **settings):
    bank = make_bank()
    return make_exam([make_question(bank, "single") for _ in range(n)], assign_to=worker, time_limit_minutes=10,
                     **settings)


def _start(client, exam) -> int:
    return int(client.post(f"/exams/{exam.id}/start").headers["Location"].rsplit("/", 1)[1])


def _save(client, attempt_id, **body):
    return client.post(f"/api/attempts/{attempt_id}/answers", json=body)


# -- the answer save ----------------------------------------------------------------

_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK")


def _save_statements(client, attempt_id, position, seq) -> list[str]:
    """The save's statements as the driver runs them, transaction control left out."""
    with driver_statements() as seen:
        reply = _save(client, attempt_id, position=position, values=["1"], seq=seq)
    assert reply.status_code == 200 and reply.get_json()["saved_seq"] == seq
    return [s for s in seen if not s.upper().startswith(_TRANSACTION)]


def test_a_save_takes_a_few_statements_whatever_the_paper_length(app, client):
    worker = make_user()
    small, large = _exam(worker, 3), _exam(worker, 20)
    login(client, worker)
    counts = {}
    for exam in (small, large):
        attempt_id = _start(client, exam)
        _save_statements(client, attempt_id, 0, 1)  # warm up
        counts[exam.id] = [len(_save_statements(client, attempt_id, p, s)) for p, s in ((1, 2), (1, 3), (2, 4))]
    # attempt+exam+person (quiz.auth.light), item+revision, UPDATE item, UPDATE attempt when it moved
    assert counts[small.id] == counts[large.id]
    assert max(counts[large.id]) <= 4, counts
    assert counts[large.id][1] == counts[large.id][0] - 1  # the same position again: the attempt row is left alone


def test_a_stale_save_writes_nothing(app, client):
    worker = make_user()
    exam = _exam(worker, 3)
    login(client, worker)
    attempt_id = _start(client, exam)
    assert _save(client, attempt_id, position=0, values=["2"], seq=5).get_json()["saved_seq"] == 5
    with driver_statements() as seen:
        body = _save(client, attempt_id, position=0, values=["0"], seq=4).get_json()
    assert body["ok"] and body["stale"] and body["saved_seq"] == 5
    assert seen and not [s for s in seen if s.upper().startswith("UPDATE")]
    assert db.session.get(Attempt, attempt_id).items[0].response == [2]


def test_fast_save_keeps_the_meaning_of_the_full_save(app, client):
    worker = make_user()
    exam = _exam(worker, 3, navigation="forward")
    login(client, worker)
    attempt_id = _start(client, exam)
    body = _save(client, attempt_id, position=1, values=["9"], seq=1).get_json()  # an option never shown
    assert body == {"ok": True, "position": 1, "saved_seq": 1, "stale": False, "status": "in_progress",
                    "remaining_seconds": body["remaining_seconds"]}
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.items[1].response is None and attempt.current_position == 1
    refused = _save(client, attempt_id, position=0, values=["1"], seq=2)  # one-way: behind the worker
    assert refused.status_code == 409 and refused.get_json()["code"] == "one_way"
    assert _save(client, attempt_id, position=7, values=["1"], seq=3).get_json()["code"] == "bad_position"
    assert _save(client, attempt_id, position=2, values=["1"], seq="x").get_json()["code"] == "bad_response"
    intruder, other = make_user(), app.test_client()
    login(other, intruder)
    assert _save(other, attempt_id, position=2, values=["1"], seq=9).status_code == 404
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).items[2].response is None


def test_fast_save_refuses_after_deadline_plus_grace_and_finalises(app, client):
    worker = make_user()
    exam = _exam(worker, 3)
    login(client, worker)
    attempt_id = _start(client, exam)
    _save(client, attempt_id, position=0, values=["2"], seq=1)
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline_at = utcnow() - timedelta(seconds=attempt_locking.grace_seconds() + 1)
    db.session.commit()
    refused = _save(client, attempt_id, position=1, values=["2"], seq=2)
    assert refused.status_code == 409 and refused.get_json()["code"] == "deadline"
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "submitted" and attempt.finalised_by == "clock"
    assert attempt.items[0].response == [2] and attempt.items[1].response is None


# -- pages that only read ---------------------------------------------------------------

def test_tasks_and_intro_take_no_write_lock_when_nothing_is_overdue(app, client):
    worker = make_user()
    exam = _exam(worker, 3)
    login(client, worker)
    attempt_id = _start(client, exam)
    with statements() as seen:
        assert client.get("/tasks").status_code == 200
        assert client.get(f"/exams/{exam.id}").status_code == 200
    assert seen and not locking(seen), locking(seen)
    # overdue: finalised, under the lock, once
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline_at = utcnow() - timedelta(seconds=attempt_locking.grace_seconds() + 1)
    db.session.commit()
    with statements() as seen:
        assert client.get("/tasks").status_code == 200
    assert locking(seen)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).status == "submitted"


def test_tasks_page_renders_while_another_connection_writes(app, client):
    """On SQLite: with nothing overdue the page's transaction never holds the
    write lock, so a writer elsewhere is not kept waiting while it renders."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("only on SQLite: its database-wide write lock")
    worker = make_user()
    _exam(worker, 3)
    login(client, worker)
    import quiz.exams.assignments.todo as tasks_module

    real = tasks_module.tasks_for
    checked = []

    def tasks_for(user, *a, **kw):
        other = db.engine.raw_connection()
        try:
            other.driver_connection.execute("PRAGMA busy_timeout=0")
            other.driver_connection.execute("BEGIN IMMEDIATE")  # fails at once if the page held the lock
            other.driver_connection.execute("ROLLBACK")
            checked.append(True)
        finally:
            other.close()
        return real(user, *a, **kw)

    tasks_module.tasks_for = tasks_for
    try:
        assert client.get("/tasks").status_code == 200
    finally:
        tasks_module.tasks_for = real
    assert checked


# -- starting ------------------------------------------------------------------------

def test_the_intro_counts_the_questions_a_paper_has(app, client):
    worker = make_user()
    bank = make_bank()
    fixed = [make_question(bank, "single", category="甲") for _ in range(2)]
    for _ in range(4):
        make_question(bank, "single", category="甲")
    for _ in range(2):
        make_question(bank, "truefalse", category="乙")
    exam = make_exam(fixed, rules=[dict(bank_id=bank.id, category="甲", count=3),
                                   dict(bank_id=bank.id, count=10)], assign_to=worker)
    assert paper_pool.question_count(exam) == len(paper_pool.draw_paper(exam, 1).items) == 8
    login(client, worker)
    assert "<dd>8 道</dd>" in client.get(f"/exams/{exam.id}").text


def test_a_start_draws_its_paper_before_the_write_lock(app, client):
    worker = make_user()
    bank = make_bank()
    for _ in range(5):
        make_question(bank, "single")
    exam = make_exam(rules=[dict(bank_id=bank.id, count=3)], assign_to=worker, time_limit_minutes=10)
    login(client, worker)
    with statements() as seen:
        attempt_id = _start(client, exam)
    lock = next(i for i, s in enumerate(seen) if s in locking(seen))
    pool_reads = [i for i, s in enumerate(seen) if "FROM questions" in s]
    assert pool_reads and max(pool_reads) < lock
    assert len(db.session.get(Attempt, attempt_id).items) == 3
    # a second tap finds the attempt in progress without drawing or locking
    with statements() as seen:
        assert _start(client, exam) == attempt_id
    assert not locking(seen) and not [s for s in seen if "FROM questions" in s]


def test_the_attempt_page_loads_the_revisions_in_one_query(app, client):
    worker = make_user()
    exam = _exam(worker, 20)
    login(client, worker)
    attempt_id = _start(client, exam)
    with statements() as seen:
        assert client.get(f"/attempts/{attempt_id}").status_code == 200
    assert len([s for s in seen if "FROM question_revisions" in s]) == 1
    with statements() as seen:
        assert client.get(f"/attempts/{attempt_id}/submit").status_code == 200
    assert len([s for s in seen if "FROM question_revisions" in s]) == 1


def test_the_fast_save_writes_what_the_orm_reads_back(app):
    """The fast save writes on the driver's connection: its timestamps and JSON
    must read back through the ORM's column types exactly (to the microsecond,
    timezone-aware), and order as the ORM's own writes do."""
    from datetime import timezone

    from quiz.auth import light
    from quiz.exams.attempt import answers, fast_save, start

    worker = make_user()
    attempt = start.start_attempt(worker, _exam(worker, 3))
    db.session.commit()
    attempt_id, who = attempt.id, light.Claim(worker.id, worker.session_version)
    moment = utcnow().replace(microsecond=123456) + timedelta(seconds=1)
    saved = fast_save.save_answer_fast(attempt_id, who, 1, ["2"], 1, now=moment)
    assert saved is not None and saved.saved_seq == 1 and not saved.stale
    db.session.rollback()
    item = db.session.get(Attempt, attempt_id).items[1]
    assert item.saved_at == moment and item.saved_at.tzinfo is not None
    assert item.saved_at.astimezone(timezone.utc).microsecond == 123456
    assert item.response == [2] and item.client_seq == 1
    later = moment + timedelta(microseconds=1)  # the ORM's save after it: the newest for the next time_since
    answers.save_answer(db.session.get(Attempt, attempt_id), 2, seq=2, values=["1"], now=later)
    db.session.commit()
    assert fast_save.save_answer_fast(attempt_id, who, 0, ["1"], 3, now=later + timedelta(seconds=2)) is not None
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).items[0].time_spent_ms == 2000  # from the ORM's save, not the first
