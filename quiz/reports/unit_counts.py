"""Completion counts per (assignment, unit) without pairing every person with every assignment.

Who an assignment's unit and job-type targets reach depends only on a
person's unit and job type (see ``quiz.exams.assignments.assignees``). So instead of
looking up 300,000 (assignment, person) pairs, the database counts
``exam_progress`` rows once per (assignment, unit, job type when the
assignment names job types), with the status and tenth-of-best-score
distributions as sums, and counts the active people per (unit, job type);
``combine`` (pure) then keeps the groups each assignment's targets reach and
derives "not started" as the people of a group without a row. The rows are
counted from ``exam_progress`` alone, by the copies of the person's unit and
job type it keeps, in the order of its ``ix_exam_progress_groups`` (looking
each row's person up in ``users`` and sorting 300,000 rows took two thirds of
the dashboard). Two small parts complete it, both in the same statement:

- ``loose``: people with a ``exam_progress`` row that named no assignment
  (key 0). Their status for an assignment is the larger of that row and
  their own row (``statuses.status_branches``), so their own row's
  contribution is replaced by the combination; there is one such group per
  (assignment, unit, job type, own status and tenth, loose status and tenth);
- ``named``: people named on an assignment and not already reached by its
  unit or job-type targets (``assignee_branches``' third branch), counted
  per person as before (they are few).

The result equals grouping ``statuses.person_status`` per (assignment, unit);
tests/reports/test_unit_counts.py checks it on random organisations.
"""
from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, and_, case, cast, func, literal, literal_column, null, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from quiz.exams.models import Assignment, AssignmentTarget, ExamProgress
from quiz.org.models import Unit, User
from quiz.reports.progress import DECILES, STATUS_CODES

N_CODES = len(STATUS_CODES)
NOT_STARTED = STATUS_CODES["not_started"]


@dataclass
class Rule:
    """One assignment's unit and job-type targets (named people are counted apart)."""

    exam_id: int
    unit_paths: list[str] = field(default_factory=list)
    job_type_ids: set[int] = field(default_factory=set)

    def covers(self, unit_path: str | None) -> bool:
        """Whether a unit is inside a target unit's subtree (any unit when the targets name none)."""
        if not self.unit_paths:
            return True
        return unit_path is not None and any(unit_path.startswith(p) for p in self.unit_paths)


# -- the statements ------------------------------------------------------------------------------------------------

OTHER_CODES = [code for code in sorted(STATUS_CODES.values()) if code != NOT_STARTED]
FIELD_BITS = 21  # people of one assignment with one value (summed over its groups): under 2,097,152
PER_SUM = 3  # three such fields fit in a signed 64-bit sum


def packed_counts(column, values) -> list[ColumnElement]:
    """How many rows have each of ``values`` in ``column``, three counts per SUM.

    Each row adds 1 shifted to its value's field, so one SUM counts three
    values: SQLite evaluates an aggregate per row and group, and the thirteen
    plain counts of a report (three statuses, ten tenths) cost more than the
    grouping itself; five packed ones about a third of that. ``unpacked``
    reads them back.
    """
    values = list(values)
    sums = []
    for start in range(0, len(values), PER_SUM):
        chunk = values[start:start + PER_SUM]
        total = func.sum(case(*((column == value, literal_column(str(1 << (FIELD_BITS * i))))
                                for i, value in enumerate(chunk)), else_=literal_column("0")))
        sums.append(cast(total, BigInteger))  # PostgreSQL sums bigints as numeric
    return sums


