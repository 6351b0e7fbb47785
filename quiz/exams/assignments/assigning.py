"""Assigning an exam: the audience a trainer names (units, job types,
people) checked against their scope, the assignment written and audited,
and how many people it reaches. Flushes, never commits (DESIGN rule 7).
Who exactly an assignment reaches is ``assignees``' rule.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.exams.assignments.assignees import assignee_pairs
from quiz.exams.errors import Invalid, add_message
from quiz.exams.models import Assignment, AssignmentTarget, Exam
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User
from quiz.org.services import audit


AUDIENCE_PROBLEMS = ("units", "job_types", "people", "job_types_alone", "empty")


def load_audience(scope, unit_ids: Sequence[int], job_type_ids: Sequence[int], user_ids: Sequence[int]):
    """The units, job types and people an audience names (assignments, training sessions), and
    what is wrong with it for a trainer of ``scope``, as codes in ``AUDIENCE_PROBLEMS`` order:
    a unit or person outside the scope (or a person who left), an unknown job type, job types
    without a unit from a trainer of some units (they would reach the whole company), nothing."""
    units = [db.session.get(Unit, i) for i in dict.fromkeys(unit_ids)]
    jobs = [db.session.get(JobType, i) for i in dict.fromkeys(job_type_ids)]
    people = [db.session.get(User, i) for i in dict.fromkeys(user_ids)]
    found = {
        "units": any(u is None or not scope.can_see_unit(u) for u in units),
        "job_types": any(j is None for j in jobs),
        "people": any(p is None or not p.active or not scope.can_see_person(p) for p in people),
        "job_types_alone": bool(jobs and not units and not scope.everything),
        "empty": not units and not jobs and not people,
    }
    return units, jobs, people, [code for code in AUDIENCE_PROBLEMS if found[code]]


def assign(exam: Exam, actor: User, *, unit_ids: Sequence[int] = (), job_type_ids: Sequence[int] = (),
           user_ids: Sequence[int] = (), due_at: datetime | None = None, title: str = "") -> Assignment:
    """Give ``exam`` to unit subtrees, job types and/or named people (the rule
    in ``Assignment``'s docstring), within the actor's training scope.

    A trainer limited to some units cannot name a unit or person outside
    them, and must name a unit with job types (job types alone reach the
    whole company). Raises ``Invalid``."""
    scope = scope_for(actor, "train")
    errors: dict[str, list[str]] = {}
    units, jobs, people, problems = load_audience(scope, unit_ids, job_type_ids, user_ids)
    messages = {
        "units": ("unit_ids", _("只能布置给您负责培训的单位。")),
        "job_types": ("job_type_ids", _("请从列表中选择工种。")),
        "people": ("user_ids", _("只能布置给您负责培训的单位中在岗的人员。")),
        "job_types_alone": ("unit_ids", _("按工种布置时请同时选择单位：您只负责部分单位的培训。")),
        "empty": ("", _("请至少选择一个单位、工种或人员。")),
    }
    for problem in problems:
        add_message(errors, *messages[problem])
    if exam.archived:
        add_message(errors, "", _("考试已归档，不能再布置。"))
    if not exam.items and not exam.rules:
        add_message(errors, "", _("这场考试还没有题目，请先添加题目再布置。"))
    if errors:
        raise Invalid(errors)
    assignment = Assignment(exam=exam, title=(title or "").strip() or exam.title, due_at=due_at,
                            created_by_id=actor.id)
    assignment.targets = ([AssignmentTarget(unit_id=u.id) for u in units]
                          + [AssignmentTarget(job_type_id=j.id) for j in jobs]
                          + [AssignmentTarget(user_id=p.id) for p in people])
    db.session.add(assignment)
    db.session.flush()
    count = assignee_count(assignment)
    audit("exam.assign", assignment, _("布置考试 %(title)s 给 %(n)s 人", title=exam.title, n=count), {
        "exam_id": exam.id, "units": [u.name for u in units], "job_types": [j.name for j in jobs],
        "people": [p.employee_no for p in people], "due_at": due_at.isoformat() if due_at else None,
        "assignees": count}, actor=actor)
    return assignment


def assignee_ids(assignment_ids: Sequence[int] | None, scope=None) -> set[int]:
    """The people the assignments cover (within ``scope`` when given)."""
    conditions = [scope.people_condition()] if scope is not None else []
    pairs = assignee_pairs(list(assignment_ids or []), conditions).subquery()
    return set(db.session.scalars(select(pairs.c.user_id).distinct()))


def assignee_count(assignment: Assignment) -> int:
    return len(assignee_ids([assignment.id]))
