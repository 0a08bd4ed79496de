"""The shared schema: UTC-only datetimes, constraints, optimistic versions (SQLite + PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from mentra_desktop.models import (
    DEFAULT_RESPONSE_WINDOW,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    Plan,
    Role,
    User,
    UTCDateTime,
)
from mentra_platform.core.migrate import upgrade

TOKYO = timezone(timedelta(hours=9))


@pytest.fixture
def sessions(empty_database_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()


def _council(s: Session) -> CouncilSession:
    mentee = User(email="m@example.com", password_hash="x", role=Role.MENTEE)
    s.add(mentee)
    s.flush()
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    council = CouncilSession(
        topic="t",
        mentee_id=mentee.id,
        slots=[
            CouncilSlot(
                position=i + 1,
                starts_at=start + timedelta(days=i),
                ends_at=start + timedelta(days=i, hours=1),
            )
            for i in range(3)
        ],
    )
    s.add(council)
    s.flush()
    return council


def test_naive_datetime_rejected_on_assignment() -> None:
    council = CouncilSession(topic="t", mentee_id=1)
    with pytest.raises(ValueError, match="naive datetime"):
        council.mentor_response_deadline = datetime(2027, 1, 1, 12)
    with pytest.raises(ValueError, match="naive datetime"):
        CouncilSlot(position=1, starts_at=datetime(2027, 1, 1), ends_at=datetime(2027, 1, 1, 1))


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_naive_datetime_rejected_at_bind(dialect: object) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2027, 1, 1), dialect)  # type: ignore[arg-type]


def test_naive_datetime_rejected_by_statement(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        council = _council(s)
        s.commit()
        stmt = select(CouncilSession).where(CouncilSession.created_at < datetime(2030, 1, 1))
        with pytest.raises(StatementError) as info:
            s.execute(stmt)
        assert isinstance(info.value.orig, ValueError)
        assert council.id


def test_aware_values_round_trip_as_utc(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        council = _council(s)
        council.mentor_response_deadline = datetime(2027, 5, 1, 18, 30, tzinfo=TOKYO)
        s.commit()
        council_id = council.id
    with sessions() as s:
        loaded = s.get(CouncilSession, council_id)
        assert loaded is not None
        deadline = loaded.mentor_response_deadline
        assert deadline == datetime(2027, 5, 1, 9, 30, tzinfo=UTC)
        assert deadline is not None and deadline.utcoffset() == timedelta(0)
        assert loaded.created_at.tzinfo is not None
        assert [slot.starts_at.tzinfo for slot in loaded.slots] == [UTC, UTC, UTC]
        found = s.scalars(
            select(CouncilSession).where(
                CouncilSession.mentor_response_deadline == datetime(2027, 5, 1, 9, 30, tzinfo=UTC)
            )
        ).all()
        assert [c.id for c in found] == [council_id]


def test_mentor_count_checks(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        council = _council(s)
        s.commit()
        council.mentor_minimum, council.mentor_maximum = 5, 4
        with pytest.raises(IntegrityError):
            s.commit()


def test_one_answer_per_mentor_and_slot(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        council = _council(s)
        mentor = User(email="x@example.com", password_hash="x", role=Role.MENTOR)
        s.add(mentor)
        s.flush()
        seat = CouncilMentor(council_id=council.id, mentor_id=mentor.id)
        s.add(seat)
        s.flush()
        slot_id = council.slots[0].id
        s.add(CouncilSlotAnswer(council_mentor_id=seat.id, slot_id=slot_id))
        s.flush()
        s.add(CouncilSlotAnswer(council_mentor_id=seat.id, slot_id=slot_id))
        with pytest.raises(IntegrityError):
            s.flush()


def test_version_is_bumped_and_stale_writes_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        council = _council(s)
        s.commit()
        assert council.version == 1
        council.topic = "changed"
        s.commit()
        assert council.version == 2
        council_id = council.id
    with sessions() as a, sessions() as b:
        first = a.get(CouncilSession, council_id)
        second = b.get(CouncilSession, council_id)
        assert first is not None and second is not None
        first.topic = "a wins"
        a.commit()
        second.topic = "b loses"
        with pytest.raises(StaleDataError):
            b.commit()


def test_invitations_default_the_deadline() -> None:
    council = CouncilSession(topic="t", mentee_id=1)
    sent = datetime(2027, 1, 1, 12, tzinfo=UTC)
    council.mark_invitations_sent(sent)
    assert (
        council.mentor_response_deadline
        == sent + DEFAULT_RESPONSE_WINDOW
        == sent + timedelta(hours=72)
    )
    explicit = CouncilSession(topic="t", mentee_id=1)
    explicit.mentor_response_deadline = sent + timedelta(hours=24)
    explicit.mark_invitations_sent(sent)
    assert explicit.mentor_response_deadline == sent + timedelta(hours=24)


def test_council_access_by_role_and_plan() -> None:
    council_plan = Plan(code="council", name="Council", council_access=True)
    starter = Plan(code="starter", name="Starter", council_access=False)
    assert User(role=Role.MENTEE, plan=council_plan).has_council_access
    assert not User(role=Role.MENTEE, plan=starter).has_council_access
    assert not User(role=Role.MENTEE, plan=None).has_council_access
    for role in (Role.MENTOR, Role.COORDINATOR, Role.ADMIN):
        assert User(role=role, plan=None).has_council_access
