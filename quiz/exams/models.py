"""Exams, their questions and draw rules, assignments, attempts and answers.

An attempt stores exactly what the worker was shown (DESIGN rule 5): each
``AttemptItem`` names the question revision, the option order and the
points. The deadline is stored when the attempt starts (rule 4).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.banks.models import Article, Bank, Question, QuestionRevision
from quiz.db import utcnow
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User

MODES = ("exam", "practice")
NAVIGATION = ("free", "forward")
# what the worker sees after submitting; "final": which were wrong, then the right answers and 解析
# once no attempt is left or the exam has closed (the default: nothing for the next attempt to copy)
REVIEW = ("score", "wrong", "full", "after_close", "final")
SCORE_POLICY = ("best", "last")
MULTIPLE_POLICY = ("all_or_nothing", "partial")
ATTEMPT_STATUS = ("in_progress", "submitted")  # submitted = finalised (by the worker, the clock or a trainer)


class Exam(db.Model):
    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(20), default="exam")
    pass_mark: Mapped[float] = mapped_column(default=60.0)  # points needed to pass
    time_limit_minutes: Mapped[int | None]
    attempts_allowed: Mapped[int | None] = mapped_column(default=1)  # None: unlimited
    wait_minutes: Mapped[int] = mapped_column(default=0)  # between attempts
    score_policy: Mapped[str] = mapped_column(String(10), default="best")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    navigation: Mapped[str] = mapped_column(String(10), default="free")
    review: Mapped[str] = mapped_column(String(20), default="final")
    multiple_policy: Mapped[str] = mapped_column(String(20), default="all_or_nothing")
    leave_limit: Mapped[int | None]  # submit automatically after this many page leaves; None: off
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))  # study first
    archived: Mapped[bool] = mapped_column(default=False)
    # may its banks be practised while the exam is open to a worker? (never during their attempt:
    # quiz/exams/lockdown.py). Practice-mode exams are open by nature.
    practice_open: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article | None] = relationship()
    items: Mapped[list[ExamItem]] = relationship(back_populates="exam", order_by="ExamItem.position",
                                                 cascade="all, delete-orphan")
    rules: Mapped[list[DrawRule]] = relationship(back_populates="exam", order_by="DrawRule.id",
                                                 cascade="all, delete-orphan")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="exam", cascade="all, delete-orphan")


class ExamItem(db.Model):
    """A fixed question of an exam."""

    __tablename__ = "exam_items"
    __table_args__ = (UniqueConstraint("exam_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    position: Mapped[int] = mapped_column(default=0)
    points: Mapped[float] = mapped_column(default=1.0)

    exam: Mapped[Exam] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class DrawRule(db.Model):
    """Draw ``count`` questions at random from a bank, optionally narrowed by
    category, type and difficulty, each worth ``points``."""

    __tablename__ = "draw_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    category: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[str | None] = mapped_column(String(20))
    difficulty: Mapped[int | None]
    count: Mapped[int] = mapped_column(default=10)
    points: Mapped[float] = mapped_column(default=1.0)

    exam: Mapped[Exam] = relationship(back_populates="rules")
    bank: Mapped[Bank] = relationship()


class Assignment(db.Model):
    """An exam given to people: unit subtrees, job types and/or named people, with a due date.

    Who is assigned: everybody active in any target unit's subtree (narrowed
    to the target job types when job types are given too), everybody of a
    target job type when no unit is given, plus every named person.
    """

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    due_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    exam: Mapped[Exam] = relationship(back_populates="assignments")
    targets: Mapped[list[AssignmentTarget]] = relationship(back_populates="assignment", cascade="all, delete-orphan",
                                                           lazy="selectin")


class AssignmentTarget(db.Model):
    __tablename__ = "assignment_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    job_type_id: Mapped[int | None] = mapped_column(ForeignKey("job_types.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    assignment: Mapped[Assignment] = relationship(back_populates="targets")
    unit: Mapped[Unit | None] = relationship()
    job_type: Mapped[JobType | None] = relationship()
    user: Mapped[User | None] = relationship()


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        # one attempt in progress per worker per exam, enforced by the database
        Index("uq_attempts_one_in_progress", "exam_id", "user_id", unique=True,
              sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'")),
        Index("ix_attempts_user_id_exam_id", "user_id", "exam_id"),
        Index("ix_attempts_status_deadline_at", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)  # 1st, 2nd … attempt of this worker at this exam
    mode: Mapped[str] = mapped_column(String(20), default="exam")
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    seed: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]  # None: no time limit and no closing time
    submitted_at: Mapped[datetime | None]
    finalised_by: Mapped[str | None] = mapped_column(String(20))  # worker, clock, trainer, leave_limit
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0.0)
    passed: Mapped[bool | None]  # None until every item is graded
    pending_grading: Mapped[bool] = mapped_column(default=False)
    leave_count: Mapped[int] = mapped_column(default=0)
    counted: Mapped[bool] = mapped_column(default=True)  # practice attempts count for nothing
    # furthest position reached; with one-way navigation nothing before it may change
    current_position: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    exam: Mapped[Exam] = relationship()
    user: Mapped[User] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(back_populates="attempt", order_by="AttemptItem.position",
                                                    cascade="all, delete-orphan")


class AttemptItem(db.Model):
    """One question as this attempt showed it, and the worker's answer to it."""

    __tablename__ = "attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"))
    option_order: Mapped[list[int]] = mapped_column(JSON, default=list)  # display order of original indices
    points: Mapped[float] = mapped_column(default=1.0)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    client_seq: Mapped[int] = mapped_column(default=0)  # highest sequence number saved
    saved_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    time_spent_ms: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None]  # points obtained; None until graded
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()
    revision: Mapped[QuestionRevision] = relationship()


