"""The council, response, registration and notification services called directly, with no
HTTP: the same rules the routes answer with, as domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import make_settings
from p2_helpers import MENTOR_IDS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    ChangeEvent,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    Notification,
    Role,
    User,
    utcnow,
)
from mentra_desktop.models.wire.councils import CouncilCreate, CouncilPatch
from mentra_desktop.models.wire.notifications import NotificationIn
from mentra_desktop.models.wire.registrations import RegistrationIn
from mentra_desktop.models.wire.responses import MentorResponseIn
from mentra_platform.core.db import Database
from mentra_platform.core.errors import Conflict, Invalid, NotFound
from mentra_platform.councils import phases, service
from mentra_platform.notifications import service as notifications
from mentra_platform.registrations import service as registrations
from mentra_platform.responses import service as responses
from mentra_platform.responses.one_click import DeadlinePassed, MentorInactive
from mentra_platform.responses.one_click import TokenUsed as LinkUsed

P = CoordinationStatus
NOW = utcnow()
SECRET = "test-secret-key-not-for-production"  # conftest.make_settings


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.write() as s:
        yield s


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user


def _create(session: Session, **kw: Any) -> dict[str, Any]:
    base = (NOW + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    body = CouncilCreate.model_validate(
        {
            "topic": "Pricing",
            "menteeId": 9,
            "proposedTimeSlots": [{"start": base + timedelta(days=i)} for i in range(3)],
            **kw,
        }
    )
    return service.create(session, _user(session, 2), body, NOW)


def _invited(session: Session) -> CouncilSession:
    doc = _create(session)
    council = session.get(CouncilSession, doc["id"])
    assert council is not None
    council.mentors.extend(CouncilMentor(mentor_id=m) for m in MENTOR_IDS[:3])
    session.flush()
    out = responses.send_invitations(
        session,
        make_settings("sqlite://"),
        _user(session, 2),
        council.id,
        None,
        f'"{council.version}"',
        NOW,
    )
    assert out.coordination_status == P.COLLECTING
    return council


def _counts(session: Session) -> tuple[int, int]:
    return (
        int(session.scalar(select(func.count(ChangeEvent.seq))) or 0),
        int(session.scalar(select(func.count(AuditLog.id))) or 0),
    )


# --- the phase table ------------------------------------------------------------------------


def test_the_table_only_goes_forward() -> None:
    order = [P.DRAFT, P.COLLECTING, P.SELECTING, P.NEEDS_ALTERNATIVES, P.RESCHEDULING]
    for t in phases.TRANSITIONS:
        if t.target == P.CANCELLED:
            continue
        if t.source == P.RESCHEDULING and t.target in (P.COLLECTING, P.NEEDS_ALTERNATIVES):
            continue  # the loops: collect again on the new times, or no alternative held
        if t.source == P.CONFIRMED and t.target == P.COLLECTING:
            assert t.triggers == {phases.Trigger.WITHDRAWAL}  # below the minimum
            continue
        assert t.target == P.CONFIRMED or order.index(t.target) > order.index(t.source), t
    assert phases.next_phases(P.NEEDS_ALTERNATIVES) == [P.RESCHEDULING, P.CANCELLED]
    assert phases.next_phases(P.CANCELLED) == []
    assert phases.next_phases(P.DRAFT, phases.Trigger.PATCH) == []
    assert phases.transition(P.NEEDS_ALTERNATIVES, P.COLLECTING) is None


def test_cancel_a_confirmed_council_only_before_its_session() -> None:
    slot = CouncilSlot(id=7, position=1, starts_at=NOW + timedelta(hours=1))
    council = CouncilSession(coordination_status=P.CONFIRMED, final_slot_id=7, slots=[slot])
    phases.check(council, P.CANCELLED, phases.Trigger.CANCEL, NOW)
    with pytest.raises(Conflict, match="already started"):
        phases.check(council, P.CANCELLED, phases.Trigger.CANCEL, NOW + timedelta(hours=2))
    with pytest.raises(Conflict, match="from confirmed to collecting"):
        phases.move(council, P.COLLECTING, phases.Trigger.PATCH, NOW)
    assert council.coordination_status == P.CONFIRMED


def test_a_move_belonging_to_another_endpoint_says_which() -> None:
    council = CouncilSession(coordination_status=P.SELECTING)
    with pytest.raises(Conflict, match=r"done by .*confirming"):
        phases.check(council, P.CONFIRMED, phases.Trigger.PATCH, NOW)


# --- councils -------------------------------------------------------------------------------


def test_create_and_update_through_the_service(session: Session) -> None:
    doc = _create(session, coordinatorNotes="VIP")
    assert doc["coordinationStatus"] == "draft" and doc["coordinatorNotes"] == "VIP"
    tag = f'"{doc["version"]}"'
    patched = service.update(
        session, _user(session, 2), doc["id"], CouncilPatch(topic="Pricing v2"), tag, NOW
    )
    assert patched["topic"] == "Pricing v2" and patched["version"] > doc["version"]
    with pytest.raises(Invalid) as caught:
        _create(
            session,
            proposedTimeSlots=[{"start": NOW + timedelta(days=d)} for d in (1, -1, 2)],
        )
    assert caught.value.errors == [("proposedTimeSlots.1.start", caught.value.errors[0][1])]


def test_needs_alternatives_does_not_return_to_collecting(session: Session) -> None:
    council = _invited(session)
    staff = _user(session, 2)
    for status in (P.SELECTING, P.NEEDS_ALTERNATIVES):
        service.update(
            session,
            staff,
            council.id,
            CouncilPatch(coordination_status=status),
            f'"{council.version}"',
            NOW,
        )
    before = (council.version, _counts(session))
    with pytest.raises(Conflict) as caught:
        service.update(
            session,
            staff,
            council.id,
            CouncilPatch(coordination_status=P.COLLECTING, topic="also not this"),
            f'"{council.version}"',
            NOW,
        )
    assert "needs_alternatives" in caught.value.detail and "collecting" in caught.value.detail
    assert council.coordination_status == P.NEEDS_ALTERNATIVES and council.topic == "Pricing"
    assert (council.version, _counts(session)) == before


def test_a_mentees_search_skips_the_coordinators_notes(session: Session) -> None:
    doc = _create(session, coordinatorNotes="secret-cofounder-trouble")
    session.flush()
    mentee, staff = _user(session, 9), _user(session, 2)
    found = service.list_page(session, staff, service.ListQuery(q="secret-co"), 0)
    assert b'"total":1' in found and str(doc["id"]).encode() in found
    hidden = service.list_page(session, mentee, service.ListQuery(q="secret-co"), 0)
    assert b'"total":0' in hidden
    assert b'"total":0' not in service.list_page(session, mentee, service.ListQuery(q="Pric"), 0)


# --- responses ------------------------------------------------------------------------------


def test_answers_stop_at_the_deadline(session: Session) -> None:
    council = _invited(session)
    mentor = _user(session, MENTOR_IDS[0])
    body = MentorResponseIn.model_validate(
        {"slots": [{"slotId": council.slots[0].id, "answer": "available"}]}
    )
    out = responses.answer(session, mentor, council.id, body, NOW)
    assert out.availability_response == "available"
    deadline = council.mentor_response_deadline
    assert deadline is not None
    with pytest.raises(Conflict, match="deadline passed"):
        responses.answer(session, mentor, council.id, body, deadline)
    outsider = _user(session, MENTOR_IDS[3])
    with pytest.raises(NotFound):
        responses.answer(session, outsider, council.id, body, NOW)


def _link(session: Session, council: CouncilSession, mentor_id: int) -> str:
    body = session.scalars(
        select(Notification.body).where(
            Notification.council_id == council.id, Notification.recipient_id == mentor_id
        )
    ).one()
    start = body.index("/r/") + 3
    return body[start : body.index("\n", start)]


def test_one_click_links_refuse_after_the_deadline_and_for_deactivated_mentors(
    session: Session,
) -> None:
    council = _invited(session)
    token = _link(session, council, MENTOR_IDS[0])
    secret = SECRET.encode()
    assert responses.open_link(session, secret, token, NOW).answer == "available"
    council.mentor_response_deadline = NOW + timedelta(minutes=5)
    with pytest.raises(DeadlinePassed) as caught:
        responses.open_link(session, secret, token, NOW + timedelta(minutes=5))
    assert "(America/Los_Angeles)" in caught.value.when
    _user(session, MENTOR_IDS[0]).is_active = False
    with pytest.raises(MentorInactive):
        responses.spend_link(session, secret, token, NOW)
    _user(session, MENTOR_IDS[0]).is_active = True
    assert responses.spend_link(session, secret, token, NOW).topic == "Pricing"
    with pytest.raises(LinkUsed):
        responses.spend_link(session, secret, token, NOW)


# --- registrations and notifications --------------------------------------------------------


def test_registrations_and_notifications_hide_councils_the_caller_cannot_see(
    session: Session,
) -> None:
    council = _invited(session)
    mentee, outsider = _user(session, 9), _user(session, MENTOR_IDS[3])
    reg = registrations.register(session, mentee, council.id, RegistrationIn(goals="Hire"))
    assert reg.user_id == 9
    on_council = _user(session, MENTOR_IDS[0])
    assert [r.id for r in registrations.list_for(session, on_council, council.id).items] == [reg.id]
    with pytest.raises(NotFound):
        registrations.list_for(session, outsider, council.id)
    with pytest.raises(Conflict, match="already registered"):
        registrations.register(session, mentee, council.id, RegistrationIn(goals="Again"))

    batch = notifications.send(
        session, _user(session, 2), council.id, NotificationIn(kind="reminder"), NOW
    )
    assert sorted(batch.recipient_ids) == MENTOR_IDS[:3]
    own = notifications.list_for(session, on_council, council.id)
    assert {n.recipient_id for n in own} == {MENTOR_IDS[0]}
    with pytest.raises(NotFound):
        notifications.list_for(session, outsider, council.id)
    assert outsider.role == Role.MENTOR


def test_bad_input_changes_nothing(session: Session) -> None:
    before = _counts(session)
    with pytest.raises(Invalid):
        _create(session, menteeId=10)  # a mentor, not a mentee
    assert _counts(session) == before
