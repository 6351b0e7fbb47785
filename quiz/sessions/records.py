"""The training record (培训档案): per person every session attended, every
exam passed or failed with its score, every certificate, with hours per year
and per kind; per unit, hours per person against the hours required.

Other domains add lines to the record without being imported here: a
source registered with ``register_record_source(app, fn)`` (from that
domain's ``register(app)``) is called as
``fn(user_ids, year)`` and returns ``Entry`` objects (learning-path topics
and practical sign-offs, for instance).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quiz.exams.models import Attempt, Exam
from quiz.extensions import db
from quiz.i18n import N_, SHANGHAI
from quiz.org.models import Unit, User
from quiz.sessions.models import Attendance, RequiredHours, TrainingSession

KIND_LABELS = {"special": N_("专项培训"), "lecture": N_("宣讲"), "class": N_("培训班"), "makeup": N_("补课"),
               "drill": N_("演练")}
STATUS_LABELS = {"present": N_("出勤"), "late": N_("迟到"), "absent": N_("缺勤"), "excused": N_("请假")}


@dataclass
class Entry:
    """One line of a person's record."""

    user_id: int
    at: datetime
    source: str  # "session", "exam", "certificate", or a registered source's name
    kind: str  # a label people read: 专项培训, 考试, 证书 …
    title: str
    hours: float = 0.0
    result: str = ""
    score: float | None = None
    passed: bool | None = None

    @property
    def year(self) -> int:
        return self.at.astimezone(SHANGHAI).year


RecordSource = Callable[[list[int], int | None], Iterable[Entry]]


def register_record_source(app: Flask, fn: RecordSource) -> RecordSource:
    """Add lines from another domain to every record of ``app``."""
    app.extensions.setdefault("quiz.record_sources", []).append(fn)
    return fn


