"""Councils arranged directly in the database for the coordination tests, and the mentor
actions (form answers, one-click links) through the real services."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from conftest import make_settings
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    Notification,
    SlotAnswerValue,
    User,
    utcnow,
)
from mentra_desktop.models.wire.responses import MentorResponseIn, SlotResponseIn
from mentra_platform.core.config import Settings
from mentra_platform.core.db import Database
from mentra_platform.core.tables import Alert
from mentra_platform.responses import service as responses
from mentra_platform.responses.answers import finish_response

T0 = utcnow().replace(minute=0, second=0, microsecond=0)
MENTEE = 9


def settings_for(url: str, **kw: object) -> Settings:
    return make_settings(url, confirmation_notice_hours=24.0, **kw)


def make_council(
    session: Session,
    mentors: list[int],
    *,
    start: datetime,
    deadline: datetime,
    invited: datetime = T0,
    lead: int | None = None,
    answers: dict[int, list[str]] | None = None,
    minimum: int = 3,
) -> tuple[int, list[int]]:
    """A collecting council: three one-hour slots from ``start``, one seat per mentor, and
    ``answers`` (per mentor, per slot) written straight to the rows (no engine run)."""
    council = CouncilSession(
        topic="Pricing a developer tool",
        mentee_id=MENTEE,
        lead_mentor_id=lead,
        coordination_status=CoordinationStatus.COLLECTING,
        mentor_minimum=minimum,
        mentor_maximum=5,
        invitations_sent_at=invited,
        mentor_response_deadline=deadline,
        slots=[
            CouncilSlot(
                position=i,
                starts_at=start + timedelta(hours=i),
                ends_at=start + timedelta(hours=i + 1),
            )
            for i in range(3)
        ],
    )
    session.add(council)
    session.flush()
    for mid in mentors:
        seat = CouncilMentor(mentor_id=mid, is_lead=mid == lead, notification_sent=True)
        council.mentors.append(seat)
        session.flush()
        for slot, value in zip(council.slots, (answers or {}).get(mid, []), strict=False):
            seat.slot_answers.append(
                CouncilSlotAnswer(
                    slot_id=slot.id, answer=SlotAnswerValue(value), answered_at=invited
                )
            )
        if (answers or {}).get(mid):
            finish_response(seat, council, invited)
    session.flush()
    return council.id, [s.id for s in council.slots]


def answer_form(
    db: Database,
    settings: Settings,
    council_id: int,
    mentor_id: int,
    slots: dict[int, str],
    now: datetime,
) -> None:
    with db.write() as s:
        body = MentorResponseIn(
            slots=[SlotResponseIn(slot_id=sid, answer=a) for sid, a in slots.items()]  # type: ignore[arg-type]
        )
        responses.answer(s, s.get_one(User, mentor_id), council_id, body, now, settings)
        s.commit()


def links(db: Database, council_id: int, mentor_id: int) -> list[str]:
    """The one-click tokens of the mentor's newest invitation or reminder, in body order."""
    with db.read() as s:
        body = s.scalars(
            select(Notification.body)
            .where(
                Notification.council_id == council_id,
                Notification.recipient_id == mentor_id,
                Notification.kind.in_(["invitation", "reminder"]),
            )
            .order_by(Notification.id.desc())
        ).first()
    return re.findall(r"/r/([A-Za-z0-9_.\-]+)", body or "")


def click(db: Database, settings: Settings, token: str, now: datetime) -> None:
    with db.write() as s:
        responses.spend_link(s, settings.secret_key.encode(), token, now, settings)
        s.commit()


def council(db: Database, council_id: int) -> CouncilSession:
    with db.read() as s:
        c = s.get_one(CouncilSession, council_id)
        _ = [(cm.attending, cm.reminder_count) for cm in c.mentors], list(c.slots)
        s.expunge_all()
        return c


def alerts(db: Database, council_id: int) -> list[Alert]:
    with db.read() as s:
        return list(
            s.scalars(select(Alert).where(Alert.council_id == council_id).order_by(Alert.id))
        )


def causes(db: Database, council_id: int) -> list[tuple[str, str, str]]:
    """(from, to, cause) of each automated phase move, in order."""
    with db.read() as s:
        rows = s.scalars(
            select(AuditLog)
            .where(AuditLog.council_id == council_id, AuditLog.action == "council.phase_changed")
            .order_by(AuditLog.id)
        ).all()
        return [
            (r.before["coordinationStatus"], r.after["coordinationStatus"], r.reason)  # type: ignore[index]
            for r in rows
        ]


def notes(db: Database, council_id: int, kind: str) -> list[int]:
    with db.read() as s:
        return sorted(
            s.scalars(
                select(Notification.recipient_id).where(
                    Notification.council_id == council_id, Notification.kind == kind
                )
            ).all()
        )
