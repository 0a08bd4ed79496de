"""Councils over HTTP: create and validate, read, list filters, visibility, If-Match, cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mentra_desktop.models import (
    AuditLog,
    ChangeEvent,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
)
from mentra_desktop.models.wire.councils import CouncilOut, CouncilPage

Login = Callable[..., dict[str, str]]
Slots = Callable[..., list[dict[str, str]]]


def _counts(live_server: Any) -> tuple[int, int, int]:
    with live_server.session() as s:
        return (
            s.scalar(select(func.count(CouncilSession.id))),
            s.scalar(select(func.count(CouncilSlot.id))),
            s.scalar(select(func.count(ChangeEvent.seq))),
        )


def _create(
    client: httpx.Client, headers: dict[str, str], slots: list[dict[str, str]], **kw: Any
) -> httpx.Response:
    body = {"topic": "Fundraising strategy", "menteeId": 9, "proposedTimeSlots": slots, **kw}
    return client.post("/api/v1/councils", json=body, headers=headers)


def test_create_council_and_read_it_back(
    client: httpx.Client, login: Login, make_slots: Slots, live_server: Any
) -> None:
    headers = login(client, "coordinator@example.com")
    slots = make_slots(n=4)
    slots[1]["end"] = (
        datetime.fromisoformat(slots[1]["start"]) + timedelta(minutes=90)
    ).isoformat()
    r = _create(client, headers, slots, mentorMinimum=3, mentorMaximum=4, coordinatorNotes="VIP")
    assert r.status_code == 201, r.text
    body = r.json()
    CouncilOut.model_validate(body)
    assert r.headers["Location"] == f"/api/v1/councils/{body['id']}"
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert body["coordinationStatus"] == "draft"
    assert body["menteeId"] == 9 and body["mentors"] == []
    got = [(s["position"], s["start"], s["end"]) for s in body["proposedTimeSlots"]]
    assert len(got) == 4
    first = datetime.fromisoformat(slots[0]["start"])
    assert got[0][1] == first.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert datetime.fromisoformat(got[0][2]) - datetime.fromisoformat(got[0][1]) == timedelta(
        minutes=60
    )
    assert datetime.fromisoformat(got[1][2]) - datetime.fromisoformat(got[1][1]) == timedelta(
        minutes=90
    )
    one = client.get(f"/api/v1/councils/{body['id']}", headers=headers)
    assert one.status_code == 200 and one.json() == body
    assert one.headers["ETag"] == r.headers["ETag"]
    with live_server.session() as s:
        council = s.get(CouncilSession, body["id"])
        assert council is not None and council.created_by_id == 2
        assert council.coordinator_notes == "VIP"


def test_slot_times_with_offsets_are_stored_as_utc(client: httpx.Client, login: Login) -> None:
    headers = login(client, "admin@example.com")
    slots = [
        {"start": "2027-01-10T09:00:00+09:00"},
        {"start": "2027-01-11T09:00:00-05:00"},
        {"start": "2027-01-12T09:00:00+00:00", "end": "2027-01-12T09:45:00+00:00"},
    ]
    body = _create(client, headers, slots).json()
    starts = [s["start"] for s in body["proposedTimeSlots"]]
    assert starts == ["2027-01-10T00:00:00Z", "2027-01-11T14:00:00Z", "2027-01-12T09:00:00Z"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(proposedTimeSlots=b["proposedTimeSlots"][:2]), "proposedTimeSlots"),
        (
            lambda b: b.update(proposedTimeSlots=b["proposedTimeSlots"] * 2),
            "proposedTimeSlots",
        ),
        (
            lambda b: b["proposedTimeSlots"][0].update(start="2027-01-10T09:00:00"),
            "proposedTimeSlots.0.start",
        ),
        (
            lambda b: b["proposedTimeSlots"][0].update(end="2000-01-01T00:00:00Z"),
            "proposedTimeSlots.0",
        ),
        (
            lambda b: b["proposedTimeSlots"][1].update(start=b["proposedTimeSlots"][0]["start"]),
            "body",
        ),
        (lambda b: b.update(mentorMinimum=5, mentorMaximum=3), "body"),
        (lambda b: b.update(mentorMaximum=6), "mentorMaximum"),
        (lambda b: b.update(mentorMinimum=2), "mentorMinimum"),
        (lambda b: b.update(topic=""), "topic"),
        (lambda b: b.update(topic="   "), "topic"),
        (lambda b: b.update(menteeId=3), "menteeId"),  # a mentee without the Council plan
        (lambda b: b.update(menteeId=99999), "menteeId"),
        (lambda b: b.update(menteeId=10), "menteeId"),
        (lambda b: b.update(leadMentorId=9), "leadMentorId"),
    ],
)
def test_invalid_create_is_422_with_field_and_writes_nothing(
    client: httpx.Client,
    login: Login,
    make_slots: Slots,
    live_server: Any,
    mutate: Callable[[dict[str, Any]], None],
    field: str,
) -> None:
    headers = login(client, "coordinator@example.com")
    body: dict[str, Any] = {"topic": "Valid", "menteeId": 9, "proposedTimeSlots": make_slots()}
    mutate(body)
    before = _counts(live_server)
    r = client.post("/api/v1/councils", json=body, headers=headers)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors and all(e["message"] for e in errors)
    assert field in {e["field"] for e in errors}, errors
    assert _counts(live_server) == before


def test_list_filters_and_paging(client: httpx.Client, login: Login) -> None:
    headers = login(client, "coordinator@example.com")
    page = client.get("/api/v1/councils", params={"limit": 1000}, headers=headers).json()
    CouncilPage.model_validate(page)
    assert page["total"] == 60 and len(page["items"]) == 60 and not page["hasMore"]
    statuses = {c["coordinationStatus"] for c in page["items"]}
    assert statuses == {s.value for s in CoordinationStatus}

    confirmed = client.get(
        "/api/v1/councils", params={"status": ["confirmed", "draft"]}, headers=headers
    ).json()
    assert confirmed["total"] == 20
    assert {c["coordinationStatus"] for c in confirmed["items"]} == {"confirmed", "draft"}

    first = client.get("/api/v1/councils", params={"limit": 7}, headers=headers).json()
    second = client.get(
        "/api/v1/councils", params={"limit": 7, "offset": 7}, headers=headers
    ).json()
    assert first["hasMore"] and len(first["items"]) == 7
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}

    text = client.get("/api/v1/councils", params={"q": "SEED ROUND"}, headers=headers).json()
    assert text["total"] >= 1
    assert all("seed round" in c["topic"].lower() for c in text["items"])

    mentor_id = page["items"][-1]["mentors"][0]["mentorId"] if page["items"][-1]["mentors"] else 10
    by_mentor = client.get(
        "/api/v1/councils", params={"mentorId": mentor_id}, headers=headers
    ).json()
    assert by_mentor["total"] >= 1
    for c in by_mentor["items"]:
        assert mentor_id in {m["mentorId"] for m in c["mentors"]}

    deadlines = [
        datetime.fromisoformat(c["mentorResponseDeadline"])
        for c in page["items"]
        if c["mentorResponseDeadline"]
    ]
    lo, hi = sorted(deadlines)[5], sorted(deadlines)[-5]
    ranged = client.get(
        "/api/v1/councils",
        params={"deadlineFrom": lo.isoformat(), "deadlineTo": hi.isoformat(), "limit": 1000},
        headers=headers,
    ).json()
    assert ranged["total"] == sum(1 for d in deadlines if lo <= d <= hi)

    naive = client.get(
        "/api/v1/councils", params={"deadlineFrom": "2026-01-01T00:00:00"}, headers=headers
    )
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "deadlineFrom"


def test_answers_and_mentors_are_included(client: httpx.Client, login: Login) -> None:
    headers = login(client, "coordinator@example.com")
    items = client.get(
        "/api/v1/councils", params={"status": "selecting", "limit": 1}, headers=headers
    ).json()["items"]
    council = items[0]
    assert 3 <= len(council["mentors"]) <= 5
    assert sum(m["isLead"] for m in council["mentors"]) == 1
    slot_ids = {s["id"] for s in council["proposedTimeSlots"]}
    for mentor in council["mentors"]:
        assert {a["slotId"] for a in mentor["slotAnswers"]} == slot_ids
        assert mentor["availabilityResponse"] in {"available", "unavailable", "tentative"}


def test_visibility_by_role(client: httpx.Client, login: Login, live_server: Any) -> None:
    mentee = client.get(
        "/api/v1/councils", params={"limit": 1000}, headers=login(client, "council@example.com")
    ).json()
    assert mentee["total"] > 0
    assert all(c["menteeId"] == 9 for c in mentee["items"])
    mentor_headers = login(client, "mentor1@example.com")
    mine = client.get("/api/v1/councils", params={"limit": 1000}, headers=mentor_headers).json()
    assert all(10 in {m["mentorId"] for m in c["mentors"]} for c in mine["items"])
    with live_server.session() as s:
        on = set(s.scalars(select(CouncilMentor.council_id).where(CouncilMentor.mentor_id == 10)))
        other = s.scalar(select(CouncilSession.id).where(CouncilSession.id.not_in(on or {0})))
        not_mine = s.scalar(select(CouncilSession.id).where(CouncilSession.mentee_id != 9))
    assert {c["id"] for c in mine["items"]} == on
    assert client.get(f"/api/v1/councils/{other}", headers=mentor_headers).status_code == 404
    r = client.get(f"/api/v1/councils/{not_mine}", headers=login(client, "council@example.com"))
    assert r.status_code == 404
    assert client.get("/api/v1/councils/999999", headers=mentor_headers).status_code == 404


def test_patch_requires_if_match_and_rejects_stale(
    client: httpx.Client, login: Login, live_server: Any
) -> None:
    headers = login(client, "coordinator@example.com")
    council = client.get(
        "/api/v1/councils", params={"status": "collecting", "limit": 1}, headers=headers
    ).json()["items"][0]
    url = f"/api/v1/councils/{council['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]

    missing = client.patch(url, json={"coordinatorNotes": "x"}, headers=headers)
    assert missing.status_code == 428

    ok = client.patch(
        url, json={"coordinatorNotes": "Call the lead first"}, headers={**headers, "If-Match": etag}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["coordinatorNotes"] == "Call the lead first"
    new_etag = ok.headers["ETag"]
    assert new_etag != etag and ok.json()["version"] > council["version"]

    stale = client.patch(
        url, json={"coordinatorNotes": "lost update"}, headers={**headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    weak = client.patch(
        url, json={"coordinatorNotes": "weak"}, headers={**headers, "If-Match": f"W/{new_etag}"}
    )
    assert weak.status_code == 412
    with live_server.session() as s:
        assert s.get(CouncilSession, council["id"]).coordinator_notes == "Call the lead first"

    bad = client.patch(
        url,
        json={"mentorMinimum": 5, "mentorMaximum": 4},
        headers={**headers, "If-Match": new_etag},
    )
    assert bad.status_code == 422
    confirm = client.patch(
        url, json={"coordinationStatus": "confirmed"}, headers={**headers, "If-Match": new_etag}
    )
    assert confirm.status_code == 422
    assert confirm.json()["errors"][0]["field"] == "coordinationStatus"
    phase = client.patch(
        url, json={"coordinationStatus": "selecting"}, headers={**headers, "If-Match": new_etag}
    )
    assert phase.status_code == 200 and phase.json()["coordinationStatus"] == "selecting"
    with live_server.session() as s:
        audit = s.scalars(
            select(AuditLog).where(
                AuditLog.council_id == council["id"], AuditLog.action == "council.status_changed"
            )
        ).one()
        assert audit.actor_id == 2 and audit.after == {"coordinationStatus": "selecting"}


def test_patch_slots_only_in_draft(client: httpx.Client, login: Login, make_slots: Slots) -> None:
    headers = login(client, "admin@example.com")
    created = _create(client, headers, make_slots())
    url = created.headers["Location"]
    r = client.patch(
        url,
        json={"proposedTimeSlots": make_slots(days=9, n=5)},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["proposedTimeSlots"]) == 5
    collecting = client.get(
        "/api/v1/councils", params={"status": "collecting", "limit": 1}, headers=headers
    ).json()["items"][0]
    r = client.patch(
        f"/api/v1/councils/{collecting['id']}",
        json={"proposedTimeSlots": make_slots(days=9)},
        headers={**headers, "If-Match": f'"{collecting["version"]}"'},
    )
    assert r.status_code == 409


def test_cancel_is_audited_and_final(client: httpx.Client, login: Login, live_server: Any) -> None:
    headers = login(client, "coordinator@example.com")
    council = client.get(
        "/api/v1/councils", params={"status": "collecting", "limit": 1}, headers=headers
    ).json()["items"][0]
    url = f"/api/v1/councils/{council['id']}/cancel"
    stale = client.post(url, json={"reason": "x"}, headers={**headers, "If-Match": '"999"'})
    assert stale.status_code == 412
    assert client.post(url, json={"reason": "x"}, headers=headers).status_code == 428
    current = {**headers, "If-Match": f'"{council["version"]}"'}
    r = client.post(url, json={"reason": "Mentee withdrew"}, headers=current)
    assert r.status_code == 200, r.text
    assert r.json()["coordinationStatus"] == "cancelled"
    again = {**headers, "If-Match": r.headers["ETag"]}
    assert client.post(url, json={}, headers=again).status_code == 409
    patch = client.patch(
        f"/api/v1/councils/{council['id']}",
        json={"topic": "z"},
        headers={**headers, "If-Match": r.headers["ETag"]},
    )
    assert patch.status_code == 409
    with live_server.session() as s:
        audit = s.scalars(
            select(AuditLog).where(
                AuditLog.council_id == council["id"], AuditLog.action == "council.cancelled"
            )
        ).one()
        assert audit.reason == "Mentee withdrew" and audit.actor_id == 2
        assert audit.before == {"coordinationStatus": "collecting"}


def test_patch_blank_topic_is_422_and_changes_nothing(
    client: httpx.Client, login: Login, make_slots: Slots, live_server: Any
) -> None:
    headers = login(client, "coordinator@example.com")
    created = _create(client, headers, make_slots())
    before = _counts(live_server)
    r = client.patch(
        created.headers["Location"],
        json={"topic": "  \t "},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["topic"]
    assert _counts(live_server) == before
    assert (
        client.get(created.headers["Location"], headers=headers).json()["topic"]
        == "Fundraising strategy"
    )


def test_a_mentee_reads_their_council_without_the_coordination_notes(
    client: httpx.Client, login: Login
) -> None:
    staff = login(client, "coordinator@example.com")
    mine = client.get(
        "/api/v1/councils", params={"limit": 1000}, headers=login(client, "council@example.com")
    ).json()["items"]
    council = next(c for c in mine if c["mentors"] and c["coordinationStatus"] != "confirmed")
    url = f"/api/v1/councils/{council['id']}"
    tag = client.get(url, headers=staff).headers["ETag"]
    note = "Mentee is nervous about pricing; lead should open gently"
    r = client.patch(url, json={"coordinatorNotes": note}, headers={**staff, "If-Match": tag})
    assert r.status_code == 200, r.text
    assert r.json()["coordinatorNotes"] == note
    assert all(m["email"] for m in r.json()["mentors"])

    mentee = login(client, "council@example.com")
    one = client.get(url, headers=mentee).json()
    listed = next(
        c
        for c in client.get("/api/v1/councils", params={"limit": 1000}, headers=mentee).json()[
            "items"
        ]
        if c["id"] == council["id"]
    )
    for seen in (one, listed):
        assert seen["coordinatorNotes"] == ""
        assert all(m["email"] == "" and m["conflictNotes"] == "" for m in seen["mentors"])
        assert [m["name"] for m in seen["mentors"]] == [m["name"] for m in r.json()["mentors"]]
        assert seen["version"] == r.json()["version"]
