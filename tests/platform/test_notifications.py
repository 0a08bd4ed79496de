"""Queued notifications over HTTP: reminders reach only pending mentors."""

from __future__ import annotations

from typing import Any

from p2_helpers import COORD, MENTOR_IDS, invited_council, mentor_email
from sqlalchemy import select

from mentra_desktop.models import CouncilMentor


def test_reminder_only_to_pending_mentors(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    slot_id = council["proposedTimeSlots"][0]["id"]
    answered = login(client, mentor_email(MENTOR_IDS[0]))
    r = client.put(
        f"/api/v1/councils/{cid}/responses/me",
        json={"slots": [{"slotId": slot_id, "answer": "available"}]},
        headers=answered,
    )
    assert r.status_code == 200, r.text
    url = f"/api/v1/councils/{cid}/notifications"
    headers = {**staff, "Idempotency-Key": "remind-1"}
    first = client.post(url, json={"kind": "reminder"}, headers=headers)
    assert first.status_code == 201, first.text
    assert sorted(first.json()["recipientIds"]) == MENTOR_IDS[1:3]
    assert client.post(url, json={"kind": "reminder"}, headers=headers).json() == first.json()
    with live_server.session() as s:
        seats = {
            cm.mentor_id: cm
            for cm in s.scalars(select(CouncilMentor).where(CouncilMentor.council_id == cid))
        }
    assert seats[MENTOR_IDS[0]].reminder_count == 0
    assert seats[MENTOR_IDS[0]].last_reminder_sent is None
    assert all(seats[m].reminder_count == 1 for m in MENTOR_IDS[1:3])
    assert all(seats[m].last_reminder_sent is not None for m in MENTOR_IDS[1:3])
    bad = client.post(url, json={"kind": "custom"}, headers=staff)
    assert bad.status_code == 422
    custom = client.post(
        url, json={"kind": "custom", "audience": "mentee", "message": "Hi"}, headers=staff
    )
    assert custom.status_code == 201 and custom.json()["recipientIds"] == [9]
    assert client.post(url, json={"kind": "confirmation"}, headers=staff).status_code == 409
    assert client.post(url, json={"kind": "reminder"}, headers=answered).status_code == 403
    listed = client.get(url, headers=staff, params={"kind": "reminder"}).json()
    assert len(listed) == 2
    own = client.get(url, headers=answered).json()
    assert {n["recipientId"] for n in own} == {MENTOR_IDS[0]}
    assert "/r/" in own[0]["body"] and "[redacted]" not in own[0]["body"]
    invitations = client.get(url, headers=staff, params={"kind": "invitation"}).json()
    assert all("/r/[redacted]" in n["body"] for n in invitations)


def test_reminder_to_chosen_mentors_only(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    slot_id = council["proposedTimeSlots"][0]["id"]
    answered = login(client, mentor_email(MENTOR_IDS[0]))
    r = client.put(
        f"/api/v1/councils/{cid}/responses/me",
        json={"slots": [{"slotId": slot_id, "answer": "available"}]},
        headers=answered,
    )
    assert r.status_code == 200, r.text
    url = f"/api/v1/councils/{cid}/notifications"
    nudged = MENTOR_IDS[2]
    one = client.post(url, json={"kind": "reminder", "mentorIds": [nudged]}, headers=staff)
    assert one.status_code == 201, one.text
    assert one.json()["queued"] == 1 and one.json()["recipientIds"] == [nudged]
    listed = client.get(url, headers=staff, params={"kind": "reminder"}).json()
    assert [n["recipientId"] for n in listed] == [nudged]
    with live_server.session() as s:
        seats = {
            cm.mentor_id: cm
            for cm in s.scalars(select(CouncilMentor).where(CouncilMentor.council_id == cid))
        }
    assert seats[nudged].reminder_count == 1 and seats[nudged].last_reminder_sent is not None
    for other in (MENTOR_IDS[0], MENTOR_IDS[1]):
        assert seats[other].reminder_count == 0 and seats[other].last_reminder_sent is None

    stranger = client.post(
        url, json={"kind": "reminder", "mentorIds": [MENTOR_IDS[3]]}, headers=staff
    )
    assert stranger.status_code == 422, stranger.text
    assert [e["field"] for e in stranger.json()["errors"]] == ["mentorIds"]
    done = client.post(url, json={"kind": "reminder", "mentorIds": [MENTOR_IDS[0]]}, headers=staff)
    assert done.status_code == 409, done.text
    assert "already answered" in done.text
    for bad in ([], [0], ["x"]):
        r = client.post(url, json={"kind": "reminder", "mentorIds": bad}, headers=staff)
        assert r.status_code == 422, (bad, r.text)
    custom = {"kind": "custom", "message": "Hi", "mentorIds": [nudged]}
    assert client.post(url, json=custom, headers=staff).status_code == 422
    assert len(client.get(url, headers=staff, params={"kind": "reminder"}).json()) == 1
