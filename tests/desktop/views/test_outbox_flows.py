"""Writes through the outbox against the real platform: undo before sending, the offline
queue, a 412 conflict resolved in the dialog, and an expired sign-in that loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from desktop_live import build_desktop

from mentra_desktop.client.backoff import Backoff
from mentra_desktop.views.conflict_dialog import ConflictDialog
from mentra_desktop.views.council_analysis import CouncilAnalysis, analyse
from mentra_desktop.views.desktop import Desktop
from mentra_desktop.views.login_dialog import LoginDialog

NOW = datetime.now(UTC)


def _collecting_with_pending(desktop: Desktop) -> CouncilAnalysis:
    for doc in desktop.cache.documents():
        if doc["coordinationStatus"] == "collecting" and any(
            m["availabilityResponse"] == "pending" for m in doc["mentors"]
        ):
            return analyse(doc, NOW)
    raise AssertionError("no collecting council with pending mentors")


def _reminders(platform: Any, council_id: int) -> int:
    with platform.http() as http:
        url = f"/api/v1/councils/{council_id}/notifications"
        return len(http.get(url, params={"kind": "reminder"}).json())


def _nudge(qtbot: Any, desktop: Desktop, council_id: int) -> None:
    matrix = desktop.window.matrix
    desktop.window.grid.select_council(council_id)
    qtbot.waitUntil(
        lambda: (
            matrix.model.analysis is not None
            and matrix.model.analysis.council_id == council_id
            and bool(matrix.nudge_buttons)
        ),
        timeout=5000,
    )
    next(iter(matrix.nudge_buttons.values())).click()


def _waiting(desktop: Desktop) -> int:
    status = desktop.window.status.status
    return status.waiting if status is not None else -1


def test_undo_takes_back_a_write_before_it_is_sent(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app(stream=False)  # no sender yet: the write stays in the outbox
    target = _collecting_with_pending(desktop)
    before = _reminders(platform, target.council_id)
    _nudge(qtbot, desktop, target.council_id)
    qtbot.waitUntil(lambda: _waiting(desktop) == 1, timeout=5000)
    assert desktop.window.status.waiting_label.text() == "1 write waiting"
    undo = desktop.window.undo_action
    assert undo.isEnabled() and "Remind" in undo.text()
    undo.trigger()
    qtbot.waitUntil(lambda: _waiting(desktop) == 0, timeout=5000)
    desktop.window.redo_action.trigger()
    qtbot.waitUntil(lambda: _waiting(desktop) == 1, timeout=5000)
    desktop.controller.start_stream()
    qtbot.waitUntil(lambda: _waiting(desktop) == 0, timeout=10_000)
    assert _reminders(platform, target.council_id) == before + 1  # a Nudge reminds one mentor
    undo.trigger()  # sent: too late
    qtbot.waitUntil(lambda: "too late to undo" in desktop.window.status.currentMessage())
    assert desktop.window.undo_stack.count() == 0


def test_offline_writes_wait_and_go_when_the_network_returns(
    qtbot: Any, open_app: Any, platform: Any, proxy: Any
) -> None:
    desktop = open_app()
    desktop.syncer.reconnect = Backoff(base=0.1, cap=0.3)
    desktop.outbox.backoff = Backoff(base=0.1, cap=0.3)
    status = desktop.window.status
    qtbot.waitUntil(lambda: status.state_label.text() == "● Online", timeout=10_000)
    target = _collecting_with_pending(desktop)
    before = _reminders(platform, target.council_id)
    proxy.cut()
    qtbot.waitUntil(lambda: status.state_label.text() == "○ Offline", timeout=10_000)
    _nudge(qtbot, desktop, target.council_id)
    qtbot.waitUntil(lambda: _waiting(desktop) == 1, timeout=5000)
    qtbot.wait(500)
    assert _waiting(desktop) == 1 and _reminders(platform, target.council_id) == before
    proxy.restore()
    qtbot.waitUntil(lambda: status.state_label.text() == "● Online", timeout=10_000)
    qtbot.waitUntil(lambda: _waiting(desktop) == 0, timeout=10_000)
    assert _reminders(platform, target.council_id) == before + 1  # a Nudge reminds one mentor


@pytest.mark.parametrize("choice", ["reapply", "discard"])
def test_conflict_dialog_shows_theirs_and_yours(
    qtbot: Any, open_app: Any, platform: Any, choice: str
) -> None:
    desktop = open_app(stream=False)
    ready = next(
        a
        for a in (analyse(d, NOW) for d in desktop.cache.documents())
        if a.status in ("collecting", "selecting")
        and a.decision is not None
        and a.decision.status.value == "confirmed"
    )
    panel = desktop.window.decision
    desktop.window.grid.select_council(ready.council_id)
    qtbot.waitUntil(lambda: panel.confirm_button.isEnabled(), timeout=5000)
    panel.confirm_button.click()
    qtbot.waitUntil(lambda: _waiting(desktop) == 1, timeout=5000)
    with platform.http() as other:  # another coordinator edits it first
        current = other.get(f"/api/v1/councils/{ready.council_id}")
        other.patch(
            f"/api/v1/councils/{ready.council_id}",
            json={"coordinatorNotes": "Mentee asked to wait"},
            headers={"If-Match": current.headers["ETag"]},
        ).raise_for_status()
    desktop.controller.start_stream()
    qtbot.waitUntil(
        lambda: isinstance(desktop.window.active_dialog, ConflictDialog), timeout=10_000
    )
    dialog = desktop.window.active_dialog
    assert isinstance(dialog, ConflictDialog)
    rows = {
        dialog.table.item(r, 0).text(): (
            dialog.table.item(r, 1).text(),
            dialog.table.item(r, 2).text(),
        )
        for r in range(dialog.table.rowCount())
    }
    assert rows["Status"] == (ready.status, "confirmed")
    assert rows["Notes"][0] == "Mentee asked to wait"
    assert rows["Version"][0] != rows["Version"][1]
    (dialog.reapply_button if choice == "reapply" else dialog.discard_button).click()
    with platform.http() as http:
        url = f"/api/v1/councils/{ready.council_id}"
        if choice == "reapply":
            qtbot.waitUntil(
                lambda: http.get(url).json()["coordinationStatus"] == "confirmed", timeout=10_000
            )
        qtbot.waitUntil(lambda: _waiting(desktop) == 0, timeout=10_000)
        doc = http.get(url).json()
    assert doc["coordinatorNotes"] == "Mentee asked to wait"
    assert (doc["coordinationStatus"] == "confirmed") is (choice == "reapply")


def test_expired_sign_in_asks_again_and_loses_nothing(
    qtbot: Any, platform: Any, proxy: Any, short_tokens: Any
) -> None:
    desktop = build_desktop(proxy.url, "coordinator@example.com")
    try:
        qtbot.addWidget(desktop.window)
        desktop.window.show()
        desktop.controller.start()
        qtbot.waitUntil(lambda: desktop.window.grid_model.rowCount() == 60, timeout=15_000)
        target = _collecting_with_pending(desktop)
        before = _reminders(platform, target.council_id)
        qtbot.wait(int(short_tokens * 1000) + 500)  # the token expires
        _nudge(qtbot, desktop, target.council_id)
        qtbot.waitUntil(
            lambda: isinstance(desktop.window.active_dialog, LoginDialog), timeout=10_000
        )
        dialog = desktop.window.active_dialog
        assert isinstance(dialog, LoginDialog)
        assert "expired" in dialog.note.text()
        qtbot.waitUntil(lambda: _waiting(desktop) == 1, timeout=5000)
        assert _reminders(platform, target.council_id) == before
        qtbot.waitUntil(lambda: desktop.window.status.state_label.text() == "○ Signed out")
        dialog.password.setText("password123")
        dialog.buttons.accepted.emit()
        qtbot.waitUntil(lambda: _waiting(desktop) == 0, timeout=10_000)
        assert _reminders(platform, target.council_id) == before + 1  # a Nudge reminds one mentor
    finally:
        desktop.close()
