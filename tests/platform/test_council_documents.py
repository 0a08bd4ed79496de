"""The council document rendered by the database equals the ORM's view of the same rows.

The oracle below builds the expected document from ORM objects in Python, independently
of the SQL in ``mentra_platform/councils/documents.py``, for every demo council (every
phase, partial ranges, alternatives, nulls) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    MentorProfile,
    Registration,
    User,
)
from mentra_platform.councils.documents import (
    BUSY_HORIZON_DAYS,
    council_dicts,
    council_documents,
)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def _busy(session: Any, council: CouncilSession, mentor_id: int) -> list[list[str | None]]:
    """The final slots of the mentor's other confirmed councils they attend, in the window."""
    horizon = max(s.ends_at for s in council.slots) + timedelta(days=BUSY_HORIZON_DAYS)
    ranges = []
    for seat in session.scalars(
        select(CouncilMentor).where(
            CouncilMentor.mentor_id == mentor_id, CouncilMentor.council_id != council.id
        )
    ):
        other = seat.council
        if not seat.attending or other.coordination_status != CoordinationStatus.CONFIRMED:
            continue
        final = next((s for s in other.slots if s.id == other.final_slot_id), None)
        if final and final.ends_at > council.created_at and final.starts_at < horizon:
            ranges.append((final.starts_at, final.ends_at))
    return [[_iso(a), _iso(b)] for a, b in sorted(ranges)]


def _expected(session: Any, council: CouncilSession, settings: Any) -> dict[str, Any]:
    registrations = session.scalars(
        select(Registration).where(Registration.council_id == council.id).order_by(Registration.id)
    ).all()
    organizer_name, organizer_address = parseaddr(settings.mail_from)
    mentors = []
    for cm in council.mentors:
        profile = session.get(MentorProfile, cm.mentor_id)
        mentors.append(
            {
                "id": cm.id,
                "mentorId": cm.mentor_id,
                "name": cm.mentor.full_name,
                "email": cm.mentor.email,
                "timezone": profile.timezone if profile else None,
                "isLead": cm.is_lead,
                "availabilityResponse": cm.availability_response.value,
                "responseDate": _iso(cm.response_date),
                "conflictNotes": cm.conflict_notes,
                "alternativeProposals": cm.alternative_proposals or [],
                "availableTimeSlots": cm.available_time_slots or {},
                "notificationSent": cm.notification_sent,
                "lastReminderSent": _iso(cm.last_reminder_sent),
                "reminderCount": cm.reminder_count,
                "attending": cm.attending,
                "slotAnswers": [
                    {
                        "slotId": a.slot_id,
                        "answer": a.answer.value,
                        "partialRanges": a.partial_ranges or [],
                        "answeredAt": _iso(a.answered_at),
                        "source": a.source,
                    }
                    for a in sorted(cm.slot_answers, key=lambda a: a.slot_id)
                ],
                "expertiseMatch": cm.expertise_match,
                "seniority": profile.seniority if profile else None,
                "workStart": profile.work_start if profile else None,
                "workEnd": profile.work_end if profile else None,
                "workingDays": profile.working_days if profile else None,
                "busy": _busy(session, council, cm.mentor_id),
            }
        )
    return {
        "id": council.id,
        "topic": council.topic,
        "description": council.description,
        "menteeId": council.mentee_id,
        "menteeName": council.mentee.full_name,
        "menteeTimezone": council.mentee.timezone,
        "leadMentorId": council.lead_mentor_id,
        "proposedTimeSlots": [
            {
                "id": s.id,
                "position": s.position,
                "start": _iso(s.starts_at),
                "end": _iso(s.ends_at),
                "priorityScore": s.priority_score,
            }
            for s in council.slots
        ],
        "mentorResponseDeadline": _iso(council.mentor_response_deadline),
        "finalTimeConfirmed": council.final_time_confirmed,
        "finalSlotId": council.final_slot_id,
        "coordinatorNotes": council.coordinator_notes,
        "mentorMinimum": council.mentor_minimum,
        "mentorMaximum": council.mentor_maximum,
        "coordinationStatus": council.coordination_status.value,
        "videoLink": council.video_link,
        "invitationsSentAt": _iso(council.invitations_sent_at),
        "version": council.version,
        "createdAt": _iso(council.created_at),
        "updatedAt": _iso(council.updated_at),
        "changeSeq": council.change_seq,
        "registrationCount": len(registrations),
        "inviteUid": f"council-{council.id}@{urlsplit(settings.public_base_url).hostname}",
        "inviteSequence": council.invite_sequence,
        "organizer": {"name": organizer_name or "Mentra", "address": organizer_address},
        "menteeEmail": council.mentee.email,
        "registrants": [
            {"userId": u.id, "name": u.full_name, "email": u.email}
            for u in (session.get(User, r.user_id) for r in registrations)
        ],
        "phaseHistory": _history(session, council),
        "mentors": mentors,
    }