def record_sources() -> list[RecordSource]:
    """The sources other domains registered with the current app."""
    return list(current_app.extensions.get("quiz.record_sources", ()))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year as the plants count it (Asia/Shanghai), in UTC."""
    return (datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(timezone.utc))


def _session_entries(user_ids: list[int], year: int | None) -> Iterable[Entry]:
    query = (select(Attendance, TrainingSession).join(TrainingSession, TrainingSession.id == Attendance.session_id)
             .where(Attendance.user_id.in_(user_ids), Attendance.status.in_(("present", "late"))))
    if year is not None:
        start, end = year_bounds(year)
        query = query.where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
    for attendance, session in db.session.execute(query):
        yield Entry(attendance.user_id, session.starts_at, "session", _(KIND_LABELS.get(session.kind, session.kind)),
                    session.title, attendance.hours, _(STATUS_LABELS[attendance.status]))


def _exam_entries(user_ids: list[int], year: int | None) -> Iterable[Entry]:
    """Each exam once per person: its best finalised counted attempt (a pass first)."""
    query = (select(Attempt.user_id, Attempt.exam_id, Exam.title, Attempt.submitted_at, Attempt.score,
                    Attempt.max_score, Attempt.passed)
             .join(Exam, Exam.id == Attempt.exam_id)
             .where(Attempt.user_id.in_(user_ids), Attempt.status == "submitted", Attempt.counted.is_(True),
                    Attempt.mode == "exam", Attempt.submitted_at.is_not(None)))
    if year is not None:
        start, end = year_bounds(year)
        query = query.where(Attempt.submitted_at >= start, Attempt.submitted_at < end)
    best: dict[tuple[int, int], tuple] = {}
    for row in db.session.execute(query):
        key = (row.user_id, row.exam_id)
        rank = (bool(row.passed), row.score or 0)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, row)
    for _rank, row in best.values():
        if row.passed is None:
            result = _("待评阅")
        else:
            result = _("%(verdict)s %(score)s 分", verdict=_("合格") if row.passed else _("不合格"),
                       score=f"{row.score or 0:g}")
        yield Entry(row.user_id, row.submitted_at, "exam", _("考试"), row.title, 0.0, result, row.score, row.passed)


def _certificate_entries(user_ids: list[int], year: int | None) -> Iterable[Entry]:
    from quiz.certificates.models import Certificate

    query = select(Certificate).where(Certificate.user_id.in_(user_ids), Certificate.revoked_at.is_(None))
    if year is not None:
        start, end = year_bounds(year)
        query = query.where(Certificate.issued_at >= start, Certificate.issued_at < end)
    for cert in db.session.scalars(query):
        yield Entry(cert.user_id, cert.issued_at, "certificate", _("证书"), cert.exam_title, 0.0,
                    _("证书编号 %(serial)s", serial=cert.serial))


def entries(user_ids: Iterable[int], year: int | None = None) -> dict[int, list[Entry]]:
    """Every line of the records of ``user_ids`` (one year, or all), oldest first."""
    ids = list(dict.fromkeys(user_ids))
    result: dict[int, list[Entry]] = {i: [] for i in ids}
    if not ids:
        return result
    sources: list[RecordSource] = [_session_entries, _exam_entries, _certificate_entries, *record_sources()]
    for chunk_start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        chunk = ids[chunk_start:chunk_start + 900]
        for source in sources:
            for entry in source(chunk, year):
                result.setdefault(entry.user_id, []).append(entry)
    for lines in result.values():
        lines.sort(key=lambda e: (e.at, e.title))
    return result


@dataclass
class YearHours:
    year: int
    total: float = 0.0
    by_kind: dict[str, float] = field(default_factory=dict)
    required: float | None = None

    @property
    def below(self) -> bool:
        return self.required is not None and self.total + 1e-9 < self.required


def hours_by_year(lines: Iterable[Entry], required: float | None = None) -> dict[int, YearHours]:
    """Hours per year and per kind, newest year first."""
    years: dict[int, YearHours] = {}
    for entry in lines:
        year = years.setdefault(entry.year, YearHours(entry.year, required=required))
        if entry.hours:
            year.total = round(year.total + entry.hours, 1)
            year.by_kind[entry.kind] = round(year.by_kind.get(entry.kind, 0.0) + entry.hours, 1)
    return dict(sorted(years.items(), reverse=True))


# -- required hours --------------------------------------------------------------------------

def required_rules() -> list[RequiredHours]:
    return list(db.session.scalars(select(RequiredHours)))


def required_for(person: User, rules: list[RequiredHours], paths: dict[int, str] | None = None) -> float | None:
    """The hours ``person`` must reach per year: a rule for their unit (or an
    ancestor) and job type first, then one for their job type, then the
    nearest unit's; None when no rule applies."""
    unit_path = person.unit.path if person.unit is not None else ""
    if paths is None:
        paths = {u.id: u.path for u in db.session.scalars(select(Unit).where(
            Unit.id.in_([r.unit_id for r in rules if r.unit_id])))}

    def depth(rule: RequiredHours) -> int:
        return len(paths.get(rule.unit_id, ""))

    def in_unit(rule: RequiredHours) -> bool:
        return rule.unit_id is not None and unit_path.startswith(paths.get(rule.unit_id, "\0"))

    both = [r for r in rules if r.job_type_id is not None and r.job_type_id == person.job_type_id and in_unit(r)]
    if both:
        return max(both, key=depth).hours
    jobs = [r for r in rules if r.unit_id is None and r.job_type_id is not None
            and r.job_type_id == person.job_type_id]
    if jobs:
        return jobs[0].hours
    units = [r for r in rules if r.job_type_id is None and in_unit(r)]
    if units:
        return max(units, key=depth).hours
    return None


