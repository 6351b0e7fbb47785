"""Failed sign-ins, counted per 工号 *and* per address.

One row per (工号, address) that failed recently. The address that keeps
failing is slowed, then blocked for a while; the same 工号 from any other
address is not, so nobody can lock a team out from one phone. The sum over
a 工号's rows is the account-wide count: far higher before it acts, and then
it only slows. Rows exist for 工号 that match nobody too, so that a refusal
looks the same whether or not the 工号 exists.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz.db import utcnow
from quiz.extensions import db


class SignInFailure(db.Model):
    __tablename__ = "sign_in_failures"
    __table_args__ = (
        UniqueConstraint("employee_no", "address"),
        Index("ix_sign_in_failures_last_at", "last_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)  # in the current run, since first_at
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<SignInFailure {self.employee_no} {self.address} {self.failures}>"
