"""The whole loop for one crew through the services, on SQLite and PostgreSQL:
fail, remediate, retest with a fresh paper, pass; the gate opens only when
the last member passes; overrides with a reason, audited; leavers."""
from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import select

from quiz.errors import Refused
from quiz.extensions import db
from quiz.org.models import AuditLog
from quiz.paths import review, services, state
from quiz.paths.models import CrewState, Remediation, TopicReview
from tests.org.factories import make_user
from tests.paths.factories import RIGHT, WRONG, make_bank_with_points, make_path, make_section, take, workers


@pytest.fixture
def crew(app):
    bank, questions = make_bank_with_points()
    section, (team, other) = make_section()
    path = make_path(bank, section)
    return path, team, other, workers(team, 3), workers(other, 2, prefix="V"), questions


def _practise_to_the_end(rem: Remediation, user):
    rng = random.Random(4)
    for point in rem.points:
        while not point.done:
            question = review.pick_practice(point, user.id, rng)
            assert question is not None
            review.answer_practice(rem, point, user, question.id, question.current_revision_id, RIGHT)
            db.session.commit()


def _open_topic(path, team):
    return state.load(path).crews[team.id].open_topic


def test_fail_remediate_retest_pass_and_the_gate_waits_for_the_last_member(crew):
    path, team, _other, (a, b, c), _vs, questions = crew
    t1, t2 = path.topics

    first = take(a, t1, right=False)
    assert first.passed is False
    rem = services.open_remediation(a.id, t1)
    assert rem is not None
    missed_points = {p.point for p in rem.points}
    assert missed_points == {"球磨机结构", "开停车"}
    point = next(p for p in rem.points if p.point == "球磨机结构")
    assert point.excerpts == ["球磨机结构的原文句子。"]
    # practice on the other questions of the point first
    others = [q for q in point.practice_ids if q not in point.missed_ids]
    assert others and point.practice_ids[:len(others)] == others
    assert {q.id for q in questions["球磨机结构"]} == set(point.practice_ids)

    # the retest is refused until the remediation is done
    with pytest.raises(Refused):
        services.start_test(a, t1)
    assert state.load(path).cell_state(state.load(path).people[a.id], 1) == "remediation"

    # a wrong practice answer does not count; two right ones finish a point
    question = review.pick_practice(point, a.id, random.Random(1))
    review.answer_practice(rem, point, a, question.id, question.current_revision_id, WRONG)
    assert point.right == 0
    _practise_to_the_end(rem, a)
    assert rem.done_at is not None

    second = take(a, t1, right=True)
    assert second.passed and second.number == 2 and second.id != first.id
    assert db.session.scalar(select(TopicReview).where(TopicReview.user_id == a.id)) is not None
    ps = state.load(path)
    assert ps.cell_state(ps.people[a.id], 1) == "passed"
    assert ps.standing(ps.people[a.id]).waiting_for_crew
    assert _open_topic(path, team) == 1

    take(b, t1, right=True)
    gate_now = state.load(path).crews[team.id].gate
    assert gate_now.open_topic == 1 and gate_now.blocking == (c.id,)
    with pytest.raises(Refused):
        services.start_test(a, t2)  # still locked for everybody

    take(c, t1, right=True)  # the last member passes
    assert _open_topic(path, team) == 2
    stored = db.session.scalar(select(CrewState).where(CrewState.unit_id == team.id))
    assert stored.open_topic == 2
    ps = state.load(path)
    assert ps.standing(ps.people[a.id]).current == 2
    assert take(a, t2, right=True).passed


def test_override_needs_a_reason_is_audited_and_opens_the_topic_for_the_crew(crew):
    path, team, other, _ws, (v1, v2), _q = crew
    trainer = make_user("TR001", roles={"trainer": [None]})
    take(v1, path.topics[0], right=True)
    assert _open_topic(path, other) == 1
    with pytest.raises(Refused):
        services.open_early(path, 2, "  ", trainer, unit=other)
    services.open_early(path, 2, "二号人员长期病假", trainer, unit=other)
    db.session.commit()
    assert _open_topic(path, other) == 2
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "path.override"))
    assert "二号人员长期病假" in log.summary and log.actor_id == trainer.id
    ps = state.load(path)
    assert ps.standing(ps.people[v1.id]).current == 2
    assert ps.standing(ps.people[v2.id]).current == 1  # catches up on topic 1 first
    # a person's override; never for oneself
    with pytest.raises(Refused):
        services.open_early(path, 2, "自己", v2, user=v2)
    services.open_early(path, 2, "师傅带教已掌握", trainer, user=v2)
    db.session.commit()
    assert services.may_take(v2, path.topics[1])[0]


def test_a_leaver_stops_blocking_and_a_joiner_catches_up(crew, app):
    path, team, _other, (a, b, c), _vs, _q = crew
    take(a, path.topics[0], right=True)
    take(b, path.topics[0], right=True)
    assert _open_topic(path, team) == 1
    c.active = False
    db.session.commit()
    ps = state.load(path)
    assert ps.crews[team.id].open_topic == 2
    assert ps.persist(ps.path.created_at) == 1  # the board or the worker's page stores it
    db.session.commit()
    newcomer = make_user("NEW01", unit=team, job_type="磨工")
    ps = state.load(path)
    assert ps.crews[team.id].open_topic == 2  # a newcomer does not send the crew back…
    assert ps.standing(ps.people[newcomer.id]).current == 1  # …and starts at topic 1
    assert newcomer.id in ps.crews[team.id].gate.catching_up


