"""CouncilCache on its own: storage rules, the cold-start summaries, sorting, origins."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mentra_desktop.client import writes
from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.cache import CacheError, CouncilCache
from mentra_desktop.client.outbox import Outbox


def council(cid: int, seq: int, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": cid,
        "topic": f"Council {cid}",
        "coordinationStatus": "collecting",
        "mentorResponseDeadline": f"2026-12-{cid:02d}T17:00:00Z",
        "updatedAt": "2026-11-26T09:00:00Z",
        "version": seq,
        "changeSeq": seq,
        "coordinatorNotes": "",
        "mentors": [{"mentorId": 10 + cid, "isLead": True, "attending": None}],
    }
    doc.update(fields)
    return doc


def summarize(doc: dict[str, Any]) -> dict[str, Any]:
    return {"topic": doc["topic"], "mentors": len(doc["mentors"])}


def test_documents_survive_reopening_and_older_ones_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with CouncilCache(path) as cache:
        assert cache.put_documents([council(1, 5), council(2, 6)], cursor=6) == [1, 2]
        assert cache.put_documents([council(1, 4, topic="stale")]) == []
        assert cache.put_documents([council(2, 6)]) == []  # the same change again
    with CouncilCache(path) as cache:
        assert cache.document(1) == council(1, 5)
        assert [d["id"] for d in cache.documents()] == [1, 2]
        assert cache.documents([2]) == [council(2, 6)] and cache.document(3) is None
        assert cache.cursor == 6 and cache.last_change_at is not None
        assert cache.last_change_at.tzinfo is not None
    journal = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


def test_summaries_are_stored_beside_documents_and_rebuilt_on_a_new_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    with CouncilCache(path, summarize=summarize) as cache:
        cache.put_documents([council(1, 1), council(2, 2, mentors=[])])
        assert cache.summaries() == [
            (1, {"topic": "Council 1", "mentors": 1}),
            (2, {"topic": "Council 2", "mentors": 0}),
        ]

    def shout(doc: dict[str, Any]) -> dict[str, Any]:
        return {"topic": doc["topic"].upper()}

    with CouncilCache(path, summarize=shout, summary_version="2") as cache:
        assert cache.summaries()[0] == (1, {"topic": "COUNCIL 1"})


def test_ids_sort_in_sql_by_instant_not_by_text(tmp_path: Path) -> None:
    with CouncilCache(tmp_path / "cache.sqlite3") as cache:
        cache.put_documents(
            [
                council(1, 1, mentorResponseDeadline="2026-12-01T17:00:00.5Z"),
                council(2, 2, mentorResponseDeadline="2026-12-01T17:00:00Z"),
                council(3, 3, mentorResponseDeadline="2026-12-01T18:00:00+02:00"),
                council(4, 4, mentorResponseDeadline=None, coordinationStatus="confirmed"),
            ]
        )
        assert cache.ids(order_by="mentor_response_deadline") == [4, 3, 2, 1]
        assert cache.ids(order_by="change_seq", descending=True) == [4, 3, 2, 1]
        assert cache.ids(statuses=["confirmed"]) == [4]
        with pytest.raises(ValueError):
            cache.ids(order_by="doc; DROP TABLE councils")


def test_a_newer_server_document_keeps_unsent_local_changes(tmp_path: Path) -> None:
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    cache.put_documents([council(1, 1)])
    outbox = Outbox(cache, PlatformClient("http://127.0.0.1:9", "t"))
    outbox.enqueue(writes.edit(1, coordinatorNotes="mine"))

    cache.put_documents([council(1, 2, topic="Renamed elsewhere")])

    shown = cache.document(1)
    assert shown is not None
    assert shown["topic"] == "Renamed elsewhere" and shown["coordinatorNotes"] == "mine"
    assert cache.server_document(1) == council(1, 2, topic="Renamed elsewhere")


def test_another_origin_wipes_the_cache_unless_writes_are_unsent(tmp_path: Path) -> None:
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    assert not cache.ensure_origin("embedded:coordinator@example.com")
    cache.put_documents([council(1, 1)], cursor=1)
    assert not cache.ensure_origin("embedded:coordinator@example.com")
    Outbox(cache, PlatformClient("http://127.0.0.1:9", "t")).enqueue(writes.remind(1))

    with pytest.raises(CacheError):
        cache.ensure_origin("embedded:admin@example.com")
    assert cache.count() == 1

    with cache.transaction() as conn:
        conn.execute("DELETE FROM outbox")
    assert cache.ensure_origin("embedded:admin@example.com")
    assert cache.count() == 0 and cache.cursor == 0


def test_a_cache_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    CouncilCache(path).close()
    sqlite3.connect(path).execute("PRAGMA user_version=99")
    with pytest.raises(CacheError):
        CouncilCache(path)
