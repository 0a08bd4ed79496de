"""``Syncer``: keeps the council cache equal to the platform.

* :meth:`Syncer.full_sync` — first start: pages every council through the ``since`` change
  cursor into the cache, one transaction per page (the cursor is stored with its page, so
  an interrupted sync resumes where it stopped), reporting ``progress(done, total)``.
* :meth:`Syncer.catch_up` — a later start paints from the cache at once, then fetches only
  what changed after the stored cursor.
* :meth:`Syncer.run_stream` — live: listens to ``GET /events`` (``Last-Event-ID`` = the
  cursor). An event for a council not yet covered by the cursor triggers a ``since``
  catch-up, which brings every council changed so far in one request — cheaper than one
  ``GET`` per event when writes come in bursts, and a burst's later events are then already
  covered. Lost connections are retried with jittered, capped backoff; every (re)connect
  starts with a catch-up and wakes the outbox. While it runs, a second thread sends the
  outbox (:meth:`~mentra_desktop.client.outbox.Outbox.run`). With ``alerts`` set (an
  :class:`~mentra_desktop.client.alert_sync.AlertSync`), each (re)connect also catches the
  alerts up and ``alert.*`` events go to it.

Every method blocks: run them on a worker thread. Callbacks are called from the stream
thread or the outbox thread, never the GUI thread; the views turn them into signals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.backoff import Backoff
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.errors import AuthExpired, PlatformError, RetryableStatus
from mentra_desktop.client.events import HEARTBEAT, EventStream
from mentra_desktop.client.outbox import FlushReport, Outbox

if TYPE_CHECKING:
    from mentra_desktop.client.alert_sync import AlertSync

CONNECTING = "connecting"
ONLINE = "online"
OFFLINE = "offline"
AUTH_EXPIRED = "auth-expired"
STOPPED = "stopped"
STATES = (CONNECTING, ONLINE, OFFLINE, AUTH_EXPIRED, STOPPED)
"""What ``on_state`` reports: connecting (first attempt), online (stream open), offline
(waiting to reconnect), auth-expired (sign in again; the stream has ended), stopped."""

Progress = Callable[[int, int], None]


@dataclass
class SyncResult:
    """``received`` documents, the ``changed`` council ids, the ``cursor`` reached, and
    whether the sync stopped early because ``cancelled()`` said so."""

    received: int = 0
    changed: list[int] = field(default_factory=list)
    cursor: int = 0
    cancelled: bool = False


class Syncer:
    """Syncs ``cache`` from ``client``'s platform; ``outbox`` (optional) is flushed on
    every reconnect and sent by a helper thread while :meth:`run_stream` runs."""

    def __init__(
        self,
        client: PlatformClient,
        cache: CouncilCache,
        outbox: Outbox | None = None,
        *,
        page_size: int = 1000,
        reconnect: Backoff | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.outbox = outbox
        self.page_size = page_size
        self.reconnect = reconnect or Backoff(base=1.0, cap=30.0)
        self._stream: EventStream | None = None
        self._stream_lock = threading.Lock()
        self.alerts: AlertSync | None = None
        """Kept in sync on the stream thread too, when set (before :meth:`run_stream`)."""

    # --- paging ---------------------------------------------------------------------------

    def full_sync(
        self,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncResult:
        """Fetch every council after the stored cursor (all of them on an empty cache).

        ``progress(done, total)`` follows each page; ``total`` is the count the first page
        announced (raised if more arrive meanwhile). ``cancelled()`` is asked before each
        page is stored; what is stored stays (a later call resumes). The next page is
        fetched by a short-lived helper thread while the current one is stored.
        """
        result = SyncResult(cursor=self.cache.cursor)
        total: int | None = None
        with ThreadPoolExecutor(1, thread_name_prefix="sync-prefetch") as prefetch:
            ahead = prefetch.submit(self.client.councils_page, result.cursor, self.page_size)
            while True:
                page = ahead.result()
                if cancelled is not None and cancelled():
                    result.cancelled = True
                    return result
                more = page["hasMore"]
                if more:  # fetch the next page while this one is stored
                    next_cursor = int(page["nextCursor"])
                    ahead = prefetch.submit(self.client.councils_page, next_cursor, self.page_size)
                items = page["items"]
                if total is None:
                    total = int(page["total"])
                result.changed += self.cache.put_documents(
                    items, texts=page["texts"], cursor=int(page["nextCursor"])
                )
                result.received += len(items)
                result.cursor = int(page["nextCursor"])
                total = max(total, result.received)
                if progress is not None:
                    progress(result.received, total)
                if not more:
                    return result

    def catch_up(self) -> list[int]:
        """Fetch what changed after the stored cursor; returns the changed council ids."""
        return self.full_sync().changed

    # --- live -------------------------------------------------------------------------------

    def run_stream(
        self,
        stop: threading.Event,
        on_change: Callable[[list[int]], None],
        on_state: Callable[[str], None],
        *,
        on_outbox: Callable[[FlushReport], None] | None = None,
    ) -> None:
        """Stay in sync until ``stop`` is set (honoured within ~0.25 s, even mid-read).

        ``on_change(ids)``: those councils' cached documents changed (reload them).
        ``on_state(state)``: one of :data:`STATES`, when it changes.
        ``on_outbox(report)``: a flush settled rows (failures and conflicts to show).
        Returns after ``stop`` or an expired token (``auth-expired``).
        """
        done = threading.Event()
        state: list[str] = []
        state_lock = threading.Lock()

        def report_state(new: str) -> None:
            with state_lock:
                if state and state[-1] == new:
                    return
                state.append(new)
            on_state(new)

        def on_report(report: FlushReport) -> None:
            if report.changed:
                on_change(report.changed)
            if report.auth_expired:
                report_state(AUTH_EXPIRED)
            if on_outbox is not None:
                on_outbox(report)

        helpers = [threading.Thread(target=self._watch, args=(stop, done), daemon=True)]
        if self.outbox is not None:
            helpers.append(
                threading.Thread(target=self.outbox.run, args=(done, on_report), daemon=True)
            )
        for thread in helpers:
            thread.start()
        try:
            self._stream_loop(stop, on_change, report_state)
        finally:
            done.set()
            for thread in helpers:
                thread.join()
            report_state(STOPPED)

    def _watch(self, stop: threading.Event, done: threading.Event) -> None:
        """End a blocked stream read as soon as ``stop`` is set."""
        while not done.wait(0.1):
            if stop.is_set():
                done.set()
                with self._stream_lock:
                    if self._stream is not None:
                        self._stream.interrupt()

    def _stream_loop(
        self,
        stop: threading.Event,
        on_change: Callable[[list[int]], None],
        report_state: Callable[[str], None],
    ) -> None:
        failures = 0
        last_id = 0
        report_state(CONNECTING)
        while not stop.is_set():
            try:
                changed = self.catch_up()
                if changed:
                    on_change(changed)
                if self.alerts is not None:
                    self.alerts.catch_up()
                stream = self.client.events(max(self.cache.cursor, last_id))
                with self._stream_lock:
                    self._stream = stream
                try:
                    if stop.is_set():
                        return
                    report_state(ONLINE)
                    failures = 0
                    if self.outbox is not None:
                        self.outbox.retry_now()
                    for event in stream:
                        if stop.is_set():
                            return
                        last_id = max(last_id, event.id)
                        if self.alerts is not None and event.event.startswith("alert."):
                            self.alerts.on_event(event)
                            continue
                        if event.event == HEARTBEAT or event.data.get("councilId") is None:
                            continue
                        if event.id > self.cache.cursor:
                            changed = self.catch_up()
                            if changed:
                                on_change(changed)
                finally:
                    with self._stream_lock:
                        self._stream = None
                    stream.close()
            except AuthExpired:
                report_state(AUTH_EXPIRED)
                return
            except PlatformError as exc:
                if stop.is_set():
                    return
                report_state(OFFLINE)
                retry_after = exc.retry_after if isinstance(exc, RetryableStatus) else None
                stop.wait(self.reconnect.delay(failures, retry_after))
                failures += 1
