"""People who move: the dashboard counts them where they are now.

``exam_progress`` keeps a copy of each person's unit and job type (the
dashboard groups that table alone); the person's page and the roster import
change them and the copies follow in the same transaction, so a head sees a
person who joined their unit at once, with their result, and no longer sees
one who left.
"""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.exams.models import ExamProgress
from quiz.extensions import db
from quiz.org import services
from quiz.org.models import User
from quiz.org.signals import people_moved
from quiz.reports import progress
from quiz.reports.filters import Filters
from quiz.reports.report import Report
from tests.org.factories import import_roster, login, make_user
from tests.reports.test_unit_counts import computed, random_org, reference


def a1_figures(viewer, org, **filters) -> tuple:
    """(assigned, passed, failed, in progress, not started) of 全员安全考试 on the viewer's dashboard."""
    totals = {info.id: c for info, c in Report(scope_for(viewer), Filters(**filters)).totals()}
    c = totals.get(org.A1.id)
    return None if c is None else (c.assigned, c.passed, c.failed, c.in_progress, c.not_started)


def copies_agree() -> bool:
    """Every row's copy of the unit and job type is the person's own."""
    rows = db.session.execute(select(ExamProgress.unit_id, ExamProgress.job_type_id, User.unit_id, User.job_type_id)
                              .join(User, User.id == ExamProgress.user_id)).all()
    return bool(rows) and all(r[0] == r[2] and r[1] == r[3] for r in rows)


def test_the_person_page_moves_a_person_and_both_heads_dashboards_follow(app, client, org):
    # before: 电解厂 has its head, e1..e5 (e1 passed, e2 failed, e3 in progress, e5 passed, e4 nothing)
    assert a1_figures(org.head_e, org) == (6, 2, 1, 1, 2)
    assert a1_figures(org.head_a, org) == (4, 1, 1, 0, 2)
    login(client, org.admin)
    response = client.post(f"/org/people/{org.e1.id}/edit", data={
        "employee_no": "E001", "name": "张一", "unit_id": org.grind.id, "job_type": "磨工", "phone": "13900000001",
        "active": "y", "roles": [], "head_unit_ids": []})
    assert response.status_code == 302
    db.session.expire_all()
    assert a1_figures(org.head_e, org) == (5, 1, 1, 1, 2)  # e1's pass left with them
    assert a1_figures(org.head_a, org) == (5, 2, 1, 0, 2)
    # the job type moved too: 电解工 no longer finds e1, 磨工 does
    electrolysis = services.ensure_job_type("电解工")
    grinder = services.ensure_job_type("磨工")
    assert a1_figures(org.admin, org, job_type_id=electrolysis.id) == (2, 0, 1, 0, 1)
    assert a1_figures(org.admin, org, job_type_id=grinder.id) == (4, 2, 1, 0, 1)
    assert copies_agree()


def test_a_roster_import_moves_people_and_the_dashboard_follows(app, org):
    assert a1_figures(org.head_a, org) == (4, 1, 1, 0, 2)
    # e5 (passed at the second attempt) and e2 (failed) to 磨矿一班, as HR's roster says
    import_roster([["E005", "张五", "公司/氧化铝厂/矿制工区/磨矿一班", "磨工", "", "员工"],
                   ["E002", "张二", "公司/氧化铝厂/矿制工区/磨矿一班", "电解工", "", "员工"]], create_units=False)
    db.session.expire_all()
    assert db.session.get(User, org.e5.id).unit_id == org.grind.id
    assert a1_figures(org.head_a, org) == (6, 2, 2, 0, 2)
    assert a1_figures(org.head_e, org) == (4, 1, 0, 1, 2)
    assert copies_agree()


def test_rebuild_writes_the_same_copies(app, org):
    kept = sorted(tuple(r) for r in db.session.execute(select(ExamProgress.__table__)))
    progress.rebuild()
    assert sorted(tuple(r) for r in db.session.execute(select(ExamProgress.__table__))) == kept
    assert copies_agree()


@pytest.mark.parametrize("seed", [5, 6])
def test_grouped_counts_equal_person_by_person_after_people_move(app, seed):
    rng = random.Random(seed)
    units, people, job_types, assignments = random_org(rng)
    jobs = list(job_types.values()) + [None]
    movers = rng.sample(people, len(people) // 3)
    for person in movers:
        person.unit = rng.choice(units + [None]) if rng.random() < 0.1 else rng.choice(units)
        person.job_type = rng.choice(jobs)
    db.session.flush()
    people_moved.send(None, user_ids=[p.id for p in movers])
    db.session.commit()
    assert copies_agree()
    viewer = make_user("V0001", "查看者", units[0], roles={"admin": [None]})
    head = make_user("V0002", "负责人", units[4], roles={"head": [units[1].id]})
    for report in (Report(scope_for(viewer)), Report(scope_for(head)),
                   Report(scope_for(viewer), Filters(job_type_id=jobs[0].id)),
                   Report(scope_for(viewer), Filters(unit_id=units[2].id))):
        expected = reference(report)
        got = computed(report)
        assert got[0] == {k: v for k, v in expected[0].items() if sum(v)}
        assert got[1] == expected[1]
