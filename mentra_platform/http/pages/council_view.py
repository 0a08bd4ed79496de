"""What a mentee's council page shows: their councils, in words, in their own time.

Councils come from the same document and visibility rules as ``GET /api/v1/councils``
(:func:`~mentra_platform.councils.queries.apply_filters` for "their own",
:func:`~mentra_platform.councils.queries.for_reader` for what a mentee may read: no
coordinator notes, mentors' e-mail addresses or conflict notes). The mentors' expertise
is the preparation material a mentee receives anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import CouncilSession, MentorProfile, Registration, User
from mentra_platform.councils.documents import council_dicts
from mentra_platform.councils.queries import apply_filters, for_reader
from mentra_platform.http.pages import when


@dataclass
class MentorLine:
    name: str
    lead: bool
    headline: str
    expertise: str


@dataclass
class CouncilCard:
    """One council as the page shows it."""

    id: int
    topic: str
    description: str
    status: str
    status_words: str
    confirmed: bool
    final: tuple[datetime, datetime] | None
    video_link: str | None
    slots: list[tuple[datetime, datetime]]
    mentors: list[MentorLine]
    goals: str
    questions: str
    registered: bool
    editable: bool
    past: bool
    sort_key: datetime
    errors: dict[str, str] = field(default_factory=dict)


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def status_words(doc: dict[str, Any], zone: str, now: datetime) -> str:
    """The council's state in a sentence a mentee understands."""
    status = doc["coordinationStatus"]
    mentors = doc["mentors"]
    pending = sum(1 for m in mentors if m["availabilityResponse"] == "pending")
    final = _final(doc)
    if status == "confirmed" and final is not None:
        verb = "Took place on" if final[1] <= now else "Confirmed for"
        return f"{verb} {when.short_local(final[0], zone)} your time"
    if status == "cancelled":
        return "Cancelled"
    if status == "draft":
        return "Being prepared: the mentors are being chosen"
    if status in ("needs_alternatives", "rescheduling"):
        return "Finding another time: none of the proposed times suited enough mentors"
    if pending:
        return f"Waiting for {pending} of {len(mentors)} mentors"
    return "All mentors have answered: the time is being chosen"


def _final(doc: dict[str, Any]) -> tuple[datetime, datetime] | None:
    if not doc.get("finalTimeConfirmed") or doc.get("finalSlotId") is None:
        return None
    for slot in doc["proposedTimeSlots"]:
        if slot["id"] == doc["finalSlotId"]:
            start, end = _instant(slot["start"]), _instant(slot["end"])
            if start is not None and end is not None:
                return start, end
    return None


def councils_of(session: Session, user: User, zone: str, now: datetime) -> list[CouncilCard]:
    """The mentee's own councils (upcoming first by time, then past, newest first)."""
    ids = list(session.scalars(apply_filters(select(CouncilSession.id), user=user)))
    docs = [for_reader(user, doc) for doc in council_dicts(session, ids)]
    regs = {
        r.council_id: r
        for r in session.scalars(
            select(Registration).where(
                Registration.user_id == user.id, Registration.council_id.in_(ids)
            )
        )
    }
    mentor_ids = {m["mentorId"] for doc in docs for m in doc["mentors"]}
    profiles = {
        p.user_id: p
        for p in session.scalars(select(MentorProfile).where(MentorProfile.user_id.in_(mentor_ids)))
    }
    cards = []
    for doc in docs:
        final = _final(doc)
        slots = [
            (s, e)
            for s, e in (
                (_instant(x["start"]), _instant(x["end"])) for x in doc["proposedTimeSlots"]
            )
            if s is not None and e is not None
        ]
        status = doc["coordinationStatus"]
        last_end = final[1] if final else max((e for _, e in slots), default=now)
        past = status == "cancelled" or last_end <= now
        seats = doc["mentors"]
        if final is not None:
            seats = [m for m in seats if m.get("attending")] or seats
        mentors = []
        for m in sorted(seats, key=lambda m: (not m["isLead"], m["name"])):
            profile = profiles.get(m["mentorId"])
            mentors.append(
                MentorLine(
                    name=m["name"] or "A mentor",
                    lead=bool(m["isLead"]),
                    headline=profile.headline if profile else "",
                    expertise=", ".join(str(x) for x in (profile.expertise or []))
                    if profile
                    else "",
                )
            )
        reg = regs.get(doc["id"])
        cards.append(
            CouncilCard(
                id=doc["id"],
                topic=doc["topic"],
                description=doc["description"],
                status=status,
                status_words=status_words(doc, zone, now),
                confirmed=final is not None and status == "confirmed",
                final=final,
                video_link=doc["videoLink"] if final is not None else None,
                slots=slots,
                mentors=mentors,
                goals=reg.goals if reg else "",
                questions=reg.questions if reg else "",
                registered=reg is not None,
                editable=not past and status not in ("confirmed", "cancelled"),
                past=past,
                sort_key=final[0] if final else min((s for s, _ in slots), default=now),
            )
        )
    upcoming = sorted((c for c in cards if not c.past), key=lambda c: c.sort_key)
    past_cards = sorted((c for c in cards if c.past), key=lambda c: c.sort_key, reverse=True)
    return upcoming + past_cards
