"""Withdrawal over HTTP: a mentor leaves a confirmed council; the alert reaches the feed."""

from __future__ import annotations

from typing import Any

from p2_helpers import COORD, MENTOR_IDS, answer, etag, invited_council, mentor_email


def test_withdraw_below_the_minimum_over_http(client: Any, login: Any, make_slots: Any) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid, slot = council["id"], council["proposedTimeSlots"][0]["id"]
    answer(client, cid, MENTOR_IDS[:3], {slot: "available"})
    r = client.post(
        f"/api/v1/councils/{cid}/confirm",
        json={"slotId": slot, "attendingMentorIds": MENTOR_IDS[:3]},
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert r.status_code == 200, r.text
    url = f"/api/v1/councils/{cid}/responses/me/withdraw"
    assert client.post(url, json={}, headers=staff).status_code == 403
    mentor = login(client, mentor_email(MENTOR_IDS[0]))
    r = client.post(url, json={"reason": "travel"}, headers=mentor)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["coordinationStatus"] == "collecting"
    assert body["attendingMentorIds"] == [] and body["inviteSequence"] == 2
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert client.post(url, json={}, headers=mentor).status_code == 409
    r = client.get("/api/v1/alerts", params={"councilId": cid}, headers=staff)
    assert [a["kind"] for a in r.json()["items"]] == ["withdrawal_below_minimum"]
