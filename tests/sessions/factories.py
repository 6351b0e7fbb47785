"""Sessions for the tests: plain callables with overridable defaults."""
from __future__ import annotations

from datetime import timedelta

from quiz.db import utcnow
from quiz.extensions import db
from quiz.sessions import services


def make_session(trainer, *, units=(), job_types=(), people=(), starts_in: int = 0, minutes: int = 120,
                 venues=("主会场",), commit: bool = True, **kw):
    """A session starting ``starts_in`` minutes from now (negative: already started)."""
    start = utcnow().replace(microsecond=0) + timedelta(minutes=starts_in)
    data = services.SessionData(title=kw.pop("title", "行为安全观察与沟通专项培训"), kind=kw.pop("kind", "special"),
                                starts_at=start, ends_at=start + timedelta(minutes=minutes), place="培训室",
                                hours=kw.pop("hours", 2.0), venues=list(venues),
                                unit_ids=[u.id for u in units], job_type_ids=[j.id for j in job_types],
                                user_ids=[p.id for p in people], **kw)
    session = services.save_session(None, data, trainer)
    if commit:
        db.session.commit()
    return session
