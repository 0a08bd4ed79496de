"""Every write that needs ``If-Match`` says so in the served OpenAPI schema.

The test asks the server, not the code: each write operation is called without the header
(with a valid body, as an admin) and whichever answers 428 must list the ``If-Match`` header
with its description and the 412/428 responses; whichever does not must not list it. A new
write operation fails the test until it is added to :data:`BODIES`.
"""

from __future__ import annotations

from typing import Any

import httpx
from p2_helpers import ADMIN, MENTOR_IDS, invited_council

SKIP = {
    ("post", "/api/v1/auth/login"),
    ("post", "/r/{token}"),
    ("post", "/api/v1/me/notifications/{notification_id}/read"),
    ("patch", "/api/v1/me/notification-settings"),
    ("post", "/api/v1/alerts/{alert_id}/acknowledge"),
    ("post", "/api/v1/mentors/{mentor_id}/calendars"),
    ("delete", "/api/v1/mentors/{mentor_id}/calendars/{calendar_id}"),
    ("post", "/api/v1/mentors/{mentor_id}/calendars/refresh"),
}
"""Writes with no council behind them (calendar connections belong to a mentor)."""

BODIES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/councils"): "create",
    ("patch", "/api/v1/councils/{council_id}"): {"topic": "Renamed"},
    ("post", "/api/v1/councils/{council_id}/cancel"): {"reason": "probe"},
    ("post", "/api/v1/councils/{council_id}/invitations"): None,
    ("post", "/api/v1/councils/{council_id}/confirm"): "confirm",
    ("post", "/api/v1/councils/{council_id}/override"): {"reason": "r", "slotId": None},
    ("post", "/api/v1/councils/{council_id}/mentors/auto-assign"): None,
    ("post", "/api/v1/councils/{council_id}/mentors"): {"mentorId": MENTOR_IDS[3]},
    ("delete", "/api/v1/councils/{council_id}/mentors/{mentor_id}"): None,
    ("post", "/api/v1/councils/{council_id}/mentors/{mentor_id}/swap"): {
        "replacementId": MENTOR_IDS[3]
    },
    ("post", "/api/v1/councils/{council_id}/mentors/{mentor_id}/lead"): None,
    ("post", "/api/v1/councils/{council_id}/notifications"): {"kind": "custom", "message": "m"},
    ("post", "/api/v1/councils/{council_id}/registrations"): {"goals": "g"},
    ("put", "/api/v1/councils/{council_id}/responses/me"): {"conflictNotes": "n"},
    ("put", "/api/v1/councils/{council_id}/responses/{mentor_id}"): {"conflictNotes": "n"},
    ("post", "/api/v1/councils/{council_id}/responses/me/withdraw"): {"reason": "probe"},
}


def test_every_if_match_requirement_is_in_the_schema(
    client: httpx.Client, login: Any, make_slots: Any
) -> None:
    staff = login(client, ADMIN)
    council = invited_council(client, staff, make_slots())
    spec = client.get("/openapi.json").json()
    writes = {
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
    } - SKIP
    assert writes == set(BODIES), writes ^ set(BODIES)
    requiring = set()
    for (method, path), body in sorted(BODIES.items()):
        if body == "create":
            body = {"topic": "t", "menteeId": 9, "proposedTimeSlots": make_slots()}
        elif body == "confirm":
            body = {
                "slotId": council["proposedTimeSlots"][0]["id"],
                "attendingMentorIds": MENTOR_IDS[:3],
            }
        url = path.format(council_id=council["id"], mentor_id=MENTOR_IDS[0])
        r = client.request(method, url, json=body, headers=staff)
        assert r.status_code != 422, (method, path, r.text)
        op = spec["paths"][path][method]
        headers = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "header"}
        if r.status_code == 428:
            requiring.add((method, path))
            assert "If-Match" in headers, (method, path)
            text = headers["If-Match"].get("description", "")
            assert "ETag" in text and "412" in text and "428" in text, (method, path, text)
            assert {"412", "428"} <= set(op["responses"]), (method, path)
        else:
            assert "If-Match" not in headers, (method, path, r.status_code)
    assert len(requiring) == 10, sorted(requiring)