def test_personal_gate_opens_on_each_pass(app):
    bank, _q = make_bank_with_points()
    section, (team, _o) = make_section()
    path = make_path(bank, section, gate="personal", remediation_required=False)
    a, b = workers(team, 2)
    take(a, path.topics[0], right=True)
    ps = state.load(path)
    assert ps.standing(ps.people[a.id]).current == 2
    assert ps.standing(ps.people[b.id]).current == 1
    # remediation not required: a retest at once after a fail
    take(b, path.topics[0], right=False)
    assert take(b, path.topics[0], right=True).passed


def test_a_topic_whose_banks_cannot_fill_its_test_is_refused(app):
    bank, _q = make_bank_with_points({"球磨机结构": 2})
    section, _teams = make_section()
    path = services.create_path(services.PathData(title="路径", unit_ids=[section.id]), None)
    with pytest.raises(Refused) as exc:
        services.add_topic(path, services.TopicData("结构", [services.DrawData(bank.id, "球磨机结构", 3)]), None)
    assert "只有 2 道题" in str(exc.value) and "球磨机结构" in str(exc.value)
    assert not path.topics


def test_practice_hides_questions_an_exam_in_progress_can_draw(crew):
    path, _team, _other, (a, _b, _c), _vs, questions = crew
    take(a, path.topics[0], right=False)
    rem = services.open_remediation(a.id, path.topics[0])
    point = next(p for p in rem.points if p.point == "球磨机结构")
    # an exam of the same point is in progress: none of its questions may be practised now
    from tests.exams.factories import make_exam
    exam = make_exam(rules=[{"bank_id": questions["球磨机结构"][0].bank_id, "category": "球磨机结构", "count": 2}],
                     assign_to=a)
    from quiz.exams.attempt import start as attempt_start
    attempt_start.start_attempt(a, exam)
    db.session.commit()
    assert review.pick_practice(point, a.id, random.Random(2)) is None
    q = questions["球磨机结构"][0]
    with pytest.raises(Exception):
        review.answer_practice(rem, point, a, q.id, q.current_revision_id, RIGHT)


def test_cli_status_shape_and_unknown_path(crew, runner):
    path, team, _other, (a, b, c), _vs, _q = crew
    take(a, path.topics[0], right=True)
    take(b, path.topics[0], right=False)
    result = runner.invoke(args=["paths", "status", path.title, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"path", "gate", "topics", "crews", "people"}
    assert data["gate"] == "crew" and data["topics"] == [{"no": 1, "title": "球磨机结构与开停车"},
                                                        {"no": 2, "title": "巡检要点"}]
    crew_row = next(r for r in data["crews"] if r["unit"].endswith(team.name))
    assert crew_row["open_topic"] == 1 and crew_row["blocking"] == sorted([b.employee_no, c.employee_no])
    rows = {p["employee_no"]: p for p in data["people"]}
    assert rows[a.employee_no]["state"] == "passed" and rows[a.employee_no]["topic"] == 1
    assert rows[b.employee_no]["state"] == "remediation" and rows[b.employee_no]["attempts"] == 1
    assert rows[c.employee_no]["state"] == "studying"
    by_id = runner.invoke(args=["paths", "status", str(path.id), "--json"])
    assert json.loads(by_id.output)["path"] == path.title
    listed = json.loads(runner.invoke(args=["paths", "list", "--json"]).output)
    assert listed["paths"][0]["topics"][1]["title"] == "巡检要点"
    unknown = runner.invoke(args=["paths", "status", "没有的路径"])
    assert unknown.exit_code == 2 and "没有这条培训路径" in unknown.output


def test_someone_moving_to_another_crew_stops_blocking_and_catches_up_there(crew):
    path, team, other, (a, b, c), (v1, v2), _q = crew
    for person in (a, b, v1, v2):
        take(person, path.topics[0], right=True)
    assert _open_topic(path, team) == 1 and _open_topic(path, other) == 2
    c.unit_id = other.id  # moved to the other team before passing topic 1
    db.session.commit()
    ps = state.load(path)
    assert ps.crews[team.id].open_topic == 2
    assert ps.crews[other.id].gate.catching_up == (c.id,)
    assert ps.standing(ps.people[c.id]).current == 1


def test_a_managers_path_is_for_the_heads_and_trainers_of_its_units(app):
    bank, _q = make_bank_with_points()
    section, (team, _o) = make_section()
    path = services.create_path(services.PathData(title="行为安全观察与沟通（管理人员）", unit_ids=[section.id],
                                                  audience="managers", gate="personal"), None)
    services.add_topic(path, services.TopicData("概念", [services.DrawData(bank.id, "开停车", 2)]), None)
    head = make_user("MG001", unit=section, roles={"head": [section.id]})
    trainer = make_user("MG002", unit=team, roles={"trainer": [section.id]})
    worker = make_user("MG003", unit=team)
    assert {p.id for p in services.paths_for(head)} == {path.id}
    assert set(state.load(path).people) == {head.id, trainer.id}
    assert services.paths_for(worker) == []


def test_the_wait_between_tests_is_kept_by_the_exam_engine(app):
    bank, _q = make_bank_with_points()
    section, (team, _o) = make_section()
    path = services.create_path(services.PathData(title="等待路径", unit_ids=[section.id], gate="personal",
                                                  remediation_required=False, retest_wait_minutes=30), None)
    services.add_topic(path, services.TopicData("结构", [services.DrawData(bank.id, "球磨机结构", 2)]), None)
    db.session.commit()
    (a,) = workers(team, 1)
    take(a, path.topics[0], right=False)
    with pytest.raises(services.Refused) as exc:
        services.start_test(a, path.topics[0])
    assert exc.value.field == "wait" and "30 分钟" in str(exc.value)
