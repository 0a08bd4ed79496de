"""Registrations over HTTP: plan gating, duplicates, idempotency, who sees what."""

from __future__ import annotations

from typing import Any

from p2_helpers import COORD, MENTEE, STARTER, create_council
from sqlalchemy import func, select

from mentra_desktop.models import Registration


def _count(live_server: Any) -> int:
    with live_server.session() as s:
        return int(s.scalar(select(func.count(Registration.id))) or 0)


def test_register_gated_duplicate_and_listed(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = create_council(client, staff, make_slots())
    url = f"/api/v1/councils/{council['id']}/registrations"
    body = {"goals": "Hire my first two sales reps", "questions": "Commission plans?"}
    before = _count(live_server)
    assert client.post(url, json=body, headers=login(client, STARTER)).status_code == 403
    assert client.post(url, json={"goals": "   "}, headers=login(client, MENTEE)).status_code == 422
    assert _count(live_server) == before
    mentee = {**login(client, MENTEE), "Idempotency-Key": "reg-1"}
    first = client.post(url, json=body, headers=mentee)
    assert first.status_code == 201, first.text
    assert first.json()["goals"] == body["goals"]
    replay = client.post(url, json=body, headers=mentee)
    assert replay.status_code == 201 and replay.json() == first.json()
    dup = client.post(
        url, json=body, headers={k: v for k, v in mentee.items() if k != "Idempotency-Key"}
    )
    assert dup.status_code == 409
    assert _count(live_server) == before + 1
    mine = client.get(url, headers=mentee).json()["items"]
    assert [r["userId"] for r in mine] == [9]
    assert len(client.get(url, headers=staff).json()["items"]) == 1
    assert client.get(url, headers=login(client, STARTER)).status_code == 403
    assert client.post(url, json=body, headers=staff).status_code == 403
    assert (
        client.post(
            "/api/v1/councils/99999999/registrations", json=body, headers=login(client, MENTEE)
        ).status_code
        == 404
    )


def test_a_mentee_registers_only_for_their_own_council(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = create_council(client, staff, make_slots())  # booked for user 9
    url = f"/api/v1/councils/{council['id']}/registrations"
    before = _count(live_server)
    other = login(client, "amara.okafor@example.com")  # user 6, also on the Council plan
    r = client.post(url, json={"goals": "See what they discuss"}, headers=other)
    assert r.status_code == 404
    assert client.get(url, headers=other).status_code == 404
    assert client.get(f"/api/v1/councils/{council['id']}", headers=other).status_code == 404
    assert _count(live_server) == before
