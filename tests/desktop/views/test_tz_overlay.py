"""The time-zone overlay against the real platform: one row per mentor plus the mentee,
shading drawn from each person's local day (and moving by the hour across the European
and US DST changes), slots and the chosen one, a mentor's new alternative proposal
arriving live, hover read-out from a real mouse move, and plot items created once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from desktop_live import mentor_client
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QFontMetrics

from mentra_desktop.models.tz_overlay import build_overlay
from mentra_desktop.scheduling.model import Council, Mentor, SelectionRequest, Slot
from mentra_desktop.views.council_analysis import analyse
from mentra_desktop.views.desktop import Desktop
from mentra_desktop.views.tz_overlay import MAX_ROWS, TimeZoneOverlay

BERLIN = ZoneInfo("Europe/Berlin")


def _starts(curve: Any) -> list[float]:
    """Left edges of the boxes a shade curve draws (x at each rise from the base)."""
    x, y = curve.getData()
    if x is None or len(x) < 4:
        return []
    return [float(v) for v in np.asarray(x)[1::4][np.asarray(y)[1::4] != np.asarray(y)[0::4]]]


def _open_council(desktop: Desktop) -> dict[str, Any]:
    """A council still taking answers (deadline ahead) whose engine has a pick, one whose
    mentee set their time zone first."""
    now = datetime.now(UTC)
    docs = sorted(desktop.cache.documents(), key=lambda d: not d.get("menteeTimezone"))
    for doc in docs:
        a = analyse(doc, now)
        r = a.request
        if r is not None and a.is_open and r.deadline > now and a.chosen_slot() is not None:
            return dict(doc)
    raise AssertionError("no open council with a pick")


def test_rows_shading_slots_live_proposal_and_hover(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    window = desktop.window
    view = window.overlay
    doc = _open_council(desktop)
    council_id = int(doc["id"])
    window.reveal(view)
    window.grid.select_council(council_id)
    qtbot.waitUntil(lambda: view.overlay is not None and view.overlay.council_id == council_id)
    overlay = view.overlay
    assert overlay is not None
    # One row per mentor, then the mentee; labels on the left axis.
    names = [m["name"] for m in doc["mentors"]]
    assert [r.name for r in overlay.rows[:-1]] == names
    assert overlay.rows[-1].role == "mentee" and len(overlay.rows) == len(names) + 1
    # The mentee's row is drawn in the mentee's own zone, from the council document.
    mentee = overlay.rows[-1]
    assert doc["menteeTimezone"] in {"Africa/Lagos", "Europe/Berlin", "Asia/Kolkata"}
    assert mentee.zone_known and mentee.zone == ZoneInfo(doc["menteeTimezone"])
    assert mentee.label.endswith(f"mentee · {doc['menteeTimezone']}")
    assert "not known" not in view.title.text()
    axis = view.plot.getPlotItem().getAxis("left")
    ticks = axis._tickLevels[0]
    # Every row keeps a label the axis can draw (it drops one wider than itself): the
    # full label, or the same label shortened in the middle, the zone at its end kept.
    metrics = QFontMetrics(axis.style.get("tickFont") or view.plot.font())
    assert len(ticks) == len(overlay.rows)
    for (_, shown), row in zip(ticks, overlay.rows, strict=True):
        assert metrics.horizontalAdvance(shown) < axis.width()
        if shown != row.label:
            head, tail = shown.split("…")
            assert row.label.startswith(head) and row.label.endswith(tail)
            assert row.zone.key.endswith(tail[-6:])
    # Each row's working-hours boxes start where that person's working days start.
    for index, row in enumerate(overlay.rows):
        expected = [b.start.timestamp() for b in row.bands if b.kind == "work"]
        assert _starts(view.shade_items[(index, "work")]) == expected
    for index in range(len(overlay.rows), MAX_ROWS):
        assert _starts(view.shade_items[(index, "work")]) == []
    # The chosen slot framed, the others filled.
    chosen = [s for s in overlay.slots if s.chosen]
    assert len(chosen) == 1
    frame_x, _ = view.chosen_frame.getData()
    assert float(np.nanmin(frame_x)) == chosen[0].start.timestamp()
    assert len(_starts(view.slot_fill)) == len(overlay.slots) - 1

    # A mentor proposes another time: it arrives over the stream and is drawn across rows.
    mentor_id = int(doc["mentors"][0]["mentorId"])
    slot = overlay.slots[0]
    start = slot.start + timedelta(days=1)
    with mentor_client(platform.url, mentor_id) as http:
        response = http.put(
            f"/api/v1/councils/{council_id}/responses/me",
            json={
                "alternativeProposals": [
                    {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}
                ]
            },
        )
        assert response.status_code == 200, response.text
    qtbot.waitUntil(
        lambda: view.overlay is not None and len(view.overlay.proposals) == 1, timeout=10_000
    )
    assert _starts(view.proposal_fill) == [start.timestamp()]

    # Hover with the real mouse: every person's local time at that instant.
    moment = slot.start + timedelta(minutes=30)
    box = view.plot.getPlotItem().getViewBox()

    def hovered() -> bool:
        view.plot.grab()  # lay out and paint, so the view's transform is the final one
        scene = box.mapViewToScene(QPointF(moment.timestamp(), 0.5))
        point = view.plot.mapFromScene(scene)
        qtbot.mouseMove(view.plot.viewport(), QPoint(point.x(), point.y()))
        # one pixel is several minutes of a two-week axis
        return bool(
            view.hover_line.isVisible() and abs(view.hover_line.value() - moment.timestamp()) < 900
        )

    qtbot.waitUntil(hovered)
    at = datetime.fromtimestamp(view.hover_line.value(), UTC)
    text = view.hover.text()
    assert text.startswith(f"<b>{at.astimezone(view.zone):%a %d %b %H:%M}</b> (you)")
    for row in view.overlay.rows:  # every person's local weekday and time at that instant
        assert f"<b>{row.name}</b> {at.astimezone(row.zone):%a %H:%M %Z}" in text
    assert view.row_labels[0].isVisible()


def test_dst_shading_moves_by_the_hour_in_the_plot(qtbot: Any) -> None:
    view = TimeZoneOverlay(zone=BERLIN)
    qtbot.addWidget(view)
    view.resize(1200, 500)
    view.show()
    qtbot.waitExposed(view)
    slots = (
        Slot("1", datetime(2026, 10, 23, 14, tzinfo=UTC)),
        Slot("2", datetime(2026, 11, 3, 14, tzinfo=UTC)),
    )
    request = SelectionRequest(
        now=datetime(2026, 10, 20, tzinfo=UTC),
        deadline=datetime(2026, 10, 22, tzinfo=UTC),
        council=Council("1", slots, mentor_minimum=1, mentor_maximum=2),
        mentors=(Mentor("1", timezone="Europe/Berlin"), Mentor("2", timezone="America/New_York")),
    )
    doc = {
        "id": 1,
        "topic": "DST",
        "mentors": [{"mentorId": 1, "name": "B"}, {"mentorId": 2, "name": "N"}],
    }
    items_before = list(view.plot.getPlotItem().items)
    view.set_overlay(build_overlay(doc, request, "1", request.now, BERLIN))
    view.set_overlay(build_overlay(doc, request, "2", request.now, BERLIN))
    assert list(view.plot.getPlotItem().items) == items_before  # the same items, new data

    def utc_hours(row: int) -> dict[str, int]:
        return {
            datetime.fromtimestamp(x, UTC)
            .astimezone(BERLIN)
            .strftime("%m-%d"): datetime.fromtimestamp(x, UTC).hour
            for x in _starts(view.shade_items[(row, "work")])
        }

    berlin, york = utc_hours(0), utc_hours(1)
    assert (berlin["10-23"], berlin["10-26"]) == (7, 8)  # 09:00 CEST, then CET
    assert (york["10-30"], york["11-02"]) == (13, 14)  # 09:00 EDT, then EST
    frame_x, _ = view.chosen_frame.getData()
    assert float(np.nanmin(frame_x)) == slots[1].start.timestamp()
    values = view.axis.tickValues(
        datetime(2026, 10, 24, tzinfo=UTC).timestamp(),
        datetime(2026, 10, 27, tzinfo=UTC).timestamp(),
        1200,
    )
    days = values[0][1]
    assert view.axis.tickStrings(days, 1, 86400) == ["Sun 25 Oct", "Mon 26 Oct", "Tue 27 Oct"]
    assert days[1] - days[0] == 25 * 3600  # the axis is in Berlin time: 25 Oct has 25 h


def test_close_slot_times_never_overlap_and_stay_inside_the_plot(qtbot: Any) -> None:
    """Four back-to-back hourly slots (as a coordinator proposes one afternoon): each time
    shown sits apart from the others and inside the plot, at the coordinator's 1280-px
    window, and the chosen slot's time is always among them."""
    view = TimeZoneOverlay(zone=BERLIN)
    qtbot.addWidget(view)
    view.resize(1040, 560)
    view.show()
    qtbot.waitExposed(view)
    base = datetime(2026, 12, 3, 8, tzinfo=UTC)
    slots = tuple(Slot(str(i), base + timedelta(hours=h)) for i, h in enumerate((0, 1, 2, 3), 1))
    request = SelectionRequest(
        now=datetime(2026, 11, 26, tzinfo=UTC),
        deadline=datetime(2026, 11, 30, tzinfo=UTC),
        council=Council("1", slots, mentor_minimum=1, mentor_maximum=2),
        mentors=(Mentor("1", timezone="Europe/Berlin"),),
    )
    doc = {"id": 1, "topic": "Close slots", "mentors": [{"mentorId": 1, "name": "B"}]}
    view.set_overlay(build_overlay(doc, request, "2", request.now, BERLIN))
    qtbot.wait(50)
    plot_rect = view.plot.getPlotItem().getViewBox().sceneBoundingRect()
    shown = [label for label in view.slot_labels if label.isVisible()]
    # Two levels hold three of the four hourly times here; the chosen one always shows
    # (the hidden one is still in the hover read-out).
    assert len(shown) == 3
    assert any(label_text(label).startswith("✓") for label in shown)
    rects = [label.mapRectToScene(label.boundingRect()) for label in shown]
    for i, rect in enumerate(rects):
        assert plot_rect.contains(rect), (label_text(shown[i]), rect, plot_rect)
        for other in rects[i + 1 :]:
            assert not rect.intersects(other), (rect, other)


def label_text(label: Any) -> str:
    return str(label.textItem.toPlainText())
