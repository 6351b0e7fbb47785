"""Where a roster row's unit path belongs, and the units a roster names that do not exist.

Split out of ``importing`` (which decides who is created, changed or
deactivated): finding a unit by its names, completing a path that does not
start at a company, and suggesting the existing units whose names are close
to a new one (a typo such as 烧成工去 for 烧成工区) are a job of their own.
Reads the database, never writes it except through ``services.ensure_unit_path``.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select

from quiz.extensions import db
from quiz.org import services
from quiz.org.models import Unit
from quiz.org.roster.parse import RosterIssue, RosterRow

if TYPE_CHECKING:
    from quiz.org.roster.importing import ImportReport


@dataclass
class NewUnit:
    """A unit the roster names that does not exist yet, and what it might have meant."""

    path: tuple[str, ...]
    rows: list[int] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)  # labels of existing units with close names

    @property
    def label(self) -> str:
        return path_label(self.path)

    def as_dict(self) -> dict:
        return {"path": " / ".join(self.path), "rows": self.rows[:50], "row_count": len(self.rows),
                "similar": self.similar}


class Units:
    """Every unit loaded once, keyed by its names from the root, for
    ``services.ensure_unit_path``; decides where a relative path belongs."""

    def __init__(self, default_company: str | None):
        units = db.session.scalars(select(Unit)).all()
        by_id = {u.id: u for u in units}
        self.cache: dict[tuple[str, ...], Unit] = {}
        names: dict[int, tuple[str, ...]] = {}

        def key_of(unit: Unit) -> tuple[str, ...]:
            if unit.id not in names:
                parent = by_id.get(unit.parent_id) if unit.parent_id else None
                names[unit.id] = (key_of(parent) if parent else ()) + (unit.name.strip(),)
            return names[unit.id]

        for unit in units:
            self.cache[key_of(unit)] = unit
        self.roots = sorted(k[0] for k in self.cache if len(k) == 1)
        self.level1: dict[str, list[str]] = defaultdict(list)
        for key in self.cache:
            if len(key) == 2:
                self.level1[key[1]].append(key[0])
        self.default_company = default_company
        self.created = 0

    def anchors(self, rows: list[RosterRow], report: ImportReport) -> dict[str, tuple[str, ...] | None]:
        """For each first name of a path: how to complete it to a path from a
        company (a prefix to put before it), or None when it is ambiguous."""
        depth: dict[str, int] = {}
        for row in rows:
            if row.unit_path:
                first = row.unit_path[0]
                depth[first] = max(depth.get(first, 0), len(row.unit_path))
        decided: dict[str, tuple[str, ...] | None] = {}
        for first, longest in depth.items():
            if first in self.roots:
                decided[first] = ()
            elif len(self.level1.get(first, ())) == 1:
                decided[first] = (self.level1[first][0],)
            elif len(self.level1.get(first, ())) > 1:
                decided[first] = None
            elif len(prefixed := [r for r in self.roots if r.startswith(first)]) == 1:
                decided[first] = ("=", prefixed[0])
                report.warnings.append(RosterIssue(None, _(
                    "单位“%(short)s”按已有的“%(full)s”处理。", short=first, full=prefixed[0])))
            elif longest >= 4 or (not self.roots and not self.default_company):
                decided[first] = ()
            else:
                company = self.roots[0] if len(self.roots) == 1 else self.default_company
                decided[first] = (company,) if company else ()
        return decided

    @staticmethod
    def full_path(path: list[str], anchor: tuple[str, ...]) -> tuple[str, ...]:
        if anchor and anchor[0] == "=":
            return (anchor[1], *path[1:])
        return (*anchor, *path)

    def existing_id(self, key: tuple[str, ...] | None) -> int | None:
        unit = self.cache.get(key) if key else None
        return unit.id if unit is not None else None

    def missing(self, key: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The units of ``key`` (itself and its parents) that do not exist yet, top first."""
        return [key[:i] for i in range(1, len(key) + 1) if key[:i] not in self.cache]

    def similar(self, key: tuple[str, ...], limit: int = 3) -> list[str]:
        """Existing units at the same level whose name is close to ``key``'s last name:
        same pinyin, or a character or two apart; those under the same parent first."""
        name = key[-1]
        sound = _pinyin(name)
        found: list[tuple[int, int, str, tuple[str, ...]]] = []
        for other in self.cache:
            if len(other) != len(key):
                continue
            other_name = other[-1]
            if other_name == name and other != key:
                distance = 0
            else:
                distance = _distance(name, other_name, _closeness(name))
                if distance > _closeness(name) and _pinyin(other_name) != sound:
                    continue
            sibling = 0 if other[:-1] == key[:-1] else 1
            found.append((sibling, distance, path_label(other), other))
        found.sort(key=lambda f: (f[0], f[1], len(f[3]), f[2]))
        return [label for _s, _d, label, _k in found[:limit]]

    def ensure(self, key: tuple[str, ...]) -> Unit:
        before = len(self.cache)
        unit = services.ensure_unit_path(list(key), cache=self.cache)
        self.created += len(self.cache) - before
        return unit


def _closeness(name: str) -> int:
    """How many edits still make two unit names "close": one for short names, two for long ones."""
    return 1 if len(name) <= 5 else 2


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it is over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@functools.lru_cache(maxsize=65536)
def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(name))


def check_new_units(rows, units: Units, report: ImportReport):
    """List the units the rows would create (with close existing names); without
    ``create_units`` the rows that need one become errors and are dropped."""
    new: dict[tuple[str, ...], NewUnit] = {}
    kept = []
    for row, key in rows:
        missing = units.missing(key) if key else []
        for depth, path in enumerate(missing):
            if path not in new:  # close names only for the topmost new unit: below it all is new anyway
                new[path] = NewUnit(path, similar=units.similar(path) if depth == 0 else [])
            new[path].rows.append(row.row_number)
        if missing and not report.create_units:
            top = new[missing[0]]
            hint = _("最接近的已有单位：%(names)s。", names="、".join(top.similar)) if top.similar else ""
            report.errors.append(RosterIssue(row.row_number, _(
                "第 %(row)d 行：单位“%(unit)s”不存在。%(hint)s请改正单位名称后重新上传；"
                "如果这确实是新单位，请在预览页点“确认这些是新单位”（命令行加 --create-units）。",
                row=row.row_number, unit=top.label, hint=hint)))
            continue
        kept.append((row, key))
    report.new_units = sorted(new.values(), key=lambda u: u.path)
    return kept


def path_label(key: tuple[str, ...] | None) -> str:
    """氧化铝厂 / 矿制工区 / 一班: the path without the company, as people say it."""
    if not key:
        return ""
    return " / ".join(key[1:] if len(key) > 1 else key)
