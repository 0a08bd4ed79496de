"""Answers stop at the council's current response deadline, on the form and the one-click
links alike, and a deactivated mentor's link records nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from p2_helpers import COORD, MENTOR_IDS, etag, invited_council, links_for, mentor_email
from sqlalchemy import func, select

from mentra_desktop.models import (
    ChangeEvent,
    CouncilMentor,
    CouncilSession,
    CouncilSlotAnswer,
    User,
    utcnow,
)
from mentra_platform.core.tables import OneClickToken


def _answers(live_server: Any) -> tuple[Any, ...]:
    with live_server.session() as s:
        return (
            s.scalar(select(func.count(CouncilSlotAnswer.id))),
            s.scalar(select(func.max(CouncilMentor.response_date))),
            s.scalar(
                select(func.count(OneClickToken.nonce)).where(OneClickToken.used_at.is_not(None))
            ),
            s.scalar(select(func.count(ChangeEvent.seq))),
        )


def _move_deadline(client: httpx.Client, staff: dict[str, str], cid: int, minutes: int) -> str:
    """PATCH the deadline to now + ``minutes`` (negative: already passed); its ISO text."""
    deadline = (utcnow() + timedelta(minutes=minutes)).replace(microsecond=0)
    r = client.patch(
        f"/api/v1/councils/{cid}",
        json={"mentorResponseDeadline": deadline.isoformat()},
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert r.status_code == 200, r.text
    return deadline.isoformat().replace("+00:00", "Z")


def test_answers_after_the_deadline_are_refused_with_its_time(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid = council["id"]
    deadline = _move_deadline(client, staff, cid, -1)
    before = _answers(live_server)
    me = login(client, mentor_email(MENTOR_IDS[0]))
    body = {"slots": [{"slotId": council["proposedTimeSlots"][0]["id"], "answer": "available"}]}
    r = client.put(f"/api/v1/councils/{cid}/responses/me", json=body, headers=me)
    assert r.status_code == 409, r.text
    assert "deadline" in r.json()["detail"] and deadline in r.json()["detail"], r.text
    assert _answers(live_server) == before


def test_one_click_links_stop_at_the_current_deadline(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    cid = invited_council(client, staff, make_slots())["id"]
    links = links_for(live_server, cid, MENTOR_IDS[0])
    assert client.get(links[0]).status_code == 200  # the link itself lives for 72 h
    _move_deadline(client, staff, cid, -1)  # moved earlier, to just now
    before = _answers(live_server)
    page = client.get(links[0])
    assert page.status_code == 410, page.text
    assert "deadline" in page.text and 'method="post"' not in page.text
    done = client.post(links[0])
    assert done.status_code == 410, done.text
    assert "deadline" in done.text and "not recorded" in done.text
    assert _answers(live_server) == before


def test_a_deactivated_mentors_link_records_nothing(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    cid = invited_council(client, staff, make_slots())["id"]
    links = links_for(live_server, cid, MENTOR_IDS[0])
    with live_server.session() as s:
        user = s.get(User, MENTOR_IDS[0])
        assert user is not None
        user.is_active = False
        s.commit()
    before = _answers(live_server)
    page = client.get(links[0])
    assert page.status_code == 403, page.text
    assert "deactivated" in page.text and 'method="post"' not in page.text
    done = client.post(links[0])
    assert done.status_code == 403, done.text
    assert "deactivated" in done.text and "not recorded" in done.text
    assert _answers(live_server) == before
    with live_server.session() as s:
        council = s.get(CouncilSession, cid)
        assert council is not None
        assert all(cm.response_date is None for cm in council.mentors)
