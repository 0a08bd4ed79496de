"""The council document's invite fields (``inviteUid``, ``inviteSequence``, ``organizer``,
``menteeEmail``, ``registrants``): what the platform's invite of the council says, for
staff only — a mentor's and a mentee's read (one council and the list) has them blanked,
and no response of theirs carries the mentee's address."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from mentra_desktop.models import CoordinationStatus, CouncilMentor, CouncilSession, User
from mentra_desktop.models.wire.councils import CouncilOut
from mentra_platform.notifications.invites import build_invite
from mentra_platform.notifications.rendering import invite_facts

MENTEE = "council@example.com"


def _confirmed_council(live_server: Any) -> tuple[int, str]:
    """A confirmed council of the seeded mentee, with a raised invite sequence; returns its
    id and the e-mail of one of its mentors."""
    with live_server.session() as s:
        council = s.scalars(
            select(CouncilSession)
            .join(User, User.id == CouncilSession.mentee_id)
            .where(
                User.email == MENTEE,
                CouncilSession.coordination_status == CoordinationStatus.CONFIRMED,
            )
            .order_by(CouncilSession.id)
        ).first()
        assert council is not None
        council.invite_sequence = 2  # as after a reschedule
        mentor = s.scalar(
            select(User.email)
            .join(CouncilMentor, CouncilMentor.mentor_id == User.id)
            .where(CouncilMentor.council_id == council.id)
        )
        s.commit()
        assert mentor is not None
        return council.id, mentor


def _find(client: httpx.Client, headers: dict[str, str], council_id: int) -> list[Any]:
    """The council read alone and from the list (a full sync page)."""
    one = client.get(f"/api/v1/councils/{council_id}", headers=headers)
    page = client.get("/api/v1/councils", params={"since": 0, "limit": 1000}, headers=headers)
    assert one.status_code == 200 and page.status_code == 200, (one.text, page.text)
    listed = next(c for c in page.json()["items"] if c["id"] == council_id)
    return [one, one.json(), page, listed]


def test_staff_read_the_invites_addressing_others_read_it_blank(
    client: httpx.Client, login: Any, live_server: Any
) -> None:
    council_id, mentor = _confirmed_council(live_server)
    settings = live_server.settings
    with live_server.session() as s:
        council = s.get(CouncilSession, council_id)
        assert council is not None
        facts = invite_facts(s, settings, council)
        invite = build_invite(facts, "REQUEST", uid="x", now=council.created_at).decode()
    assert "SEQUENCE:2" in invite

    _, one, _, listed = _find(client, login(client, "coordinator@example.com"), council_id)
    for doc in (one, listed):
        CouncilOut.model_validate(doc)
        assert doc["inviteUid"] == f"council-{council_id}@127.0.0.1"
        assert doc["inviteSequence"] == 2
        assert doc["organizer"] == {"name": "Mentra", "address": "mentra@localhost"}
        assert doc["menteeEmail"] == MENTEE
        assert [r["email"] for r in doc["registrants"]] == [MENTEE]
        # Exactly the people the platform's invite lists: attending mentors and mentees.
        mentors = {m["email"] for m in doc["mentors"] if m["attending"]}
        invited = {a.email for a in facts.attendees}
        assert invited == mentors | {MENTEE}

    for reader in (mentor, MENTEE):
        response, one, page, listed = _find(client, login(client, reader), council_id)
        for doc in (one, listed):
            CouncilOut.model_validate(doc)
            assert doc["inviteUid"] is None and doc["inviteSequence"] is None
            assert doc["organizer"] is None
            assert doc["menteeEmail"] == "" and doc["registrants"] == []
            assert doc["registrationCount"] == 1  # the count stays, as before
        # The mentee's address reaches neither (the mentee's own mentors' view included).
        assert MENTEE not in response.text and MENTEE not in page.text
        if reader == mentor:  # a mentor's view keeps what it had: the mentors' addresses
            assert all(m["email"] for m in one["mentors"])


def test_a_session_without_settings_renders_no_addressing(database_url: str) -> None:
    """Outside a :class:`~mentra_platform.core.db.Database` (a bare engine, no settings)
    the document cannot know the deployment's UID domain or organizer: null, not a guess;
    the per-council facts are still there."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from mentra_platform.councils.documents import council_dicts

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            (doc,) = council_dicts(session, [1])
    finally:
        engine.dispose()
    assert doc["inviteUid"] is None and doc["organizer"] is None
    assert isinstance(doc["inviteSequence"], int) and "@" in doc["menteeEmail"]
    CouncilOut.model_validate(doc)
