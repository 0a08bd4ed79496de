"""The alerts panel against the real platform: alerts arrive live (newest first, kinds in
words, unknown kinds readable, unread count in the title, one announcement), jump to their
council, and Acknowledge goes through the outbox — also when queued offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from mentra_desktop.client.alerts import Alert
from mentra_desktop.views.alerts_model import KIND, RAISED, AlertListModel, compact_time
from mentra_desktop.views.alerts_notifier import announcement
from mentra_desktop.views.alerts_panel import AlertsPanel
from mentra_desktop.views.desktop import Desktop

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _raise(platform: Any, kind: str, council_id: int | None, message: str) -> int:
    """Raise an alert with the platform's own service, as its worker does."""
    from mentra_platform.alerts.service import raise_alert

    with platform.db.write() as session:
        alert = raise_alert(
            session, kind, council_id=council_id, message=message, now=datetime.now(UTC)
        )
        assert alert is not None
        session.commit()
        return int(alert.id)


def _open_ids(platform: Any) -> set[int]:
    with platform.http() as http:
        items = http.get("/api/v1/alerts", params={"unacknowledged": "true"}).json()["items"]
    return {int(a["id"]) for a in items}


def _panel(desktop: Desktop) -> AlertsPanel:
    panel: AlertsPanel = desktop.window.alerts_panel
    return panel


def test_model_rows_newest_first_unknown_kind_readable(qtmodeltester: ModelTester) -> None:
    model = AlertListModel()
    alerts = [
        Alert(2, "payment_overdue", None, "Card declined", T0 + timedelta(hours=1)),
        Alert(1, "no_feasible_slot", 7, "Nothing fits", T0, acknowledged_at=T0, council_topic="X"),
    ]
    model.set_alerts(alerts)
    qtmodeltester.check(model)
    assert model.index(0, KIND).data() == "Payment overdue"
    assert model.index(1, KIND).data() == "No feasible slot"
    assert model.unread == 1
    model.set_unread_only(True)
    assert model.rowCount() == 1 and model.alert(0).id == 2
    qtmodeltester.check(model)
    zone = ZoneInfo("Europe/Berlin")
    assert compact_time(T0, zone, T0 + timedelta(hours=2)) == "10:00"
    assert compact_time(T0, zone, T0 + timedelta(days=2)) == "Thu 10:00"
    assert compact_time(T0, zone, T0 + timedelta(days=30)) == "26 Nov"


def test_instants_in_messages_read_in_the_coordinators_zone() -> None:
    zone = ZoneInfo("Europe/Berlin")
    model = AlertListModel(zone=zone)
    raw = "5 alternative time(s) went to the mentors, answers close 2026-11-26T21:41:59.067084Z"
    alert = Alert(3, "alternatives_sent", 7, raw, T0)
    model.set_alerts([alert])
    assert model.message(alert).endswith("answers close Thu 26 Nov, 22:41 CET")
    tooltip = model.index(0, KIND).data(Qt.ItemDataRole.ToolTipRole)
    assert "22:41 CET" in tooltip and "2026-11-26T" not in tooltip
    _title, body = announcement([alert], zone)
    assert body == "#7: " + model.message(alert)


def test_alerts_arrive_live_jump_to_council_and_acknowledge(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    panel = _panel(desktop)
    window = desktop.window
    qtbot.waitUntil(lambda: desktop.controller.state == "online", timeout=10_000)
    first = _raise(platform, "no_feasible_slot", 5, "No slot reaches the minimum")
    second = _raise(platform, "calendar_feed_error", None, "Feed answered 404")
    third = _raise(platform, "calendar_conflict", 7, "Busy in their calendar at 10:00")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=10_000)
    assert [panel.model.alert(r).id for r in range(3)] == [third, second, first]
    assert panel.model.index(0, KIND).data() == "Possible calendar conflict"
    assert panel.model.index(1, KIND).data() == "Calendar feed broken"
    qtbot.waitUntil(lambda: window.windowTitle().startswith("(3) "), timeout=5000)
    assert panel.notifier is not None and panel.notifier.last is not None
    assert "alert" in panel.notifier.last[0].lower()
    if panel.notifier.tray is None:  # offscreen: no tray, the status bar says it
        assert panel.notifier.last[0] in window.statusBar().currentMessage()

    assert panel.select_alert(first)
    with qtbot.waitSignal(panel.council_requested, timeout=2000) as jumped:
        panel.open_action.trigger()
    assert jumped.args == [5]
    assert window.grid.selected_id() == 5

    assert panel.select_alert(second)
    panel.acknowledge_action.trigger()
    qtbot.waitUntil(lambda: window.windowTitle().startswith("(2) "), timeout=5000)
    qtbot.waitUntil(lambda: second not in _open_ids(platform), timeout=10_000)
    assert {first, third} <= _open_ids(platform)

    with platform.http() as http:  # another coordinator acknowledges one
        assert http.post(f"/api/v1/alerts/{third}/acknowledge").status_code == 200
    qtbot.waitUntil(lambda: window.windowTitle().startswith("(1) "), timeout=10_000)
    row = panel.model.row_of(third)
    assert row is not None and panel.model.alert(row).acknowledged_at is not None


def test_acknowledged_offline_is_delivered_on_reconnect(
    qtbot: Any, open_app: Any, platform: Any, proxy: Any
) -> None:
    desktop = open_app()
    panel = _panel(desktop)
    qtbot.waitUntil(lambda: desktop.controller.state == "online", timeout=10_000)
    alert_id = _raise(platform, "withdrawal_below_minimum", 3, "Two mentors withdrew")
    qtbot.waitUntil(lambda: panel.model.row_of(alert_id) is not None, timeout=10_000)
    proxy.cut()
    qtbot.waitUntil(lambda: desktop.controller.state == "offline", timeout=10_000)
    assert panel.select_alert(alert_id)
    panel.acknowledge_action.trigger()
    qtbot.waitUntil(lambda: not desktop.window.windowTitle().startswith("("), timeout=5000)
    row = panel.model.row_of(alert_id)
    assert row is not None and panel.model.alert(row).acknowledged_here
    assert desktop.outbox.pending_count() == 1
    assert alert_id in _open_ids(platform)  # not sent while offline
    proxy.restore()
    qtbot.waitUntil(lambda: alert_id not in _open_ids(platform), timeout=15_000)
    qtbot.waitUntil(lambda: desktop.outbox.pending_count() == 0, timeout=5000)


def test_dock_opens_readable_and_degrades_when_narrow(qtbot: Any, open_app: Any) -> None:
    """No saved layout: the dock starts at a readable width (not squeezed to the minimum
    the councils page leaves); made narrow, the Raised column gives way and the header
    elides rather than clip."""
    desktop = open_app(stream=False)
    window = desktop.window
    dock = window.alerts_dock
    panel = _panel(desktop)
    qtbot.waitUntil(lambda: dock.width() >= 300)  # 27 % of 1280 px, within 260–360
    assert not panel.table.isColumnHidden(RAISED)
    header = panel.table.horizontalHeader()
    assert header.textElideMode() == Qt.TextElideMode.ElideRight
    window.resizeDocks([dock], [160], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: panel.table.isColumnHidden(RAISED))
    assert panel.unread_label.wordWrap()
    window.resizeDocks([dock], [320], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: not panel.table.isColumnHidden(RAISED))
