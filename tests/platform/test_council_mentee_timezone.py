"""The council document's ``menteeTimezone``: the mentee's own zone (``users.timezone``),
null while they have not set one; read alike by staff, the council's mentors (who meet the
mentee) and the mentee, alone and in the list; declared in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from mentra_desktop.models import CouncilMentor, CouncilSession, User
from mentra_desktop.models.wire.councils import CouncilOut

MENTEE = "council@example.com"


def _docs(client: httpx.Client, headers: dict[str, str], council_id: int) -> list[Any]:
    one = client.get(f"/api/v1/councils/{council_id}", headers=headers)
    page = client.get("/api/v1/councils", params={"since": 0, "limit": 1000}, headers=headers)
    assert one.status_code == 200 and page.status_code == 200, (one.text, page.text)
    return [one.json(), next(c for c in page.json()["items"] if c["id"] == council_id)]


def test_every_reader_of_the_council_sees_the_mentees_zone(
    client: httpx.Client, login: Any, live_server: Any
) -> None:
    with live_server.session() as s:
        mentee = s.scalar(select(User).where(User.email == MENTEE))
        assert mentee is not None
        council_id = s.scalar(
            select(CouncilSession.id)
            .join(CouncilMentor, CouncilMentor.council_id == CouncilSession.id)
            .where(CouncilSession.mentee_id == mentee.id)
            .order_by(CouncilSession.id)
        )
        assert council_id is not None
        mentor = s.scalar(
            select(User.email)
            .join(CouncilMentor, CouncilMentor.mentor_id == User.id)
            .where(CouncilMentor.council_id == council_id)
        )
        assert mentor is not None
    readers = ["coordinator@example.com", mentor, MENTEE]
    headers = {email: login(client, email) for email in readers}
    for email in readers:  # the demo mentee never set a zone: null, not a guess
        assert all(d["menteeTimezone"] is None for d in _docs(client, headers[email], council_id))

    before = _docs(client, headers["coordinator@example.com"], council_id)[0]
    # The mentee sets their zone (the delivery settings): their councils change with it.
    saved = client.patch(
        "/api/v1/me/notification-settings",
        json={"timezone": "America/Chicago"},
        headers=headers[MENTEE],
    )
    assert saved.status_code == 200, saved.text
    for email in readers:
        for doc in _docs(client, headers[email], council_id):
            assert CouncilOut.model_validate(doc).mentee_timezone == "America/Chicago", email
            assert doc["changeSeq"] > before["changeSeq"]

    schema = client.get("/openapi.json").json()["components"]["schemas"]["CouncilOut"]
    assert schema["properties"]["menteeTimezone"]["anyOf"] == [
        {"type": "string"},
        {"type": "null"},
    ]
