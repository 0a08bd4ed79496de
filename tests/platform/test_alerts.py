"""The alerts feed over HTTP: staff list and acknowledge, mentors are refused, a raised key
is raised once, and alerts are on the change log (``/events``) for staff only."""

from __future__ import annotations

from typing import Any

from p2_helpers import COORD, mentor_email
from sqlalchemy import select

from mentra_desktop.models import ChangeEvent, utcnow
from mentra_platform.alerts.service import raise_alert
from mentra_platform.core.tables import AlertKind


def test_list_filter_acknowledge_and_change_log(client: Any, login: Any, live_server: Any) -> None:
    now = utcnow()
    with live_server.session() as s:
        first = raise_alert(
            s,
            AlertKind.NO_FEASIBLE_SLOT,
            council_id=1,
            message="nothing fits",
            now=now,
            dedupe_key="k1",
        )
        again = raise_alert(
            s,
            AlertKind.NO_FEASIBLE_SLOT,
            council_id=1,
            message="nothing fits",
            now=now,
            dedupe_key="k1",
        )
        other = raise_alert(
            s,
            AlertKind.UNDELIVERABLE_NOTIFICATION,
            council_id=None,
            message="bounced",
            now=now,
            details={"notificationId": 7},
        )
        s.commit()
        assert first is not None and again is None and other is not None
        first_id, other_id = first.id, other.id
    staff = login(client, COORD)
    r = client.get("/api/v1/alerts", headers=staff)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [a["id"] for a in items] == [first_id, other_id]
    assert items[1]["details"] == {"notificationId": 7} and items[0]["councilId"] == 1
    r = client.get("/api/v1/alerts", params={"councilId": 1}, headers=staff)
    assert [a["id"] for a in r.json()["items"]] == [first_id]
    r = client.post(f"/api/v1/alerts/{first_id}/acknowledge", headers=staff)
    assert r.status_code == 200 and r.json()["acknowledgedAt"] is not None
    r = client.get("/api/v1/alerts", params={"unacknowledged": "true"}, headers=staff)
    assert [a["id"] for a in r.json()["items"]] == [other_id]
    assert client.post("/api/v1/alerts/999999/acknowledge", headers=staff).status_code == 404
    mentor = login(client, mentor_email(10))
    assert client.get("/api/v1/alerts", headers=mentor).status_code == 403
    with live_server.session() as s:
        kinds = s.execute(
            select(ChangeEvent.kind, ChangeEvent.council_id, ChangeEvent.entity_id).where(
                ChangeEvent.entity_type == "alert"
            )
        ).all()
    # No council id on the log: only staff see alert events, and no council's ETag moves.
    assert sorted(kinds) == sorted(
        [
            ("alert.raised", None, first_id),
            ("alert.raised", None, other_id),
            ("alert.acknowledged", None, first_id),
        ]
    )
