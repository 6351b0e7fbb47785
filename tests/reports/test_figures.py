"""Exact figures on the hand-built organisation (see conftest.py)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.extensions import db
from quiz.exams.assignments.assignees import assignee_pairs
from quiz.reports.rollup import Counts
from quiz.reports.filters import Filters
from quiz.reports.report import Report
from quiz.i18n import SHANGHAI


def figures(c: Counts) -> tuple:
    return (c.assigned, c.not_started, c.in_progress, c.passed, c.failed, c.overdue)


def by_title(report: Report) -> dict:
    return {info.title: figures(c) for info, c in report.totals()}


def test_assignee_rule(org):
    pairs = set(db.session.execute(assignee_pairs()).all())
    everybody = {u.id for u in (org.head_e, org.head_a, org.trainer, org.admin, org.e1, org.e2, org.e3, org.e4,
                                org.e5, org.a1, org.a2, org.a3)}
    assert {u for a, u in pairs if a == org.A1.id} == everybody
    # job type with no unit: every 电解工, plus the named person
    assert {u for a, u in pairs if a == org.A2.id} == {org.e1.id, org.e2.id, org.e4.id, org.a3.id}
    # unit narrowed by job type
    assert {u for a, u in pairs if a == org.A3.id} == {org.a1.id, org.a2.id, org.a3.id}


def test_inactive_people_are_not_assigned(org):
    org.e4.active = False
    db.session.commit()
    pairs = set(db.session.execute(assignee_pairs([org.A1.id])).all())
    assert (org.A1.id, org.e4.id) not in pairs


def test_admin_dashboard_figures(org):
    report = Report(scope_for(org.admin), now=org.now)
    assert by_title(report) == {
        # assigned, not started, in progress, passed, failed, overdue
        "全员安全考试": (12, 6, 1, 3, 2, 9),
        "电解工专项": (4, 3, 0, 1, 0, 0),
        "磨工岗位": (3, 2, 0, 0, 1, 0),
    }
    a1 = dict((i.title, c) for i, c in report.totals())["全员安全考试"]
    assert a1.completion_rate == 5 / 12 and a1.pass_rate == 3 / 12
    # most recently due first
    assert [i.title for i in report.visible_assignments] == ["电解工专项", "全员安全考试", "磨工岗位"]


def test_head_sees_own_subtree_only(org):
    report = Report(scope_for(org.head_e), now=org.now)
    assert by_title(report) == {"全员安全考试": (6, 2, 1, 2, 1, 4), "电解工专项": (3, 2, 0, 1, 0, 0)}
    assert [u.name for u in report.roots] == ["电解厂"]


def test_drill_down_company_unit_section_team_person(org):
    report = Report(scope_for(org.admin), Filters(assignment_id=org.A1.id), now=org.now)
    total, children, direct = report.drill(None, org.A1.id)
    assert [u.name for u, _c in children] == ["公司"] and figures(total) == (12, 6, 1, 3, 2, 9)
    company = report.tree.units[org.company.id]
    total, children, direct = report.drill(company, org.A1.id)
    # worst first: 氧化铝厂 passes 1/4, 电解厂 2/6
    assert [(u.name, figures(c)) for u, c in children] == [
        ("氧化铝厂", (4, 2, 0, 1, 1, 3)), ("电解厂", (6, 2, 1, 2, 1, 4))]
    assert figures(direct) == (2, 2, 0, 0, 0, 2)  # trainer and admin sit at the company
    section = report.tree.units[org.smelter_sec.id]
    _t, teams, _d = report.drill(section, org.A1.id)
    assert [(u.name, figures(c)) for u, c in teams] == [("一班", (3, 0, 1, 1, 1, 2)), ("二班", (2, 1, 0, 1, 0, 1))]
    people = report.direct_people(report.tree.units[org.team2.id])
    assert [(r.employee_no, r.status, r.attempts, r.best_score) for r, _c in people] == [
        ("E004", "not_started", 0, None), ("E005", "passed", 2, 90.0)]


def test_levels_for_the_excel_sheets(org):
    report = Report(scope_for(org.admin), now=org.now)
    teams = {u.name: figures(c) for u, c in report.level(3, org.A1.id)}
    assert teams == {"一班": (3, 0, 1, 1, 1, 2), "二班": (2, 1, 0, 1, 0, 1), "磨矿一班": (3, 1, 0, 1, 1, 2)}


def test_who_to_chase_sorted_by_team(org):
    report = Report(scope_for(org.head_e), Filters(assignment_id=org.A1.id), now=org.now, show_phone=True)
    rows = report.chase()
    assert [(r.employee_no, r.status, r.team) for r in rows] == [
        ("H001", "not_started", "电解厂"),
        ("E002", "failed", "一班"),
        ("E003", "in_progress", "一班"),
        ("E004", "not_started", "二班"),
    ]
    assert all(r.overdue for r in rows)
    e2 = rows[1]
    assert (e2.attempts, e2.best_score, e2.levels) == (1, 50.0, ["公司", "电解厂", "电解一工区", "一班"])


def test_practice_attempts_do_not_count(org):
    report = Report(scope_for(org.admin), Filters(assignment_id=org.A3.id), now=org.now)
    a1 = [r for r in report.people() if r.employee_no == "O001"][0]
    assert (a1.status, a1.attempts, a1.best_score) == ("failed", 1, 30.0)


def test_person_page_data(org):
    report = Report(scope_for(org.admin), now=org.now)
    entries = {e["assignment"].title: e for e in report.person_assignments(org.e5)}
    assert list(entries) == ["全员安全考试"]
    entry = entries["全员安全考试"]
    assert entry["row"].status == "passed" and [a.score for a in entry["attempts"]] == [40.0, 90.0]


def test_filters_job_type_unit_and_dates(org):
    from quiz.org.services import ensure_job_type

    electrolysis = ensure_job_type("电解工")
    report = Report(scope_for(org.admin), Filters(job_type_id=electrolysis.id), now=org.now)
    assert by_title(report) == {"全员安全考试": (3, 1, 0, 1, 1, 2), "电解工专项": (3, 2, 0, 1, 0, 0)}
    report = Report(scope_for(org.admin), Filters(unit_id=org.team2.id), now=org.now)
    assert by_title(report) == {"全员安全考试": (2, 1, 0, 1, 0, 1), "电解工专项": (1, 1, 0, 0, 0, 0)}
    # due within the next two weeks: only A2; A3 has no due date and was created three days ago
    today = org.now.astimezone(SHANGHAI).date()
    report = Report(scope_for(org.admin), Filters(date_from=today, date_to=today + timedelta(days=14)), now=org.now)
    assert list(by_title(report)) == ["电解工专项"]
    report = Report(scope_for(org.admin), Filters(date_from=today - timedelta(days=3), date_to=today - timedelta(days=3)),
                    now=org.now)
    assert list(by_title(report)) == ["磨工岗位"]


def test_filters_are_limited_to_scope(org):
    # a head of 电解厂 asking for 氧化铝厂 gets nothing
    report = Report(scope_for(org.head_e), Filters(unit_id=org.alumina.id), now=org.now)
    assert report.totals() == [] and report.chase() == []
    report = Report(scope_for(org.head_e), Filters(assignment_id=org.A3.id), now=org.now)
    assert report.totals() == [] and report.chase() == []


def test_filters_from_query_string_ignore_garbage():
    f = Filters.from_args({"assignment": "abc", "from": "2024-13-01", "to": "2024-02-01", "unit": "-3",
                           "job_type": "7"})
    assert f == Filters(None, None, __import__("datetime").date(2024, 2, 1), 7, None)
    assert f.as_args() == {"to": "2024-02-01", "job_type": 7}


def test_histogram_and_timeline(org):
    report = Report(scope_for(org.admin), Filters(assignment_id=org.A1.id), now=org.now)
    # best scores: e1 80, e2 50, e5 90, a1 100, a2 40
    assert report.histogram() == [0, 0, 0, 0, 1, 1, 0, 0, 1, 2]
    t = report.timeline(org.A1.id)
    assert t["assigned"] == 12
    assert t["points"][-1][1:] == (5, 3)
    assert t["due"] == (org.now - timedelta(days=1)).astimezone(SHANGHAI).date()
    _ = select  # keep the import used by linters


def test_assignee_pairs_match_the_exam_engines_rule_without_duplicates(org):
    """Nested and repeated unit targets, a named person already covered, job types with and without units."""
    from quiz.exams.assignments.assignees import is_assigned
    from quiz.org.models import User
    from quiz.org.services import ensure_job_type
    from tests.exams.factories import make_assignment

    crane = ensure_job_type("天车工")
    electrolysis = ensure_job_type("电解工")
    cases = [
        make_assignment(org.exam1, units=[org.company, org.smelter, org.smelter], users=[org.e1, org.a3]),
        make_assignment(org.exam1, units=[org.smelter_sec, org.team1], job_types=[crane], users=[org.e3, org.e1]),
        make_assignment(org.exam1, job_types=[crane, electrolysis, crane], users=[org.e4, org.head_a]),
        make_assignment(org.exam1, users=[org.e2, org.e2]),
    ]
    db.session.commit()
    people = list(db.session.scalars(select(User)))
    pairs = db.session.execute(assignee_pairs([a.id for a in cases])).all()
    assert len(pairs) == len(set(pairs))
    for a in cases:
        expected = {p.id for p in people if is_assigned(p, a)}
        assert {u for aid, u in pairs if aid == a.id} == expected, a.id
