"""Alerts in the desktop's cache against the real platform: the catch-up, the live stream,
acknowledging through the outbox (offline, across a restart, refused), and kinds in words."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from client_helpers import signed_in, synced_cache, wait_for

from mentra_desktop.client.alert_kinds import KIND_LABELS, kind_label
from mentra_desktop.client.alert_sync import AlertSync
from mentra_desktop.client.alerts import AlertStore
from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.backoff import Backoff
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.outbox import Outbox
from mentra_desktop.client.sync import Syncer
from mentra_desktop.models import utcnow


def raise_on(database_url: str, kind: str, council_id: int | None, message: str) -> int:
    """Raise an alert with the platform's own service, as its worker does."""
    from platform_support import platform_settings

    from mentra_platform.alerts.service import raise_alert
    from mentra_platform.core.db import make_database

    db = make_database(platform_settings(database_url))
    try:
        with db.write() as session:
            alert = raise_alert(session, kind, council_id=council_id, message=message, now=utcnow())
            assert alert is not None
            session.commit()
            return int(alert.id)
    finally:
        db.dispose()


def _open_ids(platform: Any) -> set[int]:
    with platform.http() as http:
        items = http.get("/api/v1/alerts", params={"unacknowledged": "true"}).json()["items"]
    return {int(a["id"]) for a in items}


def _dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_kinds_in_words_and_unknown_kinds_readable() -> None:
    assert kind_label("calendar_feed_error") == "Calendar feed broken"
    assert kind_label("calendar_token_expired") == "Calendar sign-in expired"
    assert kind_label("calendar_conflict") == "Possible calendar conflict"
    assert kind_label("payment_overdue") == "Payment overdue"
    assert kind_label("") == "Alert"
    assert all(label and label[0].isupper() for label in KIND_LABELS.values())


def test_catch_up_acknowledge_and_settle_acknowledgements_made_elsewhere(
    live_platform: Any, tmp_path: Path
) -> None:
    url = live_platform.database_url
    first = raise_on(url, "no_feasible_slot", 1, "Nothing fits")
    feed = raise_on(url, "calendar_feed_error", None, "Feed 404")
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    store = AlertStore(cache)
    sync = AlertSync(client, store)
    assert sorted(sync.catch_up()) == [first, feed]
    shown = store.alerts()
    assert [a.id for a in shown] == [feed, first]  # newest first
    assert shown[1].council_text.startswith("#1 · ") and shown[0].council_text == "—"
    assert shown[0].label == "Calendar feed broken"
    assert store.unread_count() == 2
    assert [a.id for a in store.take_unannounced()] == [feed, first]
    assert store.take_unannounced() == []

    outbox = Outbox(cache, client)
    row = store.acknowledge(outbox, feed)
    assert row is not None and store.acknowledge(outbox, feed) is None  # queued once
    assert store.unread_count() == 1 and store.alert(feed).acknowledged  # type: ignore[union-attr]
    assert feed in _open_ids(live_platform)
    report = outbox.flush(timeout=10)
    assert report.sent == [row] and report.changed == []
    assert _open_ids(live_platform) == {first}

    with live_platform.http() as http:  # another coordinator acknowledges the other one
        assert http.post(f"/api/v1/alerts/{first}/acknowledge").status_code == 200
    assert sorted(sync.catch_up()) == [first, feed]  # ours is now the platform's too
    assert store.unread_count() == 0
    assert store.alert(first).acknowledged_at is not None  # type: ignore[union-attr]
    with pytest.raises(KeyError):
        store.acknowledge(outbox, 99_999)
    cache.close()


