"""The council document's ``phaseHistory``: every audited phase move with its cause, oldest
first, for staff and the council's mentors (mentees read it empty); and the demo data's
history, back-dated consistently with each council's own instants."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

import httpx
from p2_helpers import COORD, MENTOR_IDS, etag, invited_council, mentor_email
from sqlalchemy import select

from mentra_desktop.models import CouncilSession
from mentra_desktop.models.wire.councils import CouncilOut
from mentra_platform.councils.documents import council_dicts

MENTEE = "council@example.com"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_moves_are_listed_with_their_causes(
    client: httpx.Client, login: Any, make_slots: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    assert council["phaseHistory"] == []  # a draft has not moved
    notes = client.patch(  # not a phase move: nothing added
        f"/api/v1/councils/{cid}",
        json={"coordinatorNotes": "call the lead first"},
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert notes.status_code == 200, notes.text
    moved = client.patch(
        f"/api/v1/councils/{cid}",
        json={"coordinationStatus": "selecting"},
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert moved.status_code == 200, moved.text
    cancelled = client.post(
        f"/api/v1/councils/{cid}/cancel",
        json={"reason": "mentee asked"},
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert cancelled.status_code == 200, cancelled.text

    doc = client.get(f"/api/v1/councils/{cid}", headers=staff).json()
    history = doc["phaseHistory"]
    assert [(m["from"], m["status"], m["cause"]) for m in history] == [
        ("draft", "collecting", "invitations"),
        ("collecting", "selecting", "patch"),
        ("selecting", "cancelled", "cancel"),
    ]
    times = [_at(m["at"]) for m in history]
    assert times == sorted(times) and times[0] == _at(doc["invitationsSentAt"])
    assert CouncilOut.model_validate(doc).phase_history[-1].cause == "cancel"
    page = client.get("/api/v1/councils", params={"since": 0, "limit": 1000}, headers=staff)
    listed = next(c for c in page.json()["items"] if c["id"] == cid)
    assert listed["phaseHistory"] == history

    mentor = client.get(
        f"/api/v1/councils/{cid}", headers=login(client, mentor_email(MENTOR_IDS[0]))
    )
    assert mentor.json()["phaseHistory"] == history
    mentee = client.get(f"/api/v1/councils/{cid}", headers=login(client, MENTEE))
    assert mentee.status_code == 200 and mentee.json()["phaseHistory"] == []


def test_demo_history_is_consistent_with_each_council(live_server: Any) -> None:
    """Every demo council's moves chain from draft to its current phase, back-dated between
    its invitation and now; a session is confirmed before it starts."""
    with live_server.session() as session:
        ids = list(session.scalars(select(CouncilSession.id).order_by(CouncilSession.id)))
        docs = council_dicts(session, ids)
    now = max(_at(d["updatedAt"]) for d in docs)
    causes = set()
    for doc in docs:
        history = doc["phaseHistory"]
        if doc["coordinationStatus"] == "draft":
            assert history == [], doc["id"]
            continue
        assert history[0]["from"] == "draft" and history[0]["cause"] == "invitations"
        assert history[0]["at"] == doc["invitationsSentAt"]
        assert history[-1]["status"] == doc["coordinationStatus"], doc["id"]
        for before, after in pairwise(history):
            assert after["from"] == before["status"], doc["id"]
        times = [_at(m["at"]) for m in history]
        assert _at(doc["createdAt"]) < times[0] and times == sorted(times) and times[-1] < now
        for move in history:
            causes.add(move["cause"])
            if move["status"] == "confirmed":
                final = next(s for s in doc["proposedTimeSlots"] if s["id"] == doc["finalSlotId"])
                assert _at(move["at"]) < _at(final["start"]), doc["id"]
        if doc["coordinationStatus"] == "selecting":
            assert _at(doc["mentorResponseDeadline"]) == times[-1] < now
    assert causes == {"invitations", "deadline", "answer", "confirm", "override", "cancel"}
    assert max(len(d["phaseHistory"]) for d in docs) >= 4
    # Spread over the past weeks, not all today.
    days = {m["at"][:10] for d in docs for m in d["phaseHistory"]}
    assert len(days) >= 10
