"""Which phase changes PATCH may make: the confirm, cancel, invitations and override
endpoints own their transitions, so PATCH cannot route around them."""

from __future__ import annotations

from typing import Any

from p2_helpers import ADMIN, COORD, MENTOR_IDS, answer, create_council, etag, invited_council
from sqlalchemy import func, select

from mentra_desktop.models import (
    AuditLog,
    ChangeEvent,
    CoordinationStatus,
    CouncilSession,
    Notification,
)
from mentra_platform.core.tables import OneClickToken


def _state(live_server: Any, council_id: int) -> tuple[Any, ...]:
    with live_server.session() as s:
        council = s.get(CouncilSession, council_id)
        assert council is not None
        return (
            council.coordination_status,
            council.final_time_confirmed,
            council.version,
            s.scalar(select(func.count(ChangeEvent.seq))),
            s.scalar(select(func.count(AuditLog.id))),
            s.scalar(select(func.count(OneClickToken.nonce))),
            s.scalar(select(func.count(Notification.id))),
        )


def _patch_status(client: Any, headers: dict[str, str], council_id: int, status: str) -> Any:
    return client.patch(
        f"/api/v1/councils/{council_id}",
        json={"coordinationStatus": status},
        headers={**headers, "If-Match": etag(client, headers, council_id)},
    )


def test_a_confirmed_council_changes_phase_only_by_admin_override(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    answer(client, cid, MENTOR_IDS[:3], {council["proposedTimeSlots"][0]["id"]: "available"})
    r = client.post(
        f"/api/v1/councils/{cid}/confirm",
        json={
            "slotId": council["proposedTimeSlots"][0]["id"],
            "attendingMentorIds": MENTOR_IDS[:3],
        },
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert r.status_code == 200, r.text
    before = _state(live_server, cid)
    for who in (COORD, ADMIN):
        for status in ("collecting", "selecting", "rescheduling", "draft"):
            r = _patch_status(client, login(client, who), cid, status)
            assert r.status_code == 409, (who, status, r.text)
    assert _state(live_server, cid) == before
    assert before[:2] == (CoordinationStatus.CONFIRMED, True)


def test_patch_cannot_reopen_a_draft_to_invite_twice(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    before = _state(live_server, cid)
    r = _patch_status(client, staff, cid, "draft")
    assert r.status_code == 409, r.text
    assert _state(live_server, cid) == before
    again = client.post(
        f"/api/v1/councils/{cid}/invitations",
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert again.status_code == 409, again.text
    assert _state(live_server, cid) == before
    # Forward through the collecting-side phases stays allowed.
    for status in ("selecting", "needs_alternatives", "rescheduling", "collecting"):
        r = _patch_status(client, staff, cid, status)
        assert r.status_code == 200, (status, r.text)


def test_a_draft_leaves_draft_only_by_sending_invitations(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    cid = create_council(client, staff, make_slots())["id"]
    before = _state(live_server, cid)
    for status in ("collecting", "selecting", "needs_alternatives", "rescheduling"):
        r = _patch_status(client, staff, cid, status)
        assert r.status_code == 409, (status, r.text)
    assert _state(live_server, cid) == before
    assert _patch_status(client, staff, cid, "draft").status_code == 200


def test_phases_do_not_go_back(client: Any, login: Any, make_slots: Any, live_server: Any) -> None:
    """The README: needs_alternatives does not return to collecting (it goes through
    rescheduling), and selecting does not reopen the collection."""
    staff = login(client, COORD)
    cid = invited_council(client, staff, make_slots())["id"]
    assert _patch_status(client, staff, cid, "selecting").status_code == 200
    before = _state(live_server, cid)
    r = _patch_status(client, staff, cid, "collecting")
    assert r.status_code == 409, r.text
    assert "selecting" in r.json()["detail"] and "collecting" in r.json()["detail"]
    assert _state(live_server, cid) == before
    assert _patch_status(client, staff, cid, "needs_alternatives").status_code == 200
    before = _state(live_server, cid)
    for status in ("collecting", "selecting"):
        r = _patch_status(client, staff, cid, status)
        assert r.status_code == 409, (status, r.text)
        detail = r.json()["detail"]
        assert "needs_alternatives" in detail and status in detail, detail
    assert _state(live_server, cid) == before
    assert _patch_status(client, staff, cid, "rescheduling").status_code == 200
    assert _patch_status(client, staff, cid, "needs_alternatives").status_code == 409
