"""Uploads waiting between a preview and its confirmation, in the database.

A trainer's question bank or an admin's roster is read twice: once for the
preview, once more when confirmed (and a bank's rejected questions, or a
roster's initial passwords sheet, wait after the import for one download).
Between those requests the bytes wait here, in one table every app server
reads, so that the confirmation may land on any server behind the proxy; no
file waits under ``instance/``.

Each waiting upload is scoped to the person who uploaded it (``owner_id``)
and named by a random token that only their browser's session holds; one
asked for with another owner, an unknown token, a token that does not match
the strict pattern, or one older than its kind's maximum age is simply not
there. Old ones are swept whenever a new one of the same kind is kept. The
size is bounded upstream (``MAX_CONTENT_LENGTH``). Functions flush, never
commit: the view commits once (DESIGN rule 7).
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from quiz.db import utcnow
from quiz.extensions import db

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class PendingUpload(db.Model):
    """One upload (or a file made from it) waiting for its owner's next step."""

    __tablename__ = "pending_uploads"
    __table_args__ = (
        UniqueConstraint("kind", "token"),
        Index("ix_pending_uploads_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # bank, bank_rejected, roster, roster_passwords
    token: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    meta: Mapped[dict] = mapped_column(JSON, default=dict)  # what the flow needs besides the bytes
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PendingUpload {self.kind} {self.owner_id} {len(self.data or b'')} bytes>"


def keep(kind: str, owner_id: int, data: bytes, *, max_age_seconds: int, filename: str = "",
         meta: dict | None = None, token: str | None = None) -> str:
    """Keep ``data`` for ``owner_id`` under a new random token (or ``token``, to keep a file
    made from an upload under the upload's token); sweeps this kind's old ones. Returns the token."""
    sweep(kind, max_age_seconds)
    token = token or secrets.token_urlsafe(24)
    if not TOKEN.match(token):
        raise ValueError("not an upload token")
    db.session.add(PendingUpload(kind=kind, token=token, owner_id=owner_id, filename=filename[:255],
                                 meta=dict(meta or {}), data=data, created_at=utcnow()))
    db.session.flush()
    return token


def find(kind: str, token: str | None, owner_id: int, *, max_age_seconds: int) -> PendingUpload | None:
    """The owner's waiting upload of this kind and token, or None (expired, someone else's, unknown)."""
    if not token or not TOKEN.match(token):
        return None
    return db.session.scalar(select(PendingUpload).where(
        PendingUpload.kind == kind, PendingUpload.token == token, PendingUpload.owner_id == owner_id,
        PendingUpload.created_at >= utcnow() - timedelta(seconds=max_age_seconds)))


def tokens(kind: str, owner_id: int) -> set[str]:
    """The tokens of the owner's waiting uploads of this kind (expired ones included until swept)."""
    return set(db.session.scalars(select(PendingUpload.token).where(PendingUpload.kind == kind,
                                                                    PendingUpload.owner_id == owner_id)))


def discard(kind: str, token: str | None, owner_id: int) -> None:
    """Forget the owner's upload of this kind and token (nothing when there is none)."""
    if token and TOKEN.match(token):
        db.session.execute(delete(PendingUpload).where(PendingUpload.kind == kind, PendingUpload.token == token,
                                                       PendingUpload.owner_id == owner_id))


def sweep(kind: str, max_age_seconds: int) -> int:
    """Delete this kind's uploads older than ``max_age_seconds`` (previews never confirmed)."""
    result = db.session.execute(delete(PendingUpload).where(
        PendingUpload.kind == kind, PendingUpload.created_at < utcnow() - timedelta(seconds=max_age_seconds)))
    return result.rowcount or 0
