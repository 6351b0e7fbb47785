"""Learning paths (培训路径): ordered topics, each tested by a normal exam; the
crew gate's memory; personal remediation sets; overrides, classes held,
practical sign-offs and the spaced review of passed topics.

What a person did (attempts, their results) lives in the exam engine; this
package stores only what the exam engine does not know: which exam is which
topic, how far each crew has gone, the remediation a failed test earned.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.banks.models import Article
from quiz.db import utcnow
from quiz.exams.models import Exam
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User

GATES = ("crew", "personal")
CREW_LEVELS = ("team", "section")
AUDIENCES = ("job_type", "managers")

path_units = Table(
    "path_units", db.metadata,
    Column("path_id", ForeignKey("paths.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)
path_job_types = Table(
    "path_job_types", db.metadata,
    Column("path_id", ForeignKey("paths.id", ondelete="CASCADE"), primary_key=True),
    Column("job_type_id", ForeignKey("job_types.id", ondelete="CASCADE"), primary_key=True),
)


class Path(db.Model):
    """A path for the people of some units (narrowed to job types, or their
    managers): topics in order, a gate, the retest rules, one practical."""

    __tablename__ = "paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20), default="job_type")
    gate: Mapped[str] = mapped_column(String(20), default="crew")
    crew_level: Mapped[str] = mapped_column(String(20), default="team")
    remediation_required: Mapped[bool] = mapped_column(default=True)
    retest_wait_minutes: Mapped[int] = mapped_column(default=0)
    practical_title: Mapped[str] = mapped_column(String(200), default="")
    practical_description: Mapped[str] = mapped_column(Text, default="")
    stuck_days: Mapped[int] = mapped_column(default=14)  # heads see crews on a topic longer than this
    slug: Mapped[str | None] = mapped_column(String(80), unique=True)  # shipped paths: the file's name
    archived: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    units: Mapped[list[Unit]] = relationship(secondary=path_units, order_by=Unit.id)
    job_types: Mapped[list[JobType]] = relationship(secondary=path_job_types, order_by=JobType.name)
    topics: Mapped[list[Topic]] = relationship(back_populates="path", order_by="Topic.position",
                                               cascade="all, delete-orphan")


class Topic(db.Model):
    """One topic (课题): its study text and its test, a normal exam."""

    __tablename__ = "path_topics"
    __table_args__ = (UniqueConstraint("path_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)  # 1, 2, 3 … (课题 1)
    title: Mapped[str] = mapped_column(String(200))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    section: Mapped[str] = mapped_column(String(200), default="")  # a `## ` heading of the article; "" = all
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), unique=True)

    path: Mapped[Path] = relationship(back_populates="topics")
    article: Mapped[Article | None] = relationship()
    exam: Mapped[Exam] = relationship()


class CrewState(db.Model):
    """The crew gate's memory: the topic open for one crew (a team or a
    section) on a path, since when. It only moves forward, so that somebody
    joining the crew later never sends the crew back to topic 1."""

    __tablename__ = "path_crews"
    __table_args__ = (UniqueConstraint("path_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    open_topic: Mapped[int] = mapped_column(default=1)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class Override(db.Model):
    """A trainer opened a topic early for a crew (``unit_id``) or a person
    (``user_id``), with a reason. Audited, shown on the board."""

    __tablename__ = "path_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id", ondelete="CASCADE"), index=True)
    topic_no: Mapped[int]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class Remediation(db.Model):
    """A personal remediation set, built from a failed test of a topic."""

    __tablename__ = "path_remediations"
    __table_args__ = (Index("ix_path_remediations_user_topic", "user_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("path_topics.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    topic: Mapped[Topic] = relationship()
    points: Mapped[list[RemediationPoint]] = relationship(back_populates="remediation", order_by="RemediationPoint.id",
                                                          cascade="all, delete-orphan")


class RemediationPoint(db.Model):
    """One knowledge point of a remediation: the text to learn and the
    practice, done when answered right ``needed`` times."""

    __tablename__ = "path_remediation_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    remediation_id: Mapped[int] = mapped_column(ForeignKey("path_remediations.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    point: Mapped[str] = mapped_column(String(100))
    excerpts: Mapped[list[str]] = mapped_column(JSON, default=list)
    missed_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    practice_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # others first, then the missed ones
    right: Mapped[int] = mapped_column(default=0)
    needed: Mapped[int] = mapped_column(default=2)
    last_question_id: Mapped[int | None]

    remediation: Mapped[Remediation] = relationship(back_populates="points")

    @property
    def done(self) -> bool:
        return self.right >= self.needed


class LessonRecord(db.Model):
    """A class or make-up lesson (授课/补课) held for a crew on a topic."""

    __tablename__ = "path_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    topic_no: Mapped[int]
    held_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20), default="class")  # class | makeup
    points: Mapped[list[str]] = mapped_column(JSON, default=list)
    attendee_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticalSignoff(db.Model):
    """The path's practical (实操考核) confirmed by a trainer or master
    operator for one person, never by that person themselves."""

    __tablename__ = "path_practicals"
    __table_args__ = (UniqueConstraint("path_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    performed_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MasterOperator(db.Model):
    """A master operator (主操) named by a trainer for one crew on a path: they
    may sign off the path's practical for the people of that crew."""

    __tablename__ = "path_masters"
    __table_args__ = (UniqueConstraint("path_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the crew they sign for
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class TopicReview(db.Model):
    """The spaced review (fsrs) of a passed topic for one person."""

    __tablename__ = "path_reviews"
    __table_args__ = (UniqueConstraint("user_id", "topic_id"), Index("ix_path_reviews_user_due", "user_id", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("path_topics.id", ondelete="CASCADE"))
    card: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime]
    reviews: Mapped[int] = mapped_column(default=0)
    round_answered: Mapped[int] = mapped_column(default=0)  # the review under way: questions answered
    round_right: Mapped[int] = mapped_column(default=0)
    last_question_id: Mapped[int | None]

    topic: Mapped[Topic] = relationship()
