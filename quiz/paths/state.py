"""Where everybody stands on a path, read in a fixed number of statements
whatever the number of people (the board, the worker's page, the CLI, the
heads' view all read through ``load``), then put together by the pure gate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, false, func, or_, select

from quiz.exams.models import Attempt
from quiz.extensions import db
from quiz.org.models import RoleGrant, Unit, User
from quiz.paths import gate
from quiz.paths.models import CrewState, Override, Path, PracticalSignoff, Remediation, Topic, path_job_types

STATES = ("not_started", "studying", "failed", "remediation", "passed")


def members_condition(path: Path):
    """SQL condition on ``User``: the active people a path is for."""
    paths = [u.path for u in path.units]
    if not paths:
        return false()
    in_units = User.unit_id.in_(select(Unit.id).where(or_(*(Unit.path.like(f"{p}%") for p in paths))))
    condition = and_(User.active.is_(True), in_units)
    if path.audience == "managers":
        return and_(condition, User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role.in_(("head", "trainer")))))
    if path.job_types:
        condition = and_(condition, User.job_type_id.in_(
            select(path_job_types.c.job_type_id).where(path_job_types.c.path_id == path.id)))
    return condition


@dataclass
class Cell:
    attempts: int = 0  # finalised counted attempts
    passed: bool = False
    in_progress: bool = False  # taking the test, or waiting for a trainer to grade it
    remediation_id: int | None = None  # an open remediation
    passed_at: datetime | None = None


@dataclass
class Person:
    id: int
    employee_no: str
    name: str
    unit_id: int | None
    crew_id: int | None
    cells: dict[int, Cell] = field(default_factory=dict)  # topic no -> cell
    overrides: set[int] = field(default_factory=set)
    practical: bool = False
    _member: gate.Member | None = field(default=None, repr=False, compare=False)

    def member(self) -> gate.Member:
        """The gate's view of this person (worked out once: ``load`` has filled
        the cells and overrides before anybody asks)."""
        if self._member is None:
            self._member = gate.Member(self.id, frozenset(t for t, c in self.cells.items() if c.passed),
                                       frozenset(self.overrides))
        return self._member


@dataclass
class Crew:
    unit_id: int
    label: str
    people: list[Person]
    gate: gate.CrewGate | None  # None under a personal gate
    since: datetime | None
    overrides: list[Override] = field(default_factory=list)

    @property
    def open_topic(self) -> int | None:
        return self.gate.open_topic if self.gate else None


@dataclass
class PathState:
    path: Path
    topics: list[Topic]
    people: dict[int, Person]
    crews: dict[int, Crew]
    units: dict[int, tuple[str, str, int, str]]  # id -> (name, path, depth, kind)
    stored: dict[int, CrewState] = field(default_factory=dict)
    numbers: list[int] = field(default_factory=list)  # the topics' numbers, in order

    def __post_init__(self):
        self.numbers = [t.position for t in self.topics]

    def moved_on(self) -> list[Crew]:
        """Crews whose open topic is ahead of the one stored (someone left, an
        override): ``persist`` stores them so that a later joiner cannot
        pull them back."""
        out = []
        for crew in self.crews.values():
            stored = self.stored.get(crew.unit_id)
            if crew.gate is not None and crew.gate.open_topic > (stored.open_topic if stored else 1):
                out.append(crew)
        return out

    def persist(self, now: datetime) -> int:
        """Store the crews that moved on; returns how many. Flushes."""
        moved = self.moved_on()
        for crew in moved:
            remember(self.path, crew, now)
        return len(moved)

    @property
    def n(self) -> int:
        return len(self.topics)

    def crew_open(self, person: Person) -> int | None:
        crew = self.crews.get(person.crew_id) if person.crew_id is not None else None
        return crew.open_topic if crew else None

    def standing(self, person: Person) -> gate.Standing:
        return gate.standing(person.member(), self.n, self.crew_open(person))

    def cell_state(self, person: Person, topic_no: int) -> str:
        """not_started | studying | failed | remediation | passed."""
        cell = person.cells.get(topic_no) or Cell()
        if cell.passed:
            return "passed"
        if cell.remediation_id is not None:
            return "remediation"
        if cell.attempts and not cell.in_progress:
            return "failed"
        if cell.in_progress or gate.is_open(person.member(), topic_no, self.n, self.crew_open(person)):
            return "studying"
        return "not_started"

    def cell_states(self, person: Person) -> list[str]:
        """``cell_state`` of every topic in order, the gate worked out once."""
        member = person.member()
        crew_open = self.crew_open(person)
        far = gate.reach(member, self.n, crew_open)
        out = []
        for no in self.numbers:
            cell = person.cells.get(no)
            if cell is not None and cell.passed:
                out.append("passed")
            elif cell is not None and cell.remediation_id is not None:
                out.append("remediation")
            elif cell is not None and cell.attempts and not cell.in_progress:
                out.append("failed")
            elif (cell is not None and cell.in_progress) or no <= far or no in member.overrides:
                out.append("studying")
            else:
                out.append("not_started")
        return out

    def person_topic(self, person: Person) -> int:
        """The topic the person is on (the CLI's ``topic``): the current one, or
        the crew's when waiting, or the last when finished."""
        s = self.standing(person)
        if s.current is not None:
            return s.current
        if s.finished:
            return self.n
        return self.crew_open(person) or self.n


def _unit_rows(paths: list[str]) -> dict[int, tuple[str, str, int, str]]:
    if not paths:
        return {}
    rows = db.session.execute(select(Unit.id, Unit.name, Unit.path, Unit.depth, Unit.kind)
                              .where(or_(*(Unit.path.like(f"{p}%") for p in paths))))
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def crew_of(unit_id: int | None, level: str, units: dict[int, tuple[str, str, int, str]]) -> int | None:
    """The crew (unit) a person of ``unit_id`` belongs to: their team, or the
    section above it."""
    if unit_id is None:
        return None
    if level != "section":
        return unit_id
    ids = [int(i) for i in units.get(unit_id, ("", "", 0, ""))[1].strip("/").split("/") if i]
    for uid in reversed(ids):
        if units.get(uid, ("", "", 0, ""))[3] == "section":
            return uid
    return unit_id


def label_of(unit_id: int, units: dict[int, tuple[str, str, int, str]]) -> str:
    ids = [int(i) for i in units.get(unit_id, ("", "", 0, ""))[1].strip("/").split("/") if i]
    names = [units[i][0] for i in ids if i in units]
    return "/".join(names) if names else str(unit_id)


def load(path: Path, scope=None, *, user_ids: list[int] | None = None, crew_ids: list[int] | None = None) -> PathState:
    """Everything about ``path`` for the people ``scope`` may see (all when
    None), or only ``user_ids``: a fixed number of statements."""
    topics = list(db.session.scalars(select(Topic).where(Topic.path_id == path.id).order_by(Topic.position)))
    by_exam = {t.exam_id: t.position for t in topics}
    units = _unit_rows([u.path for u in path.units])
    query = select(User.id, User.employee_no, User.name, User.unit_id).where(members_condition(path))
    if scope is not None:
        query = query.where(scope.people_condition())
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    if crew_ids is not None:
        crew_paths = [units[c][1] for c in crew_ids if c in units]
        query = query.where(User.unit_id.in_(select(Unit.id).where(or_(false(), *(Unit.path.like(f"{p}%")
                                                                              for p in crew_paths)))))
    people: dict[int, Person] = {}
    for uid, no, name, unit_id in db.session.execute(query.order_by(User.employee_no)):
        crew_id = crew_of(unit_id, path.crew_level, units)
        if crew_ids is not None and crew_id not in crew_ids:
            continue
        people[uid] = Person(uid, no, name, unit_id, crew_id)
    member_filter = User.id.in_(query.with_only_columns(User.id))
    if topics:
        finalised = func.sum(case((Attempt.status == "submitted", 1), else_=0))
        passed = func.max(case((Attempt.passed.is_(True), 1), else_=0))
        running = func.max(case((Attempt.status == "in_progress", 1), (Attempt.pending_grading.is_(True), 1), else_=0))
        passed_at = func.min(case((Attempt.passed.is_(True), Attempt.submitted_at), else_=None))
        rows = db.session.execute(
            select(Attempt.user_id, Attempt.exam_id, finalised, passed, running, passed_at)
            .where(Attempt.exam_id.in_(list(by_exam)), Attempt.counted.is_(True), Attempt.mode == "exam",
                   Attempt.user_id.in_(select(User.id).where(member_filter)))
            .group_by(Attempt.user_id, Attempt.exam_id))
        for uid, exam_id, n_final, was_passed, is_running, first_pass in rows:
            person = people.get(uid)
            if person is None:
                continue
            person.cells[by_exam[exam_id]] = Cell(int(n_final or 0), bool(was_passed), bool(is_running), None,
                                                  first_pass)
        topic_no = {t.id: t.position for t in topics}
        for rid, uid, tid in db.session.execute(
                select(Remediation.id, Remediation.user_id, Remediation.topic_id)
                .where(Remediation.topic_id.in_(list(topic_no)), Remediation.done_at.is_(None),
                       Remediation.user_id.in_(select(User.id).where(member_filter)))):
            person = people.get(uid)
            if person is not None:
                cell = person.cells.setdefault(topic_no[tid], Cell())
                if not cell.passed:
                    cell.remediation_id = rid
    overrides = list(db.session.scalars(select(Override).where(Override.path_id == path.id).order_by(Override.id)))
    for o in overrides:
        if o.user_id is not None and o.user_id in people:
            people[o.user_id].overrides.add(o.topic_no)
    for uid in db.session.scalars(select(PracticalSignoff.user_id).where(PracticalSignoff.path_id == path.id)):
        if uid in people:
            people[uid].practical = True
    stored = {c.unit_id: c for c in db.session.scalars(select(CrewState).where(CrewState.path_id == path.id))}
    grouped: dict[int, list[Person]] = {}
    for person in people.values():
        if person.crew_id is not None:
            grouped.setdefault(person.crew_id, []).append(person)
    crews: dict[int, Crew] = {}
    for crew_id, members in grouped.items():
        crew_overrides = [o for o in overrides if o.unit_id == crew_id]
        state = stored.get(crew_id)
        since = state.opened_at if state else None
        crew_gate = None
        if path.gate == "crew":
            crew_gate = gate.advance(state.open_topic if state else 1, len(topics), [m.member() for m in members],
                                     [o.topic_no for o in crew_overrides])
            if state is None or crew_gate.open_topic != state.open_topic:
                # moved on since it was stored (a leaver): since the last pass of the topic before
                before = [m.cells.get(crew_gate.open_topic - 1) for m in members]
                since = max((c.passed_at for c in before if c and c.passed_at), default=since)
        crews[crew_id] = Crew(crew_id, label_of(crew_id, units), members, crew_gate, since, crew_overrides)
    return PathState(path, topics, people, crews, units, stored)


def for_person(path: Path, user: User) -> tuple[PathState, Person | None]:
    """The state of ``user``'s crew (the whole crew: its gate needs everyone),
    and ``user`` in it (None: not on the path)."""
    units = _unit_rows([u.path for u in path.units])
    crew_id = crew_of(user.unit_id, path.crew_level, units)
    if crew_id is None or path.gate != "crew":
        ps = load(path, user_ids=[user.id])
    else:
        ps = load(path, crew_ids=[crew_id])
    return ps, ps.people.get(user.id)


def crew_members_of(path: Path, crew_id: int) -> PathState:
    """The state of one crew only (the gate after a pass, a lesson sheet)."""
    return load(path, crew_ids=[crew_id])


def remember(path: Path, crew: Crew, now: datetime) -> None:
    """Store the crew's open topic when it moved on. Flushes."""
    if crew.gate is None:
        return
    state = db.session.scalar(select(CrewState).where(CrewState.path_id == path.id, CrewState.unit_id == crew.unit_id))
    if state is None:
        db.session.add(CrewState(path_id=path.id, unit_id=crew.unit_id, open_topic=crew.gate.open_topic, opened_at=now))
    elif crew.gate.open_topic > state.open_topic:
        state.open_topic = crew.gate.open_topic
        state.opened_at = now
    db.session.flush()
