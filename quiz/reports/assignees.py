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

from sqlalchemy import and_, exists, literal_column, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from quiz.exams.models import AssignmentTarget
from quiz.org.models import Unit, User


def assignee_pairs(assignment_ids: Iterable[int] | Select | None = None,
                   user_conditions: Iterable[ColumnElement[bool]] = ()) -> Select:
    """``SELECT assignment_id, user_id`` of everybody assigned, without duplicates.

    ``assignment_ids`` limits the assignments (a list or a select of ids; None:
    all). ``user_conditions`` are extra conditions on ``User`` (the viewer's
    scope, a job-type or unit filter); they are pushed into every branch so the
    database narrows the people before it pairs them.
    """
    conditions = [User.active.is_(True), *user_conditions]

    def limited(column):
        if assignment_ids is None:
            return []
        ids = assignment_ids if isinstance(assignment_ids, Select) else list(assignment_ids)
        return [column.in_(ids)]

    unit_t = aliased(AssignmentTarget, name="unit_t")
    job_t = aliased(AssignmentTarget, name="job_t")
    user_t = aliased(AssignmentTarget, name="user_t")
    other = aliased(AssignmentTarget, name="other_t")
    target_unit = aliased(Unit, name="target_unit")
    member_unit = aliased(Unit, name="member_unit")

    def names_job_types(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.job_type_id.is_not(None))

    def names_job_type_of_user(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.job_type_id == User.job_type_id)

    by_unit = (
        select(unit_t.assignment_id.label("assignment_id"), User.id.label("user_id"))
        .join(target_unit, target_unit.id == unit_t.unit_id)
        .join(member_unit, member_unit.path.startswith(target_unit.path))
        .join(User, User.unit_id == member_unit.id)
        .where(unit_t.unit_id.is_not(None), *limited(unit_t.assignment_id), *conditions,
               ~names_job_types(unit_t.assignment_id) | names_job_type_of_user(unit_t.assignment_id))
    )
    no_unit = ~exists().where(other.assignment_id == job_t.assignment_id, other.unit_id.is_not(None))
    by_job = (
        select(job_t.assignment_id, User.id)
        .join(User, User.job_type_id == job_t.job_type_id)
        .where(job_t.job_type_id.is_not(None), *limited(job_t.assignment_id), *conditions, no_unit)
    )
    by_name = (
        select(user_t.assignment_id, User.id)
        .join(User, User.id == user_t.user_id)
        .where(user_t.user_id.is_not(None), *limited(user_t.assignment_id), *conditions)
    )
    pairs = union(by_unit, by_job, by_name).subquery("assigned")
    return select(pairs.c.assignment_id, pairs.c.user_id)


def is_assigned(assignment_id: int, user_id: int) -> Select:
    """``SELECT 1`` when ``user_id`` is assigned ``assignment_id`` (for a scalar check)."""
    pairs = assignee_pairs([assignment_id], [User.id == user_id]).subquery()
    return select(literal_column("1")).select_from(pairs).where(and_(pairs.c.user_id == user_id)).limit(1)
