"""Confirm and override over HTTP: validation, roles, If-Match and the audit trail."""

from __future__ import annotations

from typing import Any

from p2_helpers import ADMIN, COORD, MENTOR_IDS, etag, invited_council
from sqlalchemy import func, select

from mentra_desktop.models import (
    AuditLog,
    ChangeEvent,
    CouncilSession,
    MentorProfile,
    Notification,
)


def _audit(live_server: Any, council_id: int) -> list[AuditLog]:
    with live_server.session() as s:
        rows = list(s.scalars(select(AuditLog).where(AuditLog.council_id == council_id)))
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
    url = f"/api/v1/councils/{cid}/confirm"
    tag = etag(client, staff, cid)
    headers = {**staff, "If-Match": tag}
    good = {"slotId": slot_id, "attendingMentorIds": MENTOR_IDS[:3], "note": "all three free"}
    changes = _changes(live_server)
    bad_bodies = [
        ({**good, "attendingMentorIds": MENTOR_IDS[:2]}, "attendingMentorIds"),
        ({**good, "attendingMentorIds": [*MENTOR_IDS[:2], 40]}, "attendingMentorIds"),
        ({**good, "slotId": 987654}, "slotId"),
    ]
    for body, field in bad_bodies:
        r = client.post(url, json=body, headers=headers)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == field
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
    url = f"/api/v1/councils/{cid}/override"
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
