"""Reading attendance: the trainer's live count, the list per venue and unit
after the session, the absentees to chase. Every list is limited to the
viewer's scope (DESIGN rule 6)."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quiz.extensions import db
from quiz.i18n import SHANGHAI
from quiz.org.models import Unit, User
from quiz.sessions.audience import audience, audience_ids
from quiz.sessions.models import Attendance, TrainingSession

ATTENDED = ("present", "late")

_EXPECTED: dict[tuple, tuple[float, int]] = {}
_EXPECTED_TTL = 20.0
_EXPECTED_MAX = 256  # entries: one per session (and its targets) on a screen; a few are in use at once


def expected_count(session: TrainingSession) -> int:
    """How many people the session is for (应到), cached for a few seconds per
    process: the trainer's screen asks every few seconds.

    Each process (every worker of every app server) keeps its own copy: one
    may lag a change to the people in the audience by up to ``_EXPECTED_TTL``
    seconds, never a change to the session's targets (they are in the key).
    Nothing is decided from it; it is only the figure on the screen."""
    key = (session.id, tuple(sorted((t.unit_id or 0, t.job_type_id or 0, t.user_id or 0) for t in session.targets)))
    hit = _EXPECTED.get(key)
    if hit and time.monotonic() - hit[0] < _EXPECTED_TTL:
        return hit[1]
    count = len(audience_ids(session))
    if len(_EXPECTED) >= _EXPECTED_MAX:  # a long-running worker: sessions come and go
        _EXPECTED.clear()
    _EXPECTED[key] = (time.monotonic(), count)
    return count


@dataclass
class Live:
    present: int
    expected: int
    outsiders: int
    latest: list[tuple[str, str, str]]  # name, venue, time (HH:MM:SS)
    by_venue: dict[int, int]
    device_alerts: list[tuple[int, list[str]]]  # people on one phone, their names


def live(session: TrainingSession, latest: int = 8) -> Live:
    """What the trainer's screen shows: 已签到 n / 应到 m, the latest names, alerts."""
    attended = (Attendance.session_id == session.id, Attendance.status.in_(ATTENDED))
    by_venue = dict(db.session.execute(select(Attendance.venue_id, func.count()).where(*attended)
                                       .group_by(Attendance.venue_id)).all())
    outsiders = db.session.scalar(select(func.count()).select_from(Attendance)
                                  .where(*attended, Attendance.outsider.is_(True))) or 0
    rows = db.session.execute(
        select(User.name, Attendance.venue_id, Attendance.signed_in_at).join(User, User.id == Attendance.user_id)
        .where(*attended).order_by(Attendance.signed_in_at.desc(), Attendance.id.desc()).limit(latest)).all()
    names = {v.id: v.name for v in session.venues}
    shown = [(name, names.get(venue_id, ""), at.astimezone(SHANGHAI).strftime("%H:%M:%S") if at else "")
             for name, venue_id, at in rows]
    crowded = db.session.execute(
        select(Attendance.device, func.count()).where(Attendance.session_id == session.id,
                                                      Attendance.device.is_not(None))
        .group_by(Attendance.device).having(func.count() > session.device_limit)).all()
    alerts = []
    for device, count in crowded:
        people = db.session.scalars(select(User.name).join(Attendance, Attendance.user_id == User.id)
                                    .where(Attendance.session_id == session.id, Attendance.device == device)
                                    .order_by(Attendance.signed_in_at)).all()
        alerts.append((count, list(people)))
    return Live(sum(by_venue.values()), expected_count(session), outsiders, shown, by_venue, alerts)


@dataclass
class Row:
    person: User
    status: str  # present, late, absent, excused
    attendance: Attendance | None
    in_audience: bool

    @property
    def venue_name(self) -> str:
        return self.attendance.venue.name if self.attendance and self.attendance.venue else ""


@dataclass
class Sheet:
    session: TrainingSession
    rows: list[Row]
    counts: Counter = field(default_factory=Counter)
    by_venue: dict[str, Counter] = field(default_factory=dict)
    by_unit: dict[str, Counter] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return sum(1 for r in self.rows if r.in_audience)

    def absentees(self) -> list[Row]:
        return [r for r in self.rows if r.status == "absent"]


def secondary_unit(user: User, names: dict[int, str]) -> str:
    """The person's secondary unit (二级单位) by name, or their own unit's."""
    if user.unit is None:
        return ""
    ids = [int(p) for p in user.unit.path.strip("/").split("/") if p]
    key = ids[1] if len(ids) > 1 else ids[0]
    return names.get(key, user.unit.name)


def sheet(session: TrainingSession, scope=None) -> Sheet:
    """Everybody expected or recorded, with their status, within ``scope``."""
    expected = audience(session, scope)
    expected_ids = {u.id for u in expected}
    query = (select(Attendance).options(selectinload(Attendance.user).selectinload(User.unit),
                                        selectinload(Attendance.venue))
             .join(User, User.id == Attendance.user_id).where(Attendance.session_id == session.id))
    if scope is not None:
        query = query.where(scope.people_condition())
    recorded = {a.user_id: a for a in db.session.scalars(query)}
    people = {u.id: u for u in expected}
    for a in recorded.values():
        people.setdefault(a.user_id, a.user)
    rows = []
    for person in sorted(people.values(), key=lambda u: u.employee_no):
        a = recorded.get(person.id)
        rows.append(Row(person, a.status if a else "absent", a, person.id in expected_ids))
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.depth <= 1)).all())
    result = Sheet(session, rows)
    for row in rows:
        result.counts[row.status] += 1
        if row.status in ATTENDED:
            result.by_venue.setdefault(row.venue_name, Counter())[row.status] += 1
        result.by_unit.setdefault(secondary_unit(row.person, names), Counter())[row.status] += 1
    return result


@dataclass
class Counts:
    expected: int
    counts: Counter

    @property
    def any(self) -> bool:
        return bool(self.expected or sum(self.counts.values()))


def counts(session: TrainingSession, scope=None) -> Counts:
    """Expected, present, late, absent and excused within ``scope``, from rows
    only (the heads' list of sessions asks this for many sessions at once)."""
    expected = audience_ids(session, scope)
    query = (select(Attendance.user_id, Attendance.status).join(User, User.id == Attendance.user_id)
             .where(Attendance.session_id == session.id))
    if scope is not None:
        query = query.where(scope.people_condition())
    status = dict(db.session.execute(query).all())
    tally = Counter(status.values())
    tally["absent"] += sum(1 for uid in expected if uid not in status)
    return Counts(len(expected), tally)


def summary(session: TrainingSession, scope=None) -> dict:
    """The shape of ``flask sessions attendance SESSION --json``."""
    s = sheet(session, scope)
    by_venue = {v.name: {"present": 0, "late": 0} for v in session.venues}
    for name, counter in s.by_venue.items():
        by_venue.setdefault(name, {"present": 0, "late": 0}).update({k: counter[k] for k in ATTENDED})
    return {"session": session.title, "id": session.id, "starts_at": session.starts_at.isoformat(),
            "expected": s.expected, "present": s.counts["present"], "late": s.counts["late"],
            "absent": s.counts["absent"], "excused": s.counts["excused"],
            "outsiders": sum(1 for r in s.rows if not r.in_audience and r.status in ATTENDED),
            "by_venue": by_venue,
            "by_unit": {name: dict(counter) for name, counter in sorted(s.by_unit.items())}}
