"""Preparation materials: what each side should know before the council.

Mentors read the mentee's goals and questions (their registrations for the council); the
mentee reads who is coming: each attending mentor's name, role (the lead) and expertise.
The text goes with the confirmation (appended when it is rendered, so it is current at
sending) and again in a reminder a day before the session: :func:`queue_due_preparation`
runs at the start of every delivery pass and queues it once per council and invite
sequence (a reschedule gets a new one), guarded by the unique ``preparation_reminders`` row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilSession,
    CouncilSlot,
    MentorProfile,
    Notification,
    NotificationKind,
    Registration,
    User,
)
from mentra_platform.core.tables import PreparationReminder
from mentra_platform.councils.access import display_name, slot_of
from mentra_platform.notifications.messages import mentee_ids, queue
from mentra_platform.responses.one_click import format_slot_local

DAY_BEFORE = timedelta(hours=24)


def attending_mentor_ids(council: CouncilSession) -> list[int]:
    """Mentors who attend the confirmed session (the lead first)."""
    seats = [cm for cm in council.mentors if cm.attending]
    seats.sort(key=lambda cm: (not cm.is_lead, cm.id))
    return [cm.mentor_id for cm in seats]


def preparation_text(session: Session, council: CouncilSession, recipient_id: int) -> str:
    """The preparation section for one recipient ("" for someone with no part in it)."""
    mentor_ids = {cm.mentor_id for cm in council.mentors}
    if recipient_id in mentor_ids:
        regs = session.execute(
            select(User, Registration)
            .join(Registration, Registration.user_id == User.id)
            .where(Registration.council_id == council.id)
            .order_by(Registration.id)
        ).all()
        lines = ["Preparation: what the mentee brings"]
        if not regs:
            lines.append("  The mentee has not shared goals or questions yet.")
        for mentee, reg in regs:
            lines.append(f"  {display_name(mentee)}")
            lines.append(f"    Goals: {reg.goals.strip() or '(none given)'}")
            lines.append(f"    Questions: {reg.questions.strip() or '(none given)'}")
        return "\n".join(lines)
    lines = ["Preparation: your mentors"]
    ids = attending_mentor_ids(council) or [cm.mentor_id for cm in council.mentors]
    lead = council.lead_mentor_id
    for uid in ids:
        user = session.get(User, uid)
        if user is None:
            continue
        profile = session.get(MentorProfile, uid)
        role = "lead mentor" if uid == lead else "mentor"
        lines.append(f"  {display_name(user)} ({role})")
        if profile is not None:
            if profile.headline:
                lines.append(f"    {profile.headline}")
            skills = ", ".join(str(x) for x in profile.expertise or [])
            if skills:
                lines.append(f"    Expertise: {skills}")
    return "\n".join(lines)


def _mark(session: Session, council: CouncilSession, now: datetime) -> bool:
    """Claim the council's day-before reminder at its sequence; False when taken."""
    try:
        with session.begin_nested():
            session.add(
                PreparationReminder(
                    council_id=council.id, sequence=council.invite_sequence, queued_at=now
                )
            )
            session.flush()
    except IntegrityError:  # queued already (by this pass earlier or another worker)
        return False
    return True


def queue_day_before(
    session: Session, council: CouncilSession, now: datetime
) -> list[Notification]:
    """Queue the day-before reminder of ``council`` unless its current invite sequence had
    one; flushes, never commits."""
    slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    if slot is None or council.coordination_status != CoordinationStatus.CONFIRMED:
        return []
    if not _mark(session, council, now):
        return []
    recipients = attending_mentor_ids(council) + mentee_ids(session, council)

    def body(zone: str) -> str:
        return (
            f"Your council \u201c{council.topic}\u201d is coming up: "
            f"{format_slot_local(slot.starts_at, slot.ends_at, zone)}.\n"
            f"Video link: {council.video_link or 'to follow'}"
        )

    return queue(
        session,
        council,
        NotificationKind.PREPARATION,
        recipients,
        f"Tomorrow: {council.topic}",
        body,
    )


def queue_due_preparation(session: Session, now: datetime) -> int:
    """Queue the day-before reminder of every confirmed council starting within 24 hours
    that has none at its current sequence; a council confirmed inside that window already
    had the materials with its confirmation and gets no second copy. Returns how many
    councils got one; flushes, never commits."""
    done = exists().where(
        PreparationReminder.council_id == CouncilSession.id,
        PreparationReminder.sequence == CouncilSession.invite_sequence,
    )
    rows = session.execute(
        select(CouncilSession, CouncilSlot.starts_at)
        .join(CouncilSlot, CouncilSlot.id == CouncilSession.final_slot_id)
        .where(
            CouncilSession.coordination_status == CoordinationStatus.CONFIRMED,
            CouncilSession.final_time_confirmed.is_(True),
            CouncilSlot.starts_at > now,
            CouncilSlot.starts_at <= now + DAY_BEFORE,
            ~done,
        )
        .order_by(CouncilSession.id)
    ).all()
    count = 0
    for council, starts_at in rows:
        late_confirmation = session.scalar(
            select(Notification.id)
            .where(
                Notification.council_id == council.id,
                Notification.kind == NotificationKind.CONFIRMATION,
                Notification.created_at >= starts_at - DAY_BEFORE,
            )
            .limit(1)
        )
        if late_confirmation is not None:
            _mark(session, council, now)
            continue
        if queue_day_before(session, council, now):
            count += 1
    session.flush()
    return count


__all__ = [
    "attending_mentor_ids",
    "preparation_text",
    "queue_day_before",
    "queue_due_preparation",
]
