"""Confirm and override over HTTP: validation, the confirmation rules, roles, If-Match,
double booking and the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from p2_helpers import (
    ADMIN,
    COORD,
    MENTEE,
    MENTOR_IDS,
    add_mentors,
    answer,
    create_council,
    etag,
    invited_council,
    mentor_email,
)
from sqlalchemy import func, select

from mentra_desktop.models import (
    AuditLog,
    ChangeEvent,
    CouncilSession,
    MentorProfile,
    Notification,
)


def _audit(live_server: Any, council_id: int) -> list[AuditLog]:
    """The council's audit entries after its invitations (the decisions')."""
    with live_server.session() as s:
        rows = list(
            s.scalars(
                select(AuditLog).where(
                    AuditLog.council_id == council_id,
                    AuditLog.action != "council.invitations_sent",
                )
            )
        )
        for r in rows:
            s.expunge(r)
        return rows


def _changes(live_server: Any) -> int:
    with live_server.session() as s:
        return int(s.scalar(select(func.count(ChangeEvent.seq))) or 0)


def test_confirm_validates_audits_and_notifies(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid, slot_id = council["id"], council["proposedTimeSlots"][1]["id"]
    other_slot = council["proposedTimeSlots"][0]["id"]
    answer(client, cid, MENTOR_IDS[:2], {slot_id: "available", other_slot: "available"})
    answer(client, cid, MENTOR_IDS[2:3], {slot_id: "available", other_slot: "tentative"})
    url = f"/api/v1/councils/{cid}/confirm"
    tag = etag(client, staff, cid)
    headers = {**staff, "If-Match": tag}
    good = {"slotId": slot_id, "attendingMentorIds": MENTOR_IDS[:3], "note": "all three free"}
    changes = _changes(live_server)
    bad_bodies = [
        ({**good, "attendingMentorIds": MENTOR_IDS[:2]}, "attendingMentorIds"),
        ({**good, "attendingMentorIds": [*MENTOR_IDS[:2], 40]}, "attendingMentorIds"),
        ({**good, "slotId": 987654}, "slotId"),
        ({**good, "slotId": other_slot}, "attendingMentorIds"),  # mentor 12 is tentative
        ({"attendingMentorIds": MENTOR_IDS[:3]}, "slotId"),
        ({"slotId": slot_id}, "attendingMentorIds"),
    ]
    for body, field in bad_bodies:
        r = client.post(url, json=body, headers=headers)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == field, r.text
    assert client.post(url, json=good, headers=staff).status_code == 428
    assert client.post(url, json=good, headers={**staff, "If-Match": '"1"'}).status_code == 412
    assert _changes(live_server) == changes and _audit(live_server, cid) == []
    r = client.post(url, json=good, headers=headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["coordinationStatus"] == "confirmed" and out["finalTimeConfirmed"] is True
    assert out["finalSlotId"] == slot_id and out["videoLink"].startswith("https://")
    assert r.headers["ETag"] == f'"{out["version"]}"'
    (entry,) = _audit(live_server, cid)
    assert entry.action == "council.confirmed" and entry.actor_id == 2
    assert entry.reason == "all three free"
    assert entry.before is not None and entry.after is not None
    assert entry.before["coordinationStatus"] == "collecting"
    assert entry.after["finalSlotId"] == slot_id
    assert entry.after["attendingMentorIds"] == MENTOR_IDS[:3]
    with live_server.session() as s:
        sent = s.execute(
            select(Notification.recipient_id, Notification.body).where(
                Notification.council_id == cid, Notification.kind == "confirmation"
            )
        ).all()
        zones = dict(
            s.execute(
                select(MentorProfile.user_id, MentorProfile.timezone).where(
                    MentorProfile.user_id.in_(MENTOR_IDS[:3])
                )
            ).all()
        )
    assert sorted(rid for rid, _ in sent) == sorted([*MENTOR_IDS[:3], 9])
    # Each reader sees the time in their own zone; the mentee has none, so UTC.
    for rid, text in sent:
        assert f"({zones.get(rid, 'UTC')})" in text, text
    again = client.post(url, json=good, headers={**staff, "If-Match": r.headers["ETag"]})
    assert again.status_code == 409


def test_override_admin_only_reason_required_audited(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid, slot_id = council["id"], council["proposedTimeSlots"][0]["id"]
    url = f"/api/v1/councils/{cid}/override"  # nobody answered: only an override confirms
    admin = login(client, ADMIN)
    tag = etag(client, admin, cid)
    body = {
        "reason": "Mentee asked by phone",
        "coordinationStatus": "confirmed",
        "slotId": slot_id,
        "attendingMentorIds": MENTOR_IDS[:2],
    }
    assert client.post(url, json=body, headers={**staff, "If-Match": tag}).status_code == 403
    for reason in ("", "   "):
        r = client.post(url, json={**body, "reason": reason}, headers={**admin, "If-Match": tag})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    no_reason = {k: v for k, v in body.items() if k != "reason"}
    assert client.post(url, json=no_reason, headers={**admin, "If-Match": tag}).status_code == 422
    assert _audit(live_server, cid) == []
    with live_server.session() as s:
        c = s.get(CouncilSession, cid)
        assert c is not None and c.coordination_status == "collecting"
    r = client.post(url, json=body, headers={**admin, "If-Match": tag})
    assert r.status_code == 200, r.text
    assert r.json()["attendingMentorIds"] == MENTOR_IDS[:2]  # admin may go below the minimum
    (entry,) = _audit(live_server, cid)
    assert entry.action == "council.overridden" and entry.actor_id == 1
    assert entry.reason == "Mentee asked by phone"
    assert entry.before is not None and entry.after is not None
    assert entry.before["coordinationStatus"] == "collecting"
    assert entry.after["coordinationStatus"] == "confirmed"
    assert entry.after["finalSlotId"] == slot_id
    stale = client.post(url, json=body, headers={**admin, "If-Match": tag})
    assert stale.status_code == 412


def _confirm(client: Any, headers: dict[str, str], cid: int, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/councils/{cid}/confirm",
        json=body,
        headers={**headers, "If-Match": etag(client, headers, cid)},
    )


def test_a_draft_council_cannot_be_confirmed(client: Any, login: Any, make_slots: Any) -> None:
    staff = login(client, COORD)
    council = create_council(client, staff, make_slots())
    cid, slot_id = council["id"], council["proposedTimeSlots"][0]["id"]
    add_mentors(client, staff, cid, MENTOR_IDS[:3])
    r = _confirm(client, staff, cid, {"slotId": slot_id, "attendingMentorIds": MENTOR_IDS[:3]})
    assert r.status_code == 409 and "never sent" in r.json()["detail"], r.text
    assert _confirm(client, staff, cid, {}).status_code == 409


def test_partial_ranges_covering_the_slot_count_and_half_a_slot_does_not(
    client: Any, login: Any, make_slots: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    first, second = council["proposedTimeSlots"][:2]
    whole = [{"start": first["start"], "end": first["end"]}]
    answer(client, cid, MENTOR_IDS[:3], {first["id"]: "available"}, partialRanges=whole)
    start = second["start"].replace("Z", "+00:00")
    half = [{"start": start, "end": start.replace(":00:00", ":30:00")}]
    answer(client, cid, MENTOR_IDS[2:3], {second["id"]: "available"}, partialRanges=half)
    answer(client, cid, MENTOR_IDS[:2], {second["id"]: "available"})
    r = _confirm(client, staff, cid, {"slotId": second["id"], "attendingMentorIds": MENTOR_IDS[:3]})
    assert r.status_code == 422, r.text
    assert "12 (partial)" in r.json()["errors"][0]["message"]
    r = _confirm(client, staff, cid, {"slotId": first["id"], "attendingMentorIds": MENTOR_IDS[:3]})
    assert r.status_code == 200, r.text


def test_the_lead_who_can_come_must_be_seated(client: Any, login: Any, make_slots: Any) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots(), mentorMinimum=3, mentorMaximum=4)
    cid, slot_id = council["id"], council["proposedTimeSlots"][0]["id"]
    add_mentors(client, staff, cid, [13])
    client.post(
        f"/api/v1/councils/{cid}/mentors/{MENTOR_IDS[0]}/lead",
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    answer(client, cid, MENTOR_IDS[:4], {slot_id: "available"})
    without_lead = {"slotId": slot_id, "attendingMentorIds": MENTOR_IDS[1:4]}
    r = _confirm(client, staff, cid, without_lead)
    assert r.status_code == 422, r.text
    assert "lead mentor 10" in r.json()["errors"][0]["message"]
    r = _confirm(client, staff, cid, {"slotId": slot_id, "attendingMentorIds": MENTOR_IDS[:3]})
    assert r.status_code == 200, r.text


def test_confirm_without_a_slot_takes_the_engines_decision(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    s1, s2, s3 = (s["id"] for s in council["proposedTimeSlots"])
    # Nobody answered: the engine is waiting with no feasible slot.
    r = _confirm(client, staff, cid, {})
    assert r.status_code == 409 and "waiting" in r.json()["detail"], r.text
    assert _audit(live_server, cid) == []
    answer(client, cid, MENTOR_IDS[:3], {s1: "unavailable", s2: "available", s3: "tentative"})
    decision = client.get(f"/api/v1/councils/{cid}/decision", headers=staff).json()
    assert decision["status"] == "confirmed" and decision["slotId"] == s2
    r = client.post(  # no body at all: the engine's decision
        f"/api/v1/councils/{cid}/confirm", headers={**staff, "If-Match": etag(client, staff, cid)}
    )
    assert r.status_code == 200, r.text
    assert r.json()["finalSlotId"] == s2
    assert r.json()["attendingMentorIds"] == decision["mentorIds"] == MENTOR_IDS[:3]


def test_confirm_without_a_slot_takes_a_feasible_leader_while_waiting(
    client: Any, login: Any, make_slots: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots(), mentorMaximum=4)
    cid = council["id"]
    add_mentors(client, staff, cid, [13])
    s1, s2, _ = (s["id"] for s in council["proposedTimeSlots"])
    # 13 is pending and could still make s2 the better slot: the engine waits.
    answer(client, cid, MENTOR_IDS[:3], {s1: "available", s2: "available"})
    answer(client, cid, MENTOR_IDS[:1], {s2: "unavailable"})
    decision = client.get(f"/api/v1/councils/{cid}/decision", headers=staff).json()
    assert decision["status"] == "waiting" and decision["slotId"] == s1, decision
    r = _confirm(client, staff, cid, {})
    assert r.status_code == 200, r.text
    assert r.json()["finalSlotId"] == s1


def test_confirm_without_a_slot_409_when_the_engine_needs_alternatives(
    client: Any, login: Any, make_slots: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    answer(
        client, cid, MENTOR_IDS[:3], {s["id"]: "unavailable" for s in council["proposedTimeSlots"]}
    )
    decision = client.get(f"/api/v1/councils/{cid}/decision", headers=staff).json()
    assert decision["status"] == "needs_alternatives" and decision["slotId"] is None
    assert decision["alternatives"], "system-generated alternatives when nothing works"
    r = _confirm(client, staff, cid, {})
    assert r.status_code == 409 and "needs_alternatives" in r.json()["detail"], r.text


def test_nobody_is_double_booked(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff, admin = login(client, COORD), login(client, ADMIN)
    first = invited_council(client, staff, make_slots(days=6))
    slot = first["proposedTimeSlots"][0]
    answer(client, first["id"], MENTOR_IDS[:3], {slot["id"]: "available"})
    body = {"slotId": slot["id"], "attendingMentorIds": MENTOR_IDS[:3]}
    assert _confirm(client, staff, first["id"], body).status_code == 200
    # A second council whose first slot starts half an hour into the confirmed one.
    start = slot["start"].replace("Z", "+00:00").replace(":00:00", ":30:00")
    slots = [{"start": start}, *make_slots(days=9, n=2)]
    second = invited_council(client, staff, slots)
    cid, clash = second["id"], second["proposedTimeSlots"][0]["id"]
    answer(client, cid, MENTOR_IDS[:3], {clash: "available"})
    decision = client.get(f"/api/v1/councils/{cid}/decision", headers=staff).json()
    row = next(r for r in decision["explanation"]["table"] if r["slotId"] == clash)
    assert row["busy"] == MENTOR_IDS[:3] and not row["feasible"]
    changes = _changes(live_server)
    r = _confirm(client, staff, cid, {"slotId": clash, "attendingMentorIds": MENTOR_IDS[:3]})
    assert r.status_code == 409, r.text
    assert f"mentor 10 is already confirmed for council {first['id']}" in r.json()["detail"]
    override = {
        "reason": "try anyway",
        "coordinationStatus": "confirmed",
        "slotId": clash,
        "attendingMentorIds": MENTOR_IDS[:3],
    }
    r = client.post(
        f"/api/v1/councils/{cid}/override",
        json=override,
        headers={**admin, "If-Match": etag(client, admin, cid)},
    )
    assert r.status_code == 409 and f"council {first['id']}" in r.json()["detail"], r.text
    assert _changes(live_server) == changes and _audit(live_server, cid) == []
    # Every slot of a third council overlaps the confirmed session: 10–12 can take none.
    t0 = datetime.fromisoformat(slot["start"])
    overlapping = [{"start": (t0 + timedelta(minutes=m)).isoformat()} for m in (-30, 0, 30)]
    third = create_council(client, staff, overlapping, topic=first["topic"])
    tid = third["id"]
    r = client.post(
        f"/api/v1/councils/{tid}/mentors",
        json={"mentorId": MENTOR_IDS[0]},
        headers={**staff, "If-Match": etag(client, staff, tid)},
    )
    assert r.status_code == 409 and "every proposed slot" in r.json()["detail"], r.text
    r = client.post(
        f"/api/v1/councils/{tid}/mentors/auto-assign",
        headers={**staff, "If-Match": etag(client, staff, tid)},
    )
    assert r.status_code == 200, r.text
    assert not set(MENTOR_IDS[:3]) & {m["mentorId"] for m in r.json()["mentors"]}


def test_who_may_read_the_decision(client: Any, login: Any, make_slots: Any) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    url = f"/api/v1/councils/{council['id']}/decision"
    assert client.get(url, headers=staff).status_code == 200
    assert client.get(url, headers=login(client, mentor_email(MENTOR_IDS[0]))).status_code == 200
    assert client.get(url, headers=login(client, mentor_email(30))).status_code == 404
    assert client.get(url, headers=login(client, MENTEE)).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/councils/987654/decision", headers=staff).status_code == 404
