"""The task manager: results on the GUI thread, busy cursor and progress only for slow
work, and the event loop keeps turning while a full sync runs."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication

from mentra_desktop.views.taskman import Op, TaskManager


@pytest.fixture
def tasks(qapp: Any) -> Any:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def test_work_runs_off_the_gui_thread_and_results_come_back_on_it(qtbot: Any, tasks: Any) -> None:
    seen: dict[str, Any] = {}

    def work() -> str:
        seen["worker"] = threading.current_thread().name
        return "done"

    def success(result: str) -> None:
        seen["result"] = result
        seen["on_gui"] = QThread.currentThread() is QApplication.instance().thread()

    Op(tasks, work, success).run("db")
    qtbot.waitUntil(lambda: "result" in seen, timeout=2000)
    assert seen["worker"].startswith("mentra-db") and seen["on_gui"]


def test_failure_goes_to_the_handler(qtbot: Any, tasks: Any) -> None:
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("no")

    Op(tasks, boom, lambda _r: None).failure(errors.append).run("net")
    qtbot.waitUntil(lambda: bool(errors), timeout=2000)
    assert isinstance(errors[0], ValueError)


def test_unhandled_failure_is_announced(qtbot: Any, tasks: Any) -> None:
    def boom() -> None:
        raise RuntimeError("lost")

    with qtbot.waitSignal(tasks.failed, timeout=2000) as blocker:
        Op(tasks, boom, lambda _r: None, "do a thing").run("db")
    assert blocker.args[0] == "do a thing"


def test_fast_work_shows_no_cursor_or_dialog(qtbot: Any, tasks: Any) -> None:
    done: list[int] = []
    Op(tasks, lambda _report: 1, done.append).with_progress("Quick").run("db")
    qtbot.waitUntil(lambda: bool(done), timeout=2000)
    assert not tasks.progress.busy_cursor_shown and tasks.progress.dialog is None
    assert QApplication.overrideCursor() is None


def test_slow_work_gets_a_busy_cursor_then_a_dialog_with_counts(qtbot: Any, tasks: Any) -> None:
    release = threading.Event()
    done: list[str] = []

    def slow(report: Any) -> str:
        report(250, 1000)
        release.wait(5)
        return "ok"

    Op(tasks, slow, done.append).with_progress("Syncing councils").run("net")
    qtbot.wait(150)
    assert not tasks.progress.busy_cursor_shown
    qtbot.waitUntil(lambda: tasks.progress.busy_cursor_shown, timeout=2000)
    assert tasks.progress.dialog is None or QApplication.overrideCursor() is not None
    qtbot.waitUntil(lambda: tasks.progress.dialog is not None, timeout=2000)
    dialog = tasks.progress.dialog
    qtbot.waitUntil(lambda: "250 of 1,000" in dialog.labelText(), timeout=2000)
    release.set()
    qtbot.waitUntil(lambda: bool(done), timeout=2000)
    assert tasks.progress.dialog is None and QApplication.overrideCursor() is None


def test_shutdown_waits_for_running_work_and_drops_its_result(qtbot: Any, qapp: Any) -> None:
    manager = TaskManager()
    started, results = threading.Event(), []

    def work() -> int:
        started.set()
        time.sleep(0.2)
        return 1

    Op(manager, work, results.append).run("db")
    assert started.wait(2)
    manager.shutdown()
    qtbot.wait(50)
    assert results == [] and manager.closed


def test_the_event_loop_keeps_turning_during_a_full_sync(qtbot: Any, open_app: Any) -> None:
    desktop = open_app(stream=False)
    desktop.syncer.page_size = 2  # 30 pages: a sync long enough to watch
    desktop.cache.set_cursor(0)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    progress: list[tuple[int, int]] = []
    original = desktop.tasks.progress.update
    desktop.tasks.progress.update = lambda t, d, n: (progress.append((d, n)), original(t, d, n))
    timer.start()
    started = time.monotonic()
    with qtbot.waitSignal(desktop.controller.sync_finished, timeout=20_000) as blocker:
        desktop.controller.full_sync(then_stream=False)
    elapsed = time.monotonic() - started
    timer.stop()
    assert blocker.args[0].received == 60
    assert progress[-1] == (60, 60) and len(progress) == 30
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) >= elapsed / 0.01 * 0.5, (len(ticks), elapsed)
    assert max(gaps) < 0.2, max(gaps)
