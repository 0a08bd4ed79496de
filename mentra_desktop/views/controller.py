"""DesktopController: the Qt-free client (cache, outbox, syncer) adapted into Qt signals.

Every call into the client runs on the task manager's workers (cache reads and outbox
writes on ``db``, sign-in and the first sync on ``net``); the live stream and the outbox
sender run on the syncer's own thread. Their callbacks are marshalled to the GUI thread
with :meth:`TaskManager.run_on_main`, then re-emitted as the signals below, which the
main window connects to its views. Nothing here touches a widget.

Start-up: paint the grid from the cache at once (cold start), then on an empty cache
run a full sync with progress, then keep the stream open (it catches up on connect, so
a warm start fetches only what changed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from mentra_desktop.client import writes
from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.errors import AuthExpired
from mentra_desktop.client.outbox import Outbox
from mentra_desktop.client.outbox_rows import FlushReport, OutboxRow
from mentra_desktop.client.sync import (
    AUTH_EXPIRED,
    CONNECTING,
    OFFLINE,
    ONLINE,
    STOPPED,
    Syncer,
    SyncResult,
)
from mentra_desktop.models.council_summary import summarize
from mentra_desktop.views.council_analysis import CouncilAnalysis, analyse
from mentra_desktop.views.taskman import Op, TaskManager

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
SUMMARY_VERSION = "views-2"
"""Bump when :func:`~mentra_desktop.models.council_summary.summarize`'s output changes:
the cache then recomputes every stored summary once."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def cache_summarize(doc: dict[str, Any]) -> dict[str, Any]:
    """The cache's ``summarize`` hook: the grid row of ``doc`` as of now."""
    return summarize(doc, utcnow())


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows."""

    state: str
    last_change_at: datetime | None
    waiting: int


class DesktopController(QObject):
    """See the module docstring."""

    summaries_loaded = Signal(list)
    """Every council's summary (a full reload: first paint, after a full sync)."""
    summaries_changed = Signal(list)
    """Summaries of councils that changed (stream, outbox, local writes)."""
    analysis_ready = Signal(object)
    """The :class:`CouncilAnalysis` of the selected council (or None)."""
    status_changed = Signal(object)
    """A :class:`SyncStatus`."""
    sync_finished = Signal(object)
    """The first full sync's :class:`~mentra_desktop.client.sync.SyncResult`."""
    write_queued = Signal(int, str)
    """``(outbox row id, label)`` once a write is stored and shown."""
    writes_sent = Signal(list)
    """Outbox row ids the platform accepted."""
    write_failed = Signal(object)
    """An :class:`OutboxRow` the platform refused (its optimistic change is undone)."""
    write_conflict = Signal(object)
    """An :class:`OutboxRow` that met a newer version (412)."""
    auth_expired = Signal()
    message = Signal(str)

    def __init__(
        self,
        tasks: TaskManager,
        cache: CouncilCache,
        client: PlatformClient,
        outbox: Outbox,
        syncer: Syncer,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(tasks)
        self.tasks = tasks
        self.cache = cache
        self.client = client
        self.outbox = outbox
        self.syncer = syncer
        self.clock = clock
        self.selected: int | None = None
        self._state = CONNECTING
        self._stop = threading.Event()
        self._stream: threading.Thread | None = None
        self._auth_reported = False
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(5000)
        self._status_timer.timeout.connect(self.refresh_status)

    # --- start / stop -------------------------------------------------------------

    def start(self, *, stream: bool = True, sync: bool = False) -> None:
        """Paint from the cache, sync with progress if the cache is empty (or ``sync``),
        then go live (``stream``)."""
        self._status_timer.start()

        def loaded(items: list[dict[str, Any]]) -> None:
            self.summaries_loaded.emit(items)
            if sync or self.cache.cursor == 0:
                self.full_sync(then_stream=stream)
            elif stream:
                self.start_stream()

        Op(self.tasks, self._read_summaries, loaded, "load the council cache").run("db")
        self.refresh_status()

    def _read_summaries(self) -> list[dict[str, Any]]:
        return [summary for _id, summary in self.cache.summaries() if summary is not None]

    def full_sync(self, then_stream: bool = True) -> None:
        """Fetch every council after the cursor, with progress (councils of total)."""

        def synced(result: SyncResult) -> None:
            if self._stream is None or not self._stream.is_alive():
                self._state = ONLINE  # the platform answered; the stream will say more
            self.sync_finished.emit(result)
            Op(self.tasks, self._read_summaries, self.summaries_loaded.emit).run("db")
            self.refresh_status()
            if then_stream:
                self.start_stream()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AuthExpired):
                self._on_state(AUTH_EXPIRED)
                return
            self._on_state(OFFLINE)
            self.message.emit(f"Sync failed, working offline: {exc}")
            if then_stream:
                self.start_stream()

        Op(self.tasks, self.syncer.full_sync, synced, "sync councils").failure(
            failed
        ).with_progress("Syncing councils").run("net")

    def start_stream(self) -> None:
        """Keep the cache live (SSE + catch-up) and the outbox sending, on one thread."""
        if self._stream is not None and self._stream.is_alive():
            return
        self._stop = threading.Event()
        self._auth_reported = False
        stop = self._stop
        tasks = self.tasks

        def run() -> None:
            self.syncer.run_stream(
                stop,
                lambda ids: tasks.run_on_main(lambda: self._on_changed(ids)),
                lambda state: tasks.run_on_main(lambda: self._on_state(state)),
                on_outbox=lambda report: tasks.run_on_main(lambda: self._on_outbox(report)),
            )

        self._stream = threading.Thread(target=run, name="mentra-stream", daemon=True)
        self._stream.start()

    def stop_stream(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._stream is not None:
            self._stream.join(timeout)
            self._stream = None

    def stop(self) -> None:
        """Stop the stream and the timers; the caller shuts the task manager down."""
        self._status_timer.stop()
        self.stop_stream()

    @property
    def state(self) -> str:
        return self._state

    # --- selection ----------------------------------------------------------------

    def select(self, council_id: int | None) -> None:
        """Analyse the selected council (engine run locally) and emit ``analysis_ready``."""
        self.selected = council_id
        if council_id is None:
            self.analysis_ready.emit(None)
            return
        self._analyse(council_id)

    def _analyse(self, council_id: int) -> None:
        clock, cache = self.clock, self.cache

        def work() -> CouncilAnalysis | None:
            doc = cache.document(council_id)
            return analyse(doc, clock()) if doc is not None else None

        def done(analysis: CouncilAnalysis | None) -> None:
            if self.selected == council_id:
                self.analysis_ready.emit(analysis)

        Op(self.tasks, work, done, "analyse a council").run("db")

    # --- writes -------------------------------------------------------------------

    def queue(self, write: writes.Write, on_queued: Callable[[int], None] | None = None) -> None:
        """Store ``write`` in the outbox (shown at once); the stream thread sends it."""
        outbox = self.outbox

        def done(row_id: int) -> None:
            self.write_queued.emit(row_id, outbox_label(write))
            if on_queued is not None:
                on_queued(row_id)
            self._reload([write.council_id])
            self.refresh_status()

        Op(self.tasks, lambda: outbox.enqueue(write), done, "queue a change").failure(
            lambda exc: self.message.emit(f"Could not queue the change: {exc}")
        ).run("db")

    def nudge(self, council_id: int, mentor_id: int) -> None:
        self.queue(writes.remind(council_id, mentor_ids=[mentor_id]))

    def confirm(self, council_id: int, slot_id: int, mentor_ids: list[int]) -> None:
        self.queue(writes.confirm(council_id, slot_id, mentor_ids))

    def override(
        self,
        council_id: int,
        reason: str,
        slot_id: int | None,
        mentor_ids: list[int] | None,
        status: str | None = "confirmed",
    ) -> None:
        self.queue(
            writes.override(
                council_id, reason, status=status, slot_id=slot_id, mentor_ids=mentor_ids
            )
        )

    def cancel_write(self, row_id: int, council_id: int, on_done: Callable[[bool], None]) -> None:
        """Undo: take back a write that has not left the outbox (``on_done(False)`` if it has)."""

        def done(cancelled: bool) -> None:
            on_done(cancelled)
            self._reload([council_id])
            self.refresh_status()

        Op(self.tasks, lambda: self.outbox.cancel(row_id), done, "undo a change").run("db")

    def resolve_conflict(self, row: OutboxRow, choice: Any) -> None:
        def done(_new: int | None) -> None:
            self._reload([row.council_id])
            self.refresh_status()

        Op(self.tasks, lambda: self.outbox.resolve(row.id, choice), done, "resolve").run("db")

    def dismiss_failure(self, row: OutboxRow) -> None:
        Op(self.tasks, lambda: self.outbox.dismiss(row.id), lambda _ok: None).run("db")

    # --- sign-in ------------------------------------------------------------------

    def signed_in_again(self, token: str) -> None:
        """A fresh token after expiry: resume the stream and the outbox where they were."""
        self.client.token = token
        self.stop_stream()
        self._on_state(CONNECTING)
        self.start_stream()

    # --- status -------------------------------------------------------------------

    def refresh_status(self) -> None:
        cache, outbox = self.cache, self.outbox

        def work() -> tuple[datetime | None, int]:
            return cache.last_change_at, outbox.pending_count()

        def done(values: tuple[datetime | None, int]) -> None:
            self.status_changed.emit(SyncStatus(self._state, values[0], values[1]))

        Op(self.tasks, work, done, "read the sync status").run("db")

    # --- callbacks from the stream thread (already on the GUI thread) -------------

    def _on_changed(self, ids: list[int]) -> None:
        self._reload(ids)
        self.refresh_status()

    def _on_state(self, state: str) -> None:
        if state == STOPPED and self._state == AUTH_EXPIRED:
            return  # the stream ended because of the expiry: still "signed out"
        self._state = state
        if state == AUTH_EXPIRED and not self._auth_reported:
            self._auth_reported = True
            self.auth_expired.emit()
        self.refresh_status()

    def _on_outbox(self, report: FlushReport) -> None:
        if report.sent:
            self.writes_sent.emit(list(report.sent))
        for row in report.failed:
            self.write_failed.emit(row)
        for row in report.conflicts:
            self.write_conflict.emit(row)
        if report.auth_expired:
            self._on_state(AUTH_EXPIRED)
        self.refresh_status()

    def _reload(self, ids: Iterable[int]) -> None:
        wanted = sorted(set(ids))
        if not wanted:
            return
        cache, clock = self.cache, self.clock

        def work() -> list[dict[str, Any]]:
            now = clock()
            return [summarize(doc, now) for doc in cache.documents(wanted)]

        Op(self.tasks, work, self.summaries_changed.emit, "reload councils").run("db")
        if self.selected in wanted:
            self._analyse(self.selected)


def outbox_label(write: writes.Write) -> str:
    return writes.KINDS[write.kind].label(write.params)


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll ``predicate`` (used by the screenshot mode, off the event loop)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
