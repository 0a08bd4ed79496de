"""Splitting a sync page into documents and their own JSON texts."""

from __future__ import annotations

import gc
import json
import threading
from typing import Any

import pytest

from mentra_desktop.client.pages import gc_paused, split_page

ENVELOPE = {"total": 2, "limit": 1000, "offset": 0, "hasMore": False, "nextCursor": 9}
ITEMS: list[dict[str, Any]] = [
    {"id": 1, "topic": 'Scaling "items":[ teams', "mentors": [{"items": [1, 2]}]},
    {"id": 2, "topic": "Zürich → Pune ✓", "mentors": []},
]


@pytest.mark.parametrize(
    "content",
    [
        # The platform's own shape: items spliced in first, compact.
        b'{"items":['
        + b",".join(json.dumps(i).encode() for i in ITEMS)
        + b"],"
        + json.dumps(ENVELOPE, separators=(",", ":")).encode()[1:],
        # Items last, with whitespace everywhere.
        json.dumps({**ENVELOPE, "items": ITEMS}, indent=2, ensure_ascii=False).encode(),
        # Items last and compact.
        json.dumps({**ENVELOPE, "items": ITEMS}, separators=(",", ":")).encode(),
    ],
    ids=["platform", "indented", "items-last"],
)
def test_every_item_comes_with_its_own_text(content: bytes) -> None:
    envelope, items, texts = split_page(content)

    assert items == ITEMS
    assert [json.loads(t) for t in texts] == ITEMS
    assert envelope == {**ENVELOPE, "items": []}


def test_an_empty_page() -> None:
    envelope, items, texts = split_page(b'{"items":[],"hasMore":false,"nextCursor":4,"total":0}')
    assert items == [] and texts == [] and envelope["nextCursor"] == 4


def test_not_a_page_is_an_error() -> None:
    with pytest.raises(ValueError):
        split_page(b'{"detail": "Not found"')
    with pytest.raises(ValueError):
        split_page(b'{"detail": "Not found", "errors": []}')


def test_gc_pauses_nest_across_threads_and_restore_the_collector() -> None:
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with gc_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with gc_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # the other thread still holds its pause
    release.set()
    thread.join(5)
    assert gc.isenabled()
