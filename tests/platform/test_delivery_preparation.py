"""Preparation materials: the mentee's goals and questions reach the mentors, the mentors'
names, roles and expertise reach the mentee, with the confirmation and once more a day
before the session (exactly once, also with two passes at the same moment)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from delivery_helpers import smtp_server, text_part, with_smtp
from p2_helpers import COORD, MENTEE, MENTOR_IDS, answer, etag, invited_council, mentor_email

from mentra_desktop.models import utcnow
from mentra_platform.notifications.delivery import deliver_pending


def test_preparation_with_confirmation_and_the_day_before(
    live_server: Any,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
) -> None:
    coord = login(client, COORD)
    council = invited_council(client, coord, make_slots())
    cid, slot = council["id"], council["proposedTimeSlots"][0]
    mentee = login(client, MENTEE)
    r = client.post(
        f"/api/v1/councils/{cid}/registrations",
        json={"goals": "Hire my first two sellers", "questions": "Commission or salary?"},
        headers=mentee,
    )
    assert r.status_code == 201, r.text
    answer(client, cid, MENTOR_IDS[:3], {slot["id"]: "available"})
    r = client.post(
        f"/api/v1/councils/{cid}/confirm",
        json={"slotId": slot["id"], "attendingMentorIds": MENTOR_IDS[:3]},
        headers={**coord, "If-Match": etag(client, coord, cid)},
    )
    assert r.status_code == 200, r.text
    start = datetime.fromisoformat(slot["start"])
    with smtp_server() as (inbox, port):
        settings = with_smtp(live_server.settings, port)
        factory = live_server.sessionmaker
        deliver_pending(factory, settings, utcnow(), limit=10_000)

        def ours(address: str, subject: str) -> list[str]:
            return [
                text_part(m)
                for m in inbox.to(address)
                if m["Subject"].startswith(subject) and council["topic"] in m["Subject"]
            ]

        (mentor_text,) = ours(mentor_email(MENTOR_IDS[0]), "Council confirmed")
        assert "Hire my first two sellers" in mentor_text
        assert "Commission or salary?" in mentor_text
        (mentee_text,) = ours("council@example.com", "Council confirmed")
        assert "Preparation: your mentors" in mentee_text
        assert mentee_text.count("mentor)") == 3  # three attending ("(lead mentor)" for a lead)
        assert "Expertise:" in mentee_text
        # Not yet a day before: nothing; then a day before, twice at the same moment: once.
        deliver_pending(factory, settings, start - timedelta(hours=25), limit=10_000)
        assert not ours(mentor_email(MENTOR_IDS[0]), "Tomorrow")
        day_before = start - timedelta(hours=23)
        deliver_pending(factory, settings, day_before, limit=10_000)
        deliver_pending(factory, settings, day_before, limit=10_000)
        for address in [*map(mentor_email, MENTOR_IDS[:3]), "council@example.com"]:
            (text,) = ours(address, "Tomorrow")
            assert "Preparation:" in text and "UTC" in text
        (text,) = ours(mentor_email(MENTOR_IDS[1]), "Tomorrow")
        assert "Hire my first two sellers" in text
