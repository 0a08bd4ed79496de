"""Queueing notifications to a council's participants (mentors, mentee and registrants)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CouncilSession,
    Notification,
    NotificationKind,
    Registration,
)
from mentra_platform.one_click import format_slot_local
from mentra_platform.routes._council_access import slot_of


def mentee_ids(session: Session, council: CouncilSession) -> list[int]:
    """The council's mentee and every registered mentee, once each."""
    regs = session.scalars(
        select(Registration.user_id).where(Registration.council_id == council.id)
    ).all()
    return list(dict.fromkeys([council.mentee_id, *regs]))


def queue(
    session: Session,
    council: CouncilSession,
    kind: NotificationKind,
    recipients: Iterable[int],
    subject: str,
    body: str,
) -> list[Notification]:
    notes = [
        Notification(
            kind=kind, recipient_id=rid, council_id=council.id, subject=subject[:200], body=body
        )
        for rid in dict.fromkeys(recipients)
    ]
    session.add_all(notes)
    return notes


def confirmation_text(council: CouncilSession) -> tuple[str, str]:
    slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    when = format_slot_local(slot.starts_at, slot.ends_at, "UTC") if slot else "to be announced"
    body = (
        f"The council \u201c{council.topic}\u201d is confirmed for {when}.\n"
        f"Video link: {council.video_link or 'to follow'}"
    )
    return f"Council confirmed: {council.topic}", body
