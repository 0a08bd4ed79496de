"""TaskManager: the one way the desktop runs work off the GUI thread (Anki's taskman).

Two single-worker executors: ``db`` for the local cache and outbox (SQLite likes one
writer, and one worker keeps cache writes in order), ``net`` for calls to the platform
(one worker keeps outbox sends in order, too). A work function runs on a worker and
never touches a widget; its result or exception comes back to the GUI thread through a
queued signal, where ``success``/``failure`` run. Work that reports progress gets a
thread-safe ``report(done, total)`` callable; the :class:`ProgressIndicator` turns that
into a busy cursor after ~300 ms and a progress dialog after ~600 ms, so fast work never
flickers (Anki ``qt/aqt/progress.py``).

The fluent form mirrors Anki's ``QueryOp``::

    Op(tasks, lambda: cache.summaries(), on_loaded).failure(on_error).run("db")
    Op(tasks, syncer.full_sync, on_synced).with_progress("Syncing councils").run("net")
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Generic, Literal, TypeVar

from PySide6.QtCore import QObject, Signal

from mentra_desktop.views.progress import ProgressIndicator

T = TypeVar("T")
Kind = Literal["db", "net"]
Report = Callable[[int, int], None]

log = logging.getLogger(__name__)


class TaskManager(QObject):
    """Runs work on the ``db`` or ``net`` worker; see the module docstring."""

    _closures_pending = Signal()
    failed = Signal(str, object)
    """``(what, exception)`` for work whose caller gave no ``failure`` handler."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executors: dict[str, ThreadPoolExecutor] = {
            "db": ThreadPoolExecutor(max_workers=1, thread_name_prefix="mentra-db"),
            "net": ThreadPoolExecutor(max_workers=1, thread_name_prefix="mentra-net"),
        }
        self._closures: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._closed = False
        self.progress = ProgressIndicator(self)
        self._closures_pending.connect(self._on_closures_pending)

    def run_in_background(
        self,
        work: Callable[[], T],
        on_done: Callable[[Future[T]], None] | None = None,
        kind: Kind = "db",
    ) -> Future[T]:
        """Run ``work`` on the ``kind`` worker; ``on_done(future)`` runs on the GUI thread."""
        future = self._executors[kind].submit(work)
        if on_done is not None:
            future.add_done_callback(lambda f: self.run_on_main(lambda: on_done(f)))
        return future

    def run_on_main(self, closure: Callable[[], None]) -> None:
        """Queue ``closure`` for the GUI thread (safe from any thread; dropped after close)."""
        with self._lock:
            if self._closed:
                return
            self._closures.append(closure)
        self._closures_pending.emit()

    def _on_closures_pending(self) -> None:
        with self._lock:
            closures, self._closures = self._closures, []
        for closure in closures:
            closure()

    def shutdown(self) -> None:
        """Drop queued results, cancel queued work, wait for running work to finish."""
        with self._lock:
            self._closed = True
            self._closures.clear()
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=True)
        self.progress.reset()

    @property
    def closed(self) -> bool:
        return self._closed


class Op(Generic[T]):
    """One background operation: work, then ``success`` or ``failure`` on the GUI thread.

    With :meth:`with_progress`, ``work`` is called with one argument, ``report(done,
    total)``, which it may call from the worker to report progress."""

    def __init__(
        self,
        tasks: TaskManager,
        work: Callable[[], T] | Callable[[Report], T],
        success: Callable[[T], None],
        what: str = "",
    ) -> None:
        self._tasks = tasks
        self._work = work
        self._success = success
        self._failure: Callable[[BaseException], None] | None = None
        self._label: str | None = None
        self._what = what or getattr(work, "__name__", "work")

    def failure(self, handler: Callable[[BaseException], None]) -> Op[T]:
        self._failure = handler
        return self

    def with_progress(self, label: str) -> Op[T]:
        """Busy cursor after ~300 ms, a progress dialog labelled ``label`` after ~600 ms;
        ``work`` receives ``report``."""
        self._label = label
        return self

    def run(self, kind: Kind = "db") -> Future[T]:
        tasks = self._tasks
        ticket = tasks.progress.start(self._label) if self._label is not None else None

        def report(done: int, total: int) -> None:
            if ticket is not None:
                tasks.run_on_main(lambda: tasks.progress.update(ticket, done, total))

        def work() -> T:
            if ticket is not None:
                return self._work(report)  # type: ignore[call-arg]
            return self._work()  # type: ignore[call-arg]

        def done(future: Future[T]) -> None:
            if ticket is not None:
                tasks.progress.finish(ticket)
            try:
                result = future.result()
            except CancelledError:
                return
            except Exception as exc:  # handed to the failure handler
                if self._failure is not None:
                    self._failure(exc)
                else:
                    log.warning("%s failed: %s", self._what, exc)
                    tasks.failed.emit(self._what, exc)
                return
            self._success(result)

        return tasks.run_in_background(work, done, kind)
