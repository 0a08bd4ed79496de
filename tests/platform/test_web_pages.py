"""The web pages' writes over HTTP on SQLite and PostgreSQL: a mentor's form (partial
range, alternative, note) through the response service, and a mentee's registration
created, changed, and refused once the council is confirmed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
from p2_helpers import COORD, MENTEE, MENTOR_IDS, answer, etag, invited_council
from sqlalchemy import select

from mentra_desktop.models import CouncilSession, utcnow

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
RESPOND = re.compile(r"/respond/[A-Za-z0-9._~-]+")


def _bearer(client: httpx.Client, email: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": "password123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['accessToken']}"}


def _csrf(response: httpx.Response) -> str:
    found = CSRF.search(response.text)
    assert found is not None, response.text
    return found.group(1)


def test_mentor_form_and_mentee_registration(
    live_server: Any, client: httpx.Client, make_slots: Any
) -> None:
    staff = _bearer(client, COORD)
    council = invited_council(client, staff, make_slots(days=6, hour=14))
    cid, slot = council["id"], council["proposedTimeSlots"][0]
    mentor = _bearer(client, "mentor1@example.com")
    mail = client.get(f"/api/v1/councils/{cid}/notifications", headers=mentor).json()
    found = RESPOND.search(mail[0]["body"])
    assert found is not None
    link = found.group(0)
    with httpx.Client(base_url=live_server.url) as browser:
        token = _csrf(browser.get(link))
        day = (utcnow() + timedelta(days=12)).date().isoformat()
        form = {
            "csrf": token,
            f"slot-{slot['id']}-answer": "available",
            # mentor1 is in America/Los_Angeles: 14:00 UTC is 06:00 there in winter.
            f"slot-{slot['id']}-from-0": "06:15",
            f"slot-{slot['id']}-to-0": "06:45",
            "alt-0-date": day,
            "alt-0-from": "10:00",
            "alt-0-to": "11:00",
            "note": "<b>only mornings</b>",
        }
        r = browser.post(link, data=form)
        assert r.status_code == 303, r.text
        page = browser.get(r.headers["location"])
        assert "your answers are recorded" in page.text
        assert "&lt;b&gt;only mornings&lt;/b&gt;" in page.text and "<b>only" not in page.text
        # "Not available" with the old part of the slot still typed: the part is moot.
        again = browser.post(link, data={**form, f"slot-{slot['id']}-answer": "unavailable"})
        assert again.status_code == 303, again.text
        moot = client.get(f"/api/v1/councils/{cid}/responses/me", headers=mentor).json()
        assert moot["slotAnswers"][0]["answer"] == "unavailable"
        assert moot["slotAnswers"][0]["partialRanges"] == []
        browser.post(link, data=form)
    mine = client.get(f"/api/v1/councils/{cid}/responses/me", headers=mentor).json()
    start = datetime.fromisoformat(slot["start"])
    ranges = mine["slotAnswers"][0]["partialRanges"]
    assert [[datetime.fromisoformat(x) for x in r] for r in ranges] == [
        [start + timedelta(minutes=15), start + timedelta(minutes=45)]
    ]
    assert (
        len(mine["alternativeProposals"]) == 1 and mine["conflictNotes"] == "<b>only mornings</b>"
    )

    with httpx.Client(base_url=live_server.url) as browser:
        signin = browser.get("/signin")
        r = browser.post(
            "/signin", data={"email": MENTEE, "password": "password123", "csrf": _csrf(signin)}
        )
        assert r.status_code == 303
        token = _csrf(browser.get("/council"))
        url = f"/council/{cid}/registration"
        assert browser.post(url, data={"csrf": token, "goals": "First"}).status_code == 303
        assert browser.post(url, data={"csrf": token, "goals": "Second"}).status_code == 303
        regs = client.get(f"/api/v1/councils/{cid}/registrations", headers=_bearer(client, MENTEE))
        assert [i["goals"] for i in regs.json()["items"]] == ["Second"]
        answer(client, cid, MENTOR_IDS[:3], {slot["id"]: "available"})
        r = client.post(
            f"/api/v1/councils/{cid}/confirm",
            json={"slotId": slot["id"], "attendingMentorIds": MENTOR_IDS[:3]},
            headers={**staff, "If-Match": etag(client, staff, cid)},
        )
        assert r.status_code == 200, r.text
        late = browser.post(url, data={"csrf": token, "goals": "Third"})
        assert late.status_code == 409 and "can no longer be changed" in late.text
        regs = client.get(f"/api/v1/councils/{cid}/registrations", headers=_bearer(client, MENTEE))
        assert [i["goals"] for i in regs.json()["items"]] == ["Second"]
        with live_server.session() as s:
            foreign = s.scalar(select(CouncilSession.id).where(CouncilSession.mentee_id != 9))
        assert foreign is not None
        other = browser.post(f"/council/{foreign}/registration", data={"csrf": token, "goals": "x"})
        assert other.status_code == 404  # another mentee's council is not there for them
