"""Failed logins, kept briefly so every API process and machine throttles the same way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mentra_desktop.models.base import Base, utcnow


class LoginFailure(Base):
    """One failed login for (email, client address); rows older than the window are pruned."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_email_client_at", "email", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
