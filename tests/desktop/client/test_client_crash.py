"""kill -9 between queueing and sending, or in the middle of the send: the next process
sends the write again with the same key, and the platform applies it exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_helpers import signed_in, synced_cache
from local_servers import Holding, holding_proxy

WORKER = Path(__file__).with_name("outbox_worker.py")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _flush(cache: Path, url: str, token: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, str(WORKER), str(cache), url, token, "flush"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(done.stdout))


def _reminders(http: httpx.Client, council_id: int) -> list[dict[str, Any]]:
    response = http.get(f"/api/v1/councils/{council_id}/notifications", params={"kind": "reminder"})
    return list(response.json())


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL: no cleanup, no finally, no atexit
    process.wait(10)
    assert process.returncode == -9


@pytest.mark.parametrize(
    ("kind", "moment"),
    [("remind", "before-send"), ("remind", "mid-send"), ("edit", "mid-send")],
)
def test_a_write_killed_in_flight_is_applied_exactly_once(
    live_platform: Any, tmp_path: Path, kind: str, moment: str
) -> None:
    client = signed_in(live_platform.url)
    path = tmp_path / "cache.sqlite3"
    cache = synced_cache(client, path)
    council = next(
        d
        for d in cache.documents()
        if d["coordinationStatus"] in ("collecting", "selecting")
        and any(m["availabilityResponse"] == "pending" for m in d["mentors"])
    )
    cache.close()
    pending = sorted(
        m["mentorId"] for m in council["mentors"] if m["availabilityResponse"] == "pending"
    )
    token = str(client.token)
    with live_platform.http() as http:
        before = _reminders(http, council["id"])

    if moment == "before-send":
        worker = _start(str(path), live_platform.url, token, "enqueue", kind, str(council["id"]))
        assert worker.stdout is not None and worker.stdout.readline().strip() == "queued"
        _kill(worker)
    else:
        proxy = Holding(live_platform.url)
        with holding_proxy(proxy) as url:
            worker = _start(str(path), url, token, "send", kind, str(council["id"]))
            assert proxy.applied.wait(20), "the write never reached the platform"
            _kill(worker)
        assert proxy.statuses[-1] in (200, 201)  # the platform did apply it

    assert _flush(path, live_platform.url, token) == {
        "sent": 1,
        "failed": 0,
        "conflicts": 0,
        "remaining": 0,
    }

    with live_platform.http() as http:
        after = http.get(f"/api/v1/councils/{council['id']}").json()
        reminders = _reminders(http, council["id"])
    assert after["version"] == council["version"] + 1  # one write, not two
    if kind == "remind":
        new = [n["recipientId"] for n in reminders if n["id"] not in {b["id"] for b in before}]
        assert sorted(new) == sorted(pending)  # one reminder each
        was = {m["mentorId"]: m["reminderCount"] for m in council["mentors"]}
        now = {m["mentorId"]: m["reminderCount"] for m in after["mentors"]}
        assert all(now[m] == was[m] + 1 for m in pending)
    else:
        assert after["coordinatorNotes"] == "written exactly once"
