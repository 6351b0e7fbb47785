"""Applying a parsed roster to the database: create, update, deactivate.

Flushes, never commits (DESIGN rule 7). Fast on purpose: a 20,000-person
roster is compared against every existing person loaded once into a dict,
new people go in with one bulk INSERT, changed ones with one bulk UPDATE.
Where a row's unit belongs, and the new units it names, are in ``units``.
The initial passwords of the people created (generating, hashing, the
sheet handed out) are in ``passwords``.

What a roster row means (the rules the issue leaves open):

- A row states the person's name, and, when the cell is filled, their unit,
  job type, phone and roles. An **empty optional cell** (or a missing column)
  means "not stated": the import leaves that field as it is. So an HR export
  without a 角色 column never takes away a role granted in the app, and to
  take roles away the roster says 员工.
- Roles stated are the whole truth for that person: 管理员 is company-wide;
  培训员 and 部门负责人 are for the subtree of the row's unit (a head leads the
  unit of their row). Grants of roles not stated are removed; a person who
  is in the roster is active (an inactive one is reactivated).
- People missing from the roster are deactivated only with
  ``deactivate_missing``, never deleted; administrators and the person
  running the import are never deactivated or stripped of admin by it.
- A unit the roster names that does not exist is created only when the
  import is told to (``create_units``: a checkbox on the preview, the CLI's
  ``--create-units``); otherwise the rows naming it are errors. Either way
  the report lists every unit the import would create, each with the
  existing units whose names are close (a typo such as 烧成工去 for 烧成工区).
- A unit path that does not start at a company is placed under the company
  that already has that secondary unit, else under the only company, else
  under ``default_company``; a path of four or more levels whose first name
  is unknown starts a new company.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update

from quiz.extensions import db
from quiz.org import services
from quiz.org.models import JobType, RoleGrant, User
from quiz.org.roster.parse import RosterIssue, RosterParseResult, RosterRow
from quiz.org.roster.passwords import IssuedPassword, _password_hashes
from quiz.org.roster.units import NewUnit, Units, check_new_units, path_label
from quiz.org.signals import people_moved

CHUNK = 500  # ids per IN (...) and rows per executemany batch
AUDIT_LIST_LIMIT = 2000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    units_created: int = 0
    job_types_created: int = 0
    errors: list[RosterIssue] = field(default_factory=list)
    warnings: list[RosterIssue] = field(default_factory=list)
    passwords: list[IssuedPassword] = field(default_factory=list)
    applied: bool = False  # written to the session (the caller commits)
    dry_run: bool = False
    new_units: list[NewUnit] = field(default_factory=list)
    create_units: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "deactivated": self.deactivated, "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings], "applied": self.applied, "dry_run": self.dry_run,
            "units_created": self.units_created, "job_types_created": self.job_types_created,
            "create_units": self.create_units, "new_units": [u.as_dict() for u in self.new_units],
        }


# --------------------------------------------------------------------------- plan

@dataclass
class _Plan:
    creates: list[tuple[RosterRow, tuple | None]] = field(default_factory=list)
    updates: list[tuple[tuple, RosterRow, tuple | None, dict]] = field(default_factory=list)  # (person, row, key, changes)
    deactivate_ids: list[int] = field(default_factory=list)
    deactivated_nos: list[str] = field(default_factory=list)


def apply_roster(result: RosterParseResult, *, initial_password: str | None = None,
                 initial_password_hash: str | None = None, valid_only: bool = False,
                 deactivate_missing: bool = False, dry_run: bool = False, actor: User | None = None,
                 default_company: str | None = None, filename: str = "", create_units: bool = False) -> ImportReport:
    """Bring the people of the database in line with a parsed roster.

    Counts are what the import does (or, with ``dry_run`` or when the file
    has errors and ``valid_only`` is off, what it would do); nothing is
    written in those cases. ``initial_password`` is given to everybody
    created; without it each gets a generated one, listed in
    ``report.passwords`` for the sheet handed out to them. Units the roster
    names that do not exist are listed in ``report.new_units``; they are
    created only with ``create_units``, else their rows are errors.
    """
    report = ImportReport(errors=list(result.errors), warnings=list(result.warnings), dry_run=dry_run,
                          create_units=create_units)
    units = Units(default_company)
    anchors = units.anchors(result.rows, report)
    jobs = {name: job_id for job_id, name in db.session.execute(select(JobType.id, JobType.name))}
    existing = {row.employee_no: row for row in db.session.execute(
        select(User.id, User.employee_no, User.name, User.unit_id, User.job_type_id, User.phone, User.active))}
    grants: dict[int, dict[tuple[str, int | None], int]] = defaultdict(dict)
    for grant_id, user_id, role, unit_id in db.session.execute(
            select(RoleGrant.id, RoleGrant.user_id, RoleGrant.role, RoleGrant.unit_id)):
        grants[user_id][(role, unit_id)] = grant_id
    lost_zeros = {no.lstrip("0"): no for no in existing if no.startswith("0")}
    plan = _Plan()
    rows: list[tuple[RosterRow, tuple | None]] = []
    for row in result.rows:
        key = None
        if row.unit_path:
            anchor = anchors[row.unit_path[0]]
            if anchor is None:
                report.errors.append(RosterIssue(row.row_number, _(
                    "第 %(row)d 行：单位“%(name)s”在多家公司下都有，无法确定是哪一个。请在单位路径前加上公司名。",
                    row=row.row_number, name=row.unit_path[0])))
                continue
            key = units.full_path(row.unit_path, anchor)
        if row.numeric_employee_no and row.employee_no not in existing and row.employee_no in lost_zeros:
            report.errors.append(RosterIssue(row.row_number, _(
                "第 %(row)d 行：工号 %(no)s 可能是 %(full)s 被 Excel 去掉了前导零。请在 Excel 中把工号列设为“文本”格式，"
                "从人事系统重新导出后再上传。", row=row.row_number, no=row.employee_no, full=lost_zeros[row.employee_no])))
            continue
        rows.append((row, key))
    rows = check_new_units(rows, units, report)
    report.errors.sort(key=lambda issue: issue.row or 0)

    for row, key in rows:
        person = existing.get(row.employee_no)
        if person is None:
            plan.creates.append((row, key))
            continue
        changes = _changes(person, row, key, units, jobs, grants.get(person.id, {}), actor, report)
        if changes:
            plan.updates.append((person, row, key, changes))
        else:
            report.unchanged += 1
    report.created = len(plan.creates)
    report.updated = len(plan.updates)
    if deactivate_missing:
        admins = {user_id for user_id, have in grants.items() if any(role == "admin" for role, _u in have)}
        for no, person in existing.items():
            if no in result.employee_nos or not person.active:
                continue
            if person.id in admins or (actor is not None and person.id == actor.id):
                report.warnings.append(RosterIssue(None, _(
                    "管理员 %(name)s（%(no)s）不在花名册中，未停用。", name=person.name, no=no)))
                continue
            plan.deactivate_ids.append(person.id)
            plan.deactivated_nos.append(no)
        report.deactivated = len(plan.deactivate_ids)
    if dry_run or (report.errors and not valid_only):
        return report
    _write(plan, report, units, jobs, grants, initial_password, actor, initial_password_hash)
    report.applied = True
    services.audit(
        "roster.import", None,
        _("导入花名册 %(file)s：新增 %(c)d 人，更新 %(u)d 人，未变 %(n)d 人，停用 %(d)d 人，跳过有问题的 %(e)d 行。",
          file=filename, c=report.created, u=report.updated, n=report.unchanged, d=report.deactivated,
          e=len({e.row for e in report.errors})),
        details={
            "file": filename, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "deactivated": report.deactivated, "errors": len(report.errors),
            "units_created": report.units_created, "job_types_created": report.job_types_created,
            "valid_only": valid_only, "deactivate_missing": deactivate_missing,
            "updated_employee_nos": [row.employee_no for _i, row, _k, _c in plan.updates][:AUDIT_LIST_LIMIT],
            "deactivated_employee_nos": plan.deactivated_nos[:AUDIT_LIST_LIMIT],
        },
        actor=actor,
    )
    db.session.flush()
    return report


def _wanted_grants(roles: list[str], unit_id) -> set[tuple[str, int | None]]:
    wanted = set()
    for role in roles:
        if role == "admin":
            wanted.add(("admin", None))
        elif role in ("trainer", "head"):
            wanted.add((role, unit_id))
    return wanted


def _changes(person, row: RosterRow, key, units: Units, jobs: dict, have: dict, actor, report) -> dict:
    """What differs between the database and the row ({} when nothing)."""
    changes: dict = {}
    if person.name != row.name:
        changes["name"] = row.name
    unit_id = person.unit_id
    if key is not None:
        target = units.existing_id(key)
        if target is None or target != person.unit_id:
            changes["unit"] = key
            unit_id = target  # None: a new unit, so the grants below differ too
    if row.job_type and (row.job_type not in jobs or jobs[row.job_type] != person.job_type_id):
        changes["job_type"] = row.job_type
    if row.phone and row.phone != person.phone:
        changes["phone"] = row.phone
    if not person.active:
        changes["active"] = True
    if row.roles is not None:
        wanted = _wanted_grants(row.roles, unit_id)
        if actor is not None and person.id == actor.id and ("admin", None) in have and ("admin", None) not in wanted:
            wanted.add(("admin", None))
            report.warnings.append(RosterIssue(row.row_number, _(
                "第 %(row)d 行：不能在导入时取消您自己的管理员角色，已保留。", row=row.row_number)))
        if wanted != set(have) or ("unit" in changes and {"trainer", "head"} & set(row.roles)):
            changes["roles"] = row.roles
    return changes


# --------------------------------------------------------------------------- write

def _write(plan: _Plan, report: ImportReport, units: Units, jobs: dict, grants: dict,
           initial_password: str | None, actor, initial_password_hash: str | None = None) -> None:
    needed_units = sorted({key for _r, key in plan.creates if key} | {key for _i, _r, key, _c in plan.updates if key})
    unit_ids = {key: units.ensure(key).id for key in needed_units}
    report.units_created = units.created
    job_cache: dict[str, JobType] = {}
    for name in sorted({row.job_type for row, _k in plan.creates if row.job_type}
                       | {row.job_type for _i, row, _k, _c in plan.updates if row.job_type}):
        if name not in jobs:
            jobs[name] = services.ensure_job_type(name, cache=job_cache).id
            report.job_types_created += 1
    db.session.flush()

    new_grants: list[dict] = []
    drop_grants: list[int] = []
    moved: list[int] = []  # people whose unit or job type changes: the reports' summaries follow them
    if plan.updates:
        values = []
        for person, row, key, changes in plan.updates:
            user_id = person.id
            value = {"id": user_id}
            if "name" in changes:
                value["name"] = row.name
            if "unit" in changes:
                value["unit_id"] = unit_ids[key]
            if "job_type" in changes:
                value["job_type_id"] = jobs[row.job_type]
            if "phone" in changes:
                value["phone"] = row.phone
            if "active" in changes:
                value["active"] = True
            if len(value) > 1:
                values.append(value)
            if "unit_id" in value or "job_type_id" in value:
                moved.append(user_id)
            if "roles" in changes:
                have = grants.get(user_id, {})
                unit_id = unit_ids[key] if key else person.unit_id
                wanted = _wanted_grants(row.roles, unit_id)
                if actor is not None and user_id == actor.id and ("admin", None) in have:
                    wanted.add(("admin", None))
                drop_grants.extend(grant_id for pair, grant_id in have.items() if pair not in wanted)
                new_grants.extend({"user_id": user_id, "role": role, "unit_id": u}
                                  for role, u in wanted - set(have))
        for start in range(0, len(values), CHUNK):
            db.session.execute(update(User), values[start:start + CHUNK])
        if moved:
            people_moved.send(None, user_ids=moved)

    if plan.creates:
        hashes = _password_hashes(len(plan.creates), initial_password, initial_password_hash)
        values = []
        for (row, key), (plain, hashed) in zip(plan.creates, hashes):
            values.append({
                "employee_no": row.employee_no, "name": row.name, "unit_id": unit_ids[key] if key else None,
                "job_type_id": jobs[row.job_type] if row.job_type else None, "phone": row.phone or None,
                "active": True, "password_hash": hashed, "must_change_password": True,
            })
            report.passwords.append(IssuedPassword(row.employee_no, row.name, plain, path_label(key)))
        ids: dict[str, int] = {}
        for start in range(0, len(values), CHUNK):
            for user_id, no in db.session.execute(
                    insert(User).returning(User.id, User.employee_no, sort_by_parameter_order=True),
                    values[start:start + CHUNK]):
                ids[no] = user_id
        for row, key in plan.creates:
            if row.roles:
                new_grants.extend({"user_id": ids[row.employee_no], "role": role, "unit_id": u}
                                  for role, u in _wanted_grants(row.roles, unit_ids[key] if key else None))

    for start in range(0, len(drop_grants), CHUNK):
        db.session.execute(delete(RoleGrant).where(RoleGrant.id.in_(drop_grants[start:start + CHUNK])))
    for start in range(0, len(new_grants), CHUNK):
        db.session.execute(insert(RoleGrant), new_grants[start:start + CHUNK])
    for start in range(0, len(plan.deactivate_ids), CHUNK):
        db.session.execute(update(User).where(User.id.in_(plan.deactivate_ids[start:start + CHUNK]))
                           .values(active=False, session_version=User.session_version + 1)  # sessions end
                           .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire_all()  # people loaded earlier in this session (the actor) see the new state
