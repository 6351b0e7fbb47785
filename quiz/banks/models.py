"""Articles, banks, questions and their revisions.

A ``Question`` holds its current content (so filters and lists are one
query); every version it ever had, including the current one, is an
immutable ``QuestionRevision``. Attempts point at revisions (DESIGN rule 5).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.db import utcnow
from quiz.extensions import db
from quiz.org.models import JobType

bank_articles = Table(
    "bank_articles",
    db.metadata,
    Column("bank_id", ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
)
bank_job_types = Table(
    "bank_job_types",
    db.metadata,
    Column("bank_id", ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True),
    Column("job_type_id", ForeignKey("job_types.id", ondelete="CASCADE"), primary_key=True),
)


class Article(db.Model):
    """Study material a bank was built from, readable on the phone before a test."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200), default="")  # 《劲旅》总第2153期，第2版
    published_on: Mapped[date | None]
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered by quiz.markup
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    images: Mapped[list[ArticleImage]] = relationship(back_populates="article", order_by="ArticleImage.id",
                                                      cascade="all, delete-orphan", passive_deletes=True)


class ArticleImage(db.Model):
    """A picture inside an article, kept in the database (several app servers
    share it) as the checked, shrunk PNG/JPEG; the body refers to it as
    ``![说明](/articles/images/<id>)``."""

    __tablename__ = "article_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")  # the uploaded file's name, for the alt text
    mime: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="images")


class Bank(db.Model):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    articles: Mapped[list[Article]] = relationship(secondary=bank_articles, order_by=Article.id)
    job_types: Mapped[list[JobType]] = relationship(secondary=bank_job_types, order_by=JobType.name)
    questions: Mapped[list[Question]] = relationship(back_populates="bank", order_by="Question.id",
                                                     cascade="all, delete-orphan")


class _Content:
    """The columns a question and each of its revisions share (see types/base.py)."""

    type: Mapped[str] = mapped_column(String(20))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    source_excerpt: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulty: Mapped[int | None]
    points: Mapped[float | None]
    job_types: Mapped[list[str]] = mapped_column(JSON, default=list)


class Question(_Content, db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_bank_id_category", "bank_id", "category"),
        Index("ix_questions_bank_id_dedupe_key", "bank_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(default=1)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_revisions.id", use_alter=True, name="fk_questions_current_revision_id"))
    archived: Mapped[bool] = mapped_column(default=False)
    dedupe_key: Mapped[str] = mapped_column(String(64), default="")  # hash of normalised stem + answer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    bank: Mapped[Bank] = relationship(back_populates="questions")
    current_revision: Mapped[QuestionRevision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True)
    revisions: Mapped[list[QuestionRevision]] = relationship(
        back_populates="question", foreign_keys="QuestionRevision.question_id", order_by="QuestionRevision.number")


class QuestionRevision(_Content, db.Model):
    """One immutable version of a question: what an attempt showed stays as it was."""

    __tablename__ = "question_revisions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(back_populates="revisions", foreign_keys=[question_id])


class DraftRejection(db.Model):
    """A draft question a trainer rejected for an article: it is not proposed again for that article.

    ``draft_key`` is ``quiz.banks.drafts.Draft.key`` (type, stem and answer folded).
    """

    __tablename__ = "draft_rejections"
    __table_args__ = (UniqueConstraint("article_id", "draft_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    draft_key: Mapped[str] = mapped_column(String(64))
    stem: Mapped[str] = mapped_column(Text, default="")
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
