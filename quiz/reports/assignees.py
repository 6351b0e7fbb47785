"""Who an assignment is given to, as one SQL select (no Python loop over people).

The rule (see ``Assignment``'s docstring), applied per assignment over all of
its targets:

- every active person in the subtree of any target unit, narrowed to the
  target job types when the assignment names job types too;
- every active person of a target job type when the assignment names no unit;
- every named (active) person.

``assignee_pairs`` returns ``SELECT assignment_id, user_id`` for many
assignments at once, so a report over thirty assignments is still one
statement. The exams domain may reuse it (e.g. to list a worker's tasks).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from quiz.exams.models import AssignmentTarget
from quiz.org.models import Unit, User


def assignee_pairs(assignment_ids: Iterable[int] | Select | None = None,
                   user_conditions: Iterable[ColumnElement[bool]] = (), with_unit: bool = False) -> Select:
    """``SELECT assignment_id, user_id`` of everybody assigned, without duplicates.

    ``assignment_ids`` limits the assignments (a list or a select of ids; None:
    all). ``user_conditions`` are extra conditions on ``User`` (the viewer's
    scope, a job-type or unit filter); they are pushed into every branch so the
    database narrows the people before it pairs them. ``with_unit`` adds the
    person's ``unit_id`` as a third column (read where the person already is,
    so a report grouping by unit need not join the people again).
    """
    conditions = [User.active.is_(True), *user_conditions]
    unit = [User.unit_id.label("unit_id")] if with_unit else []

    def limited(column):
        if assignment_ids is None:
            return []
        ids = assignment_ids if isinstance(assignment_ids, Select) else list(assignment_ids)
        return [column.in_(ids)]

    other = aliased(AssignmentTarget, name="other_t")
    other_unit = aliased(Unit, name="other_unit")
    target_unit = aliased(Unit, name="target_unit")
    member_unit = aliased(Unit, name="member_unit")
    # each (assignment, unit) and (assignment, job type) once, however often it was targeted
    unit_t = (select(AssignmentTarget.assignment_id, AssignmentTarget.unit_id)
              .where(AssignmentTarget.unit_id.is_not(None), *limited(AssignmentTarget.assignment_id))
              .distinct().subquery("unit_t"))
    job_t = (select(AssignmentTarget.assignment_id, AssignmentTarget.job_type_id)
             .where(AssignmentTarget.job_type_id.is_not(None), *limited(AssignmentTarget.assignment_id))
             .distinct().subquery("job_t"))
    user_t = (select(AssignmentTarget.assignment_id, AssignmentTarget.user_id)
              .where(AssignmentTarget.user_id.is_not(None), *limited(AssignmentTarget.assignment_id))
              .distinct().subquery("user_t"))

    def names_job_types(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.job_type_id.is_not(None))

    def names_job_type_of_user(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.job_type_id == User.job_type_id)

    def names_units(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.unit_id.is_not(None))

    def job_rule(assignment_id) -> ColumnElement[bool]:
        return ~names_job_types(assignment_id) | names_job_type_of_user(assignment_id)

    # The three branches are disjoint, so UNION ALL needs no duplicate-removing sort:
    # a unit nested inside another target unit of the same assignment is skipped,
    # and a named person already matched by a unit or job-type rule is skipped.
    nested = exists().where(other.assignment_id == unit_t.c.assignment_id, other.unit_id != unit_t.c.unit_id,
                            other_unit.id == other.unit_id, target_unit.path.startswith(other_unit.path))
    by_unit = (
        select(unit_t.c.assignment_id.label("assignment_id"), User.id.label("user_id"), *unit)
        .join(target_unit, target_unit.id == unit_t.c.unit_id)
        .join(member_unit, member_unit.path.startswith(target_unit.path))
        .join(User, User.unit_id == member_unit.id)
        .where(~nested, *conditions, job_rule(unit_t.c.assignment_id))
    )
    by_job = (
        select(job_t.c.assignment_id, User.id, *unit)
        .join(User, User.job_type_id == job_t.c.job_type_id)
        .where(*conditions, ~names_units(job_t.c.assignment_id))
    )
    own_unit = aliased(Unit, name="own_unit")
    in_target_unit = exists().where(other.assignment_id == user_t.c.assignment_id, other_unit.id == other.unit_id,
                                    own_unit.path.startswith(other_unit.path))
    matched = or_(
        and_(in_target_unit, job_rule(user_t.c.assignment_id)),
        and_(~names_units(user_t.c.assignment_id), names_job_type_of_user(user_t.c.assignment_id)),
    )
    by_name = (
        select(user_t.c.assignment_id, User.id, *unit)
        .join(User, User.id == user_t.c.user_id)
        .outerjoin(own_unit, own_unit.id == User.unit_id)
        .where(*conditions, ~func.coalesce(matched, False))
    )
    pairs = union_all(by_unit, by_job, by_name).subquery("assigned")
    return select(pairs.c.assignment_id, pairs.c.user_id, *([pairs.c.unit_id] if with_unit else []))


def is_assigned(assignment_id: int, user_id: int) -> Select:
    """``SELECT 1`` when ``user_id`` is assigned ``assignment_id`` (for a scalar check)."""
    pairs = assignee_pairs([assignment_id], [User.id == user_id]).subquery()
    return select(literal_column("1")).select_from(pairs).where(and_(pairs.c.user_id == user_id)).limit(1)
