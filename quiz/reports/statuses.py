"""Each assigned (assignment, person) pair's status, as SQL: the ``exam_progress`` rows the exam
engine keeps, joined to everybody an assignment reaches (``assignees.assignee_branches``) and combined
into one status, attempt count, best score and dates per pair. The report's person rows and the
timeline read it directly; ``unit_counts`` counts the same statuses per unit without the pairing.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql import ColumnElement, Select

from quiz.exams.models import Assignment, ExamProgress
from quiz.org.models import User
from quiz.exams.assignments.assignees import assignee_branches
from quiz.reports.progress import STATUS_CODES, STATUS_NAMES


STATUS_ORDER = {"not_started": 0, "in_progress": 1, "failed": 2, "passed": 3}


class _Extreme(FunctionElement):
    inherit_cache = True
    sqlite_name = ""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.type = a.type


class greatest(_Extreme):
    """The larger of two nullable values, NULL only when both are (PostgreSQL's GREATEST)."""

    inherit_cache = True
    name = "greatest"
    sqlite_name = "max"


class least(_Extreme):
    """The smaller of two nullable values, NULL only when both are (PostgreSQL's LEAST)."""

    inherit_cache = True
    name = "least"
    sqlite_name = "min"


@compiles(greatest)
@compiles(least)
def _extreme(element, compiler, **kw):
    return f"{element.name}({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
@compiles(least, "sqlite")
def _sqlite_extreme(element, compiler, **kw):
    # SQLite's two-argument max()/min() is NULL when either is: coalesce each with the other
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"{element.sqlite_name}(coalesce({a}, {b}), coalesce({b}, {a}))"


@dataclass(frozen=True)
class StatusBranch:
    """One of the disjoint parts of "everybody assigned" (see ``assignee_branches``)
    joined to its ``exam_progress`` rows: ``select`` has the joins (and ``User``),
    the other fields are the expressions to pick from it with ``with_only_columns``.
    """

    select: Select
    assignment_id: ColumnElement
    code: ColumnElement  # progress.STATUS_CODES
    decile: ColumnElement
    attempts: ColumnElement
    best_score: ColumnElement
    best_pct: ColumnElement
    first_finished_at: ColumnElement
    passed_at: ColumnElement
    last_at: ColumnElement

    @property
    def status(self) -> ColumnElement:
        return case(*((self.code == code, name) for code, name in STATUS_NAMES.items() if code),
                    else_="not_started")

    @property
    def passed(self) -> ColumnElement[bool]:
        return self.code == STATUS_CODES["passed"]

    def columns(self) -> list[ColumnElement]:
        """``assignment_id, user_id, unit_id, attempts, status, best_score, best_pct,
        first_finished_at, passed_at, last_at``."""
        return [self.assignment_id.label("assignment_id"), User.id.label("user_id"), User.unit_id.label("unit_id"),
                self.attempts.label("attempts"), self.status.label("status"),
                self.best_score.label("best_score"), self.best_pct.label("best_pct"),
                self.first_finished_at.label("first_finished_at"), self.passed_at.label("passed_at"),
                self.last_at.label("last_at")]


def status_branches(assignment_ids, user_conditions) -> list[StatusBranch]:
    """Every assigned (assignment, person) pair with what their attempts add up to, in disjoint parts.

    An attempt counts for an assignment when it is a counted attempt at the
    assignment's exam, made for this assignment or for no assignment in particular.
    Those attempts are summed up in two ``exam_progress`` rows (kept by the exam
    engine, see ``quiz.reports.progress``): the one of the attempts made for the
    assignment (``own``) and the one of those that named none (``loose``). Every
    figure is a max, a min or a count over the attempts (the status is coded so
    that its precedence is a max too: passed when any passed, else in progress
    when any is running or waiting for grading, else failed when any was
    finalised, else not started), so combining the two rows gives exactly what
    grouping all the attempts would.
    """
    out = []
    for branch in assignee_branches(assignment_ids, user_conditions):
        assignment_id = branch.selected_columns.assignment_id
        own = aliased(ExamProgress, name="own")
        loose = aliased(ExamProgress, name="loose")
        query = (branch
                 .join(Assignment, Assignment.id == assignment_id)
                 .outerjoin(own, and_(own.exam_id == Assignment.exam_id, own.user_id == User.id,
                                      own.assignment_key == assignment_id))
                 .outerjoin(loose, and_(loose.exam_id == Assignment.exam_id, loose.user_id == User.id,
                                        loose.assignment_key == 0)))
        out.append(StatusBranch(
            query, assignment_id,
            func.coalesce(greatest(own.status, loose.status), STATUS_CODES["not_started"]),
            greatest(own.best_decile, loose.best_decile),
            func.coalesce(own.attempts, 0) + func.coalesce(loose.attempts, 0),
            greatest(own.best_score, loose.best_score), greatest(own.best_pct, loose.best_pct),
            least(own.first_finished_at, loose.first_finished_at), least(own.passed_at, loose.passed_at),
            greatest(own.last_at, loose.last_at)))
    return out


def person_status(assignment_ids, user_conditions) -> Select:
    """``SELECT assignment_id, user_id, unit_id, attempts, status, best_score,
    best_pct, first_finished_at, passed_at, last_at`` for every assigned person
    (the UNION ALL of ``status_branches``)."""
    return union_all(*(b.select.with_only_columns(*b.columns()) for b in status_branches(assignment_ids,
                                                                                        user_conditions)))
