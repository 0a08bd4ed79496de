"""Invitations and the authenticated mentor response form, over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from p2_helpers import COORD, MENTOR_IDS, add_mentors, create_council, invited_council, mentor_email
from sqlalchemy import select

from mentra_desktop.models import CouncilMentor, CouncilSession, Notification
from mentra_platform.core.tables import OneClickToken


def _seat(live_server: Any, council_id: int, mentor_id: int) -> CouncilMentor:
    with live_server.session() as s:
        seat = s.scalars(
            select(CouncilMentor).where(
                CouncilMentor.council_id == council_id, CouncilMentor.mentor_id == mentor_id
            )
        ).one()
        s.expunge(seat)
        return seat


def test_invitations_collect_and_are_idempotent(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = create_council(client, staff, make_slots())
    tag = add_mentors(client, staff, council["id"], MENTOR_IDS[:3])
    url = f"/api/v1/councils/{council['id']}/invitations"
    assert client.post(url, headers=staff).status_code == 428
    headers = {**staff, "If-Match": tag, "Idempotency-Key": "inv-1"}
    first = client.post(url, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["coordinationStatus"] == "collecting"
    sent = datetime.fromisoformat(body["invitationsSentAt"])
    deadline = datetime.fromisoformat(body["mentorResponseDeadline"])
    assert deadline - sent == timedelta(hours=72)
    replay = client.post(url, headers=headers)
    assert replay.status_code == 200 and replay.json() == body
    assert replay.headers.get("Idempotent-Replayed") == "true"
    with live_server.session() as s:
        notes = s.scalars(select(Notification).where(Notification.council_id == council["id"]))
        assert sorted(n.recipient_id for n in notes) == MENTOR_IDS[:3]
        tokens = s.scalars(select(OneClickToken)).all()
        near = [t for t in tokens if abs(t.expires_at - deadline) < timedelta(seconds=1)]
        assert len(near) == 3 * 3 * 2  # mentors x slots x (available, unavailable)
    again = client.post(url, headers={**staff, "If-Match": first.headers["ETag"]})
    assert again.status_code == 409


def test_partial_answers_are_stored(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    council = invited_council(client, login(client, COORD), make_slots())
    slots = council["proposedTimeSlots"]
    s0 = datetime.fromisoformat(slots[0]["start"])
    me = login(client, mentor_email(MENTOR_IDS[1]))
    body = {
        "slots": [
            {
                "slotId": slots[0]["id"],
                "answer": "tentative",
                "partialRanges": [
                    {"start": s0.isoformat(), "end": (s0 + timedelta(minutes=30)).isoformat()}
                ],
            },
            {"slotId": slots[1]["id"], "answer": "unavailable"},
        ],
        "alternativeProposals": [
            {"start": "2030-01-07T10:00:00+01:00", "end": "2030-01-07T11:00:00+01:00"}
        ],
        "conflictNotes": "Board meeting on the second day",
    }
    r = client.put(f"/api/v1/councils/{council['id']}/responses/me", json=body, headers=me)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["availabilityResponse"] == "tentative"
    assert out["alternativeProposals"] == [["2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z"]]
    seat = _seat(live_server, council["id"], MENTOR_IDS[1])
    assert seat.conflict_notes == "Board meeting on the second day"
    assert list(seat.available_time_slots) == [str(slots[0]["id"])]
    assert seat.response_date is not None
    got = client.get(f"/api/v1/councils/{council['id']}/responses/me", headers=me).json()
    assert {a["slotId"]: a["answer"] for a in got["slotAnswers"]} == {
        slots[0]["id"]: "tentative",
        slots[1]["id"]: "unavailable",
    }


def test_bad_ranges_are_422_and_change_nothing(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    council = invited_council(client, login(client, COORD), make_slots())
    slot = council["proposedTimeSlots"][0]
    s0 = datetime.fromisoformat(slot["start"])
    me = login(client, mentor_email(MENTOR_IDS[0]))
    url = f"/api/v1/councils/{council['id']}/responses/me"
    cases = [
        (
            {"start": (s0 - timedelta(minutes=30)).isoformat(), "end": s0.isoformat()},
            "slots.0.partialRanges.0",
        ),
        ({"start": s0.isoformat(), "end": s0.isoformat()}, "slots.0.partialRanges.0"),
        (
            {"start": "2030-01-01T10:00:00", "end": "2030-01-01T11:00:00"},
            "slots.0.partialRanges.0.start",
        ),
    ]
    for rng, field in cases:
        body = {
            "slots": [{"slotId": slot["id"], "answer": "available", "partialRanges": [rng]}],
            "conflictNotes": "should not be stored",
        }
        r = client.put(url, json=body, headers=me)
        assert r.status_code == 422, r.text
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), r.json()
    r = client.put(url, json={"slots": [{"slotId": 999999, "answer": "available"}]}, headers=me)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "slots.0.slotId"
    seat = _seat(live_server, council["id"], MENTOR_IDS[0])
    assert seat.response_date is None and seat.conflict_notes == ""


def test_mentor_answers_only_for_themself(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    slot_id = council["proposedTimeSlots"][0]["id"]
    body = {"slots": [{"slotId": slot_id, "answer": "available"}]}
    base = f"/api/v1/councils/{council['id']}/responses"
    me = login(client, mentor_email(MENTOR_IDS[0]))
    assert client.put(f"{base}/{MENTOR_IDS[1]}", json=body, headers=me).status_code == 403
    assert client.put(f"{base}/{MENTOR_IDS[0]}", json=body, headers=me).status_code == 200
    outsider = login(client, mentor_email(MENTOR_IDS[3]))
    # A mentor off the council cannot see it: 404, as for a council that does not exist.
    assert client.put(f"{base}/me", json=body, headers=outsider).status_code == 404
    assert client.put(f"{base}/me", json=body, headers=staff).status_code == 403
    assert _seat(live_server, council["id"], MENTOR_IDS[1]).response_date is None
    with live_server.session() as s:
        c = s.get(CouncilSession, council["id"])
        assert c is not None
        c.coordination_status = "cancelled"  # type: ignore[assignment]
        s.commit()
    assert client.put(f"{base}/me", json=body, headers=me).status_code == 409
