"""The sessions pages: creating a session, the screen, scanning and typing
the code, exports, records and their scoping, the command line, the demo."""
from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from quiz.extensions import db
from quiz.sessions import services, signin
from quiz.sessions.models import Attendance, TrainingSession
from tests.factories import login, make_unit, make_user
from tests.sessions.factories import make_session


@pytest.fixture
def org(app):
    company = make_unit("公司", kind="company")
    smelter = make_unit("电解厂", company)
    team = make_unit("一班", smelter, kind="team")
    power = make_unit("热电厂", company)
    trainer = make_user("900001", name="郭培训", unit=company, roles={"trainer": [None]})
    head = make_user("800001", name="李电解", unit=smelter, roles={"head": [smelter.id]})
    worker = make_user("100001", name="王小明", unit=team, job_type="电解工")
    other = make_user("100002", name="李四", unit=team)
    outsider = make_user("200001", name="赵外", unit=power)
    return dict(company=company, smelter=smelter, team=team, power=power, trainer=trainer, head=head,
                worker=worker, other=other, outsider=outsider)


def _screen_code(client, session) -> str:
    page = client.get(f"/trainer/sessions/{session.id}/screen/{session.venues[0].id}").get_data(as_text=True)
    return re.search(r'id="short-code" data-code="(\d{6})"', page).group(1)


def test_trainer_creates_a_session_with_venues_and_audience(client, org):
    login(client, org["trainer"])
    response = client.post("/trainer/sessions/new", data={
        "title": "党的二十大精神宣讲", "kind": "lecture", "starts_at": "2026-03-02T14:30", "ends_at": "2026-03-02T16:30",
        "place": "公司礼堂", "venues": "公司礼堂（主会场）\n电解厂分会场\n氧化铝厂分会场", "hours": "2",
        "unit_ids": [str(org["smelter"].id)], "opens_before": "30", "closes_after": "30", "late_after": "5",
        "outsiders": "flag", "device_limit": "2", "follow_up_days": "7"})
    assert response.status_code == 302
    s = db.session.scalar(select(TrainingSession))
    assert [v.name for v in s.venues] == ["公司礼堂（主会场）", "电解厂分会场", "氧化铝厂分会场"]
    assert s.venues[0].is_main and len({v.secret for v in s.venues}) == 3
    assert s.starts_at.hour == 6  # 14:30 in Shanghai
    page = client.get(f"/trainer/sessions/{s.id}").get_data(as_text=True)
    assert "党的二十大精神宣讲" in page and "应到" in page