def test_acknowledged_offline_survives_a_restart_and_is_delivered_once(
    live_platform: Any, tmp_path: Path
) -> None:
    alert_id = raise_on(live_platform.database_url, "lead_unavailable_everywhere", 2, "Lead")
    online = signed_in(live_platform.url)
    path = tmp_path / "cache.sqlite3"
    cache = synced_cache(online, path)
    AlertSync(online, AlertStore(cache)).catch_up()
    offline = PlatformClient(_dead_url(), timeout=1)
    offline.token = online.token
    outbox = Outbox(cache, offline, backoff=Backoff(base=0.05, cap=0.1))
    AlertStore(cache).acknowledge(outbox, alert_id)
    report = outbox.flush_once()
    assert report.offline and report.remaining == 1
    cache.close()  # the app quits (or is killed) before the network returns

    reopened = CouncilCache(path)
    store = AlertStore(reopened)
    assert store.unread_count() == 0 and store.alert(alert_id).acknowledged_here  # type: ignore[union-attr]
    assert alert_id in _open_ids(live_platform)
    delivered = Outbox(reopened, online).flush(timeout=10)
    assert len(delivered.sent) == 1 and delivered.remaining == 0
    assert alert_id not in _open_ids(live_platform)
    reopened.close()


def test_a_refused_acknowledgement_makes_the_alert_unread_again(
    live_platform: Any, tmp_path: Path
) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    store = AlertStore(cache)
    store.put(
        [{"id": 424_242, "kind": "no_feasible_slot", "councilId": None, "message": "gone",
          "details": {}, "createdAt": "2026-11-26T09:00:00+00:00"}]
    )  # fmt: skip
    outbox = Outbox(cache, client)
    store.acknowledge(outbox, 424_242)
    assert store.unread_count() == 0
    report = outbox.flush(timeout=10)
    assert [r.status for r in report.failed] == [404]
    assert store.unread_count() == 1 and not store.alert(424_242).acknowledged  # type: ignore[union-attr]
    assert store.acknowledge(outbox, 424_242) is not None  # may be tried again
    assert store.unread_count() == 0
    with pytest.raises(ValueError, match="createdAt"):
        store.put([{"id": 5, "kind": "x", "createdAt": "2026-11-26T09:00:00"}])
    cache.close()


def test_stream_brings_raised_and_acknowledged_alerts_live(
    live_platform: Any, tmp_path: Path
) -> None:
    client = signed_in(live_platform.url)
    cache = synced_cache(client, tmp_path / "cache.sqlite3")
    store = AlertStore(cache)
    syncer = Syncer(client, cache, reconnect=Backoff(base=0.05, cap=0.2))
    syncer.alerts = AlertSync(client, store)
    heard: list[list[int]] = []
    syncer.alerts.subscribe(heard.append)
    stop = threading.Event()
    states: list[str] = []
    thread = threading.Thread(
        target=syncer.run_stream, args=(stop, lambda _ids: None, states.append), daemon=True
    )
    thread.start()
    try:
        wait_for(lambda: "online" in states, what="the stream")
        alert_id = raise_on(live_platform.database_url, "withdrawal_below_minimum", 3, "Too few")
        wait_for(lambda: store.alert(alert_id) is not None, what="the raised alert")
        with live_platform.http() as http:
            assert http.post(f"/api/v1/alerts/{alert_id}/acknowledge").status_code == 200
        wait_for(
            lambda: store.alert(alert_id).acknowledged_at is not None,  # type: ignore[union-attr]
            what="the acknowledgement",
        )
    finally:
        stop.set()
        thread.join(3)
    assert not thread.is_alive()
    assert [alert_id] in heard
    cache.close()


def test_a_mentor_gets_no_alerts_and_the_stream_no_error(
    live_platform: Any, tmp_path: Path
) -> None:
    raise_on(live_platform.database_url, "no_feasible_slot", 1, "Nothing fits")
    mentor = signed_in(live_platform.url, "mentor1@example.com")
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    sync = AlertSync(mentor, AlertStore(cache))
    assert sync.catch_up() == [] and sync.forbidden  # 403: staff only, no error raised
    assert sync.catch_up() == [] and AlertStore(cache).alerts() == []
    cache.close()
