"""Sign-in by code: recorded once, within the window, refusals for every bad input."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz.exams.models import AssignmentTarget
from quiz.exams.assignments.assignees import assignments_for
from quiz.extensions import db
from quiz.sessions import codes, marks, services, signin
from quiz.sessions.models import Attendance
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import make_unit, make_user
from tests.sessions.factories import make_session


@pytest.fixture
def org(app):
    company = make_unit("公司", kind="company")
    smelter = make_unit("电解厂", company)
    power = make_unit("热电厂", company)
    trainer = make_user("900001", name="郭培训", unit=company, roles={"trainer": [None]})
    worker = make_user("100001", name="王小明", unit=smelter)
    other = make_user("100002", name="李四", unit=smelter)
    outsider = make_user("200001", name="赵外", unit=power)
    return dict(company=company, smelter=smelter, power=power, trainer=trainer, worker=worker, other=other,
                outsider=outsider)


def _code(venue, now=None):
    return services.current_code(venue, now)


def test_current_code_records_once_then_says_already(org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    venue = s.venues[0]
    first = signin.sign_in(venue, org["worker"], _code(venue), device="d1")
    db.session.commit()
    assert first.outcome == "ok" and first.attendance.status == "present"
    again = signin.sign_in(venue, org["worker"], _code(venue), device="d1")
    assert again.outcome == "already"
    assert again.attendance.signed_in_at == first.attendance.signed_in_at
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 1


def test_code_one_rotation_old_is_accepted_older_is_expired(org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    venue = s.venues[0]
    now = s.starts_at
    old = codes.code_for(venue.secret, codes.step_of(now) - 1)
    assert signin.sign_in(venue, org["worker"], old, now=now).outcome == "ok"
    older = codes.code_for(venue.secret, codes.step_of(now) - 3)
    assert signin.sign_in(venue, org["other"], older, now=now).outcome == "expired"


def test_wrong_code_and_other_sessions_code(org):
    a = make_session(org["trainer"], units=[org["smelter"]], title="甲培训")
    b = make_session(org["trainer"], units=[org["smelter"]], title="乙培训")
    result = signin.sign_in(a.venues[0], org["worker"], _code(b.venues[0]))
    assert result.outcome == "other_session" and result.other.title == "乙培训"
    assert signin.sign_in(a.venues[0], org["worker"], "abc").outcome == "wrong_code"
    assert db.session.scalar(select(Attendance.id)) is None


def test_window_not_open_and_closed(org):
    early = make_session(org["trainer"], units=[org["smelter"]], starts_in=90, opens_before=30)
    assert signin.sign_in(early.venues[0], org["worker"], _code(early.venues[0])).outcome == "not_open"
    late = make_session(org["trainer"], units=[org["smelter"]], starts_in=-60, closes_after=30)
    assert signin.sign_in(late.venues[0], org["worker"], _code(late.venues[0])).outcome == "closed"


def test_lateness(org):
    s = make_session(org["trainer"], units=[org["smelter"]], starts_in=-10, late_after=5)
    result = signin.sign_in(s.venues[0], org["worker"], _code(s.venues[0]))
    assert result.attendance.status == "late"


@pytest.mark.parametrize("policy, outcome, recorded", [("refuse", "outsider", False), ("flag", "ok", True),
                                                       ("guest", "ok", True)])
def test_outsiders_follow_the_sessions_choice(org, policy, outcome, recorded):
    s = make_session(org["trainer"], units=[org["smelter"]], outsiders=policy)
    result = signin.sign_in(s.venues[0], org["outsider"], _code(s.venues[0]))
    assert result.outcome == outcome
    row = db.session.scalar(select(Attendance).where(Attendance.user_id == org["outsider"].id))
    assert (row is not None) == recorded
    if recorded:
        assert row.outsider


def test_one_phone_signing_in_many_people_alerts(org):
    s = make_session(org["trainer"], units=[org["company"]], device_limit=2)
    venue = s.venues[0]
    people = [org["worker"], org["other"], org["outsider"]]
    results = [signin.sign_in(venue, p, _code(venue), device="phone-1") for p in people]
    assert [r.device_alert for r in results] == [False, False, True]
    from quiz.sessions.attendance import live

    alerts = live(s).device_alerts
    assert alerts and alerts[0][0] == 3 and "王小明" in alerts[0][1]


def test_attendance_assigns_the_follow_up_test(org):
    bank = make_bank()
    exam = make_exam([make_question(bank)], title="行为安全观察与沟通 考试")
    s = make_session(org["trainer"], units=[org["smelter"]], follow_up_exam_id=exam.id, follow_up_days=7)
    signin.sign_in(s.venues[0], org["worker"], _code(s.venues[0]))
    db.session.commit()
    tasks = assignments_for(org["worker"])
    assert [a.exam_id for a in tasks] == [exam.id]
    assert tasks[0].due_at == s.ends_at + timedelta(days=7)
    assert assignments_for(org["other"]) == []  # did not attend: no test
    # marked absent afterwards: the test is taken back
    marks.mark(s, org["worker"], "absent", "误签", org["trainer"])
    db.session.commit()
    assert assignments_for(org["worker"]) == []
    assert db.session.scalar(select(AssignmentTarget.id).where(AssignmentTarget.user_id == org["worker"].id)) is None


def test_manual_mark_is_audited_and_never_ones_own(org):
    from quiz.org.models import AuditLog

    s = make_session(org["trainer"], units=[org["company"]])
    marks.mark(s, org["worker"], "present", "忘带手机", org["trainer"])
    db.session.commit()
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "session.mark"))
    assert log.details["reason"] == "忘带手机" and log.actor_id == org["trainer"].id
    with pytest.raises(services.Invalid) as exc:
        marks.mark(s, org["trainer"], "present", "我来了", org["trainer"])
    assert "自己" in exc.value.errors["employee_no"][0]
    with pytest.raises(services.Invalid) as exc:
        marks.mark(s, org["other"], "present", " ", org["trainer"])
    assert "reason" in exc.value.errors


def test_paper_sheet_is_all_or_nothing_with_row_numbers(org):
    s = make_session(org["trainer"], units=[org["company"]])
    rows = [(2, "100001"), (3, "999999"), (4, "100001")]
    with pytest.raises(services.Invalid) as exc:
        marks.import_sheet(s, rows, org["trainer"])
    messages = exc.value.errors["file"]
    assert any("第 3 行" in m and "999999" in m for m in messages)
    assert any("第 4 行" in m and "重复" in m for m in messages)
    db.session.rollback()
    assert db.session.scalar(select(Attendance.id)) is None
    result = marks.import_sheet(s, [(2, "100001"), (3, "100002")], org["trainer"])
    assert result.marked == 2


def test_sign_out_credits_the_time_attended(org):
    s = make_session(org["trainer"], units=[org["smelter"]], starts_in=-1, minutes=120, sign_out=True, hours=2.0)
    result = signin.sign_in(s.venues[0], org["worker"], _code(s.venues[0], s.starts_at), now=s.starts_at)
    assert result.outcome == "ok"
    out = signin.sign_out(s, org["worker"], now=s.starts_at + timedelta(minutes=60))
    assert out.hours == 1.0


def test_a_follow_up_test_chosen_after_the_session_goes_to_those_who_came(org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    signin.sign_in(s.venues[0], org["worker"], _code(s.venues[0]))
    db.session.commit()
    exam = make_exam([make_question(make_bank())], title="补充测试")
    data = services.session_data(s)
    data.follow_up_exam_id, data.follow_up_days = exam.id, 3
    services.save_session(s, data, org["trainer"])
    db.session.commit()
    assert [a.exam_id for a in assignments_for(org["worker"])] == [exam.id]
    assert assignments_for(org["other"]) == []


def test_a_venue_with_sign_ins_cannot_be_removed(org):
    s = make_session(org["trainer"], units=[org["smelter"]], venues=("主会场", "分会场"))
    signin.sign_in(s.venues[1], org["worker"], _code(s.venues[1]))
    db.session.commit()
    data = services.session_data(s)
    data.venues = ["主会场"]
    with pytest.raises(services.Invalid) as exc:
        services.save_session(s, data, org["trainer"])
    assert "分会场" in exc.value.errors["venues"][0]
    data.venues = ["主会场", "分会场", "第二分会场"]
    services.save_session(s, data, org["trainer"])
    db.session.commit()
    assert [v.name for v in s.venues] == ["主会场", "分会场", "第二分会场"]
