"""Building exams: draw rules checked against the banks, every setting saved,
the form keeps what was typed, only trainers get in, every change audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.exams import errors as exam_errors

from quiz.exams.trainer import exam_setup
from quiz.exams.models import Exam
from quiz.extensions import db
from quiz.org.models import AuditLog
from tests.exams.factories import setup_bank
from tests.org.factories import login


@pytest.fixture
def bank(app):
    return setup_bank()


def test_create_exam_with_rules_and_fixed_questions_saves_every_setting(org, bank):
    question = bank.questions[0]
    data = exam_setup.ExamData(
        title="行为安全 考试", description="先读材料", mode="exam", total=20, pass_mark=12, time_limit_minutes=30,
        attempts_allowed=2, wait_minutes=10, score_policy="last", shuffle_questions=True, shuffle_options=True,
        navigation="forward", review="full", multiple_policy="partial", leave_limit=3,
        rules=[exam_setup.RuleData(bank.id, 3, 2.0, category="观察"), exam_setup.RuleData(bank.id, 1, 10.0, type="short")],
        fixed=[(question.id, 4.0)])
    exam = exam_setup.save_exam(None, data, org["trainer"])
    db.session.commit()
    exam = db.session.get(Exam, exam.id)
    assert (exam.title, exam.mode, exam.pass_mark, exam.time_limit_minutes) == ("行为安全 考试", "exam", 12, 30)
    assert (exam.attempts_allowed, exam.wait_minutes, exam.score_policy) == (2, 10, "last")
    assert (exam.shuffle_questions, exam.shuffle_options, exam.navigation) == (True, True, "forward")
    assert (exam.review, exam.multiple_policy, exam.leave_limit) == ("full", "partial", 3)
    assert [(r.count, r.points, r.category, r.type) for r in exam.rules] == [(3, 2.0, "观察", None), (1, 10.0, None, "short")]
    assert [(i.question_id, i.points) for i in exam.items] == [(question.id, 4.0)]
    assert exam.created_by_id == org["trainer"].id
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "exam.create"))
    assert entry.target_id == exam.id and entry.actor_id == org["trainer"].id


def test_draw_rule_needs_enough_questions(org, bank):
    # three singles are 观察 at difficulty 2
    data = exam_setup.ExamData(title="太多", rules=[exam_setup.RuleData(bank.id, 4, 1.0, category="观察", difficulty=2)])
    with pytest.raises(exam_errors.Invalid) as exc:
        exam_setup.save_exam(None, data, org["trainer"])
    [message] = exc.value.errors["rules-0-count"]
    assert "只有 3 道" in message and "不够抽 4 道" in message
    assert db.session.scalar(select(Exam.id)) is None


def test_fixed_questions_are_not_counted_in_a_rules_pool(org, bank):
    shorts = [q for q in bank.questions if q.type == "short"]
    data = exam_setup.ExamData(title="简答", pass_mark=0, rules=[exam_setup.RuleData(bank.id, 2, 5.0, type="short")],
                        fixed=[(shorts[0].id, 5.0)])
    with pytest.raises(exam_errors.Invalid) as exc:
        exam_setup.save_exam(None, data, org["trainer"])
    assert "只有 1 道" in exc.value.errors["rules-0-count"][0]


def test_rules_of_one_bank_together_cannot_ask_for_more_than_it_has(org, bank):
    # 6 singles + 2 shorts = 8 questions; 6 of any type + 4 of any type = 10
    data = exam_setup.ExamData(title="合计超出", pass_mark=0,
                        rules=[exam_setup.RuleData(bank.id, 6, 1.0), exam_setup.RuleData(bank.id, 4, 1.0)])
    with pytest.raises(exam_errors.Invalid) as exc:
        exam_setup.save_exam(None, data, org["trainer"])
    assert "共要 10 道题" in exc.value.errors["rules-0-count"][0]


def test_total_and_pass_mark_are_checked_against_the_points(org, bank):
    data = exam_setup.ExamData(title="分数", total=100, pass_mark=30, rules=[exam_setup.RuleData(bank.id, 5, 5.0)])
    with pytest.raises(exam_errors.Invalid) as exc:
        exam_setup.save_exam(None, data, org["trainer"])
    assert "卷面总分应为 100 分" in exc.value.errors["total"][0]
    assert "高于题目分值合计 25 分" in exc.value.errors["pass_mark"][0]


def test_other_settings_are_checked(org, bank):
    from datetime import timedelta

    from quiz.db import utcnow

    now = utcnow()
    data = exam_setup.ExamData(title=" ", time_limit_minutes=0, attempts_allowed=0, navigation="sideways",
                        opens_at=now, closes_at=now - timedelta(hours=1))
    with pytest.raises(exam_errors.Invalid) as exc:
        exam_setup.save_exam(None, data, org["trainer"])
    errors = exc.value.errors
    for key in ("title", "time_limit_minutes", "attempts_allowed", "navigation", "closes_at", ""):
        assert errors.get(key), key


def test_edit_records_what_changed(org, bank):
    exam = exam_setup.save_exam(None, exam_setup.ExamData(title="甲", pass_mark=3, rules=[exam_setup.RuleData(bank.id, 5, 1.0)]),
                         org["trainer"])
    db.session.commit()
    data = exam_setup.exam_data(exam)
    data.time_limit_minutes = 45
    exam_setup.save_exam(exam, data, org["trainer"])
    db.session.commit()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "exam.update"))
    assert entry.details["changed"] == {"time_limit_minutes": [None, 45]}


def _form(bank_id, **over):
    data = {
        "title": "网页建的考试", "mode": "exam", "pass_mark": "6", "time_limit_minutes": "30",
        "attempts_allowed": "1", "wait_minutes": "0", "score_policy": "best", "navigation": "free",
        "review": "wrong", "multiple_policy": "all_or_nothing", "article_id": "",
        "rules-0-bank_id": str(bank_id), "rules-0-category": "", "rules-0-type": "single",
        "rules-0-difficulty": "", "rules-0-count": "5", "rules-0-points": "2",
    }
    data.update(over)
    return data


def test_exam_form_creates_the_exam_and_goes_on_to_assigning(client, org, bank):
    login(client, org["trainer"])
    assert client.get("/trainer/exams/new").status_code == 200
    response = client.post("/trainer/exams/new", data=_form(bank.id))
    exam = db.session.scalar(select(Exam))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/trainer/exams/{exam.id}/assign")
    assert [(r.type, r.count, r.points) for r in exam.rules] == [("single", 5, 2.0)]


def test_exam_form_keeps_what_was_typed_and_shows_the_message_beside_the_rule(client, org, bank):
    login(client, org["trainer"])
    response = client.post("/trainer/exams/new", data=_form(bank.id, **{"rules-0-count": "9",
                                                                       "title": "保留我的标题"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "不够抽 9 道" in html and 'value="保留我的标题"' in html and 'value="9"' in html
    assert db.session.scalar(select(Exam.id)) is None


def test_add_rule_button_adds_a_row_without_saving(client, org, bank):
    login(client, org["trainer"])
    response = client.post("/trainer/exams/new", data={**_form(bank.id), "add_rule": "1"})
    html = response.get_data(as_text=True)
    assert 'name="rules-1-bank_id"' in html
    assert db.session.scalar(select(Exam.id)) is None


def test_removed_rule_rows_are_dropped(client, org, bank):
    login(client, org["trainer"])
    client.post("/trainer/exams/new", data=_form(bank.id, **{
        "rules-1-bank_id": str(bank.id), "rules-1-type": "short", "rules-1-count": "1", "rules-1-points": "4",
        "rules-1-remove": "y"}))
    exam = db.session.scalar(select(Exam))
    assert [r.type for r in exam.rules] == ["single"]


def test_fixed_questions_page_adds_and_removes(client, org, bank):
    exam = exam_setup.save_exam(None, exam_setup.ExamData(title="固定", pass_mark=0, rules=[exam_setup.RuleData(bank.id, 1, 1.0)]),
                         org["trainer"])
    db.session.commit()
    login(client, org["trainer"])
    page = client.get(f"/trainer/exams/{exam.id}/questions?bank={bank.id}").get_data(as_text=True)
    first, second = bank.questions[0], bank.questions[1]
    assert first.stem in page
    client.post(f"/trainer/exams/{exam.id}/questions", data={"add_ids": [first.id, second.id], "points": "3"})
    db.session.expire_all()
    assert [(i.question_id, i.points) for i in db.session.get(Exam, exam.id).items] == [(first.id, 3.0), (second.id, 3.0)]
    client.post(f"/trainer/exams/{exam.id}/questions", data={"remove_ids": [first.id]})
    db.session.expire_all()
    assert [i.question_id for i in db.session.get(Exam, exam.id).items] == [second.id]
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "exam.update")) is not None


@pytest.mark.parametrize("who, status", [("miller", 403), ("head", 403), ("trainer", 200), ("ore_trainer", 200)])
def test_only_trainers_reach_the_trainer_pages(client, org, bank, who, status):
    login(client, org[who])
    for url in ("/trainer/exams", "/trainer/exams/new", "/trainer/grading"):
        assert client.get(url).status_code == status, url


def test_workers_cannot_post_trainer_actions(client, org, bank):
    exam = exam_setup.save_exam(None, exam_setup.ExamData(title="甲", pass_mark=0, rules=[exam_setup.RuleData(bank.id, 1, 1.0)]),
                         org["trainer"])
    db.session.commit()
    login(client, org["miller"])
    assert client.post(f"/trainer/exams/{exam.id}/people/{org['miller'].id}/extra-attempt").status_code == 403
    assert client.post(f"/trainer/exams/{exam.id}/people/{org['miller'].id}/extra-time",
                       data={"minutes": "30"}).status_code == 403


def test_a_unit_trainer_edits_only_their_own_exams(client, org, bank):
    theirs = exam_setup.save_exam(None, exam_setup.ExamData(title="全公司", pass_mark=0, rules=[exam_setup.RuleData(bank.id, 1, 1.0)]),
                           org["trainer"])
    db.session.commit()
    login(client, org["ore_trainer"])
    assert client.get(f"/trainer/exams/{theirs.id}/edit").status_code == 403
    client.post("/trainer/exams/new", data=_form(bank.id, title="工区自己的"))
    mine = db.session.scalar(select(Exam).where(Exam.title == "工区自己的"))
    assert client.get(f"/trainer/exams/{mine.id}/edit").status_code == 200


def test_exam_form_needs_csrf(csrf_app, org, bank):
    import re

    from tests.org.factories import PASSWORD

    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"employee_no": org["trainer"].employee_no, "password": PASSWORD,
                                "csrf_token": token})
    assert client.get("/trainer/exams/new").status_code == 200
    response = client.post("/trainer/exams/new", data=_form(bank.id))
    assert response.status_code == 400
    assert db.session.scalar(select(Exam.id)) is None


def test_archive_and_restore_are_audited(client, org, bank):
    exam = exam_setup.save_exam(None, exam_setup.ExamData(title="旧考试", pass_mark=0, rules=[exam_setup.RuleData(bank.id, 1, 1.0)]),
                         org["trainer"])
    db.session.commit()
    login(client, org["trainer"])
    assert "旧考试" in client.post(f"/trainer/exams/{exam.id}/archive", follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).archived
    assert "旧考试" not in client.get("/trainer/exams").get_data(as_text=True)
    client.post(f"/trainer/exams/{exam.id}/archive", data={"restore": "1"})
    db.session.expire_all()
    assert not db.session.get(Exam, exam.id).archived
    assert [e.action for e in db.session.scalars(select(AuditLog).where(AuditLog.action.like("exam.%"))
                                                 .order_by(AuditLog.id))] == ["exam.create", "exam.archive",
                                                                              "exam.restore"]
