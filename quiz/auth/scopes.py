"""Who may see what: the one place that decides (DESIGN.md rule 6).

Every list, report and export asks here which units and people the viewer
may see, and filters its query with the expressions these functions return.

- admin: everything.
- trainer: everything, or the subtrees named on their trainer grants.
- head: the subtrees of the units they lead.
- worker: themselves only.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select, true
from sqlalchemy.sql import ColumnElement, Select

from quiz.extensions import db
from quiz.org.models import Unit, User


@dataclass(frozen=True)
class Scope:
    """What one viewer may see. ``unit_paths`` None means the whole organisation."""

    user_id: int
    everything: bool
    unit_paths: tuple[str, ...]

    def unit_condition(self, unit_path_column) -> ColumnElement[bool]:
        """SQL condition on a ``Unit.path`` column: inside the viewer's subtrees."""
        if self.everything:
            return true()
        if not self.unit_paths:
            return false()
        return or_(*(unit_path_column.like(f"{path}%") for path in self.unit_paths))

    def unit_ids_select(self) -> Select:
        """``SELECT units.id`` of every unit the viewer may see."""
        return select(Unit.id).where(self.unit_condition(Unit.path))

    def people_condition(self, user_id=User.id, unit_id=User.unit_id) -> ColumnElement[bool]:
        """SQL condition on ``User`` (or on other columns holding a person's id and unit): the people
        the viewer may see."""
        if self.everything:
            return true()
        condition = user_id == self.user_id
        if self.unit_paths:
            condition = or_(condition, unit_id.in_(self.unit_ids_select()))
        return condition

    def people(self) -> Select:
        return select(User).where(self.people_condition())

    def can_see_unit(self, unit: Unit | None) -> bool:
        if self.everything:
            return True
        if unit is None:
            return False
        return any(unit.path.startswith(path) for path in self.unit_paths)

    def can_see_person(self, person: User) -> bool:
        return person.id == self.user_id or self.can_see_unit(person.unit)

    @property
    def is_limited_to_self(self) -> bool:
        return not self.everything and not self.unit_paths


def _paths(unit_ids: set[int]) -> tuple[str, ...]:
    if not unit_ids:
        return ()
    paths = sorted(db.session.scalars(select(Unit.path).where(Unit.id.in_(unit_ids))))
    # drop a path nested inside another one the viewer already has
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def scope_for(user: User, purpose: str = "view") -> Scope:
    """The scope of ``user``.

    ``purpose`` is "view" (reports, people lists: heads, trainers, admins)
    or "train" (assigning and grading: trainers and admins only; a head
    who is not a trainer gets their own subtree read-only for "view" but
    nothing for "train").
    """
    roles = user.roles
    if "admin" in roles:
        return Scope(user.id, True, ())
    unit_ids: set[int] = set()
    if "trainer" in roles:
        trainer_units = [g.unit_id for g in user.grants if g.role == "trainer"]
        if any(u is None for u in trainer_units):
            return Scope(user.id, True, ())
        unit_ids |= set(trainer_units)
    if purpose == "view" and "head" in roles:
        unit_ids |= {g.unit_id for g in user.grants if g.role == "head" and g.unit_id is not None}
    return Scope(user.id, False, _paths(unit_ids))