def set_required(unit: Unit | None, job_type, hours: float | None, actor: User) -> RequiredHours | None:
    """Set (or with ``hours`` None remove) the required hours of a unit and/or job type. Audited."""
    from quiz.org.services import audit

    rule = db.session.scalar(select(RequiredHours).where(
        RequiredHours.unit_id.is_(None) if unit is None else RequiredHours.unit_id == unit.id,
        RequiredHours.job_type_id.is_(None) if job_type is None else RequiredHours.job_type_id == job_type.id))
    if hours is None:
        if rule is not None:
            db.session.delete(rule)
    else:
        if rule is None:
            rule = RequiredHours(unit_id=unit.id if unit else None, job_type_id=job_type.id if job_type else None)
            db.session.add(rule)
        rule.hours = float(hours)
    db.session.flush()
    audit("sessions.required_hours", rule, _("设置年度应修学时：%(unit)s %(job)s %(hours)s",
                                             unit=unit.name if unit else "", job=job_type.name if job_type else "",
                                             hours="—" if hours is None else f"{hours:g}"),
          {"unit_id": unit.id if unit else None, "job_type_id": job_type.id if job_type else None,
           "hours": hours}, actor=actor)
    return rule


# -- a person's record, a unit's hours ------------------------------------------------------------

@dataclass
class PersonRecord:
    person: User
    lines: list[Entry]
    years: dict[int, YearHours]
    required: float | None


def person_record(person: User, rules: list[RequiredHours] | None = None) -> PersonRecord:
    rules = required_rules() if rules is None else rules
    lines = entries([person.id])[person.id]
    required = required_for(person, rules)
    return PersonRecord(person, lines, hours_by_year(lines, required), required)


def record_json(record: PersonRecord) -> dict:
    """The shape of ``flask records person 工号 --json``."""
    from quiz.org.services import unit_label

    p = record.person
    return {
        "employee_no": p.employee_no, "name": p.name, "unit": unit_label(p.unit),
        "job_type": p.job_type.name if p.job_type else None, "required_hours_per_year": record.required,
        "hours_by_year": {str(y.year): {"total": y.total, "by_kind": y.by_kind, "required": y.required,
                                        "below": y.below} for y in record.years.values()},
        "entries": [{"date": e.at.isoformat(), "source": e.source, "kind": e.kind, "title": e.title,
                     "hours": e.hours, "result": e.result, "score": e.score, "passed": e.passed}
                    for e in record.lines],
    }


@dataclass
class PersonHours:
    person: User
    hours: float
    required: float | None
    sessions: int

    @property
    def below(self) -> bool:
        return self.required is not None and self.hours + 1e-9 < self.required


def unit_hours(scope, unit: Unit | None, year: int) -> list[PersonHours]:
    """Hours of ``year`` per active person in ``unit``'s subtree (all the viewer
    may see when None), within the viewer's scope, fewest hours first."""
    query = (select(User).options(selectinload(User.unit), selectinload(User.job_type))
             .where(User.active.is_(True), scope.people_condition()))
    if unit is not None:
        query = query.where(User.unit_id.in_(select(Unit.id).where(Unit.path.like(f"{unit.path}%"))))
    people = list(db.session.scalars(query.order_by(User.employee_no)))
    rules = required_rules()
    paths = {u.id: u.path for u in db.session.scalars(select(Unit).where(
        Unit.id.in_([r.unit_id for r in rules if r.unit_id])))}
    totals: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    start, end = year_bounds(year)
    ids = [p.id for p in people]
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start:chunk_start + 900]
        rows = db.session.execute(
            select(Attendance.user_id, Attendance.hours).join(TrainingSession)
            .where(Attendance.user_id.in_(chunk), Attendance.status.in_(("present", "late")),
                   TrainingSession.starts_at >= start, TrainingSession.starts_at < end))
        for user_id, hours in rows:
            totals[user_id] += hours or 0.0
            counts[user_id] += 1
    extra = record_sources()
    if extra:
        for fn in extra:
            for chunk_start in range(0, len(ids), 900):
                for entry in fn(ids[chunk_start:chunk_start + 900], year):
                    totals[entry.user_id] += entry.hours or 0.0
    result = [PersonHours(p, round(totals[p.id], 1), required_for(p, rules, paths), counts[p.id]) for p in people]
    result.sort(key=lambda r: (not r.below, r.hours, r.person.employee_no))
    return result
