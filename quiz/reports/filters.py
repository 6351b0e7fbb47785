"""What a completion report is narrowed to: the filters read from the query string, and the
job types a filter can choose from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from quiz.extensions import db
from quiz.org.models import JobType


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to. Anything unreadable in the query string is ignored.

    ``date_from``/``date_to`` (Shanghai dates, inclusive) select assignments by
    their due date (by their creation date when they have none).
    """

    assignment_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    job_type_id: int | None = None
    unit_id: int | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        return cls(_int(args.get("assignment")), _date(args.get("from")), _date(args.get("to")),
                   _int(args.get("job_type")), _int(args.get("unit")))

    def as_args(self, **changes) -> dict:
        values = {"assignment": self.assignment_id, "from": self.date_from and self.date_from.isoformat(),
                  "to": self.date_to and self.date_to.isoformat(), "job_type": self.job_type_id, "unit": self.unit_id}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}



def job_type_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(JobType.id, JobType.name).order_by(JobType.name)))
