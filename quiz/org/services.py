"""Changes to the organisation: units, people, roles, and the audit log.

Services flush and never commit: the view or CLI command commits once.
"""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quiz.extensions import db
from quiz.org.models import AuditLog, JobType, RoleGrant, Unit, User


def audit(action: str, target=None, summary: str = "", details: dict | None = None, actor=None) -> AuditLog:
    """Record an admin or trainer action. ``actor`` defaults to the signed-in user."""
    if actor is None:
        actor = current_user if getattr(current_user, "is_authenticated", False) else None
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        summary=summary,
        details=details,
    )
    db.session.add(entry)
    return entry


def create_unit(name: str, parent: Unit | None = None, kind: str = "unit", code: str | None = None) -> Unit:
    """Add a unit under ``parent`` and give it its materialised path."""
    unit = Unit(name=name, parent=parent, kind=kind, code=code, depth=(parent.depth + 1) if parent else 0)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def ensure_unit_path(names: Sequence[str], kinds: Sequence[str] = ("company", "unit", "section", "team"),
                     cache: dict | None = None) -> Unit | None:
    """The unit at the end of ``names`` (root first), creating what is missing."""
    parent: Unit | None = None
    key: tuple = ()
    for depth, name in enumerate(n.strip() for n in names):
        if not name:
            continue
        key = key + (name,)
        if cache is not None and key in cache:
            parent = cache[key]
            continue
        unit = db.session.scalar(
            select(Unit).where(Unit.name == name,
                               Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id)
        )
        if unit is None:
            kind = kinds[depth] if depth < len(kinds) else "team"
            unit = create_unit(name, parent, kind=kind)
        if cache is not None:
            cache[key] = unit
        parent = unit
    return parent


def unit_label(unit: Unit | None, skip_root: bool = True) -> str:
    """A unit's path as people say it: 氧化铝厂 / 矿制工区 / 一班."""
    if unit is None:
        return ""
    names = []
    node = unit
    while node is not None:
        names.append(node.name)
        node = node.parent
    names.reverse()
    if skip_root and len(names) > 1:
        names = names[1:]
    return " / ".join(names)


def ensure_job_type(name: str, cache: dict | None = None) -> JobType | None:
    name = (name or "").strip()
    if not name:
        return None
    if cache is not None and name in cache:
        return cache[name]
    job = db.session.scalar(select(JobType).where(JobType.name == name))
    if job is None:
        job = JobType(name=name)
        db.session.add(job)
        db.session.flush()
    if cache is not None:
        cache[name] = job
    return job


def set_roles(user: User, roles: dict[str, list[int | None]]) -> bool:
    """Replace the user's grants. ``roles`` maps role -> unit ids (None = whole company).

    Returns True when anything changed.
    """
    wanted = {(role, unit_id) for role, unit_ids in roles.items() if role != "worker" for unit_id in unit_ids}
    have = {(g.role, g.unit_id): g for g in user.grants}
    changed = False
    for key, grant in have.items():
        if key not in wanted:
            user.grants.remove(grant)
            changed = True
    for role, unit_id in wanted - set(have):
        user.grants.append(RoleGrant(role=role, unit_id=unit_id))
        changed = True
    return changed


def move_and_rename_unit(unit: Unit, name: str, parent: Unit | None, kind: str, code: str | None) -> None:
    """Rename a unit and, if its parent changed, move its whole subtree."""
    unit.name = name
    unit.kind = kind
    unit.code = code
    if unit.parent_id == (parent.id if parent else None):
        return
    old_path = unit.path
    unit.parent = parent
    new_path = f"{parent.path if parent else '/'}{unit.id}/"
    depth_shift = ((parent.depth + 1) if parent else 0) - unit.depth
    for node in db.session.scalars(select(Unit).where(Unit.path.like(f"{old_path}%"))):
        node.path = new_path + node.path[len(old_path):]
        node.depth += depth_shift


def add_unit(name: str, parent: Unit | None, kind: str, code: str | None) -> Unit:
    """An admin's new unit (``create_unit``), audited."""
    unit = create_unit(name, parent, kind, code)
    audit("unit.create", unit, _("新建单位 %(name)s", name=unit.name))
    return unit


def edit_unit(unit: Unit, name: str, parent: Unit | None, kind: str, code: str | None) -> None:
    """An admin's edit of a unit (``move_and_rename_unit``), audited."""
    move_and_rename_unit(unit, name, parent, kind, code)
    audit("unit.update", unit, _("修改单位 %(name)s", name=unit.name))


def person_snapshot(person: User) -> dict:
    return {
        "employee_no": person.employee_no, "name": person.name, "unit_id": person.unit_id,
        "job_type": person.job_type.name if person.job_type else None, "phone": person.phone,
        "active": person.active, "roles": sorted(f"{g.role}:{g.unit_id or ''}" for g in person.grants),
    }


def audit_person_saved(person: User, before: dict, creating: bool) -> None:
    """Audit a person created or edited on their page, with what changed since ``before``
    (``person_snapshot`` taken before the edit; empty when creating)."""
    after = person_snapshot(person)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    audit("person.create" if creating else "person.update", person,
          _("%(name)s（%(no)s）", name=person.name, no=person.employee_no), details=changes)
