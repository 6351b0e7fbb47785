"""Assigning an exam: to unit subtrees, job types and named people, with a
due date, within the trainer's units; audited."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from quiz.exams.assignments import assigning

from quiz.exams import errors as exam_errors

from quiz.exams import models as exam_models

from quiz.exams.trainer import exam_setup
from quiz.exams.models import Assignment
from quiz.extensions import db
from quiz.org.models import AuditLog, JobType
from tests.exams.factories import setup_bank
from tests.org.factories import login


@pytest.fixture
def exam(org):
    bank = setup_bank()
    exam = exam_setup.save_exam(None, exam_setup.ExamData(title="行为安全 考试", pass_mark=3, rules=[exam_setup.RuleData(bank.id, 5, 1.0)]),
                         org["trainer"])
    db.session.commit()
    return exam


def job(name: str) -> JobType:
    return db.session.scalar(select(JobType).where(JobType.name == name))


def test_unit_subtree_narrowed_by_job_type(org, exam):
    a = assigning.assign(exam, org["trainer"], unit_ids=[org["alumina"].id], job_type_ids=[job("磨工").id])
    assert assigning.assignee_ids([a.id]) == {org["miller"].id}


def test_whole_company_and_named_people(org, exam):
    a = assigning.assign(exam, org["trainer"], unit_ids=[org["company"].id])
    assert {org["miller"].id, org["inspector"].id, org["smelter_worker"].id} <= assigning.assignee_ids([a.id])
    b = assigning.assign(exam, org["trainer"], user_ids=[org["smelter_worker"].id])
    assert assigning.assignee_ids([b.id]) == {org["smelter_worker"].id}
    c = assigning.assign(exam, org["trainer"], job_type_ids=[job("巡检工").id])
    assert assigning.assignee_ids([c.id]) == {org["inspector"].id}
    assert [e.details["assignees"] for e in db.session.scalars(
        select(AuditLog).where(AuditLog.action == "exam.assign").order_by(AuditLog.id))] == [
        assigning.assignee_count(a), 1, 1]


def test_a_unit_trainer_cannot_assign_outside_their_units(org, exam):
    ore_trainer = org["ore_trainer"]
    with pytest.raises(exam_errors.Invalid) as exc:
        assigning.assign(exam, ore_trainer, unit_ids=[org["smelter"].id])
    assert "只能布置给您负责培训的单位" in exc.value.errors["unit_ids"][0]
    with pytest.raises(exam_errors.Invalid) as exc:
        assigning.assign(exam, ore_trainer, unit_ids=[org["alumina"].id])  # the parent of their section
    assert exc.value.errors["unit_ids"]
    with pytest.raises(exam_errors.Invalid) as exc:
        assigning.assign(exam, ore_trainer, user_ids=[org["smelter_worker"].id])
    assert exc.value.errors["user_ids"]
    with pytest.raises(exam_errors.Invalid) as exc:
        assigning.assign(exam, ore_trainer, job_type_ids=[job("磨工").id])  # job types alone reach the whole company
    assert "请同时选择单位" in exc.value.errors["unit_ids"][0]
    a = assigning.assign(exam, ore_trainer, unit_ids=[org["ore"].id], job_type_ids=[job("磨工").id])
    assert assigning.assignee_ids([a.id]) == {org["miller"].id}


def test_nothing_chosen_or_no_questions_is_refused(org, exam):
    with pytest.raises(exam_errors.Invalid) as exc:
        assigning.assign(exam, org["trainer"])
    assert exc.value.errors[""]
    empty = exam_models.Exam(title="空", created_by_id=org["trainer"].id)
    db.session.add(empty)
    db.session.flush()
    with pytest.raises(exam_errors.Invalid) as exc:
        assigning.assign(empty, org["trainer"], unit_ids=[org["ore"].id])
    assert "还没有题目" in exc.value.errors[""][0]


def test_assign_page_assigns_with_a_due_date_in_shanghai_time(client, org, exam):
    login(client, org["trainer"])
    page = client.get(f"/trainer/exams/{exam.id}/assign").get_data(as_text=True)
    assert "矿制工区" in page and "电解厂" in page
    response = client.post(f"/trainer/exams/{exam.id}/assign", data={
        "unit_ids": [org["ore"].id], "job_type_ids": [job("磨工").id], "employee_nos": "100003",
        "due_on": "2026-12-31", "title": ""}, follow_redirects=True)
    assert "已布置给 2 人" in response.get_data(as_text=True)
    assignment = db.session.scalar(select(Assignment))
    assert assignment.title == exam.title
    assert assignment.due_at == datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)  # 23:59 in Shanghai
    assert date(2026, 12, 31).isoformat() in response.get_data(as_text=True)


def test_assign_page_names_unknown_employee_numbers(client, org, exam):
    login(client, org["trainer"])
    response = client.post(f"/trainer/exams/{exam.id}/assign", data={"employee_nos": "100001, 999999"})
    assert "找不到这些工号：999999" in response.get_data(as_text=True)
    assert db.session.scalar(select(Assignment.id)) is None


def test_a_unit_trainer_sees_only_their_units_and_is_refused_outside(client, org, exam):
    login(client, org["ore_trainer"])
    page = client.get(f"/trainer/exams/{exam.id}/assign").get_data(as_text=True)
    assert "矿制工区" in page and "电解厂" not in page
    response = client.post(f"/trainer/exams/{exam.id}/assign", data={"employee_nos": "100003"})
    assert "找不到这些工号：100003" in response.get_data(as_text=True)  # as if unknown: no hint who works elsewhere
    response = client.post(f"/trainer/exams/{exam.id}/assign", data={"unit_ids": [org["smelter"].id]})
    assert response.status_code == 200  # not a choice for them: the form refuses it
    assert db.session.scalar(select(Assignment.id)) is None
