"""PostgreSQL: council writes take their locks in one order, so a mentor answering while a
coordinator confirms is serialised, never a deadlock (a 500) or an answer slipped in
after the confirmation.

The race is made deterministic by holding the change-log advisory lock from the test:
the answer queues on it first, the confirmation queues behind the answer, then the
lock is released and both requests finish.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest
from p2_helpers import COORD, MENTOR_IDS, etag, invited_council, links_for, mentor_email

from mentra_platform.core.changes import _PG_CHANGE_LOCK

pytestmark = pytest.mark.postgres


def _waiting(conn: psycopg.Connection[Any], blocker: int) -> list[str]:
    """Wait events of the other backends on this database that wait for a lock."""
    rows = conn.execute(
        "SELECT wait_event FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> %s",
        (blocker,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _until(check: Any, what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.mark.parametrize("via", ["form", "one-click"])
def test_answer_racing_a_confirmation_is_serialised(
    client: Any, login: Any, make_slots: Any, live_server: Any, via: str
) -> None:
    if live_server.dialect != "postgresql":
        pytest.skip("row locks and the advisory lock are PostgreSQL's")
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    cid, slot_id = council["id"], council["proposedTimeSlots"][0]["id"]
    mentor = MENTOR_IDS[0]
    mentor_headers = login(client, mentor_email(mentor))
    link = links_for(live_server, cid, mentor)[0]  # slot 1, "I can make it"
    confirm_headers = {**staff, "If-Match": etag(client, staff, cid)}
    dsn = live_server.settings.database_url.replace("postgresql+psycopg://", "postgresql://")

    def answer() -> int:
        with httpx.Client(base_url=live_server.url, timeout=30) as c:
            if via == "form":
                body = {"slots": [{"slotId": slot_id, "answer": "available"}]}
                url = f"/api/v1/councils/{cid}/responses/me"
                return c.put(url, json=body, headers=mentor_headers).status_code
            return c.post(link).status_code

    def confirm() -> int:
        with httpx.Client(base_url=live_server.url, timeout=30) as c:
            body = {"slotId": slot_id, "attendingMentorIds": MENTOR_IDS[:3]}
            url = f"/api/v1/councils/{cid}/confirm"
            return c.post(url, json=body, headers=confirm_headers).status_code

    with (
        psycopg.connect(dsn) as blocker,
        psycopg.connect(dsn, autocommit=True) as watcher,
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        blocker.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_CHANGE_LOCK,))
        pid = blocker.info.backend_pid
        answered = pool.submit(answer)
        _until(lambda: "advisory" in _waiting(watcher, pid), "the answer to queue")
        confirmed = pool.submit(confirm)
        _until(lambda: len(_waiting(watcher, pid)) >= 2, "the confirmation to queue")
        blocker.commit()
        codes = (answered.result(timeout=30), confirmed.result(timeout=30))
    # The answer came first; the confirmation was made against the version before it.
    assert codes == (200, 412)
    r = client.get(f"/api/v1/councils/{cid}", headers=staff)
    assert r.json()["coordinationStatus"] == "collecting"
    seat = next(m for m in r.json()["mentors"] if m["mentorId"] == mentor)
    assert seat["availabilityResponse"] == "available"