def n_packed(n_values: int) -> int:
    return -(-n_values // PER_SUM)


def unpacked(sums, n_values: int) -> list[int]:
    """The counts of ``packed_counts``."""
    mask = (1 << FIELD_BITS) - 1
    out = []
    for total in sums:
        total = int(total)
        for i in range(PER_SUM):
            out.append((total >> (FIELD_BITS * i)) & mask)
    return out[:n_values]


def targets_query(assignment_ids: list[int]):
    """``assignment_id, exam_id, unit path, job_type_id`` of every unit or job-type target."""
    return (select(Assignment.id, Assignment.exam_id, Unit.path, AssignmentTarget.job_type_id)
            .join(AssignmentTarget, AssignmentTarget.assignment_id == Assignment.id, isouter=True)
            .join(Unit, Unit.id == AssignmentTarget.unit_id, isouter=True)
            .where(Assignment.id.in_(assignment_ids)))


def sizes_query(user_conditions: Iterable[ColumnElement[bool]]):
    """``unit_id, unit path, job_type_id, people``: the active people in the report, per group."""
    return (select(User.unit_id, Unit.path, User.job_type_id, func.count())
            .select_from(User).join(Unit, Unit.id == User.unit_id, isouter=True)
            .where(User.active.is_(True), *user_conditions)
            .group_by(User.unit_id, Unit.path, User.job_type_id))


def progress_query(rules: dict[int, Rule], user_conditions: Iterable[ColumnElement[bool]], named_branch,
                   progress_conditions: Iterable[ColumnElement[bool]]):
    """One statement, the UNION ALL of four parts, each row
    ``part, assignment, exam, unit, job type, n, a, b, c, d…`` (see ``combine``).

    ``user_conditions`` narrow the people on ``User``, ``progress_conditions`` the same on
    the copies of their unit and job type that ``exam_progress`` keeps."""
    ep = ExamProgress
    ids = list(rules) or [-1]
    naming_jobs = [aid for aid, rule in rules.items() if rule.job_type_ids]
    people = [User.active.is_(True), *user_conditions]

    # own rows: the status and tenth distributions of each group, packed (see ``packed_counts``), from
    # exam_progress alone (the person's unit and job type are copied there) grouped in the order of
    # ix_exam_progress_groups: no look-up of each row's person, no sort. Per (assignment, unit), with the
    # job type for the assignments that name job types (a second part, so that each groups in index order)
    status_sums = packed_counts(ep.status, OTHER_CODES)
    decile_sums = packed_counts(ep.best_decile, range(DECILES))
    inactive = select(User.id).where(User.active.is_(False))
    counted = [ep.user_id.not_in(inactive), *progress_conditions]

    def own_part(assignment_ids, by_job: bool):
        return (select(literal(0).label("part"), ep.assignment_key, ep.exam_id, ep.unit_id,
                       ep.job_type_id if by_job else null(), func.count(), *status_sums, *decile_sums)
                .where(ep.assignment_key.in_(assignment_ids or [-1]), *counted)
                .group_by(ep.assignment_key, ep.exam_id, ep.unit_id, *([ep.job_type_id] if by_job else [])))

    own = own_part([aid for aid in ids if aid not in naming_jobs], False)
    own_by_job = own_part(naming_jobs, True)
    width = 6 + len(status_sums) + len(decile_sums)

    # people with a key-0 row, per assignment of its exam: their own row (if any) and the loose one
    loose = aliased(ExamProgress, name="loose")
    mine = aliased(ExamProgress, name="mine")
    combined = (select(literal(1), Assignment.id, Assignment.exam_id, User.unit_id, User.job_type_id, func.count(),
                       mine.status, mine.best_decile, loose.status, loose.best_decile)
                .select_from(loose)
                .join(Assignment, Assignment.exam_id == loose.exam_id)
                .join(User, User.id == loose.user_id)
                .outerjoin(mine, and_(mine.exam_id == loose.exam_id, mine.user_id == loose.user_id,
                                      mine.assignment_key == Assignment.id))
                # a literal 0, not a parameter: so that the planner may use ix_exam_progress_loose
                .where(loose.assignment_key == literal_column("0"), Assignment.id.in_(ids), *people)
                .group_by(Assignment.id, Assignment.exam_id, User.unit_id, User.job_type_id, mine.status,
                          mine.best_decile, loose.status, loose.best_decile))

    # named people not reached by the targets, with their status and tenth (from statuses.status_branches)
    b = named_branch
    named = (b.select.with_only_columns(literal(2), b.assignment_id, literal(0), User.unit_id, null(), func.count(),
                                        b.code, b.decile)
             .group_by(b.assignment_id, User.unit_id, b.code, b.decile))

    def padded(query, n):
        return query.add_columns(*(null() for _ in range(width - n)))

    return union_all(own, own_by_job, padded(combined, 10), padded(named, 8))


# -- adding up (pure) ----------------------------------------------------------------------------------------------

def rules_from(rows) -> dict[int, Rule]:
    """``Rule`` per assignment from the rows of ``targets_query``."""
    rules: dict[int, Rule] = {}
    for aid, exam_id, path, job_type_id in rows:
        rule = rules.setdefault(aid, Rule(exam_id))
        if path is not None:
            rule.unit_paths.append(path)
        if job_type_id is not None:
            rule.job_type_ids.add(job_type_id)
    return rules


def _larger(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def combine(rules: dict[int, Rule], sizes, progress_rows):
    """Status counts per (assignment, unit) and score histograms per assignment from the statements' rows.

    ``sizes``: rows of ``sizes_query``; ``progress_rows``: rows of ``progress_query``.
    Returns ``({assignment: {unit: (people per status code)}}, {assignment: [people per tenth]})``
    with an entry for every (assignment, unit) that has somebody assigned. Few long-lived objects
    (keyed by assignment, then unit; tuples of ints): a report of 16,000 rows that leaves 50,000
    new containers behind makes CPython's garbage collector walk the whole heap (~80 ms).
    """
    # people per unit, and per (unit, job type)
    unit_people: dict[int | None, int] = {}
    unit_job_people: dict[int | None, dict[int | None, int]] = {}
    paths: dict[int | None, str | None] = {}
    for unit_id, path, job_type_id, n in sizes:
        paths[unit_id] = path
        unit_people[unit_id] = unit_people.get(unit_id, 0) + n
        unit_job_people.setdefault(unit_id, {})[job_type_id] = n

    # the groups each assignment's targets reach, with their people: per assignment, unit -> people
    # when it names no job types, else (unit, job type) -> people (the job key of progress_query)
    assigned: dict[int, dict] = {}
    for aid, rule in rules.items():
        groups = assigned[aid] = {}
        if not rule.unit_paths and not rule.job_type_ids:
            continue
        prefixes = tuple(rule.unit_paths)
        for unit_id, path in paths.items():
            if prefixes and (path is None or not path.startswith(prefixes)):
                continue
            if not rule.job_type_ids:
                groups[unit_id] = unit_people[unit_id]
                continue
            jobs = unit_job_people[unit_id]
            for job_type_id in rule.job_type_ids:
                n = jobs.get(job_type_id)
                if n:
                    groups[(unit_id, job_type_id)] = n

    # every group reached starts as "all not started"; the rows then move people to their status.
    # Per assignment one flat list of counts (N_CODES per unit, at slots[unit]) rather than a list
    # per unit: ints are not tracked by the garbage collector, 16,000 small lists would be
    slots: dict[int, dict[int | None, int]] = {aid: {} for aid in rules}
    flat: dict[int, list[int]] = {aid: [] for aid in rules}
    histograms: dict[int, list[int]] = {aid: [0] * DECILES for aid in rules}

    def at(aid, unit_id) -> int:
        where = slots[aid].get(unit_id)
        if where is None:
            where = slots[aid][unit_id] = len(flat[aid])
            flat[aid].extend([0] * N_CODES)
        return where

    for aid, groups in assigned.items():
        counts = flat[aid]
        for group, n in groups.items():
            counts[at(aid, group[0] if rules[aid].job_type_ids else group) + NOT_STARTED] += n

    decile_at = 6 + n_packed(len(OTHER_CODES))
    decile_end = decile_at + n_packed(DECILES)
    mask = (1 << FIELD_BITS) - 1
    # where each status code's count sits: (code, which packed sum, shift), read inline (16,000 rows)
    status_fields = [(code, 6 + i // PER_SUM, FIELD_BITS * (i % PER_SUM)) for i, code in enumerate(OTHER_CODES)]
    # the tenths only matter per assignment: their packed sums are added up as they come (no field
    # overflows: it counts people of one assignment) and unpacked once at the end
    packed_tenths: dict[int, list[int]] = {}
    packed_people: dict[int, int] = {}
    for row in progress_rows:
        part, aid, exam_id, unit_id, job_key, n = row[:6]
        if part == 0:  # own rows of a group: status and tenth distributions
            groups = assigned.get(aid)
            if not groups or (unit_id if job_key is None else (unit_id, job_key)) not in groups \
                    or rules[aid].exam_id != exam_id:
                continue
            counts, where = flat[aid], slots[aid][unit_id]
            moved = 0
            for code, at_sum, shift in status_fields:
                count = (int(row[at_sum]) >> shift) & mask
                counts[where + code] += count  # rows with code 0 stay not started
                moved += count
            counts[where + NOT_STARTED] -= moved
            sums = packed_tenths.get(aid)
            if sums is None:
                packed_tenths[aid] = [int(v) for v in row[decile_at:decile_end]]
            else:
                for k, value in enumerate(row[decile_at:decile_end]):
                    sums[k] += int(value)
            packed_people[aid] = packed_people.get(aid, 0) + n
        elif part == 1:  # people with a loose row: replace what their own row said by the combination
            groups = assigned.get(aid)
            if not groups or (unit_id if not rules[aid].job_type_ids else (unit_id, job_key)) not in groups:
                continue
            counts, where, bins = flat[aid], slots[aid][unit_id], histograms[aid]
            own_code, own_decile, loose_code, loose_decile = row[6:10]
            if own_code is not None:  # counted above: take it back
                counts[where + own_code] -= n
                counts[where + NOT_STARTED] += n
                if own_decile is not None:
                    bins[own_decile] -= n
            code, decile = _larger(own_code, loose_code), _larger(own_decile, loose_decile)
            counts[where + NOT_STARTED] -= n
            counts[where + code] += n
            if decile is not None:
                bins[decile] += n
        else:  # named people not reached by the targets: on top of the groups
            code, decile = row[6], row[7]
            if aid not in slots:
                slots[aid], flat[aid], histograms[aid] = {}, [], [0] * DECILES
            flat[aid][at(aid, unit_id) + code] += n
            if decile is not None:
                histograms[aid][decile] += n
    for aid, sums in packed_tenths.items():
        if packed_people[aid] >> FIELD_BITS:
            raise OverflowError(f"{packed_people[aid]} people in one assignment: more than packed_counts can count")
        histograms[aid] = list(map(operator.add, histograms[aid], unpacked(sums, DECILES)))
    statuses = {aid: {unit_id: tuple(flat[aid][where:where + N_CODES]) for unit_id, where in units.items()}
                for aid, units in slots.items()}
    return statuses, histograms
