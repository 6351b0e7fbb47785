"""A worker against another worker's attempt: every route that takes an attempt id, GET and POST.

The routes are read from the app's URL map, so an attempt route added later is
covered without editing this test. Another worker gets 404 (nothing says the
attempt exists); the owner's answers are untouched.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from quiz.exams.attempt import start as attempt_start
from quiz.exams.models import AttemptItem
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import assign, make_exam
from tests.org.factories import login, make_unit, make_user


def test_every_attempt_route_is_404_for_another_worker(app, client):
    team = make_unit("一班")
    owner = make_user("300001", name="张主人", unit=team)
    intruder = make_user("300002", name="李旁人", unit=team)
    bank = make_bank("越权")
    exam = make_exam([make_question(bank, "single"), make_question(bank, "truefalse")], title="越权考试")
    assign(exam, unit=team)
    db.session.commit()
    attempt = attempt_start.start_attempt(owner, exam)
    db.session.commit()
    item = attempt.items[0]
    login(client, intruder)
    checked = []
    for rule in app.url_map.iter_rules():
        if "attempt_id" not in rule.arguments:
            continue
        url = rule.rule
        for arg in rule.arguments:
            value = attempt.id if arg == "attempt_id" else (item.position if arg == "position" else 1)
            url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(value), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                r = client.get(url)
            else:
                r = client.open(url, method=method, json={"question": item.id, "item_id": item.id, "position": 1,
                                                          "value": "0", "seq": 99, "answer": "0"})
            # trainer routes refuse a worker by role first (403); the worker's own routes say nothing exists
            expected = (403, 404) if rule.rule.startswith("/trainer/") else (404,)
            assert r.status_code in expected, f"{method} {url}: {r.status_code}"
            checked.append(f"{method} {rule.rule}")
    assert len(checked) >= 8, checked
    db.session.expire_all()
    assert db.session.scalars(select(AttemptItem.response).where(AttemptItem.attempt_id == attempt.id)).all() \
        == [None] * len(attempt.items)
    assert attempt.status == "in_progress"
