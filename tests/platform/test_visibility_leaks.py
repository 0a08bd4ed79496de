"""Nobody learns more than they may read: a council you cannot see answers exactly like one
that does not exist, and a mentee's search matches only what the mentee can read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from p2_helpers import COORD, MENTEE, MENTOR_IDS, invited_council, mentor_email
from sqlalchemy import select

from mentra_desktop.models import CouncilMentor, CouncilSession

MISSING = 99_999_999


def _hidden_council(live_server: Any, mentor_id: int) -> int:
    """A seeded council ``mentor_id`` is not on and mentee 9 does not own."""
    with live_server.session() as s:
        on = select(CouncilMentor.council_id).where(CouncilMentor.mentor_id == mentor_id)
        cid = s.scalar(
            select(CouncilSession.id)
            .where(CouncilSession.id.not_in(on), CouncilSession.mentee_id != 9)
            .order_by(CouncilSession.id)
        )
    assert cid is not None
    return int(cid)


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.json()) == (b.status_code, b.json()), (a.text, b.text)
    assert a.status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "roles"),
    [
        ("GET", "notifications", ("mentor", "mentee")),
        ("GET", "registrations", ("mentor", "mentee")),
        ("GET", "responses/me", ("mentor",)),
        ("PUT", "responses/me", ("mentor",)),
    ],
)
def test_unseen_councils_answer_like_missing_ones(
    client: httpx.Client,
    login: Any,
    live_server: Any,
    method: str,
    suffix: str,
    roles: tuple[str, ...],
) -> None:
    mentor_id = MENTOR_IDS[0]
    hidden = _hidden_council(live_server, mentor_id)
    users = {"mentor": login(client, mentor_email(mentor_id)), "mentee": login(client, MENTEE)}
    body = {"conflictNotes": "probing"} if method == "PUT" else None
    for role in roles:
        _same(
            *(
                client.request(
                    method, f"/api/v1/councils/{cid}/{suffix}", json=body, headers=users[role]
                )
                for cid in (hidden, MISSING)
            )
        )


def test_a_mentor_off_the_council_gets_404_from_the_response_form(
    client: httpx.Client, login: Any, make_slots: Any
) -> None:
    council = invited_council(client, login(client, COORD), make_slots())
    outsider = login(client, mentor_email(MENTOR_IDS[3]))
    url = f"/api/v1/councils/{council['id']}/responses/me"
    assert client.get(url, headers=outsider).status_code == 404
    body = {"slots": [{"slotId": council["proposedTimeSlots"][0]["id"], "answer": "available"}]}
    assert client.put(url, json=body, headers=outsider).status_code == 404


def test_a_mentee_cannot_search_the_coordinators_notes(
    client: httpx.Client, login: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    mentee = login(client, MENTEE)
    mine = client.get("/api/v1/councils", params={"limit": 1000}, headers=mentee).json()["items"]
    council = mine[0]
    url = f"/api/v1/councils/{council['id']}"
    secret = "zq-Mentee-struggles-with-cofounder-conflict"
    tag = client.get(url, headers=staff).headers["ETag"]
    r = client.patch(url, json={"coordinatorNotes": secret}, headers={**staff, "If-Match": tag})
    assert r.status_code == 200, r.text

    def hits(headers: dict[str, str], q: str) -> int:
        page = client.get("/api/v1/councils", params={"q": q}, headers=headers)
        assert page.status_code == 200, page.text
        return int(page.json()["total"])

    assert hits(staff, secret) == 1  # staff may search the notes
    # The oracle: guess the next letter and watch the count. Every guess must look alike.
    for prefix in ("zq-", "zq-M", "zq-Mentee-struggles"):
        assert hits(mentee, prefix) == 0, prefix
    assert hits(mentee, council["topic"]) >= 1  # what the mentee can read still matches
    with live_server.session() as s:
        emails = [
            cm.mentor.email
            for cm in s.scalars(
                select(CouncilMentor).where(CouncilMentor.council_id == council["id"])
            )
        ]
    if emails:
        assert hits(mentee, emails[0]) == 0
