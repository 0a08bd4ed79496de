"""Turning a queued notification into what a channel sends: subject, plain text, HTML, a
stable Message-ID and, for confirmations and cancellations, the calendar invite.

The queued body is kept as written (it may hold one-click links); rendering adds, in the
recipient's own time zone *and* in UTC, when the council meets (or the proposed times while
it is still collecting), and the preparation materials with a confirmation or the
day-before reminder. The council is read as it is at sending, so a late message never
carries a stale time or SEQUENCE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from html import escape
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilSession,
    Notification,
    NotificationKind,
    User,
)
from mentra_platform.core.config import Settings
from mentra_platform.councils.access import display_name, slot_of
from mentra_platform.notifications.invites import (
    Attendee,
    InviteFacts,
    Method,
    build_invite,
    council_uid,
)
from mentra_platform.notifications.messages import mentee_ids, recipient_zones
from mentra_platform.notifications.preparation import attending_mentor_ids, preparation_text
from mentra_platform.responses.one_click import format_slot_local

_URL = re.compile(r"https?://[^\s<>\"]+")
WITH_PREPARATION = frozenset({NotificationKind.CONFIRMATION, NotificationKind.PREPARATION})


@dataclass(frozen=True)
class Rendered:
    """One message, ready for any channel."""

    notification_id: int
    kind: str
    council_id: int | None
    to_email: str
    to_name: str
    zone: str
    subject: str
    text: str
    html: str
    message_id: str
    invite: bytes | None = None
    method: Method | None = None


def mail_domain(settings: Settings) -> str:
    """The domain of ``MAIL_FROM`` (else of ``PUBLIC_BASE_URL``), for Message-IDs."""
    address = parseaddr(settings.mail_from)[1]
    if "@" in address:
        return address.rsplit("@", 1)[1]
    return urlsplit(settings.public_base_url).hostname or "localhost"


def message_id(settings: Settings, note_id: int) -> str:
    """Stable per notification: a retry is the same message, not a second one."""
    return f"<notification-{note_id}@{mail_domain(settings)}>"


def _when_lines(council: CouncilSession, zone: str) -> list[str]:
    slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    if slot is not None and council.final_time_confirmed:
        return [
            "When:",
            f"  {format_slot_local(slot.starts_at, slot.ends_at, zone)}",
            f"  {format_slot_local(slot.starts_at, slot.ends_at, 'UTC')}",
        ]
    if not council.slots:
        return []
    lines = ["Proposed times (yours, and UTC):"]
    for s in council.slots:
        lines.append(f"  {format_slot_local(s.starts_at, s.ends_at, zone)}")
        lines.append(f"    = {format_slot_local(s.starts_at, s.ends_at, 'UTC')}")
    return lines


def _invite_method(note: Notification, council: CouncilSession) -> Method | None:
    if not council.final_slot_id:
        return None
    if note.kind == NotificationKind.CANCELLATION:
        return "CANCEL"
    confirmed = council.coordination_status == CoordinationStatus.CONFIRMED
    if note.kind == NotificationKind.CONFIRMATION and confirmed and council.final_time_confirmed:
        return "REQUEST"
    return None


def invite_facts(session: Session, settings: Settings, council: CouncilSession) -> InviteFacts:
    """The invite's content: the final slot, the lead as CHAIR, mentors and mentees."""
    slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    assert slot is not None
    people: list[Attendee] = []
    for uid in attending_mentor_ids(council):
        user = session.get(User, uid)
        if user is not None:
            lead = uid == council.lead_mentor_id
            people.append(
                Attendee(user.email, display_name(user), "CHAIR" if lead else "REQ-PARTICIPANT")
            )
    for uid in mentee_ids(session, council):
        user = session.get(User, uid)
        if user is not None:
            people.append(Attendee(user.email, display_name(user)))
    return InviteFacts(
        council_id=council.id,
        sequence=council.invite_sequence,
        topic=council.topic,
        description=council.description,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        video_link=council.video_link,
        organizer=settings.mail_from,
        attendees=tuple(people),
    )


def to_html(text: str) -> str:
    """Escaped paragraphs with clickable links; the plain text stays the reference."""
    blocks = []
    for block in text.split("\n\n"):
        escaped = escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        blocks.append(f"<p>{linked.replace(chr(10), '<br>')}</p>")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif">{"".join(blocks)}</body></html>'
    )


@dataclass
class SharedParts:
    """What every recipient of a council gets alike, built once per delivery batch."""

    invites: dict[tuple[int, str, int], bytes] = field(default_factory=dict)
    """Calendar invites by (council, METHOD, SEQUENCE)."""
    preparation: dict[tuple[int, bool], str] = field(default_factory=dict)
    """Preparation sections by (council, the reader is one of its mentors)."""


def render(
    session: Session,
    settings: Settings,
    note: Notification,
    now: datetime,
    shared: SharedParts | None = None,
) -> Rendered:
    """Render ``note`` for its recipient as of ``now``.

    ``shared`` (one per delivery batch) keeps what every recipient of a council gets alike
    — the calendar invite, the preparation section of mentors and of mentees — so it is
    built once per council, not once per message (the batch is one transaction: the
    council cannot change in between)."""
    user = session.get(User, note.recipient_id)
    if user is None:
        raise LookupError(f"recipient {note.recipient_id} does not exist")
    zone = recipient_zones(session, [user.id])[user.id]
    council = session.get(CouncilSession, note.council_id) if note.council_id else None
    parts = [note.body.strip()]
    invite: bytes | None = None
    method: Method | None = None
    if council is not None:
        when = _when_lines(council, zone)
        if when and note.kind != NotificationKind.INVITATION:
            parts.append("\n".join(when))
        elif when:  # the invitation lists each slot locally with its links: add UTC
            parts.append("\n".join(when[:1] + when[2::2]).replace("    = ", "  "))
        if note.kind in WITH_PREPARATION:
            mentor = any(cm.mentor_id == user.id for cm in council.mentors)
            prep = shared.preparation.get((council.id, mentor)) if shared else None
            if prep is None:
                prep = preparation_text(session, council, user.id)
                if shared is not None:
                    shared.preparation[(council.id, mentor)] = prep
            if prep:
                parts.append(prep)
        method = _invite_method(note, council)
        if method is not None:
            key = (council.id, method, council.invite_sequence)
            invite = shared.invites.get(key) if shared is not None else None
            if invite is None:
                invite = build_invite(
                    invite_facts(session, settings, council),
                    method,
                    uid=council_uid(council.id, settings.public_base_url),
                    now=now,
                )
                if shared is not None:
                    shared.invites[key] = invite
    text = "\n\n".join(p for p in parts if p) + "\n"
    return Rendered(
        notification_id=note.id,
        kind=note.kind.value,
        council_id=note.council_id,
        to_email=user.email,
        to_name=display_name(user),
        zone=zone,
        subject=note.subject,
        text=text,
        html=to_html(text),
        message_id=message_id(settings, note.id),
        invite=invite,
        method=method,
    )


__all__ = ["Rendered", "SharedParts", "invite_facts", "message_id", "render", "to_html"]
