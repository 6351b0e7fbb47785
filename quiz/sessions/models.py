"""Training sessions, their venues and audience, attendance, and the hours
each person must reach per year.

A session's audience is stored as targets shaped like an exam assignment's
(unit subtrees, job types, named people) and read with the exams' assignee
rule (``quiz.sessions.audience``). Attendance is one row per person and
session (the database refuses a second), written by a scan, a typed code, a
trainer's mark or a paper sheet.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.banks.models import Article
from quiz.db import utcnow
from quiz.exams.models import Assignment, Exam
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User

KINDS = ("special", "lecture", "class", "makeup", "drill")
OUTSIDER_POLICIES = ("guest", "flag", "refuse")
STATUSES = ("present", "late", "absent", "excused")
METHODS = ("qr", "code", "manual", "sheet")


class TrainingSession(db.Model):
    """One sitting of a training: when, where, for whom, worth how many hours."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(Text, default="")
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    kind: Mapped[str] = mapped_column(String(20), default="special")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[float] = mapped_column(default=1.0)  # credited hours (学时)
    lecturer: Mapped[str] = mapped_column(String(100), default="")
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # sign-in window: from ``opens_before`` minutes before the start to ``closes_after`` after it
    opens_before: Mapped[int] = mapped_column(default=30)
    closes_after: Mapped[int] = mapped_column(default=30)
    late_after: Mapped[int] = mapped_column(default=5)  # signed in later than start + this: late
    outsiders: Mapped[str] = mapped_column(String(10), default="flag")  # guest, flag or refuse
    device_limit: Mapped[int] = mapped_column(default=2)  # people per phone before the trainer is alerted
    sign_out: Mapped[bool] = mapped_column(default=False)  # hours follow the time actually attended
    follow_up_exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id"))
    follow_up_days: Mapped[int] = mapped_column(default=7)  # due this many days after the end
    follow_up_assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id"))
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article | None] = relationship()
    lecturer_user: Mapped[User | None] = relationship(foreign_keys=[lecturer_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    follow_up_exam: Mapped[Exam | None] = relationship()
    follow_up_assignment: Mapped[Assignment | None] = relationship()
    venues: Mapped[list[SessionVenue]] = relationship(back_populates="session", order_by="SessionVenue.position",
                                                      cascade="all, delete-orphan", lazy="selectin")
    targets: Mapped[list[SessionTarget]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                        lazy="selectin")

    @property
    def main_venue(self) -> SessionVenue | None:
        return self.venues[0] if self.venues else None


class SessionVenue(db.Model):
    """A room of a session (主会场, 分会场): each has its own rotating code."""

    __tablename__ = "session_venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    is_main: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    secret: Mapped[str] = mapped_column(String(64))  # hex; the HMAC key of this venue's codes

    session: Mapped[TrainingSession] = relationship(back_populates="venues")


class SessionTarget(db.Model):
    """Who a session is for, shaped like ``AssignmentTarget`` so the exams'
    assignee rule reads it."""

    __tablename__ = "session_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    job_type_id: Mapped[int | None] = mapped_column(ForeignKey("job_types.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[TrainingSession] = relationship(back_populates="targets")
    unit: Mapped[Unit | None] = relationship()
    job_type: Mapped[JobType | None] = relationship()
    user: Mapped[User | None] = relationship()


class Attendance(db.Model):
    """A person's attendance at a session: present, late, absent (with a
    reason) or excused. Absent people without a row are simply not here."""

    __tablename__ = "session_attendances"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_session_attendances_session_id_device", "session_id", "device"),
        Index("ix_session_attendances_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("session_venues.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="present")
    method: Mapped[str] = mapped_column(String(10), default="qr")
    signed_in_at: Mapped[datetime | None]
    signed_out_at: Mapped[datetime | None]
    hours: Mapped[float] = mapped_column(default=0.0)  # credited
    outsider: Mapped[bool] = mapped_column(default=False)  # not in the audience (guest or flagged)
    device: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[TrainingSession] = relationship()
    venue: Mapped[SessionVenue | None] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    marked_by: Mapped[User | None] = relationship(foreign_keys=[marked_by_id])


class RequiredHours(db.Model):
    """Hours of training a person must reach per year, set by an admin for a
    job type or a unit subtree (a job type's rule wins over a unit's; the
    nearest unit wins over its parents)."""

    __tablename__ = "required_hours"
    __table_args__ = (UniqueConstraint("unit_id", "job_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    job_type_id: Mapped[int | None] = mapped_column(ForeignKey("job_types.id"))
    hours: Mapped[float] = mapped_column(default=20.0)

    unit: Mapped[Unit | None] = relationship()
    job_type: Mapped[JobType | None] = relationship()
