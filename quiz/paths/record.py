"""The paths' lines in every person's training record (培训档案): practical sign-offs.

A topic's test is an ordinary exam, so the record already lists it with its
score; what only the paths know is the practical (实操考核) a trainer or a
master operator signed for the person. Registered with the record's
``register_record_source``.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from quiz.extensions import db
from quiz.i18n import SHANGHAI
from quiz.org.models import User
from quiz.paths.models import Path, PracticalSignoff
from quiz.sessions.records import Entry, year_bounds


def practical_entries(user_ids: list[int], year: int | None) -> Iterable[Entry]:
    """One line per practical sign-off: the day it was performed, the path's practical, who signed."""
    query = (select(PracticalSignoff.user_id, PracticalSignoff.performed_on, PracticalSignoff.note,
                    Path.title, Path.practical_title, User.name)
             .join(Path, Path.id == PracticalSignoff.path_id)
             .join(User, User.id == PracticalSignoff.signed_by_id)
             .where(PracticalSignoff.user_id.in_(user_ids)))
    for row in db.session.execute(query):
        at = datetime.combine(row.performed_on, time(12), tzinfo=SHANGHAI)
        if year is not None:
            start, end = year_bounds(year)
            if not start <= at < end:
                continue
        title = row.practical_title or row.title
        yield Entry(row.user_id, at, "practical", _("实操考核"), f"{row.title} · {title}", 0.0,
                    _("合格（签认人：%(name)s）", name=row.name), passed=True)

