"""The paths' pages: the worker's path (why a topic is locked, never who
blocks), the trainer's board, lesson sheet, Excel, overrides, sign-offs,
building a path; the heads' view scoped to their subtree."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from quiz.extensions import db
from quiz.org.models import AuditLog
from quiz.paths.models import LessonRecord, PracticalSignoff
from tests.org.factories import login, make_unit, make_user
from tests.paths.factories import make_bank_with_points, make_path, make_section, take, workers


@pytest.fixture
def world(app):
    bank, _q = make_bank_with_points()
    section, (team, other) = make_section()
    path = make_path(bank, section)
    a, b, c = workers(team, 3)
    v1, v2 = workers(other, 2, prefix="V")
    trainer = make_user("TR001", name="赵培训", roles={"trainer": [section.id]})
    take(a, path.topics[0], right=True)
    take(b, path.topics[0], right=False)
    return dict(path=path, section=section, team=team, other=other, a=a, b=b, c=c, v1=v1, v2=v2, trainer=trainer,
                bank=bank)


def test_worker_sees_why_topic_2_is_locked_without_names(world, client):
    login(client, world["a"])
    page = client.get(f"/paths/{world['path'].id}").get_data(as_text=True)
    assert "等待班组全员通过课题 1：还差 2 人" in page
    for other in (world["b"], world["c"]):
        assert other.name not in page and other.employee_no not in page
    assert "我的学习路径" in page


def test_worker_in_remediation_is_sent_to_it_and_cannot_start_the_retest(world, client):
    login(client, world["b"])
    page = client.get(f"/paths/{world['path'].id}").get_data(as_text=True)
    assert "完成补课练习，然后重考" in page and "/paths/remediation/" in page
    start = client.post(f"/paths/topics/{world['path'].topics[0].id}/start", follow_redirects=True)
    assert "请先完成补课练习" in start.get_data(as_text=True)
    rem_url = re.search(r'href="(/paths/remediation/\d+)"', page).group(1)
    rem = client.get(rem_url).get_data(as_text=True)
    assert "球磨机结构的原文句子。" in rem and "答对 0 / 2" in rem


def test_locked_topic_and_other_peoples_remediation_are_404(world, client):
    login(client, world["c"])
    assert client.get(f"/paths/topics/{world['path'].topics[1].id}").status_code == 404
    assert client.get("/paths/remediation/1").status_code == 404


def test_board_shows_crews_blockers_and_exports(world, client):
    login(client, world["trainer"])
    page = client.get(f"/paths/manage/{world['path'].id}/board").get_data(as_text=True)
    assert world["b"].name in page and "待通过" in page and "补课中" in page
    # the crew on its topic longest comes first
    from datetime import timedelta
    from quiz.paths.models import CrewState
    db.session.add(CrewState(path_id=world["path"].id, unit_id=world["other"].id, open_topic=1,
                             opened_at=world["path"].created_at - timedelta(days=9)))
    db.session.commit()
    page = client.get(f"/paths/manage/{world['path'].id}/board").get_data(as_text=True)
    assert page.index(f"crew-{world['other'].id}") < page.index(f"crew-{world['team'].id}")
    assert "已 9 天" in page
    data = client.get(f"/paths/manage/{world['path'].id}/board.xlsx").data
    ws = load_workbook(io.BytesIO(data)).active
    rows = {r[3]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[world["a"].employee_no][5] == "已通过"
    assert rows[world["b"].employee_no][5].startswith("补课中")


def test_teach_page_and_lesson_sheet_match_what_was_missed(world, client):
    login(client, world["trainer"])
    url = f"/paths/manage/{world['path'].id}/crews/{world['team'].id}/topics/1"
    page = client.get(url).get_data(as_text=True)
    assert "球磨机结构" in page and "开停车" in page and world["b"].name in page
    assert world["a"].name not in page.split("答错的人：", 1)[1].split("</p>", 1)[0]
    pdf = client.get(url + "/lesson.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "授课单" in text and "球磨机结构" in text
    saved = client.post(url, data={"held_on": "2026-11-30", "kind": "makeup", "points": ["球磨机结构"],
                                   "attendees": [str(world["b"].id)], "note": "交接班时讲"}, follow_redirects=True)
    assert "已记录" in saved.get_data(as_text=True)
    record = db.session.scalar(select(LessonRecord))
    assert record.points == ["球磨机结构"] and record.attendee_ids == [world["b"].id]


def test_override_from_the_board_is_audited_and_shown(world, client):
    login(client, world["trainer"])
    url = f"/paths/manage/{world['path'].id}/override"
    refused = client.post(url, data={"unit_id": world["other"].id, "topic_no": 2, "reason": ""}, follow_redirects=True)
    assert "请填写" in refused.get_data(as_text=True)
    client.post(url, data={"unit_id": world["other"].id, "topic_no": 2, "reason": "设备检修停产"})
    board = client.get(f"/paths/manage/{world['path'].id}/board").get_data(as_text=True)
    assert "提前开放课题 2：设备检修停产" in board
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "path.override")) is not None


def test_practical_sign_off_never_by_oneself(world, client):
    login(client, world["trainer"])
    ok = client.post(f"/paths/manage/{world['path'].id}/practical/{world['a'].id}",
                     data={"performed_on": "2026-11-30", "note": "开停车顺序正确"}, follow_redirects=True)
    assert "已签认" in ok.get_data(as_text=True)
    assert db.session.scalar(select(PracticalSignoff)).signed_by_id == world["trainer"].id
    self_sign = client.post(f"/paths/manage/{world['path'].id}/practical/{world['trainer'].id}",
                            data={"performed_on": "2026-11-30"})
    assert self_sign.status_code in (200, 404)
    assert db.session.scalar(select(PracticalSignoff).where(PracticalSignoff.user_id == world["trainer"].id)) is None


def test_building_a_path_refuses_a_topic_its_banks_cannot_fill(world, client):
    login(client, world["trainer"])
    created = client.post("/paths/manage/new", data={"title": "巡检工路径", "unit_id": world["section"].id,
                                                     "job_type_id": 0, "gate": "crew", "crew_level": "team",
                                                     "remediation_required": "y", "retest_wait_minutes": 0,
                                                     "stuck_days": 10})
    assert created.status_code == 302
    topic_url = created.headers["Location"]
    refused = client.post(topic_url, data={"title": "结构", "article_id": 0, "pass_percent": 80,
                                           "time_limit_minutes": 15, "draws-0-bank_id": world["bank"].id,
                                           "draws-0-category": "球磨机结构", "draws-0-count": 9})
    text = refused.get_data(as_text=True)
    assert "只有 6 道题，不够抽 9 道" in text and 'value="结构"' in text  # the form keeps what was typed
    ok = client.post(topic_url, data={"title": "结构", "article_id": 0, "pass_percent": 80, "time_limit_minutes": 15,
                                      "draws-0-bank_id": world["bank"].id, "draws-0-category": "球磨机结构",
                                      "draws-0-count": 3})
    assert ok.status_code == 302


def test_heads_see_only_their_subtree_and_workers_no_trainer_pages(world, client):
    other_plant = make_unit("电解厂", world["section"].parent.parent)
    stranger_head = make_user("HD002", roles={"head": [other_plant.id]})
    own_head = make_user("HD001", roles={"head": [world["team"].id]})
    from datetime import timedelta
    from quiz.paths.models import CrewState
    from sqlalchemy import update
    db.session.execute(update(CrewState).where(CrewState.unit_id == world["team"].id)
                       .values(opened_at=world["path"].created_at - timedelta(days=20)))
    db.session.commit()
    login(client, own_head)
    page = client.get("/paths/overview").get_data(as_text=True)
    assert world["team"].name in page and world["other"].name not in page
    assert "停滞超过 14 天" in page and "33%" in page  # one of three passed the open topic
    client.post("/logout")
    login(client, stranger_head)
    page = client.get("/paths/overview").get_data(as_text=True)
    assert world["team"].name not in page and "还没有培训路径" in page
    client.post("/logout")
    login(client, world["a"])
    assert client.get(f"/paths/manage/{world['path'].id}/board").status_code == 403
    assert client.get("/paths/overview").status_code == 403


def test_trainer_of_another_unit_cannot_open_this_crews_sheet(world, client):
    elsewhere = make_unit("别处", world["section"].parent.parent)
    outsider = make_user("TR009", roles={"trainer": [elsewhere.id]})
    login(client, outsider)
    assert client.get(f"/paths/manage/{world['path'].id}/crews/{world['team'].id}/topics/1").status_code == 404
    board = client.get(f"/paths/manage/{world['path'].id}/board").get_data(as_text=True)
    assert world["a"].name not in board


def test_home_pages_lead_to_the_path(world, client):
    both = make_user("TH001", roles={"trainer": [world["section"].id], "head": [world["section"].id]})
    login(client, both)
    home = client.get("/").get_data(as_text=True)
    assert home.count(f"/paths/manage/{world['path'].id}/board") == 1  # one panel, not one per role
    client.post("/logout")
    login(client, world["c"])
    home = client.get("/").get_data(as_text=True)
    assert "我的学习路径" in home and "先学习，再参加测试" in home


def test_topic_page_shows_the_study_text_section(world, client, monkeypatch):
    from quiz.banks import services as bank_services
    from markupsafe import Markup
    import sys
    import types as pytypes

    article = bank_services.create_article("磨工学习材料", body="## 结构\n\n筒体和衬板。\n\n## 巡检\n\n看听摸闻。")
    topic = world["path"].topics[0]
    topic.article_id, topic.section = article.id, "结构"
    db.session.commit()
    login(client, world["c"])
    url = f"/paths/topics/{topic.id}"
    fake = pytypes.ModuleType("quiz.markup")
    if "quiz.markup" not in sys.modules:  # until helper "ux-trainer"'s renderer is merged: escaped paragraphs
        page = client.get(url).get_data(as_text=True)
        assert "筒体和衬板。" in page and "看听摸闻" not in page
        fake.render_markdown = lambda text: Markup("<div class='md'>") + text + Markup("</div>")
        monkeypatch.setitem(sys.modules, "quiz.markup", fake)
    page = client.get(url).get_data(as_text=True)
    assert "筒体和衬板。" in page and "看听摸闻" not in page
    if sys.modules["quiz.markup"] is fake:
        assert "<div class='md'>" in page  # rendered through render_markdown once it exists


def test_a_named_master_operator_signs_off_their_crew_only(world, client):
    login(client, world["trainer"])
    client.post(f"/paths/manage/{world['path'].id}/masters", data={"user_id": world["a"].id})
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "path.master")) is not None
    client.post("/logout")
    login(client, world["a"])
    page = client.get(f"/paths/{world['path'].id}").get_data(as_text=True)
    assert "为班组签认实操（主操）" in page
    crew_page = client.get(f"/paths/{world['path'].id}/practicals").get_data(as_text=True)
    assert world["b"].name in crew_page and world["v1"].name not in crew_page
    base = f"/paths/manage/{world['path'].id}/practical"
    ok = client.post(f"{base}/{world['b'].id}", data={"performed_on": "2026-11-30", "note": "主操签认"})
    assert ok.status_code == 302
    signed = db.session.scalar(select(PracticalSignoff).where(PracticalSignoff.user_id == world["b"].id))
    assert signed.signed_by_id == world["a"].id
    assert client.get(f"{base}/{world['v1'].id}").status_code == 404  # another crew
    assert client.get(f"{base}/{world['a'].id}").status_code == 404  # themselves
    client.post("/logout")
    login(client, world["c"])  # not named: no list, no sign-off
    assert client.get(f"/paths/{world['path'].id}/practicals").status_code == 404
    assert client.get(f"{base}/{world['b'].id}").status_code == 404
