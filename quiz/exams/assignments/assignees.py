"""Who an exam is for: the one assignee rule (see ``Assignment``'s docstring),
applied per assignment over all of its targets:

- every active person in the subtree of any target unit, narrowed to the
  target job types when the assignment names job types too;
- every active person of a target job type when the assignment names no unit;
- every named (active) person.

It is written here twice, and only here: as SQL over many people and
assignments at once, and as a predicate over the targets in hand.

- ``assignee_pairs`` returns ``SELECT assignment_id, user_id`` for many
  assignments at once (no Python loop over people), so a report over thirty
  assignments is still one statement; ``assignee_branches`` gives its three
  parts for reports that add columns to each.
- ``is_assigned(user, holder)`` checks one person against one holder's
  targets (an ``Assignment``, or anything with ``targets`` shaped like
  ``AssignmentTarget``: training sessions use it). ``assignments_for(user)``
  narrows the candidates with one indexed query on the targets and then
  applies it: a worker's own assignments without pairing everybody.

``tests/reports/test_figures.py`` checks that both forms agree.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, exists, func, or_, select, union_all
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql import ColumnElement, Select

from quiz.exams.models import Assignment, AssignmentTarget, Exam
from quiz.extensions import db
from quiz.org.models import Unit, User


def assignee_pairs(assignment_ids: Iterable[int] | Select | None = None,
                   user_conditions: Iterable[ColumnElement[bool]] = ()) -> Select:
    """``SELECT assignment_id, user_id`` of everybody assigned, without duplicates.

    ``assignment_ids`` limits the assignments (a list or a select of ids; None:
    all). ``user_conditions`` are extra conditions on ``User`` (the viewer's
    scope, a job-type or unit filter); they are pushed into every branch so the
    database narrows the people before it pairs them.
    """
    pairs = union_all(*assignee_branches(assignment_ids, user_conditions)).subquery("assigned")
    return select(pairs.c.assignment_id, pairs.c.user_id)


def assignee_branches(assignment_ids: Iterable[int] | Select | None = None,
                      user_conditions: Iterable[ColumnElement[bool]] = ()) -> list[Select]:
    """The three disjoint selects whose UNION ALL is ``assignee_pairs``: by unit,
    by job type, by name. Each is ``SELECT assignment_id, user_id`` with ``User``
    in its FROM, so a report can add its own joins to each branch, replace the
    columns (``with_only_columns``; the joins stay) and union the results, instead of joining a materialised list
    of pairs (which costs more than the report itself for 300,000 pairs).
    """
    conditions = [User.active.is_(True), *user_conditions]

    def limited(column):
        if assignment_ids is None:
            return []
        ids = assignment_ids if isinstance(assignment_ids, Select) else list(assignment_ids)
        return [column.in_(ids)]

    other = aliased(AssignmentTarget, name="other_t")
    other_unit = aliased(Unit, name="other_unit")
    target_unit = aliased(Unit, name="target_unit")
    member_unit = aliased(Unit, name="member_unit")

    def names_job_types(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.job_type_id.is_not(None))

    def names_job_type_of_user(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.job_type_id == User.job_type_id)

    def names_units(assignment_id) -> ColumnElement[bool]:
        return exists().where(other.assignment_id == assignment_id, other.unit_id.is_not(None))

    def job_rule(assignment_id) -> ColumnElement[bool]:
        return ~names_job_types(assignment_id) | names_job_type_of_user(assignment_id)

    # each (assignment, unit) and (assignment, job type) once, however often it was targeted;
    # a unit nested inside another target unit of the same assignment is skipped (its people
    # come with the outer one), and whether the assignment names job types is read once per
    # target unit: both here, where the database evaluates them once per target, not per person
    this_unit = aliased(Unit, name="this_unit")
    nested = exists().where(other.assignment_id == AssignmentTarget.assignment_id,
                            other.unit_id != AssignmentTarget.unit_id, other_unit.id == other.unit_id,
                            this_unit.id == AssignmentTarget.unit_id, this_unit.path.startswith(other_unit.path))
    unit_t = (select(AssignmentTarget.assignment_id, AssignmentTarget.unit_id,
                     names_job_types(AssignmentTarget.assignment_id).label("names_jobs"))
              .where(AssignmentTarget.unit_id.is_not(None), ~nested, *limited(AssignmentTarget.assignment_id))
              .distinct().subquery("unit_t"))
    job_t = (select(AssignmentTarget.assignment_id, AssignmentTarget.job_type_id)
             .where(AssignmentTarget.job_type_id.is_not(None), *limited(AssignmentTarget.assignment_id))
             .distinct().subquery("job_t"))
    user_t = (select(AssignmentTarget.assignment_id, AssignmentTarget.user_id)
              .where(AssignmentTarget.user_id.is_not(None), *limited(AssignmentTarget.assignment_id))
              .distinct().subquery("user_t"))

    # The three branches are disjoint, so UNION ALL needs no duplicate-removing sort:
    # nested target units are skipped (above), and a named person already matched by a
    # unit or job-type rule is skipped.
    by_unit = (
        select(unit_t.c.assignment_id.label("assignment_id"), User.id.label("user_id"))
        .select_from(unit_t)  # so callers may replace the columns and keep the joins
        .join(target_unit, target_unit.id == unit_t.c.unit_id)
        .join(member_unit, member_unit.path.startswith(target_unit.path))
        .join(User, User.unit_id == member_unit.id)
        .where(*conditions, or_(~unit_t.c.names_jobs, names_job_type_of_user(unit_t.c.assignment_id)))
    )
    by_job = (
        select(job_t.c.assignment_id.label("assignment_id"), User.id.label("user_id"))
        .select_from(job_t)
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
        select(user_t.c.assignment_id.label("assignment_id"), User.id.label("user_id"))
        .select_from(user_t)
        .join(User, User.id == user_t.c.user_id)
        .outerjoin(own_unit, own_unit.id == User.unit_id)
        .where(*conditions, ~func.coalesce(matched, False))
    )
    return [by_unit, by_job, by_name]


def ancestor_ids(user: User) -> list[int]:
    """The ids of ``user``'s unit and the units above it."""
    if user.unit is None:
        return []
    return [int(p) for p in user.unit.path.strip("/").split("/") if p]