class Mistake(db.Model):
    """A question in a worker's mistakes book (错题本), with its spaced-review
    card (``fsrs``): when it is due again. It leaves the book (``cleared``)
    once a right answer puts the next review two weeks or more away; the
    rules are in ``quiz/exams/mistakes.py``."""

    __tablename__ = "mistakes"
    __table_args__ = (UniqueConstraint("user_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    wrong_count: Mapped[int] = mapped_column(default=1)
    right_streak: Mapped[int] = mapped_column(default=0)
    cleared: Mapped[bool] = mapped_column(default=False)
    last_wrong_at: Mapped[datetime] = mapped_column(default=utcnow)
    card: Mapped[dict | None] = mapped_column(JSON)  # fsrs Card.to_dict(): stability, difficulty, due …
    due_at: Mapped[datetime | None]  # next review (the card's due), for ordering the book
    last_review_at: Mapped[datetime | None]

    question: Mapped[Question] = relationship()


class MistakeReview(db.Model):
    """One answer that moved a mistake's card: its rating (fsrs: 1 Again,
    2 Hard, 3 Good) and when. An attempt's answer counts once
    (``attempt_item_id`` unique); practice answers name no item."""

    __tablename__ = "mistake_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    mistake_id: Mapped[int] = mapped_column(ForeignKey("mistakes.id", ondelete="CASCADE"), index=True)
    attempt_item_id: Mapped[int | None] = mapped_column(ForeignKey("attempt_items.id", ondelete="SET NULL"),
                                                        unique=True)
    rating: Mapped[int]
    fraction: Mapped[float] = mapped_column(default=0.0)  # share of the points the answer scored
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)

    mistake: Mapped[Mistake] = relationship()


class ExamAllowance(db.Model):
    """What one person gets beyond the exam's settings: extra minutes on the
    clock of every attempt they start, and extra attempts. Written by a
    trainer (and audited there); read when an attempt starts."""

    __tablename__ = "exam_allowances"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    extra_minutes: Mapped[int] = mapped_column(default=0)
    extra_attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExamProgress(db.Model):
    """What a person's counted attempts at an exam add up to, kept by the exam
    engine in the same transaction as every attempt change (start, finalise,
    regrade, reopen: the ``attempt_changed`` signal, see ``quiz.reports.progress``), so that the
    completion reports read one narrow row per person instead of deriving it
    from every attempt. ``flask reports rebuild-progress`` recomputes it all.

    One row per (exam, person, assignment the attempts named), ``assignment_key``
    0 for attempts that named none: an assignment's figures combine its own row
    with the 0 row (an attempt counts for the assignment it was made for, or
    for any assignment of the exam when it names none). Rows exist only for
    people with at least one counted attempt. Derived data: never edit by hand.

    ``unit_id`` and ``job_type_id`` are copies of the person's (``users``), so that the
    dashboard counts the rows per (assignment, unit) from this table alone, in the order of
    ``ix_exam_progress_groups``, instead of looking up 300,000 people: written with the row,
    and rewritten in the same transaction when a person moves (org's ``people_moved``).
    """

    __tablename__ = "exam_progress"
    __table_args__ = (
        # the rows of attempts that named no assignment (few): the completion reports combine
        # them with the assignments' rows without scanning the whole table
        Index("ix_exam_progress_loose", "exam_id", "user_id", "status", "best_decile",
              sqlite_where=text("assignment_key = 0"), postgresql_where=text("assignment_key = 0")),
        # the dashboard's grouping (``quiz.reports.unit_counts``) reads it in order: no sort, no table
        Index("ix_exam_progress_groups", "assignment_key", "exam_id", "unit_id", "job_type_id", "status",
              "best_decile"),
        {"sqlite_with_rowid": False},  # the key is the index: lookups are covering
    )

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    assignment_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # assignment id, or 0
    attempts: Mapped[int] = mapped_column(default=0)  # counted attempts, in progress or finalised
    # 3: some attempt passed; else 2: some attempt in progress or waiting for grading;
    # else 1: finalised and failed. The larger of two rows' codes is their combined status.
    status: Mapped[int] = mapped_column(default=1)
    best_score: Mapped[float | None]  # highest score of a finalised attempt
    best_pct: Mapped[float | None]  # highest score as a percentage of that attempt's maximum
    best_decile: Mapped[int | None]  # 0 (under 10 %) … 9 (90 % and over) of best_pct, for the histogram
    first_finished_at: Mapped[datetime | None]
    passed_at: Mapped[datetime | None]  # first time an attempt passed
    last_at: Mapped[datetime | None]  # latest start
    unit_id: Mapped[int | None]  # the person's unit (``users.unit_id``), kept with it
    job_type_id: Mapped[int | None]  # the person's job type (``users.job_type_id``), kept with it
