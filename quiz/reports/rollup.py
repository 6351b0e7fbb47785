"""Completion figures and their roll-up along the unit tree. Pure: no Flask, no database.

The database groups per-person statuses by (assignment, the person's unit);
these functions add those rows up to any level of the materialised path
(``/1/5/23/``), so the statement count never depends on how many units or
people there are.

Definitions (the issue leaves them open; these are the platform's):

- a person's status for an assignment is the best thing that happened:
  ``passed`` (any counted attempt passed) > ``in_progress`` (an attempt is
  open or waiting for a trainer to grade it) > ``failed`` (finished attempts,
  none passed) > ``not_started``;
- ``overdue``: not passed and the due date is past (it overlaps the others);
- completion rate = (passed + failed) / assigned: share who finished a test;
- pass rate = passed / assigned;
- worst first: lowest pass rate, then lowest completion rate, then most people.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

STATUSES = ("not_started", "in_progress", "passed", "failed")


@dataclass(slots=True)
class Counts:
    assigned: int = 0
    not_started: int = 0
    in_progress: int = 0
    passed: int = 0
    failed: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> Counts:
        # spelled out: called once per (assignment, unit) row and level, dataclasses.fields() is slow there
        self.assigned += other.assigned
        self.not_started += other.not_started
        self.in_progress += other.in_progress
        self.passed += other.passed
        self.failed += other.failed
        self.overdue += other.overdue
        return self

    @classmethod
    def of(cls, assigned: int, not_started: int, in_progress: int, passed: int, failed: int,
           past_due: bool) -> Counts:
        """Counts of one assignment; ``past_due`` says whether its due date has passed."""
        return cls(assigned, not_started, in_progress, passed, failed, (assigned - passed) if past_due else 0)

    @classmethod
    def of_status(cls, status: str, past_due: bool) -> Counts:
        """The counts of one person for one assignment."""
        counts = cls(assigned=1)
        setattr(counts, status, 1)
        if past_due and status != "passed":
            counts.overdue = 1
        return counts

    @property
    def finished(self) -> int:
        return self.passed + self.failed

    @property
    def not_passed(self) -> int:
        return self.assigned - self.passed

    @property
    def completion_rate(self) -> float:
        return self.finished / self.assigned if self.assigned else 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.assigned if self.assigned else 0.0

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(completion_rate=self.completion_rate, pass_rate=self.pass_rate)
        return data


def worst_first_key(counts: Counts, name: str = ""):
    return (counts.pass_rate if counts.assigned else 2.0, counts.completion_rate, -counts.assigned, name)


@dataclass(frozen=True)
class UnitNode:
    id: int
    parent_id: int | None
    name: str
    path: str
    depth: int
    kind: str = "unit"


class Tree:
    """The units a report knows about, by id, with their labels."""

    def __init__(self, units: Iterable[UnitNode]):
        self.units: dict[int, UnitNode] = {u.id: u for u in units}
        self._paths: dict[int | None, list[int]] = {}
        self._labels: dict[tuple, str] = {}
        self._names: dict[tuple, tuple[str, ...]] = {}
        self.children: dict[int | None, list[UnitNode]] = {}
        for unit in sorted(self.units.values(), key=lambda u: u.name):
            self.children.setdefault(unit.parent_id, []).append(unit)

    def ids_on_path(self, unit_id: int | None) -> list[int]:
        """Ids from the root down to ``unit_id`` (read from the materialised path). Do not change the list."""
        ids = self._paths.get(unit_id)
        if ids is None:
            unit = self.units.get(unit_id) if unit_id is not None else None
            ids = [int(part) for part in unit.path.strip("/").split("/") if part] if unit is not None else []
            self._paths[unit_id] = ids
        return ids

    def ancestor_at(self, unit_id: int | None, depth: int) -> UnitNode | None:
        ids = self.ids_on_path(unit_id)
        if depth < len(ids):
            return self.units.get(ids[depth])
        return None

    def label(self, unit_id: int | None, skip_root: bool = True) -> str:
        key = (unit_id, skip_root)
        label = self._labels.get(key)  # asked once per person row: remembered per unit
        if label is None:
            names = [self.units[i].name for i in self.ids_on_path(unit_id) if i in self.units]
            if skip_root and len(names) > 1:
                names = names[1:]
            label = self._labels[key] = " / ".join(names)
        return label

    def names_by_depth(self, unit_id: int | None, levels: int = 4) -> list[str]:
        """[company, unit, section, team] names of a person's unit ('' where absent)."""
        key = (unit_id, levels)
        names = self._names.get(key)
        if names is None:
            found = [self.units[i].name if i in self.units else "" for i in self.ids_on_path(unit_id)]
            names = self._names[key] = tuple((found + [""] * levels)[:levels])
        return list(names)


def roll_up(rows: Iterable[tuple[int | None, Counts]], tree: Tree, at: UnitNode | None,
            roots: Iterable[UnitNode] = ()) -> tuple[Counts, dict[int, Counts], Counts]:
    """Add (unit id, counts) rows up to the children of ``at``.

    Returns (total under ``at``, counts per child unit id, counts of people
    directly in ``at``). With ``at`` None the "children" are ``roots``.
    Rows outside ``at``'s subtree are left out.
    """
    total, direct = Counts(), Counts()
    per_child: dict[int, Counts] = {}
    root_ids = {r.id for r in roots}
    where: dict[int | None, int | None] = {}  # per unit (many rows share one): its child, _DIRECT or None
    for unit_id, counts in rows:
        child = where.get(unit_id, _UNKNOWN)
        if child is _UNKNOWN:
            child = where[unit_id] = _child_of(tree.ids_on_path(unit_id), at, root_ids)
        if child is None:
            continue
        total.add(counts)
        if child is _DIRECT:
            direct.add(counts)
            continue
        into = per_child.get(child)
        if into is None:
            into = per_child[child] = Counts()
        into.add(counts)
    return total, per_child, direct


_UNKNOWN, _DIRECT = object(), object()


def _child_of(ids: list[int], at: UnitNode | None, root_ids: set[int]):
    """Which child of ``at`` a unit (its path ``ids``) counts under: ``_DIRECT`` when it is ``at``,
    ``None`` when it is outside ``at``'s subtree."""
    if at is None:
        return next((i for i in ids if i in root_ids), None)
    if at.id not in ids:
        return None
    position = ids.index(at.id)
    if position == len(ids) - 1:
        return _DIRECT
    return ids[position + 1]


def level_rows(rows: Iterable[tuple[int | None, Counts]], tree: Tree, depth: int) -> dict[int, Counts]:
    """Counts per unit at ``depth`` (0 company, 1 secondary unit, 2 section, 3 team)."""
    out: dict[int, Counts] = {}
    for unit_id, counts in rows:
        node = tree.ancestor_at(unit_id, depth)
        if node is not None:
            out.setdefault(node.id, Counts()).add(counts)
    return out


def sum_counts(items: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in items:
        total.add(c)
    return total


def sorted_worst_first(items: Mapping[int, Counts], tree: Tree) -> list[tuple[UnitNode, Counts]]:
    pairs = [(tree.units[i], c) for i, c in items.items() if i in tree.units]
    return sorted(pairs, key=lambda p: worst_first_key(p[1], p[0].name))
