"""Serialized council-list pages, reused while the change log stands still.

Every write appends to the change log in its own transaction (:func:`record_change`), so
the highest committed ``seq`` names the state of everything a council list can show. A
page built while ``seq`` was ``n`` is still exact for any later request that reads
``seq == n``; the first request after a write rebuilds it. The key carries the caller's
visibility scope (staff share one; mentors and mentees see their own councils) and the
query string, so no one is ever served a page built for someone who sees more.

The cache lives in one API process (each worker has its own), is bounded by entry count
and total bytes, and is safe to use from the threadpool that runs sync endpoints. When
many requests miss the same page at once (a cold start, or just after a write) one of
them builds it and the others wait for that result instead of all building it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

DEFAULT_MAX_ENTRIES = 512
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class PageCache:
    """An LRU of ``key → (seq, body)`` bounded by entries and bytes."""

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self._entries: OrderedDict[Hashable, tuple[int, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get_or_build(self, key: Hashable, seq: int, build: Callable[[], bytes]) -> bytes:
        """The page for ``key`` at ``seq``, building it once however many ask at once."""
        body = self.get(key, seq)
        if body is not None:
            return body
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            body = self.get(key, seq)
            if body is None:
                body = build()
                self.put(key, seq, body)
        with self._lock:
            if self._building.get(key) is gate and not gate.locked():
                del self._building[key]
        return body

    def get(self, key: Hashable, seq: int) -> bytes | None:
        """The body cached under ``key`` if it was built at change ``seq``, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != seq:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, seq: int, body: bytes) -> None:
        if len(body) > self._max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._entries[key] = (seq, body)
            self._bytes += len(body)
            while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= len(evicted)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes
