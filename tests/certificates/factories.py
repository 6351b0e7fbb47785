"""What the certificate tests look up."""
from __future__ import annotations

from sqlalchemy import select

from quiz.certificates.models import Certificate
from quiz.extensions import db


def latest_certificate(user) -> Certificate | None:
    """The person's newest certificate (a reissue replaces the one before)."""
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id.desc()))
