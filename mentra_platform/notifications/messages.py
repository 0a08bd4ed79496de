"""Queueing notifications to a council's participants (mentors, mentee and registrants)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CouncilSession,
    MentorProfile,
    Notification,
    NotificationKind,
    Registration,
    User,
)
from mentra_platform.councils.access import slot_of
from mentra_platform.responses.one_click import format_slot_local


def mentee_ids(session: Session, council: CouncilSession) -> list[int]:
    """The council's mentee and every registered mentee, once each."""
    regs = session.scalars(
        select(Registration.user_id).where(Registration.council_id == council.id)
    ).all()
    return list(dict.fromkeys([council.mentee_id, *regs]))


Body = str | Callable[[str], str]
"""A message text, or a function of the recipient's IANA time zone that renders it."""


def recipient_zones(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """Each user's time zone: the mentor profile's (the zone the engine schedules in), else
    the user's own ``timezone`` (mentees and staff), else UTC."""
    ids = list(user_ids)
    found = dict(
        session.execute(
            select(MentorProfile.user_id, MentorProfile.timezone).where(
                MentorProfile.user_id.in_(ids)
            )
        ).all()
    )
    own = dict(session.execute(select(User.id, User.timezone).where(User.id.in_(ids))).all())
    return {uid: found.get(uid) or own.get(uid) or "UTC" for uid in ids}


def queue(
    session: Session,
    council: CouncilSession,
    kind: NotificationKind,
    recipients: Iterable[int],
    subject: str,
    body: Body,
) -> list[Notification]:
    """One queued notification per distinct recipient, rendered in their own time zone."""
    ids = list(dict.fromkeys(recipients))
    zones = recipient_zones(session, ids) if callable(body) else {}
    notes = [
        Notification(
            kind=kind,
            recipient_id=rid,
            council_id=council.id,
            subject=subject[:200],
            body=body(zones[rid]) if callable(body) else body,
        )
        for rid in ids
    ]
    session.add_all(notes)
    return notes


def confirmation_text(council: CouncilSession) -> tuple[str, Callable[[str], str]]:
    """The confirmation subject, and its body as a function of the reader's time zone."""
    slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    when = (slot.starts_at, slot.ends_at) if slot is not None else None
    return confirmation_parts(council.topic, when, council.video_link)


def confirmation_parts(
    topic: str, when: tuple[datetime, datetime] | None, video_link: str | None
) -> tuple[str, Callable[[str], str]]:
    """:func:`confirmation_text` from plain values (the worker's batches hold no ORM
    council): the subject, and the body as a function of the reader's time zone."""

    def render(zone: str) -> str:
        local = format_slot_local(when[0], when[1], zone) if when else None
        return (
            f"The council \u201c{topic}\u201d is confirmed for "
            f"{local or 'a time to be announced'}.\n"
            f"Video link: {video_link or 'to follow'}"
        )

    return f"Council confirmed: {topic}", render


def cancellation_text(council: CouncilSession, reason: str) -> tuple[str, Callable[[str], str]]:
    """The cancellation subject, and its body as a function of the reader's time zone."""
    slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None

    def render(zone: str) -> str:
        when = (
            f" planned for {format_slot_local(slot.starts_at, slot.ends_at, zone)} "
            f"({format_slot_local(slot.starts_at, slot.ends_at, 'UTC')})"
            if slot is not None and council.final_time_confirmed
            else ""
        )
        why = f"\nReason: {reason}" if reason.strip() else ""
        return f"The council \u201c{council.topic}\u201d{when} is cancelled.{why}"

    return f"Council cancelled: {council.topic}", render
