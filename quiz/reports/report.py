"""Completion queries: what the dashboard, the drill-down, who-to-chase, the
person page and the exports read. Every query is limited by the viewer's
``Scope`` (DESIGN rule 6) and by the report's filters.

The heavy lifting is one grouped statement: each (assignment, person) pair's
status is read from the ``exam_progress`` rows the exam engine keeps (see
``statuses.person_status``), then counted per (assignment, unit of the person). ``rollup.roll_up`` adds those rows up the unit tree in
Python, so the number of statements is the same for ten people or twenty
thousand.
"""
from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from sqlalchemy import case, exists, false, func, literal, or_, select, union_all
from sqlalchemy.sql import ColumnElement, Select

from quiz.auth.scopes import Scope
from quiz.certificates.models import Certificate
from quiz.db import utcnow
from quiz.exams.models import Assignment, Attempt, Exam, ExamProgress
from quiz.extensions import db
from quiz.i18n import SHANGHAI
from quiz.org.models import JobType, Unit, User
from quiz.reports import unit_counts
from quiz.exams.assignments.assignees import assignee_pairs
from quiz.reports.filters import Filters
from quiz.reports.progress import DECILES, STATUS_CODES
from quiz.reports.rollup import Counts, Tree, UnitNode, level_rows, roll_up, sorted_worst_first, sum_counts
from quiz.reports.statuses import StatusBranch, person_status, status_branches


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    title: str
    exam_id: int
    exam_title: str
    due_at: datetime | None
    created_at: datetime
    pass_mark: float

    def past_due(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


@dataclass
class PersonRow:
    """One person and one assignment: what who-to-chase, details and the person page show."""

    assignment_id: int
    user_id: int
    employee_no: str
    name: str
    phone: str | None
    unit_id: int | None
    job_type: str
    status: str
    attempts: int
    best_score: float | None
    best_pct: float | None
    last_at: datetime | None
    overdue: bool = False
    team: str = ""
    unit_label: str = ""
    levels: list[str] = field(default_factory=list)


class Report:
    """One viewer's completion report under some filters.

    Attributes are computed once, on first use, each with one statement:
    ``tree`` (units in scope and their ancestors), ``assignments`` (matching
    the filters), ``unit_rows`` (counts per assignment and unit).
    """

    def __init__(self, scope: Scope, filters: Filters | None = None, now: datetime | None = None,
                 show_phone: bool = False):
        self.scope = scope
        self.filters = filters or Filters()
        self.now = now or utcnow()
        self.show_phone = show_phone

    # -- what the report covers ----------------------------------------------------------------------------------
    @cached_property
    def tree(self) -> Tree:
        ancestor_ids = {int(p) for path in self.scope.unit_paths for p in path.strip("/").split("/") if p}
        condition = self.scope.unit_condition(Unit.path)
        if ancestor_ids:
            condition = or_(condition, Unit.id.in_(ancestor_ids))
        rows = db.session.execute(
            select(Unit.id, Unit.parent_id, Unit.name, Unit.path, Unit.depth, Unit.kind).where(condition))
        return Tree(UnitNode(*row) for row in rows)

    @cached_property
    def roots(self) -> list[UnitNode]:
        """The tops of what the viewer sees: the companies, or the units they lead."""
        if self.scope.everything:
            return list(self.tree.children.get(None, []))
        return sorted((u for u in self.tree.units.values() if u.path in self.scope.unit_paths),
                      key=lambda u: u.path)

    @cached_property
    def filter_unit(self) -> Unit | None:
        if self.filters.unit_id is None:
            return None
        return db.session.get(Unit, self.filters.unit_id)

    def user_conditions(self, extra: tuple = ()) -> list[ColumnElement[bool]]:
        return [*self._people_conditions(User.id, User.unit_id, User.job_type_id), *extra]

    def progress_conditions(self) -> list[ColumnElement[bool]]:
        """``user_conditions`` on the copies of the person's unit and job type ``exam_progress`` keeps."""
        return self._people_conditions(ExamProgress.user_id, ExamProgress.unit_id, ExamProgress.job_type_id)

    def _people_conditions(self, user_id, unit_id, job_type_id) -> list[ColumnElement[bool]]:
        conditions = [self.scope.people_condition(user_id, unit_id)]
        if self.filters.job_type_id:
            conditions.append(job_type_id == self.filters.job_type_id)
        if self.filters.unit_id:
            unit = self.filter_unit
            if unit is None:
                conditions.append(false())
            else:
                conditions.append(unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))
        return conditions

    @cached_property
    def assignments(self) -> dict[int, AssignmentInfo]:
        """Graded assignments matching the filters (visible ones are those with people in scope).

        Practice assignments are not among them: they pass nobody and fail
        nobody, so they stay out of every pass rate and chase list (see ``practice``)."""
        return self._assignment_infos[0]

    @cached_property
    def _assignment_infos(self) -> tuple[dict[int, AssignmentInfo], dict[int, AssignmentInfo]]:
        """(graded, practice) assignments matching the filters, in one statement."""
        query = (select(Assignment.id, Assignment.title, Exam.id, Exam.title, Assignment.due_at, Assignment.created_at,
                        Exam.pass_mark, Exam.mode)
                 .join(Exam, Exam.id == Assignment.exam_id)
                 .order_by(Assignment.due_at.desc().nulls_last(), Assignment.id.desc()))
        f = self.filters
        if f.assignment_id:
            query = query.where(Assignment.id == f.assignment_id)
        when = func.coalesce(Assignment.due_at, Assignment.created_at)
        if f.date_from:
            query = query.where(when >= datetime.combine(f.date_from, time.min, tzinfo=SHANGHAI))
        if f.date_to:
            query = query.where(when < datetime.combine(f.date_to + timedelta(days=1), time.min, tzinfo=SHANGHAI))
        graded, practice = {}, {}
        for row in db.session.execute(query):
            out = practice if row[7] == "practice" else graded
            out[row[0]] = AssignmentInfo(row[0], row[1] or row[3], row[2], row[3], row[4], row[5], row[6])
        return graded, practice

    def practice(self, extra: tuple = ()) -> list[tuple[AssignmentInfo, int, int]]:
        """Practice assignments with people in scope: (assignment, people assigned, people who finished one).

        Done means at least one finished practice attempt at the exam; there is
        no passing or failing a practice. One statement for all of them."""
        infos = self._assignment_infos[1]
        if not infos:
            return []
        pairs = assignee_pairs(list(infos), self.user_conditions(extra)).subquery("pairs")
        done = exists().where(Attempt.user_id == pairs.c.user_id, Attempt.exam_id == Assignment.exam_id,
                              Attempt.status == "submitted")
        query = (select(pairs.c.assignment_id, func.count(), func.sum(case((done, 1), else_=0)))
                 .select_from(pairs).join(Assignment, Assignment.id == pairs.c.assignment_id)
                 .group_by(pairs.c.assignment_id))
        counts = {aid: (n, int(d or 0)) for aid, n, d in db.session.execute(query)}
        return [(info, *counts[aid]) for aid, info in infos.items() if aid in counts]

    def _assignment_ids(self) -> list[int]:
        return list(self.assignments) or [-1]

    def statuses(self, extra: tuple = ()) -> Select:
        return person_status(self._assignment_ids(), self.user_conditions(extra))

    # -- counts --------------------------------------------------------------------------------------------------
    HISTOGRAM_BINS = DECILES

    @cached_property
    def _grouped(self) -> tuple[list, dict, dict]:
        """Per (assignment, unit) the status counts and the best-score histogram, in three statements.

        The assignment's targets, the people per (unit, job type) and the
        ``exam_progress`` rows counted per (assignment, unit, job type when
        the assignment names job types): ``quiz.reports.unit_counts`` explains
        why this equals counting every assigned person's status, without
        pairing 20,000 people with 30 assignments.
        """
        conditions = self.user_conditions()
        rules = unit_counts.rules_from(db.session.execute(unit_counts.targets_query(self._assignment_ids())))
        sizes = db.session.execute(unit_counts.sizes_query(conditions))
        named = self._branches()[2]
        progress_rows = db.session.execute(
            unit_counts.progress_query(rules, conditions, named, self.progress_conditions()))
        statuses, histograms = unit_counts.combine(rules, sizes, progress_rows)
        codes = [STATUS_CODES[name] for name in ("not_started", "in_progress", "passed", "failed")]
        rows = []
        totals = {}
        for assignment_id, units in statuses.items():
            past_due = self.assignments[assignment_id].past_due(self.now)
            total = [0] * 6
            for unit_id, by_code in units.items():
                assigned = sum(by_code)
                if assigned:
                    passed = by_code[STATUS_CODES["passed"]]
                    values = (assigned, *(by_code[code] for code in codes), assigned - passed if past_due else 0)
                    rows.append((assignment_id, unit_id, values))
                    total = list(map(operator.add, total, values))
            if total[0]:
                totals[assignment_id] = tuple(total)
        return rows, histograms, totals  # totals per assignment: totals() and overall() without another pass

    def _branches(self, extra: tuple = ()) -> list[StatusBranch]:
        return status_branches(self._assignment_ids(), self.user_conditions(extra))

    @property
    def unit_rows(self) -> Iterator[tuple[int, int | None, Counts]]:
        """(assignment id, unit id, counts) for every unit that has assigned people in scope.

        The rows are kept as tuples of ints and their ``Counts`` made as they are
        read: 16,000 long-lived ``Counts`` would make the garbage collector walk
        the whole heap during the request (~80 ms), tuples of ints it ignores.
        """
        return ((aid, unit_id, Counts(*values)) for aid, unit_id, values in self._grouped[0])

    @cached_property
    def visible_assignments(self) -> list[AssignmentInfo]:
        """Assignments with at least one person in scope, most recently due first."""
        per = self._grouped[2]
        return [info for aid, info in self.assignments.items() if aid in per]

    def rows_for(self, assignment_id: int | None = None) -> Iterator[tuple[int | None, Counts]]:
        return ((unit_id, Counts(*values)) for aid, unit_id, values in self._grouped[0]
                if assignment_id is None or aid == assignment_id)

    def totals(self) -> list[tuple[AssignmentInfo, Counts]]:
        """Per visible assignment, its figures over the whole scope."""
        per = self._grouped[2]
        return [(info, Counts(*per[info.id])) for info in self.visible_assignments]

    def overall(self) -> Counts:
        return sum_counts(Counts(*values) for values in self._grouped[2].values())

    def drill(self, unit: UnitNode | None, assignment_id: int | None = None):
        """(total, [(child unit, counts)] worst first, counts of people directly in ``unit``)."""
        total, per_child, direct = roll_up(self.rows_for(assignment_id), self.tree, unit, self.roots)
        return total, sorted_worst_first(per_child, self.tree), direct

    def chart_units(self, assignment_id: int | None = None) -> list[tuple[UnitNode, Counts]]:
        """The units the dashboard's bars show: the children of a single root, else the roots."""
        roots = self.roots
        at = roots[0] if len(roots) == 1 else None
        return self.drill(at, assignment_id)[1]

    def level(self, depth: int, assignment_id: int) -> list[tuple[UnitNode, Counts]]:
        return sorted_worst_first(level_rows(self.rows_for(assignment_id), self.tree, depth), self.tree)

    def histogram(self, assignment_id: int | None = None) -> list[int]:
        """How many people's best score (as % of the maximum) fall in each tenth."""
        counts = [0] * self.HISTOGRAM_BINS
        for aid, bins in self._grouped[1].items():
            if assignment_id is None or aid == assignment_id:
                counts = [a + b for a, b in zip(counts, bins)]
        return counts

    def timeline(self, assignment_id: int) -> dict:
        """Cumulative finished and passed, per Shanghai day, for one assignment."""
        info = self.assignments.get(assignment_id)
        ps = self.statuses().subquery("ps")
        query = (select(ps.c.first_finished_at, ps.c.passed_at)
                 .where(ps.c.assignment_id == assignment_id, ps.c.first_finished_at.is_not(None)))
        finished: dict[date, int] = {}
        passed: dict[date, int] = {}
        for first, passed_at in db.session.execute(query):
            day = first.astimezone(SHANGHAI).date()
            finished[day] = finished.get(day, 0) + 1
            if passed_at is not None:
                pday = passed_at.astimezone(SHANGHAI).date()
                passed[pday] = passed.get(pday, 0) + 1
        assigned = sum(c.assigned for _u, c in self.rows_for(assignment_id))
        start = info.created_at.astimezone(SHANGHAI).date() if info else self.now.astimezone(SHANGHAI).date()
        if finished:
            start = min(start, min(finished))
        due = info.due_at.astimezone(SHANGHAI).date() if info and info.due_at else None
        end = max([d for d in (due, self.now.astimezone(SHANGHAI).date()) if d is not None] + [start])
        if due is not None:
            end = max(due, max(finished) if finished else due)
        points, f, p = [], 0, 0
        day = start
        while day <= end:
            f += finished.get(day, 0)
            p += passed.get(day, 0)
            points.append((day, f, p))
            day += timedelta(days=1)
        return {"assigned": assigned, "points": points, "due": due}

    # -- people --------------------------------------------------------------------------------------------------
    def people(self, only_not_passed: bool = False, extra: tuple = (), assignment_id: int | None = None,
               limit: int | None = None) -> list[PersonRow]:
        """Person × assignment rows, sorted by team (unit label), then 工号, then due date."""
        parts = []
        for b in self._branches(extra):
            query = (b.select.outerjoin(JobType, JobType.id == User.job_type_id)
                     .with_only_columns(b.assignment_id, User.id, User.employee_no, User.name,
                                        User.phone if self.show_phone else literal(None), User.unit_id,
                                        func.coalesce(JobType.name, ""), b.status, b.attempts, b.best_score,
                                        b.best_pct, b.last_at))
            if only_not_passed:
                query = query.where(~b.passed)
            if assignment_id is not None:
                query = query.where(b.assignment_id == assignment_id)
            parts.append(query)
        query = union_all(*parts)
        rows = []
        for r in db.session.execute(query):
            info = self.assignments[r[0]]
            unit = self.tree.units.get(r[5])
            row = PersonRow(*r, overdue=r[7] != "passed" and info.past_due(self.now),
                            team=unit.name if unit else "", unit_label=self.tree.label(r[5]),
                            levels=self.tree.names_by_depth(r[5]))
            rows.append(row)
        order = {aid: i for i, aid in enumerate(self.assignments)}
        rows.sort(key=lambda r: (r.unit_label, r.employee_no, order.get(r.assignment_id, 0)))
        if limit is not None:
            rows = rows[:limit]
        return rows

    def chase(self, limit: int | None = None) -> list[PersonRow]:
        """Who to chase: people in scope who have not passed, sorted by team."""
        return self.people(only_not_passed=True, limit=limit)

    def direct_people(self, unit: UnitNode) -> list[tuple[PersonRow, Counts]]:
        """People directly in ``unit``, each with their figures over the selected assignments, worst first."""
        per: dict[int, tuple[PersonRow, Counts]] = {}
        for row in self.people(extra=(User.unit_id == unit.id,)):
            info = self.assignments[row.assignment_id]
            counts = Counts.of_status(row.status, info.past_due(self.now))
            if row.user_id in per:
                per[row.user_id][1].add(counts)
            else:
                per[row.user_id] = (row, counts)
        return sorted(per.values(), key=lambda pc: (pc[1].pass_rate, pc[1].completion_rate, pc[0].employee_no))

    def person_assignments(self, person: User) -> list[dict]:
        """Every assignment (matching the filters) of one person: status, attempts with scores, certificates."""
        rows = self.people(extra=(User.id == person.id,))
        exam_ids = {self.assignments[r.assignment_id].exam_id for r in rows}
        attempts: list[Attempt] = []
        if exam_ids:
            attempts = list(db.session.scalars(
                select(Attempt).where(Attempt.user_id == person.id, Attempt.exam_id.in_(exam_ids),
                                      Attempt.counted.is_(True)).order_by(Attempt.started_at)))
        certificates = certificates_of(person.id, exam_ids)
        out = []
        for row in rows:
            info = self.assignments[row.assignment_id]
            mine = [a for a in attempts if a.exam_id == info.exam_id and a.assignment_id in (None, info.id)]
            out.append({"row": row, "assignment": info, "attempts": mine,
                        "certificates": [c for c in certificates if c["exam_id"] == info.exam_id]})
        return out


def certificates_of(user_id: int, exam_ids) -> list[dict]:
    """The person's certificates for these exams."""
    if not exam_ids:
        return []
    query = select(Certificate).where(Certificate.user_id == user_id, Certificate.exam_id.in_(list(exam_ids)))
    out = []
    for cert in db.session.scalars(query):
        out.append({"exam_id": cert.exam_id, "serial": getattr(cert, "serial", ""),
                    "issued_at": getattr(cert, "issued_at", None), "id": cert.id,
                    "revoked": getattr(cert, "revoked_at", None) is not None})
    return out
