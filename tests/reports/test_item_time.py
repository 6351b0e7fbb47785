"""Time per question, from the phone's saves timed by the server's clock, and the item analysis page
that shows it with its sample size (issue 11, point 11)."""
from __future__ import annotations

import re
from datetime import timedelta

from quiz.auth import light
from quiz.auth.scopes import scope_for
from quiz.db import utcnow
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import fast_save
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams.models import Attempt
from quiz.extensions import db
from quiz.reports.item_analysis import item_analysis
from quiz.reports.item_stats import MIN_RESPONSES
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user


def _attempt(worker, n=3):
    bank = make_bank()
    exam = make_exam([make_question(bank, "single") for _ in range(n)], assign_to=worker, time_limit_minutes=None)
    attempt = attempt_start.start_attempt(worker, exam)
    db.session.commit()
    return exam, attempt


def _times(attempt_id) -> list[int]:
    db.session.rollback()  # a fresh read: the phone's save commits on its own connection
    return [i.time_spent_ms for i in db.session.get(Attempt, attempt_id).items]


def test_the_fast_save_adds_the_time_since_the_attempts_previous_save_to_the_question_saved(app):
    worker = make_user()
    _exam, attempt = _attempt(worker)
    start = attempt.started_at
    who = light.Claim(worker.id, worker.session_version)
    saves = [(0, 1, 40), (0, 2, 55), (1, 3, 85), (2, 4, 85 + 3600)]  # (position, seq, seconds since the start)
    for position, seq, seconds in saves:
        saved = fast_save.save_answer_fast(attempt.id, who, position, ["1"], seq,
                                           now=start + timedelta(seconds=seconds))
        assert saved is not None and not saved.stale
        db.session.commit()
    # q1: 40 s to the first answer and 15 s changing it; q2: 30 s; q3: an hour away, counted as the cap
    assert _times(attempt.id) == [55_000, 30_000, attempt_answers.TIME_CAP_MS]
    # a stale save (a retry) adds nothing
    assert fast_save.save_answer_fast(attempt.id, who, 1, ["2"], 3, now=start + timedelta(hours=2)).stale
    db.session.commit()
    assert _times(attempt.id) == [55_000, 30_000, attempt_answers.TIME_CAP_MS]


def test_the_full_save_records_time_the_same_way(app):
    worker = make_user()
    _exam, attempt = _attempt(worker)
    start = attempt.started_at
    attempt_answers.save_answer(attempt, 1, seq=1, values=["2"], now=start + timedelta(seconds=20))
    attempt_answers.save_answer(attempt, 0, seq=2, values=["2"], flagged=True, now=start + timedelta(seconds=32))
    db.session.commit()
    assert _times(attempt.id) == [12_000, 20_000, 0]


def test_the_phone_api_records_time(app, client):
    worker = make_user()
    _exam, attempt = _attempt(worker)
    login(client, worker)
    attempt.started_at = utcnow() - timedelta(seconds=25)
    db.session.commit()
    reply = client.post(f"/api/attempts/{attempt.id}/answers", json={"position": 0, "values": ["1"], "seq": 1})
    assert reply.status_code == 200
    assert 24_000 <= _times(attempt.id)[0] <= 60_000


def _take(worker, exam, seconds: list[int], right: bool):
    attempt = attempt_start.start_attempt(worker, exam)
    at = attempt.started_at
    for item, s in zip(attempt.items, seconds):
        at += timedelta(seconds=s)
        answer = item.revision.answer[0]
        attempt_answers.save_answer(attempt, item.position, seq=1, values=[str(answer if right else (answer + 1) % 4)],
                             now=at)
    attempt_finish.submit(attempt, now=at)
    db.session.commit()


def test_item_analysis_shows_the_average_time_and_the_sample_beside_every_figure(app, client):
    trainer = make_user(roles={"trainer": [None]})
    bank = make_bank()
    questions = [make_question(bank, "single") for _ in range(2)]
    exam = make_exam(questions, time_limit_minutes=30)
    for i in range(4):
        worker = make_user()
        _take(worker, exam, [30, 10], right=i % 2 == 0)
    stats, _q = item_analysis(scope_for(trainer), exam.id)
    by_id = {s.question_id: s for s in stats}
    assert by_id[questions[0].id].avg_time_ms == 30_000 and by_id[questions[1].id].avg_time_ms == 10_000
    assert by_id[questions[0].id].timed == 4
    login(client, trainer)
    page = client.get(f"/reports/exams/{exam.id}/items").get_data(as_text=True)
    assert re.search(r"30\s*秒", page) and re.search(r"10\s*秒", page)
    # the sample beside each figure, and the rule for flags stated
    assert page.count("n=4") >= 2 * 3
    assert f"{MIN_RESPONSES}" in page and "暂不标记" in page


def test_no_flag_below_the_minimum_sample(app, client):
    """Eight answers where everybody is wrong: too few to say the key is wrong."""
    trainer = make_user(roles={"trainer": [None]})
    bank = make_bank()
    exam = make_exam([make_question(bank, "single") for _ in range(2)], time_limit_minutes=30)
    for _ in range(8):
        _take(make_user(), exam, [5, 5], right=False)
    stats, _q = item_analysis(scope_for(trainer), exam.id)
    assert MIN_RESPONSES >= 30
    assert all(s.n == 8 and not s.flags for s in stats)
    login(client, trainer)
    page = client.get(f"/reports/exams/{exam.id}/items").get_data(as_text=True)
    assert "data-flag" not in page