def test_form_errors_keep_what_was_typed(client, org):
    login(client, org["trainer"])
    response = client.post("/trainer/sessions/new", data={
        "title": "培训", "kind": "special", "starts_at": "2026-03-02T14:30", "ends_at": "2026-03-02T13:30",
        "hours": "2", "employee_nos": "100001, 777777", "opens_before": "30", "closes_after": "30",
        "late_after": "5", "outsiders": "flag", "device_limit": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "找不到这些工号：777777" in page
    assert 'value="培训"' in page


def test_scan_from_the_screen_records_and_counts(client, org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    login(client, org["trainer"])
    code = _screen_code(client, s)
    state = client.get(f"/trainer/sessions/{s.id}/screen/{s.venues[0].id}/state").get_json()
    assert state["expected"] == 3 and state["present"] == 0 and state["qr"].startswith("data:image/svg+xml")
    assert state["url"].endswith(f"/s/{s.venues[0].id}?c={state['code']}")
    client.post("/logout")
    login(client, org["worker"])
    response = client.get(f"/s/{s.venues[0].id}?c={code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "签到成功" in page
    again = client.get(f"/s/{s.venues[0].id}?c={code}").get_data(as_text=True)
    assert "已签到" in again and "无需重复签到" in again
    client.post("/logout")
    login(client, org["trainer"])
    state = client.get(f"/trainer/sessions/{s.id}/screen/{s.venues[0].id}/state").get_json()
    assert state["present"] == 1 and state["latest"][0]["name"] == "王小明"


def test_sign_in_page_title_and_description_have_no_personal_data(client, org):
    s = make_session(org["trainer"], units=[org["smelter"]], title="行为安全观察与沟通专项培训")
    login(client, org["worker"])
    page = client.get(f"/s/{s.venues[0].id}?c={services.current_code(s.venues[0])}").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    description = re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    assert "行为安全观察与沟通专项培训" in title and "签到" in title
    assert "行为安全观察与沟通专项培训" in description
    for personal in ("王小明", "100001"):
        assert personal not in title and personal not in description


def test_scan_before_signing_in_to_the_app_records_after_login(client, org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    venue = s.venues[0]
    response = client.get(f"/s/{venue.id}?c={services.current_code(venue)}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    next_url = response.headers["Location"].split("next=", 1)[1]
    from urllib.parse import unquote

    response = client.post("/login", data={"employee_no": "100001", "password": "Passw0rd!", "next": unquote(next_url)})
    assert f"/s/{venue.id}?p=" in response.headers["Location"]
    back = response.headers["Location"]
    other_phone = client.application.test_client()  # the link forwarded to another phone proves nothing
    login(other_phone, org["other"])
    assert "签到成功" not in other_phone.get(back).get_data(as_text=True)
    page = client.get(back).get_data(as_text=True)
    assert "签到成功" in page
    assert db.session.scalar(select(Attendance.user_id)) == org["worker"].id


def test_anonymous_scan_with_a_bad_code_is_refused_before_login(client, org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    response = client.get(f"/s/{s.venues[0].id}?c=000000" if services.current_code(s.venues[0]) != "000000"
                          else f"/s/{s.venues[0].id}?c=111111")
    assert response.status_code == 409 and "签到码不正确" in response.get_data(as_text=True)


def test_typed_code_finds_the_venue(client, org):
    s = make_session(org["trainer"], units=[org["smelter"]], venues=("主会场", "分会场"))
    login(client, org["worker"])
    branch = s.venues[1]
    page = client.post("/checkin", data={"code": services.current_code(branch)}).get_data(as_text=True)
    assert "签到成功" in page and "分会场" in page
    assert db.session.scalar(select(Attendance.venue_id)) == branch.id
    wrong = client.post("/checkin", data={"code": "12"})
    assert wrong.status_code == 422 and "6 位数字" in wrong.get_data(as_text=True)


def test_refusal_messages_on_the_phone(client, org):
    a = make_session(org["trainer"], units=[org["smelter"]], title="甲培训")
    b = make_session(org["trainer"], units=[org["smelter"]], title="乙培训")
    refuse = make_session(org["trainer"], units=[org["smelter"]], title="丙培训", outsiders="refuse")
    later = make_session(org["trainer"], units=[org["smelter"]], title="丁培训", starts_in=600)
    login(client, org["worker"])
    page = client.get(f"/s/{a.venues[0].id}?c={services.current_code(b.venues[0])}").get_data(as_text=True)
    assert "另一场培训（乙培训）" in page
    page = client.get(f"/s/{later.venues[0].id}?c={services.current_code(later.venues[0])}").get_data(as_text=True)
    assert "签到尚未开始" in page
    client.post("/logout")
    login(client, org["outsider"])
    response = client.get(f"/s/{refuse.venues[0].id}?c={services.current_code(refuse.venues[0])}")
    assert response.status_code == 409 and "不在这次培训的名单中" in response.get_data(as_text=True)


def test_device_cookie_alert_on_the_trainer_screen(client, org):
    s = make_session(org["trainer"], units=[org["company"]], device_limit=1)
    venue = s.venues[0]
    for person in (org["worker"], org["other"]):
        login(client, person)
        assert "签到成功" in client.get(f"/s/{venue.id}?c={services.current_code(venue)}").get_data(as_text=True)
        client.post("/logout")
    login(client, org["trainer"])
    state = client.get(f"/trainer/sessions/{s.id}/screen/{venue.id}/state").get_json()
    assert state["alerts"] and "2" in state["alerts"][0] and "王小明" in state["alerts"][0]


def test_mark_and_sheet_upload_on_the_detail_page(client, org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    login(client, org["trainer"])
    client.post(f"/trainer/sessions/{s.id}/mark", data={"employee_no": "100001", "status": "present",
                                                        "reason": "忘带手机", "venue_id": str(s.venues[0].id)})
    assert db.session.scalar(select(Attendance.reason)) == "忘带手机"
    wb = Workbook()
    ws = wb.active
    ws.append(["工号", "姓名"])
    ws.append(["100002", "李四"])
    ws.append(["123456", "无名"])
    data = io.BytesIO()
    wb.save(data)
    response = client.post(f"/trainer/sessions/{s.id}/sheet", data={"file": (io.BytesIO(data.getvalue()), "签到.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "第 3 行" in page and "123456" in page and "全部未登记" in page
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 1


def test_attendance_exports(client, org):
    s = make_session(org["trainer"], units=[org["smelter"]])
    signin.sign_in(s.venues[0], org["worker"], services.current_code(s.venues[0]))
    db.session.commit()
    login(client, org["trainer"])
    wb = load_workbook(io.BytesIO(client.get(f"/trainer/sessions/{s.id}/attendance.xlsx").data))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    statuses = {row[2]: row[5] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert statuses == {"100001": "出勤", "100002": "缺勤", "800001": "缺勤"}
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/trainer/sessions/{s.id}/attendance.pdf").data)).pages)
    assert "培训签到表" in text and "王小明" in text and "本人签字" in text


def test_records_are_scoped(client, org):
    s = make_session(org["trainer"], units=[org["company"]], hours=2.5)
    signin.sign_in(s.venues[0], org["worker"], services.current_code(s.venues[0]))
    signin.sign_in(s.venues[0], org["outsider"], services.current_code(s.venues[0]))
    db.session.commit()
    login(client, org["worker"])
    page = client.get("/records/me").get_data(as_text=True)
    assert "行为安全观察与沟通专项培训" in page and "2.5 学时" in page
    assert client.get(f"/records/people/{org['outsider'].id}").status_code == 403
    client.post("/logout")
    login(client, org["head"])
    assert client.get(f"/records/people/{org['worker'].id}").status_code == 200
    assert client.get(f"/records/people/{org['outsider'].id}").status_code == 404  # 热电厂: not theirs
    page = client.get("/records/").get_data(as_text=True)
    assert "王小明" in page and "赵外" not in page
    wb = load_workbook(io.BytesIO(client.get("/records/export.xlsx").data))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert "100001" in {r[2] for r in rows} and "200001" not in {r[2] for r in rows}
    mine = [r for r in rows if r[2] == "100001"]
    assert len(mine) == 1 and mine[0][6] == "行为安全观察与沟通专项培训" and mine[0][7] == 2.5


def test_hours_against_required_and_printable_record(client, org):
    from quiz.sessions import records

    s1 = make_session(org["trainer"], units=[org["smelter"]], hours=2.5, kind="special")
    s2 = make_session(org["trainer"], units=[org["smelter"]], hours=1.5, kind="class", title="矿制工区培训班")
    for s in (s1, s2):
        signin.sign_in(s.venues[0], org["worker"], services.current_code(s.venues[0]))
    records.set_required(org["smelter"], None, 20.0, org["trainer"])
    db.session.commit()
    record = records.person_record(org["worker"])
    year = next(iter(record.years.values()))
    assert year.total == 4.0 and year.by_kind == {"专项培训": 2.5, "培训班": 1.5}
    assert year.required == 20.0 and year.below
    rows = {r.person.employee_no: r for r in records.unit_hours(records_scope(org["head"]), org["smelter"], year.year)}
    assert rows["100001"].hours == 4.0 and rows["100001"].below and rows["100002"].hours == 0
    login(client, org["head"])
    pdf = client.get(f"/records/people/{org['worker'].id}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "安全教育培训档案" in text and "王小明" in text and "100001" in text
    assert "行为安全观察与沟通专项培训" in text and "矿制工区培训班" in text
    zipped = client.get(f"/records/export.zip?unit={org['smelter'].id}")
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"


def records_scope(user):
    from quiz.auth.scopes import scope_for

    return scope_for(user)


def test_extra_record_sources_plug_in(app, org):
    from quiz.sessions import records

    def topics(user_ids, year):
        return [records.Entry(uid, org["worker"].created_at, "path", "学习路径", "磨机安全", 1.0, "通过")
                for uid in user_ids if uid == org["worker"].id]

    records.register_record_source(app, topics)
    try:
        record = records.person_record(org["worker"])
        assert [e.title for e in record.lines] == ["磨机安全"]
        assert next(iter(record.years.values())).total == 1.0
    finally:
        app.extensions["quiz.record_sources"].remove(topics)


def test_cli_attendance_and_record_json(runner, org):
    s = make_session(org["trainer"], units=[org["smelter"]], venues=("主会场", "分会场"))
    signin.sign_in(s.venues[1], org["worker"], services.current_code(s.venues[1]))
    db.session.commit()
    result = runner.invoke(args=["sessions", "attendance", str(s.id), "--json"])
    data = json.loads(result.output)
    assert data["expected"] == 3 and data["present"] == 1 and data["absent"] == 2 and data["late"] == 0
    assert data["by_venue"] == {"主会场": {"present": 0, "late": 0}, "分会场": {"present": 1, "late": 0}}
    result = runner.invoke(args=["records", "person", "100001", "--json"])
    record = json.loads(result.output)
    assert record["employee_no"] == "100001"
    assert list(record["hours_by_year"].values())[0]["total"] == 2.0


def test_worker_home_shows_upcoming_sessions(client, org):
    make_session(org["trainer"], units=[org["smelter"]], starts_in=24 * 60, title="明天的培训")
    make_session(org["trainer"], units=[org["power"]], starts_in=24 * 60, title="热电厂的培训")
    login(client, org["worker"])
    page = client.get("/").get_data(as_text=True)
    assert "明天的培训" in page and "热电厂的培训" not in page


def test_demo_load_adds_sessions_and_records(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    titles = [s.title for s in db.session.scalars(select(TrainingSession))]
    assert titles.count("行为安全观察与沟通专项培训") == 3
    lecture = db.session.scalar(select(TrainingSession).where(TrainingSession.kind == "lecture"))
    assert len(lecture.venues) == 3
    summary = json.loads(runner.invoke(args=["sessions", "attendance", "1", "--json"]).output)
    assert summary["present"] > 0 and summary["absent"] > 0
    record = json.loads(runner.invoke(args=["records", "person", "000101", "--json"]).output)
    assert record["entries"] and list(record["hours_by_year"].values())[0]["total"] > 0


def test_a_trainer_of_some_units_runs_only_their_sessions(client, org):
    ours = make_session(org["trainer"], units=[org["smelter"]], title="电解厂的培训")
    theirs = make_session(org["trainer"], units=[org["power"]], title="热电厂的培训")
    local = make_user("900002", name="电解厂培训员", unit=org["smelter"], roles={"trainer": [org["smelter"].id]})
    login(client, local)
    page = client.get("/trainer/sessions/").get_data(as_text=True)
    assert "电解厂的培训" in page and "热电厂的培训" not in page
    assert client.get(f"/trainer/sessions/{theirs.id}/screen/{theirs.venues[0].id}").status_code == 404
    assert client.get(f"/trainer/sessions/{ours.id}/screen/{ours.venues[0].id}").status_code == 200
    response = client.post(f"/trainer/sessions/{ours.id}/mark", data={"employee_no": "200001", "status": "present",
                                                                        "reason": "补登"}, follow_redirects=True)
    assert "只能登记您负责培训的单位中的人员" in response.get_data(as_text=True)


def test_guessing_codes_is_slowed_down(client, org):
    make_session(org["trainer"], units=[org["smelter"]])
    login(client, org["worker"])
    statuses = [client.post("/checkin", data={"code": f"{n:06d}"}).status_code for n in range(21)]
    assert statuses[:20].count(429) == 0 and statuses[20] == 429


def test_heads_list_of_sessions_counts_their_people_only(client, org):
    s = make_session(org["trainer"], units=[org["company"]], starts_in=-2)
    signin.sign_in(s.venues[0], org["worker"], services.current_code(s.venues[0]))
    signin.sign_in(s.venues[0], org["outsider"], services.current_code(s.venues[0]))
    db.session.commit()
    login(client, org["head"])
    page = client.get("/records/sessions").get_data(as_text=True)
    row = re.search(r"<tr><td>[^<]*</td><td>行为安全观察与沟通专项培训</td>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td>(\d+)</td>", row)
    assert cells == ["3", "1", "0", "2", "0"]  # 电解厂: head, 王小明, 李四 expected; 王小明 came
    absent = client.get(f"/records/sessions/{s.id}/absent").get_data(as_text=True)
    assert "李四" in absent and "王小明" not in absent and "赵外" not in absent
    wb = load_workbook(io.BytesIO(client.get(f"/records/sessions/{s.id}/absent.xlsx").data))
    assert {r[2] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)} == {"800001", "100002"}
