"""Completion certificates and the one certificate template.

A certificate is a document: it keeps the holder's name, employee number,
unit and the exam title as they were when it was issued, so the paper, the
PDF and the verification page always agree. A reissue is a new row
(``number`` 2, 3 …, ``reissued_from``) and the old one is revoked; the
database allows one row per worker, exam and number, so automatic issuing
(always number 1) can never make a second certificate.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.db import utcnow
from quiz.extensions import db
from quiz.exams.models import Assignment, Attempt, Exam
from quiz.org.models import User

DEFAULT_BODY = ("兹证明 {{ name }}（工号 {{ employee_no }}，{{ unit }}）参加「{{ exam_title }}」，"
                "成绩 {{ score }} 分，考核合格，特发此证。")


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("user_id", "exam_id", "number"),
        Index("ix_certificates_exam_id_user_id", "exam_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(20), unique=True)  # 2026-000123
    code: Mapped[str] = mapped_column(String(32), unique=True)  # verification code, random
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    number: Mapped[int] = mapped_column(default=1)  # 1 = first issue, 2 = first reissue …
    reissued_from_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    # what the document says, fixed at issue
    holder_name: Mapped[str] = mapped_column(String(60))
    employee_no: Mapped[str] = mapped_column(String(32))
    unit_name: Mapped[str] = mapped_column(String(400), default="")
    exam_title: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(default=0.0)
    max_score: Mapped[float] = mapped_column(default=0.0)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: automatic
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    exam: Mapped[Exam] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    attempt: Mapped[Attempt | None] = relationship()
    reissued_from: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<Certificate {self.serial}>"


class CertificateTemplate(db.Model):
    """The look of every certificate: texts, images and colours. One row.

    The texts are Jinja templates an admin edits; they are rendered in a
    sandbox with plain values only (see ``quiz.certificates.document``).
    """

    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(100), default="证　书")
    subtitle: Mapped[str] = mapped_column(String(100), default="CERTIFICATE OF COMPLETION")
    body: Mapped[str] = mapped_column(Text, default=DEFAULT_BODY)
    issuer: Mapped[str] = mapped_column(String(200), default="")
    primary_color: Mapped[str] = mapped_column(String(7), default="#0d3b66")
    accent_color: Mapped[str] = mapped_column(String(7), default="#b8860b")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_mime: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CertificateImage(db.Model):
    """A certificate rendered as a PNG, for phones that cannot keep a PDF (WeChat's browser).

    Rendered once from the same PDF and kept here (not on one server's disk:
    several app servers share the database). ``template_key`` says which
    template and verification address it was rendered with; a different key
    means the picture is out of date and is rendered again.
    """
    __tablename__ = "certificate_images"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True)
    template_key: Mapped[str] = mapped_column(String(64))
    png: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)