def target_conditions(user: User, target) -> list:
    """The rows of a target table (``AssignmentTarget``, ``SessionTarget``: ``user_id``,
    ``unit_id``, ``job_type_id``) that may take ``user`` in: naming them, one of their
    units (their own or one above), or their job type. A candidate filter to OR
    together; ``is_assigned``/``in_audience`` then apply the whole rule."""
    conditions = [target.user_id == user.id]
    ancestors = ancestor_ids(user)
    if ancestors:
        conditions.append(target.unit_id.in_(ancestors))
    if user.job_type_id is not None:
        conditions.append(target.job_type_id == user.job_type_id)
    return conditions


def is_assigned(user: User, assignment: Assignment) -> bool:
    """The assignee rule (see ``Assignment``): named people; people in a target
    unit's subtree, narrowed to the target job types when there are some;
    everybody of a target job type when no unit is given."""
    if not user.active:
        return False
    units = {t.unit_id for t in assignment.targets if t.unit_id is not None}
    jobs = {t.job_type_id for t in assignment.targets if t.job_type_id is not None}
    if user.id in {t.user_id for t in assignment.targets if t.user_id is not None}:
        return True
    if units:
        in_unit = bool(units & set(ancestor_ids(user)))
        return in_unit and (not jobs or user.job_type_id in jobs)
    return bool(jobs) and user.job_type_id in jobs


def assignments_for(user: User, exam_id: int | None = None) -> list[Assignment]:
    """Every assignment of a live exam (of ``exam_id`` when given) that includes ``user``, newest first."""
    conditions = target_conditions(user, AssignmentTarget)
    query = (select(Assignment).join(Assignment.exam).where(Exam.archived.is_(False))
             .where(Assignment.id.in_(select(AssignmentTarget.assignment_id).where(or_(*conditions))))
             .options(selectinload(Assignment.targets))
             .order_by(Assignment.created_at.desc(), Assignment.id.desc()))
    if exam_id is not None:
        query = query.where(Assignment.exam_id == exam_id)
    return [a for a in db.session.scalars(query) if is_assigned(user, a)]


def assignment_for(user: User, exam: Exam) -> Assignment | None:
    """The assignment through which ``user`` may take ``exam`` (None: not theirs)."""
    mine = assignments_for(user, exam.id)
    return mine[0] if mine else None
