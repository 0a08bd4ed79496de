"""Single-use nonces behind the signed one-click mentor response links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mentra_desktop.models.base import Base, str_enum, utcnow
from mentra_desktop.models.councils import SlotAnswerValue


class OneClickToken(Base):
    """The POST that confirms a one-click link sets ``used_at``; a used nonce is refused."""

    __tablename__ = "one_click_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    council_mentor_id: Mapped[int] = mapped_column(
        ForeignKey("council_mentors.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("council_slots.id", ondelete="CASCADE"))
    answer: Mapped[SlotAnswerValue] = mapped_column(str_enum(SlotAnswerValue, 16))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
