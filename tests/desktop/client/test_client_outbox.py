"""The outbox against a real platform: optimistic writes, order, refusals, conflicts, Undo,
offline queueing and Retry-After."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from client_helpers import signed_in, synced_cache
from local_servers import Flaky, flaky_gateway

from mentra_desktop.client import writes
from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.backoff import Backoff
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.embedded import free_port
from mentra_desktop.client.outbox import Outbox

FAST = Backoff(base=0.01, cap=0.05)
OPEN = ("collecting", "selecting")


def _open_councils(cache: CouncilCache) -> list[dict[str, Any]]:
    """Councils still being scheduled, with mentors and at least one pending answer."""
    return [
        d
        for d in cache.documents()
        if d["coordinationStatus"] in OPEN
        and len(d["mentors"]) >= 3
        and any(m["availabilityResponse"] == "pending" for m in d["mentors"])
    ]


def _server_doc(http: httpx.Client, council_id: int) -> dict[str, Any]:
    return dict(http.get(f"/api/v1/councils/{council_id}").json())


def test_a_write_shows_at_once_and_is_sent(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=FAST)
    council = cache.documents()[5]

    row = outbox.enqueue(writes.edit(council["id"], coordinatorNotes="Call Ada first"))

    assert cache.document(council["id"])["coordinatorNotes"] == "Call Ada first"
    assert cache.server_document(council["id"]) == council
    assert outbox.pending_count() == 1 and cache.local_states() == {council["id"]: "pending"}
    report = outbox.flush()
    assert report.sent == [row] and report.remaining == 0 and outbox.rows() == []
    with live_platform.http() as http:
        server = _server_doc(http, council["id"])
    assert server["coordinatorNotes"] == "Call Ada first"
    assert server["version"] == council["version"] + 1
    assert cache.document(council["id"]) == server
    assert cache.local_states() == {}


def test_writes_on_one_council_chain_their_versions(live_platform: Any, tmp_path: Path) -> None:
    """Each write is based on the version the previous one will produce; none conflicts."""
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=FAST)
    council = _open_councils(cache)[0]
    cid = council["id"]
    lead = next(m["mentorId"] for m in council["mentors"] if not m["isLead"])

    outbox.enqueue(writes.edit(cid, coordinatorNotes="before the nudge"))
    outbox.enqueue(writes.remind(cid))
    outbox.enqueue(writes.set_lead(cid, lead))
    outbox.enqueue(writes.edit(cid, description="after the lead change"))
    shown = cache.document(cid)
    assert shown["leadMentorId"] == lead and shown["description"] == "after the lead change"

    report = outbox.flush()

    assert len(report.sent) == 4 and not report.conflicts and not report.failed
    with live_platform.http() as http:
        server = _server_doc(http, cid)
    assert server["leadMentorId"] == lead
    assert server["coordinatorNotes"] == "before the nudge"
    assert server["description"] == "after the lead change"
    assert cache.document(cid) == server


def test_a_nudge_for_one_mentor_reminds_only_them(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=FAST)
    council = next(
        d
        for d in _open_councils(cache)
        if sum(m["availabilityResponse"] == "pending" for m in d["mentors"]) >= 2
    )
    cid = council["id"]
    counts = {m["mentorId"]: m["reminderCount"] for m in council["mentors"]}
    nudged = next(
        m["mentorId"] for m in council["mentors"] if m["availabilityResponse"] == "pending"
    )
    with live_platform.http() as http:
        url = f"/api/v1/councils/{cid}/notifications"
        before = {n["id"] for n in http.get(url, params={"kind": "reminder"}).json()}

    row = outbox.enqueue(writes.remind(cid, mentor_ids=[nudged]))

    shown = {m["mentorId"]: m["reminderCount"] for m in cache.document(cid)["mentors"]}
    assert shown == {m: c + (m == nudged) for m, c in counts.items()}
    assert outbox.flush().sent == [row]
    with live_platform.http() as http:
        new = [
            n for n in http.get(url, params={"kind": "reminder"}).json() if n["id"] not in before
        ]
        server = _server_doc(http, cid)
    assert [n["recipientId"] for n in new] == [nudged]
    assert {m["mentorId"]: m["reminderCount"] for m in server["mentors"]} == shown


def test_offline_writes_wait_and_flush_in_order_after_a_restart(
    live_platform: Any, tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite3"
    online = signed_in(live_platform.url)
    synced_cache(online, path).close()
    # The app starts without a platform: nothing listens on this port.
    dead = PlatformClient(f"http://127.0.0.1:{free_port()}", online.token, timeout=1)
    cache = CouncilCache(path)
    outbox = Outbox(cache, dead, backoff=FAST)
    a, b, c = (d["id"] for d in _open_councils(cache)[:3])
    lead_b = next(m["mentorId"] for m in cache.document(b)["mentors"] if not m["isLead"])
    version_a = cache.document(a)["version"]

    outbox.enqueue(writes.edit(a, coordinatorNotes="one"))
    outbox.enqueue(writes.set_lead(b, lead_b))
    outbox.enqueue(writes.remind(c))
    outbox.enqueue(writes.edit(a, coordinatorNotes="two"))
    report = outbox.flush_once()

    assert report.offline and report.wait is not None and report.sent == []
    assert outbox.pending_count() == 4
    assert cache.document(a)["coordinatorNotes"] == "two"
    cache.close()
    # Restart: a new process opens the same file, this time with the platform reachable.
    cache = CouncilCache(path)
    outbox = Outbox(cache, online, backoff=FAST)
    assert outbox.pending_count() == 4
    outbox.retry_now()
    report = outbox.flush()

    assert len(report.sent) == 4 and report.remaining == 0
    with live_platform.http() as http:
        docs = {cid: _server_doc(http, cid) for cid in (a, b, c)}
        reminders = http.get(f"/api/v1/councils/{c}/notifications?kind=reminder").json()
    assert docs[a]["coordinatorNotes"] == "two" and docs[a]["version"] == version_a + 2
    assert docs[b]["leadMentorId"] == lead_b
    assert reminders
    # Sent in the order they were made: b's change, then c's, then a's second edit.
    assert docs[b]["changeSeq"] < docs[c]["changeSeq"] < docs[a]["changeSeq"]


def test_a_refusal_rolls_the_optimistic_change_back(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=FAST)
    council = _open_councils(cache)[0]
    slot = council["proposedTimeSlots"][0]["id"]
    strangers = [
        mid for mid in range(10, 50) if mid not in {m["mentorId"] for m in council["mentors"]}
    ]

    row = outbox.enqueue(writes.confirm(council["id"], slot, strangers[:3]))
    assert cache.document(council["id"])["coordinationStatus"] == "confirmed"
    report = outbox.flush()

    assert [f.id for f in report.failed] == [row] and report.sent == []
    failed = outbox.row(row)
    assert failed is not None and failed.state == "failed" and failed.status == 422
    assert failed.errors[0].field == "attendingMentorIds"
    assert "not assigned" in failed.message
    assert cache.document(council["id"]) == council
    assert cache.local_states() == {council["id"]: "failed"}
    assert outbox.dismiss(row) and cache.local_states() == {}
    with live_platform.http() as http:
        assert _server_doc(http, council["id"]) == council


def test_a_stale_write_becomes_a_conflict_with_both_versions(
    live_platform: Any, tmp_path: Path
) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=FAST)
    council = cache.documents()[9]
    cid = council["id"]
    row = outbox.enqueue(writes.edit(cid, coordinatorNotes="mine"))
    with live_platform.http() as other:
        theirs = other.patch(
            f"/api/v1/councils/{cid}",
            json={"coordinatorNotes": "theirs"},
            headers={"If-Match": f'"{council["version"]}"'},
        ).json()

    report = outbox.flush()

    assert [c.id for c in report.conflicts] == [row] and report.remaining == 0
    conflict = outbox.row(row)
    assert conflict is not None and conflict.state == "conflict" and conflict.status == 412
    assert conflict.theirs == theirs
    assert conflict.yours is not None and conflict.yours["coordinatorNotes"] == "mine"
    assert cache.document(cid) == theirs  # what the server has, until the user decides

    again = outbox.resolve(row, {"coordinatorNotes": "mine, after reading theirs"})
    assert again is not None and cache.document(cid)["coordinatorNotes"].startswith("mine")
    assert outbox.flush().sent == [again]
    with live_platform.http() as http:
        assert _server_doc(http, cid)["coordinatorNotes"] == "mine, after reading theirs"


def test_discarding_a_conflict_keeps_theirs(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=FAST)
    council = cache.documents()[2]
    row = outbox.enqueue(writes.edit(council["id"], topic="Mine"))
    with live_platform.http() as other:
        theirs = other.patch(
            f"/api/v1/councils/{council['id']}",
            json={"topic": "Theirs"},
            headers={"If-Match": f'"{council["version"]}"'},
        ).json()
    outbox.flush()

    assert outbox.resolve(row, "discard") is None

    assert outbox.rows() == [] and cache.document(council["id"]) == theirs


def test_undo_takes_back_an_unsent_write(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=FAST)
    council = cache.documents()[4]
    row = outbox.enqueue(writes.cancel_council(council["id"], reason="oops"))
    assert cache.document(council["id"])["coordinationStatus"] == "cancelled"

    assert outbox.cancel(row)

    assert cache.document(council["id"]) == council and outbox.pending_count() == 0
    assert outbox.flush().sent == []
    with live_platform.http() as http:
        assert _server_doc(http, council["id"])["version"] == council["version"]
    sent = outbox.enqueue(writes.edit(council["id"], coordinatorNotes="kept"))
    outbox.flush()
    assert not outbox.cancel(sent)  # already acknowledged: nothing to take back


def test_an_expired_token_stops_the_queue_without_losing_writes(
    live_platform: Any, tmp_path: Path
) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    expired = PlatformClient(live_platform.url, "not-a-valid-token")
    outbox = Outbox(cache, expired, backoff=FAST)
    council = cache.documents()[0]
    outbox.enqueue(writes.edit(council["id"], coordinatorNotes="later"))

    report = outbox.flush()

    assert report.auth_expired and report.remaining == 1
    assert cache.document(council["id"])["coordinatorNotes"] == "later"
    expired.token = client.token  # signed in again
    assert len(Outbox(cache, expired).flush().sent) == 1


def test_retries_honour_retry_after_and_keep_the_key(tmp_path: Path) -> None:
    doc = {"id": 1, "topic": "T", "coordinationStatus": "collecting", "version": 3,
           "changeSeq": 10, "mentors": []}  # fmt: skip
    batch = {"councilId": 1, "queued": 0, "recipientIds": [], "items": []}
    gateway = Flaky(
        [
            (503, {"Retry-After": "1"}, {"detail": "Maintenance", "errors": []}),
            (429, {"Retry-After": "1"}, {"detail": "Slow down", "errors": []}),
            (201, {}, batch),
        ]
    )
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    cache.put_documents([doc])
    with flaky_gateway(gateway) as url:
        outbox = Outbox(cache, PlatformClient(url, "t"), backoff=Backoff(base=0.01, cap=0.02))
        row = outbox.enqueue(writes.remind(1))
        report = outbox.flush(timeout=10)

    assert report.sent == [row]
    posts = [r for r in gateway.requests if r[1] == "POST"]
    assert len(posts) == 3
    assert posts[1][0] - posts[0][0] >= 1.0 and posts[2][0] - posts[1][0] >= 1.0
    assert len({key for *_, key in posts}) == 1 and posts[0][3]


def test_a_4xx_is_never_retried(tmp_path: Path) -> None:
    doc = {"id": 1, "topic": "T", "coordinationStatus": "collecting", "version": 3,
           "changeSeq": 10, "mentors": []}  # fmt: skip
    gateway = Flaky([(409, {}, {"detail": "The council is cancelled", "errors": []})])
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    cache.put_documents([doc])
    with flaky_gateway(gateway) as url:
        outbox = Outbox(cache, PlatformClient(url, "t"), backoff=FAST)
        row = outbox.enqueue(writes.remind(1))
        report = outbox.flush(timeout=2)

    assert [f.id for f in report.failed] == [row]
    assert [r[1] for r in gateway.requests].count("POST") == 1
    failed = outbox.row(row)
    assert failed is not None and failed.detail == "The council is cancelled"
