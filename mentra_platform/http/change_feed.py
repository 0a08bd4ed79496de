"""One change-log poller per API process, shared by every event stream.

:class:`ChangeFeed` polls the change table every ``Settings.sse_poll_seconds`` while at
least one stream is open (one query per interval, however many streams), keeps the recent
events in memory and wakes the streams. A stream that resumes from further back than that
memory (an old ``Last-Event-ID``) reads the gap from the database itself, once, and then
follows the feed. Polling errors (a database outage) are logged and retried with backoff;
the streams stay open and keep their heartbeats meanwhile.

:class:`StreamSlots` caps open streams per user (``Settings.sse_max_streams_per_user``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any, cast

from anyio import CapacityLimiter, to_thread
from sqlalchemy import Table, select

from mentra_desktop.models import ChangeEvent
from mentra_platform.core.changes import latest_seq
from mentra_platform.core.db import Database, is_unavailable
from mentra_platform.councils.queries import iso

log = logging.getLogger(__name__)

BATCH = 500
MEMORY = 4 * BATCH
"""Events kept for streams; one further behind reads the database."""
MAX_BACKOFF_SECONDS = 5.0

_CHANGES = cast(Table, ChangeEvent.__table__)
Event = dict[str, Any]


def fetch_changes(db: Database, after: int, upto: int | None = None) -> list[Event]:
    """Up to :data:`BATCH` events with ``after < seq (<= upto)``, in seq order, in one
    statement outside any transaction."""
    c = _CHANGES.c
    stmt = select(c.seq, c.kind, c.council_id, c.entity_type, c.entity_id, c.at, c.payload).where(
        c.seq > after
    )
    if upto is not None:
        stmt = stmt.where(c.seq <= upto)
    with db.probe_engine.connect() as conn:
        rows = conn.execute(stmt.order_by(c.seq).limit(BATCH)).all()
    return [
        {
            "seq": r.seq,
            "kind": r.kind,
            "councilId": r.council_id,
            "entity": r.entity_type,
            "entityId": r.entity_id,
            "at": iso(r.at),
            "payload": r.payload or {},
        }
        for r in rows
    ]


class ChangeFeed:
    def __init__(self, db: Database, poll_seconds: float) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.position: int | None = None
        """The newest seq the poller has seen (None while it is not running)."""
        self.floor = 0
        """Every event with ``seq > floor`` up to :attr:`position` is in memory."""
        self.polls = 0
        self._events: deque[Event] = deque()
        self._subscribers = 0
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None
        self._limiter: CapacityLimiter | None = None

    # -- streams ---------------------------------------------------------------------------
    def subscribe(self) -> None:
        """A stream opened (call from the event loop); starts the poller if it sleeps."""
        self._subscribers += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unsubscribe(self) -> None:
        self._subscribers -= 1

    def behind(self, after: int) -> int | None:
        """The :attr:`floor` when events after ``after`` are older than the memory (read
        them from the database up to it), else None."""
        if self.position is None or after >= self.floor:
            return None
        return self.floor

    def events_after(self, after: int) -> list[Event]:
        """In-memory events after ``after``, at most a batch (check :meth:`behind` first)."""
        out: list[Event] = []
        for event in self._events:  # newest last; memory is small
            if event["seq"] > after:
                out.append(event)
                if len(out) >= BATCH:
                    break
        return out

    async def wait(self, after: int, timeout: float) -> None:
        """Until an event after ``after`` is in memory (or the feed starts), or ``timeout``."""
        if timeout <= 0 or (self.position is not None and self.position > after):
            return
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout)

    async def in_thread(self, fn: Any, *args: Any) -> Any:
        """Run ``fn`` on the feed's own thread (the request threadpool may be saturated)."""
        if self._limiter is None:
            self._limiter = CapacityLimiter(2)
        return await to_thread.run_sync(fn, *args, limiter=self._limiter)

    # -- the poller ------------------------------------------------------------------------
    def _append(self, events: Sequence[Event]) -> None:
        self._events.extend(events)
        while len(self._events) > MEMORY:
            self.floor = self._events.popleft()["seq"]
        self.position = events[-1]["seq"]
        self._notify()

    def _notify(self) -> None:
        woken, self._wakeup = self._wakeup, None
        if woken is not None:
            woken.set()

    async def _run(self) -> None:
        failures = 0
        try:
            while self._subscribers > 0:
                try:
                    if self.position is None:
                        self.position = self.floor = await self.in_thread(latest_seq, self.db)
                        self._events.clear()
                        self._notify()
                        batch: list[Event] = []
                    else:
                        batch = await self.in_thread(fetch_changes, self.db, self.position)
                    self.polls += 1
                    failures = 0
                except Exception as exc:
                    failures += 1
                    log.warning(
                        "change feed: poll failed (%s)",
                        "database unavailable" if is_unavailable(exc) else repr(exc),
                    )
                    await asyncio.sleep(min(MAX_BACKOFF_SECONDS, self.poll_seconds * 2**failures))
                    continue
                if batch:
                    self._append(batch)
                if len(batch) < BATCH:
                    await asyncio.sleep(self.poll_seconds)
        finally:
            # Asleep with nobody listening: the next stream starts again from the end.
            self.position = None
            self._events.clear()
            self._task = None


class StreamSlots:
    """Open event streams per user in this process."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._open: dict[int, int] = {}
        self._lock = threading.Lock()

    def take(self, user_id: int) -> bool:
        with self._lock:
            if self._open.get(user_id, 0) >= self.per_user:
                return False
            self._open[user_id] = self._open.get(user_id, 0) + 1
            return True

    def give_back(self, user_id: int) -> None:
        with self._lock:
            left = self._open.get(user_id, 0) - 1
            if left > 0:
                self._open[user_id] = left
            else:
                self._open.pop(user_id, None)
