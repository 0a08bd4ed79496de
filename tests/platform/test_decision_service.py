"""The decisions and assignment services called directly (no HTTP), on SQLite and PostgreSQL.

Also the invariants they rely on: profiles are validated by the engine's one working-hours
definition, and the demo data never double-books a mentor.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    MentorProfile,
    SlotAnswerValue,
    User,
    utcnow,
)
from mentra_desktop.models.engine_bridge import decide
from mentra_desktop.scheduling.model import SchedulingInputError
from mentra_platform.assignment import service as assignment
from mentra_platform.assignment.matching import topic_match
from mentra_platform.core.config import Settings
from mentra_platform.core.db import Database
from mentra_platform.core.errors import Conflict, Forbidden, Invalid, NotFound
from mentra_platform.councils.documents import council_dicts
from mentra_platform.decisions import service as decisions

TOPIC = "Hiring your first ten engineers"


def _council(
    session: Session,
    mentors: list[int],
    *,
    days: int = 40,
    answers: dict[int, list[str]] | None = None,
    status: CoordinationStatus = CoordinationStatus.COLLECTING,
    lead: int | None = None,
) -> CouncilSession:
    """A council with 3 slots (days ahead, 14:00/15:00/16:00 UTC) with seats and answers."""
    day = (utcnow() + timedelta(days=days)).replace(hour=14, minute=0, second=0, microsecond=0)
    council = CouncilSession(
        topic=TOPIC,
        mentee_id=9,
        lead_mentor_id=lead,
        coordination_status=status,
        slots=[
            CouncilSlot(
                position=i + 1,
                starts_at=day + timedelta(hours=i),
                ends_at=day + timedelta(hours=i + 1),
            )
            for i in range(3)
        ],
    )
    if status != CoordinationStatus.DRAFT:
        council.mark_invitations_sent()
    session.add(council)
    session.flush()
    for mid in mentors:
        seat = CouncilMentor(mentor_id=mid, is_lead=mid == lead)
        council.mentors.append(seat)
        session.flush()
        for slot, value in zip(council.slots, (answers or {}).get(mid, []), strict=False):
            session.add(
                CouncilSlotAnswer(
                    council_mentor_id=seat.id, slot_id=slot.id, answer=SlotAnswerValue(value)
                )
            )
    session.commit()  # a refusal rolls back to here
    return council


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user


def _confirm(session: Session, council: CouncilSession, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "if_match": f'"{council.version}"',
        "slot_id": None,
        "attending_mentor_ids": None,
        "video_link": None,
        "note": "",
        "now": utcnow(),
    }
    args.update(kw)
    return decisions.confirm(session, council.id, _user(session, 2), **args)


def test_engine_decision_is_the_bridge_on_the_rendered_document(db: Database) -> None:
    now = utcnow()
    with db.write() as s:
        for cid in s.scalars(select(CouncilSession.id).order_by(CouncilSession.id).limit(20)):
            got = decisions.engine_decision(s, cid, _user(s, 1), now)
            assert got == decide(council_dicts(s, [cid])[0], now)
        with pytest.raises(Forbidden):
            decisions.engine_decision(s, 1, _user(s, 9), now)
        with pytest.raises(NotFound):
            decisions.engine_decision(s, 987_654, _user(s, 1), now)


def test_confirm_rules_refuse_and_change_nothing(db: Database) -> None:
    yes, no = ["available"] * 3, ["unavailable"] * 3
    with db.write() as s:
        council = _council(s, [10, 11, 12, 13], answers={10: yes, 11: yes, 12: yes, 13: no})
        first = council.slots[0].id
        version = council.version
        refusals: list[tuple[dict[str, Any], type[Exception], str]] = [
            ({"slot_id": first}, Invalid, "attendingMentorIds"),
            ({"attending_mentor_ids": [10, 11, 12]}, Invalid, "slotId"),
            ({"slot_id": first, "attending_mentor_ids": [10, 11]}, Invalid, "attendingMentorIds"),
            (
                {"slot_id": first, "attending_mentor_ids": [10, 11, 13]},
                Invalid,
                "attendingMentorIds",
            ),
            (
                {"slot_id": first, "attending_mentor_ids": [10, 11, 40]},
                Invalid,
                "attendingMentorIds",
            ),
            ({"slot_id": 987_654, "attending_mentor_ids": [10, 11, 12]}, Invalid, "slotId"),
        ]
        for kw, error, field in refusals:
            with pytest.raises(error) as caught:
                _confirm(s, council, **kw)
            assert isinstance(caught.value, Invalid) and caught.value.errors[0][0] == field, kw
        s.rollback()
        council = s.get(CouncilSession, council.id)
        assert council is not None and council.version == version
        assert council.coordination_status == CoordinationStatus.COLLECTING
        out = _confirm(s, council, slot_id=first, attending_mentor_ids=[10, 11, 12], note="ok")
        assert out.coordination_status == CoordinationStatus.CONFIRMED
        assert out.attending_mentor_ids == [10, 11, 12] and out.final_slot_id == first
        assert out.audit.action == "council.confirmed" and out.audit.reason == "ok"
        with pytest.raises(Conflict):
            _confirm(s, council, slot_id=first, attending_mentor_ids=[10, 11, 12])


def test_confirm_follows_the_phase_table(db: Database) -> None:
    """Confirm moves only along the phase table: collecting, selecting or rescheduling."""
    yes = ["available"] * 3
    with db.write() as s:
        for status, refusal in (
            (CoordinationStatus.DRAFT, "invitations were never sent"),
            (CoordinationStatus.NEEDS_ALTERNATIVES, "phases only go forward"),
            (CoordinationStatus.CANCELLED, "cancelled is final"),
        ):
            council = _council(
                s, [10, 11, 12], answers=dict.fromkeys((10, 11, 12), yes), status=status
            )
            with pytest.raises(Conflict, match=refusal):
                _confirm(s, council, slot_id=council.slots[0].id, attending_mentor_ids=[10, 11, 12])
        council = _council(
            s,
            [10, 11, 12],
            answers=dict.fromkeys((10, 11, 12), yes),
            status=CoordinationStatus.RESCHEDULING,
        )
        out = _confirm(s, council, slot_id=council.slots[0].id, attending_mentor_ids=[10, 11, 12])
        assert out.coordination_status == CoordinationStatus.CONFIRMED
        council = _council(
            s,
            [10, 11, 12],
            answers=dict.fromkeys((10, 11, 12), yes),
            status=CoordinationStatus.SELECTING,
        )
        out = _confirm(s, council)  # the engine's decision: the best of three full slots
        assert out.final_slot_id in {slot.id for slot in council.slots}


def test_double_booking_is_refused_by_confirm_and_override(db: Database) -> None:
    yes = ["available"] * 3
    with db.write() as s:
        first = _council(s, [10, 11, 12], answers=dict.fromkeys((10, 11, 12), yes))
        _confirm(s, first, slot_id=first.slots[1].id, attending_mentor_ids=[10, 11, 12])
        second = _council(s, [10, 13, 14], answers=dict.fromkeys((10, 13, 14), yes))
        with pytest.raises(Conflict) as caught:
            _confirm(s, second, slot_id=second.slots[1].id, attending_mentor_ids=[10, 13, 14])
        assert f"mentor 10 is already confirmed for council {first.id}" in caught.value.detail
        assert caught.value.errors[0][0] == "attendingMentorIds"
        # The engine sees 10 busy at 15:00 and seats the others elsewhere.
        decision = decisions.engine_decision(s, second.id, _user(s, 1), utcnow())
        row = next(r for r in decision.explanation.table if r.slot_id == second.slots[1].id)
        assert row.busy == [10]
        with pytest.raises(Conflict):
            decisions.override(
                s,
                second.id,
                _user(s, 1),
                if_match=f'"{second.version}"',
                reason="phone call",
                fields={
                    "coordination_status": CoordinationStatus.CONFIRMED,
                    "slot_id": second.slots[1].id,
                    "attending_mentor_ids": [10, 13],
                },
                now=utcnow(),
            )
        # Another slot is fine, and an override may go below the minimum.
        out = decisions.override(
            s,
            second.id,
            _user(s, 1),
            if_match=f'"{second.version}"',
            reason="phone call",
            fields={
                "coordination_status": CoordinationStatus.CONFIRMED,
                "slot_id": second.slots[0].id,
                "attending_mentor_ids": [10, 13],
            },
            now=utcnow(),
        )
        assert out.attending_mentor_ids == [10, 13]
        assert s.scalar(select(AuditLog.action).where(AuditLog.council_id == second.id)) == (
            "council.overridden"
        )


def test_assignment_keeps_each_seats_expertise_match_and_skips_the_fully_booked(
    db: Database,
) -> None:
    settings = Settings(database_url="sqlite://", secret_key="k" * 32)
    yes = ["available"] * 3
    with db.write() as s:
        # Book mentor 10 over all three slots of the next councils (three confirmed councils).
        for hour in range(3):
            booked = _council(s, [10, 11, 12], answers=dict.fromkeys((10, 11, 12), yes), days=60)
            slot = booked.slots[hour]
            _confirm(s, booked, slot_id=slot.id, attending_mentor_ids=[10, 11, 12])
        draft = _council(s, [], days=60, status=CoordinationStatus.DRAFT)
        out = assignment.add_mentor(
            s,
            settings,
            draft.id,
            if_match=f'"{draft.version}"',
            mentor_id=13,
            is_lead=True,
            now=utcnow(),
        )
        s.commit()
        profile = s.get(MentorProfile, 13)
        assert profile is not None
        assert out.mentors[0].expertise_match == topic_match(TOPIC, profile.expertise)
        with pytest.raises(Conflict, match="every proposed slot") as caught:
            assignment.add_mentor(
                s,
                settings,
                draft.id,
                if_match=f'"{out.version}"',
                mentor_id=10,
                is_lead=False,
                now=utcnow(),
            )
        assert caught.value.errors[0][0] == "mentorId"
        s.rollback()
        draft = s.get(CouncilSession, draft.id)
        assert draft is not None
        out = assignment.auto_assign(
            s, settings, draft.id, if_match=f'"{draft.version}"', target=5, now=utcnow()
        )
        seated = {m.mentor_id for m in out.mentors}
        assert 10 not in seated and len(seated) == 5
        by_pick = {p.mentor_id: p.expertise_match for p in out.picks}
        stored = dict(
            s.execute(
                select(CouncilMentor.mentor_id, CouncilMentor.expertise_match).where(
                    CouncilMentor.council_id == draft.id
                )
            ).all()
        )
        assert {m: stored[m] for m in by_pick} == by_pick
        swapped = assignment.swap_mentor(
            s,
            settings,
            draft.id,
            if_match=f'"{out.version}"',
            mentor_id=13,
            replacement_id=14,
            now=utcnow(),
        )
        seat = next(m for m in swapped.mentors if m.mentor_id == 14)
        assert swapped.lead_mentor_id == 14 and seat.expertise_match is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"work_start": "09:00", "work_end": "09:00"}, "workEnd"),
        ({"work_start": "25:00"}, "workStart"),
        ({"work_end": "5pm"}, "workEnd"),
        ({"working_days": []}, "workingDays"),
        ({"working_days": [0, 1]}, "workingDays"),
        ({"working_days": [1, 1]}, "workingDays"),
        ({"working_days": ["mon"]}, "workingDays"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_profile_the_engine_would_refuse_is_never_stored(
    db: Database, changes: dict[str, Any], field: str
) -> None:
    with db.write() as s:
        profile = s.get(MentorProfile, 10)
        assert profile is not None
        for key, value in changes.items():
            setattr(profile, key, value)
        with pytest.raises(SchedulingInputError) as caught:
            s.flush()
        assert caught.value.field == field


def test_profiles_default_to_the_engines_hours_and_take_overnight_days(db: Database) -> None:
    with db.write() as s:
        s.add(User(id=60, email="new@example.com", password_hash="x", role="mentor"))
        s.add(MentorProfile(user_id=60, timezone="Asia/Tokyo"))
        s.flush()
        fresh = s.get(MentorProfile, 60)
        assert fresh is not None
        assert (fresh.work_start, fresh.work_end, fresh.working_days) == (
            "09:00",
            "18:00",
            [1, 2, 3, 4, 5],
        )
        fresh.work_start, fresh.work_end, fresh.working_days = "22:00", "06:00", [5, 6]
        s.flush()
        assert fresh.working_hours.overnight


def test_the_demo_data_never_double_books_a_mentor(db: Database) -> None:
    with db.write() as s:
        rows = s.execute(
            select(CouncilMentor.mentor_id, CouncilSlot.starts_at, CouncilSlot.ends_at)
            .join(CouncilSession, CouncilSession.id == CouncilMentor.council_id)
            .join(CouncilSlot, CouncilSlot.id == CouncilSession.final_slot_id)
            .where(
                CouncilMentor.attending.is_(True),
                CouncilSession.coordination_status == CoordinationStatus.CONFIRMED,
            )
            .order_by(CouncilMentor.mentor_id, CouncilSlot.starts_at)
        ).all()
    assert len(rows) >= 30
    for (m1, _, end), (m2, start, _) in pairwise(rows):
        assert m1 != m2 or end <= start, (m1, start)


def test_a_council_the_engine_refuses_is_a_409_naming_the_field(db: Database) -> None:
    # Profiles are checked on write; a row written around the ORM is still refused clearly.
    with db.write() as s:
        council = _council(s, [10, 11, 12])
        s.execute(text("UPDATE mentor_profiles SET timezone = 'Mars/Olympus' WHERE user_id = 11"))
        with pytest.raises(Conflict, match=r"mentors\[11\]\.timezone"):
            decisions.engine_decision(s, council.id, _user(s, 1), utcnow())