_CAUSES = {
    "council.confirmed": "confirm",
    "council.overridden": "override",
    "council.cancelled": "cancel",
    "council.status_changed": "patch",
}


def _history(session: Any, council: CouncilSession) -> list[dict[str, Any]]:
    """Audit entries naming two different phases before and after, oldest first."""
    moves = []
    entries = session.scalars(
        select(AuditLog).where(AuditLog.council_id == council.id).order_by(AuditLog.at, AuditLog.id)
    )
    for entry in entries:
        source = (entry.before or {}).get("coordinationStatus")
        target = (entry.after or {}).get("coordinationStatus")
        if source is None or target is None or source == target:
            continue
        cause = (entry.after or {}).get("trigger") or _CAUSES.get(entry.action, entry.action)
        moves.append({"from": source, "status": target, "at": _iso(entry.at), "cause": cause})
    return moves


def _same(actual: Any, expected: Any, path: str = "$") -> None:
    if isinstance(expected, float):
        assert math.isclose(actual, expected, rel_tol=1e-12), path
    elif isinstance(expected, dict):
        assert set(actual) == set(expected), path
        for key in expected:
            _same(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _same(a, e, f"{path}[{i}]")
    else:
        assert actual == expected and type(actual) is type(expected), (path, actual, expected)


def test_every_demo_council_matches_its_rows(live_server: Any) -> None:
    with live_server.session() as session:
        # Microseconds are rendered only when present.
        first = session.scalars(select(CouncilMentor).order_by(CouncilMentor.id)).first()
        assert first is not None
        first.response_date = datetime(2026, 12, 1, 9, 30, 5, 120, tzinfo=UTC)
        session.commit()
        councils = session.scalars(
            select(CouncilSession)
            .order_by(CouncilSession.id)
            .options(
                selectinload(CouncilSession.slots),
                selectinload(CouncilSession.mentors).selectinload(CouncilMentor.slot_answers),
                selectinload(CouncilSession.mentors).selectinload(CouncilMentor.mentor),
            )
        ).all()
        assert len(councils) >= 60
        ids = [c.id for c in councils]
        documents = council_dicts(session, list(reversed(ids)))
        assert [d["id"] for d in documents] == list(reversed(ids))
        by_id = {d["id"]: d for d in documents}
        for council in councils:
            expected = _expected(session, council, live_server.settings)
            _same(by_id[council.id], expected, f"council {council.id}")
        assert "2026-12-01T09:30:05.000120Z" in json.dumps(documents)
        # The demo data exercises the engine inputs: busy mentors, kept expertise matches.
        seats = [m for d in documents for m in d["mentors"]]
        assert sum(bool(m["busy"]) for m in seats) >= 5
        assert all(m["expertiseMatch"] is not None for m in seats)
        # Mentees with and without a zone of their own.
        assert {d["menteeTimezone"] for d in documents} >= {None, "Africa/Lagos"}


def test_unknown_ids_are_skipped_and_texts_are_json(live_server: Any) -> None:
    with live_server.session() as session:
        texts = council_documents(session, [1, 99_999_999, 2])
        assert [json.loads(t)["id"] for t in texts] == [1, 2]
        assert council_documents(session, []) == []
