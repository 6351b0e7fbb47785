"""Who a session is for: the exams' assignee rule applied to the session's
targets (unit subtrees narrowed to job types, job types alone, named people),
so sessions and assignments can never disagree about an audience."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from quiz.db import utcnow
from quiz.exams.assignments.assignees import is_assigned, target_conditions
from quiz.extensions import db
from quiz.org.models import Unit, User
from quiz.sessions.models import SessionTarget, TrainingSession


def in_audience(user: User, session: TrainingSession) -> bool:
    """``user`` is one of the people ``session`` is for (``Assignment``'s rule)."""
    return is_assigned(user, session)


def _candidates(session: TrainingSession, scope=None) -> list[User]:
    """People who might be in the audience, narrowed by SQL before the rule."""
    query = _candidates_query(session, scope)
    if query is None:
        return []
    return db.session.scalars(query.options(selectinload(User.unit))).all()


def _candidates_query(session: TrainingSession, scope=None):
    unit_ids = [t.unit_id for t in session.targets if t.unit_id is not None]
    job_ids = [t.job_type_id for t in session.targets if t.job_type_id is not None]
    user_ids = [t.user_id for t in session.targets if t.user_id is not None]
    conditions = []
    if user_ids:
        conditions.append(User.id.in_(user_ids))
    if unit_ids:
        paths = db.session.scalars(select(Unit.path).where(Unit.id.in_(unit_ids))).all()
        member = select(Unit.id).where(or_(*(Unit.path.like(f"{p}%") for p in paths)))
        conditions.append(User.unit_id.in_(member))
    elif job_ids:
        conditions.append(User.job_type_id.in_(job_ids))
    if not conditions:
        return None
    query = select(User).where(User.active.is_(True), or_(*conditions))
    if scope is not None:
        query = query.where(scope.people_condition())
    return query


def audience(session: TrainingSession, scope=None) -> list[User]:
    """Everybody ``session`` is for (within ``scope`` when given), by 工号."""
    people = [u for u in _candidates(session, scope) if is_assigned(u, session)]
    return sorted(people, key=lambda u: u.employee_no)


def audience_ids(session: TrainingSession, scope=None) -> set[int]:
    """The ids of ``audience`` without loading people as objects (the
    trainer's screen asks every few seconds; 1,400 people cost ~1 s as ORM
    objects, a few milliseconds as rows)."""
    query = _candidates_query(session, scope)
    if query is None:
        return set()
    rows = db.session.execute(query.with_only_columns(User.id, User.job_type_id, Unit.path)
                              .outerjoin(Unit, Unit.id == User.unit_id))
    return {row.id for row in rows
            if is_assigned(SimpleNamespace(id=row.id, active=True, job_type_id=row.job_type_id,
                                           unit=SimpleNamespace(path=row.path) if row.path else None), session)}


def upcoming_for(user: User, now: datetime | None = None, limit: int = 5) -> list[TrainingSession]:
    """Sessions ``user`` is expected at that have not ended, soonest first."""
    now = now or utcnow()
    conditions = target_conditions(user, SessionTarget)
    query = (select(TrainingSession)
             .where(TrainingSession.ends_at > now, TrainingSession.cancelled.is_(False),
                    TrainingSession.id.in_(select(SessionTarget.session_id).where(or_(*conditions))))
             .order_by(TrainingSession.starts_at, TrainingSession.id))
    return [s for s in db.session.scalars(query) if in_audience(user, s)][:limit]
