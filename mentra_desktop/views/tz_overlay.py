"""TimeZoneOverlay: everyone's local day for the selected council on one UTC time axis.

One row per mentor (the lead starred) and the mentee, each shaded by that person's own
clock — working hours, night, days off (:mod:`mentra_desktop.models.tz_overlay`, which
does all the DST arithmetic without Qt) — with their busy ranges hatched. Across every
row: the proposed slots, the chosen one framed, the mentors' alternative proposals
dashed, and a "now" line. Hovering shows each person's local time at that instant, on
their row and in a line below the plot. The bottom axis is a date axis in the
coordinator's zone (local midnights and hours, so DST days are 23 or 25 hours long).

Every plot item is created once in ``__init__`` (enough rows for five mentors and the
mentee) and redrawn with ``setData`` (house style, pyqtgraph ``PanningPlot``).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from mentra_desktop.models.tz_overlay import (
    Overlay,
    Proposal,
    SlotMark,
    axis_ticks,
    build_overlay,
    local_times_at,
)
from mentra_desktop.scheduling.local_day import DAY_OFF, NIGHT, WORK
from mentra_desktop.views.council_analysis import CouncilAnalysis
from mentra_desktop.views.palette import CHOSEN
from mentra_desktop.views.timefmt import display_zone, local

MAX_ROWS = 6
"""Five mentors (the maximum seats) and the mentee."""
SLOT_LABEL_LEVELS = 2
SLOT_LABEL_STEP = 0.2
"""Slot times stack on two levels a fifth of a row apart, above the hover read-out at the
middle of the first row, so close slots stay legible."""
MAX_SLOTS = 5
SHADES = {
    WORK: QColor(46, 157, 87, 95),
    NIGHT: QColor(38, 52, 96, 125),
    DAY_OFF: QColor(230, 170, 40, 85),
}
BUSY = QColor("#5b6670")
SLOT = QColor(29, 111, 216, 50)
CHOSEN_FILL = QColor(29, 111, 216, 105)
PROPOSAL = QColor(123, 63, 196, 45)
PROPOSAL_EDGE = QColor(123, 63, 196)
NOW = QColor("#c0392b")
ROW_PAD = 0.06
LEGEND = (
    f'<span style="color:{SHADES[WORK].name()}">■</span> working hours &nbsp; '
    f'<span style="color:{SHADES[NIGHT].name()}">■</span> night (22–07) &nbsp; '
    f'<span style="color:#d9a21c">■</span> day off &nbsp; '
    f'<span style="color:{BUSY.name()}">▨</span> busy &nbsp; '
    f'<span style="color:{SLOT.name()}">■</span> proposed slot &nbsp; '
    f'<span style="color:{CHOSEN.name()}">▣</span> chosen slot &nbsp; '
    f'<span style="color:{PROPOSAL_EDGE.name()}">┆</span> alternative proposal &nbsp; '
    f'<span style="color:{NOW.name()}">│</span> now'
)


def _boxes(spans: list[tuple[float, float]], base: float, top: float) -> tuple[Any, Any]:
    """A filled outline of boxes ``[start, end) × [base, top]`` joined along ``base``."""
    if not spans:
        return np.array([0.0, 0.0]), np.array([base, base])
    x = np.array([[s, s, e, e] for s, e in spans], dtype=float).ravel()
    y = np.tile([base, top, top, base], len(spans)).astype(float)
    return x, y


def _frames(spans: list[tuple[float, float]], base: float, top: float) -> tuple[Any, Any]:
    """Rectangle outlines, separated by NaN (drawn with ``connect="finite"``)."""
    if not spans:
        return np.array([np.nan]), np.array([np.nan])
    x = np.array([[s, s, e, e, s, np.nan] for s, e in spans], dtype=float).ravel()
    y = np.tile([base, top, top, base, base, np.nan], len(spans)).astype(float)
    return x, y


def _epochs(items: Any) -> list[tuple[float, float]]:
    return [(i.start.timestamp(), i.end.timestamp()) for i in items]


class ZoneDateAxis(pg.DateAxisItem):  # type: ignore[misc]
    """A date axis whose ticks are local midnights and local hours in ``zone``."""

    def __init__(self, zone: tzinfo, **kwargs: Any) -> None:
        super().__init__(orientation="bottom", **kwargs)
        self.zone = zone
        self._labels: dict[float, str] = {}

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        try:
            lo = datetime.fromtimestamp(minVal, UTC)
            hi = datetime.fromtimestamp(maxVal, UTC)
        except (OverflowError, OSError, ValueError):
            return []
        major, minor = axis_ticks(lo, hi, self.zone, max(size, 1.0))
        self._labels = dict(major + minor)
        return [(86400.0, [v for v, _ in major]), (3600.0, [v for v, _ in minor])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._labels.get(v, "") for v in values]


class TimeZoneOverlay(QWidget):
    """See the module docstring. :meth:`set_analysis` shows a council (None clears)."""

    def __init__(self, parent: QWidget | None = None, zone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeZoneOverlay")
        self.zone = zone or display_zone()
        self.overlay: Overlay | None = None
        self.title = QLabel("Select a council to see everyone's local day")
        self.title.setObjectName("overlayTitle")
        self.title.setWordWrap(True)
        self.legend = QLabel(LEGEND)
        self.legend.setObjectName("overlayLegend")
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("Legend of the time-zone overlay")
        self.axis = ZoneDateAxis(self.zone)
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.plot.setObjectName("overlayPlot")
        self.plot.setAccessibleName("Time-zone overlay: everyone's local day")
        self.plot.setMinimumHeight(180)
        self.hover = QLabel(" ")
        self.hover.setObjectName("overlayHover")
        self.hover.setWordWrap(True)
        self.hover.setAccessibleName("Local times at the pointer")
        self.hover.setMinimumHeight(2 * self.hover.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.hover)
        self._build_items()
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(60_000)
        self._now_timer.timeout.connect(self._update_now)
        self._now_timer.start()
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.apply_palette()
        self._update_rows(None)

    # --- construction -------------------------------------------------------------

    def _build_items(self) -> None:
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=True, y=False, alpha=0.15)
        item.getViewBox().invertY(True)
        item.setMouseEnabled(x=True, y=False)
        left = item.getAxis("left")
        left.setWidth(230)
        left.setStyle(tickLength=0)
        no_pen = pg.mkPen(None)
        self.shade_items: dict[tuple[int, str], pg.PlotCurveItem] = {}
        self.busy_items: list[pg.PlotCurveItem] = []
        self.row_labels: list[pg.TextItem] = []
        for row in range(MAX_ROWS):
            for kind, colour in SHADES.items():
                curve = pg.PlotCurveItem(pen=no_pen, brush=QBrush(colour), fillLevel=row)
                curve.setZValue(-10)
                item.addItem(curve)
                self.shade_items[(row, kind)] = curve
            busy = pg.PlotCurveItem(
                pen=no_pen, brush=QBrush(BUSY, Qt.BrushStyle.BDiagPattern), fillLevel=row + 0.3
            )
            busy.setZValue(-5)
            item.addItem(busy)
            self.busy_items.append(busy)
            text = pg.TextItem(anchor=(0, 0.5))
            text.setZValue(20)
            item.addItem(text, ignoreBounds=True)
            self.row_labels.append(text)
        self.slot_fill = pg.PlotCurveItem(pen=no_pen, brush=QBrush(SLOT), fillLevel=0)
        self.chosen_fill = pg.PlotCurveItem(pen=no_pen, brush=QBrush(CHOSEN_FILL), fillLevel=0)
        self.chosen_frame = pg.PlotCurveItem(pen=pg.mkPen(CHOSEN, width=2), connect="finite")
        self.proposal_fill = pg.PlotCurveItem(pen=no_pen, brush=QBrush(PROPOSAL), fillLevel=0)
        self.proposal_frame = pg.PlotCurveItem(
            pen=pg.mkPen(PROPOSAL_EDGE, width=1, style=Qt.PenStyle.DashLine), connect="finite"
        )
        for z, curve in enumerate(
            (
                self.proposal_fill,
                self.proposal_frame,
                self.slot_fill,
                self.chosen_fill,
                self.chosen_frame,
            )
        ):
            curve.setZValue(z)
            item.addItem(curve)
        self.slot_labels: list[pg.TextItem] = []
        self._labelled: list[SlotMark] = []
        item.getViewBox().sigRangeChanged.connect(lambda *_: self._place_slot_labels())
        item.getViewBox().sigResized.connect(lambda *_: self._place_slot_labels())
        for _ in range(MAX_SLOTS):
            label = pg.TextItem(anchor=(0, 0))
            label.setZValue(15)
            item.addItem(label, ignoreBounds=True)
            self.slot_labels.append(label)
        self.now_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(NOW, width=2, style=Qt.PenStyle.DashLine)
        )
        self.now_line.setZValue(30)
        item.addItem(self.now_line, ignoreBounds=True)
        self.hover_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#8a94a0", width=1))
        self.hover_line.setZValue(31)
        self.hover_line.hide()
        item.addItem(self.hover_line, ignoreBounds=True)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def apply_palette(self) -> None:
        """Plot background and text follow the widget palette (light or dark)."""
        palette = self.palette()
        self.plot.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        for name in ("left", "bottom"):
            axis = self.plot.getPlotItem().getAxis(name)
            axis.setTextPen(text)
            axis.setPen(pg.mkPen(text))
        for label in self.row_labels + self.slot_labels:
            label.setColor(text)

    # --- data ---------------------------------------------------------------------

    def set_analysis(self, analysis: CouncilAnalysis | None) -> None:
        if analysis is None:
            self.set_overlay(None)
            return
        overlay = build_overlay(
            analysis.doc,
            analysis.request,
            analysis.chosen_slot(),
            analysis.now,
            self.zone,
        )
        self.set_overlay(overlay)

    def set_overlay(self, overlay: Overlay | None) -> None:
        """Redraw every item for ``overlay`` (the same items, new data)."""
        self.overlay = overlay
        self._update_rows(overlay)
        if overlay is None:
            self.title.setText("Select a council to see everyone's local day")
            return
        self._update_spans(overlay.slots, overlay.proposals, len(overlay.rows))
        self._update_now()
        self.plot.getPlotItem().getViewBox().setLimits(
            xMin=overlay.start.timestamp(),
            xMax=overlay.end.timestamp(),
            yMin=0,
            yMax=len(overlay.rows),
        )
        self.plot.setXRange(overlay.start.timestamp(), overlay.end.timestamp(), padding=0)
        self.plot.setYRange(0, len(overlay.rows), padding=0)
        zone = getattr(self.zone, "key", None) or "your zone"
        mentee = overlay.rows[-1]
        note = "" if mentee.zone_known else " The mentee's zone is not known: shown in yours."
        self.title.setText(
            f"<b>{overlay.title}</b> — everyone's local day, {local(overlay.start, self.zone)} "
            f"to {local(overlay.end, self.zone)} ({zone}).{note}"
        )

    def _update_rows(self, overlay: Overlay | None) -> None:
        rows = overlay.rows if overlay is not None else ()
        axis = self.plot.getPlotItem().getAxis("left")
        # The axis drops a tick label wider than itself: shorten the name, keep the zone.
        metrics = QFontMetrics(axis.style.get("tickFont") or self.plot.font())
        room = int(axis.width()) - 8
        ticks = [
            (index + 0.5, metrics.elidedText(row.label, Qt.TextElideMode.ElideMiddle, room))
            for index, row in enumerate(rows)
        ]
        axis.setTicks([ticks, []])
        for index in range(MAX_ROWS):
            row = rows[index] if index < len(rows) else None
            base, top = index + 1 - ROW_PAD, index + ROW_PAD
            for kind in SHADES:
                curve = self.shade_items[(index, kind)]
                spans = (
                    [(b.start.timestamp(), b.end.timestamp()) for b in row.bands if b.kind == kind]
                    if row is not None
                    else []
                )
                curve.setFillLevel(base)
                curve.setData(*_boxes(spans, base, top))
            busy = self.busy_items[index]
            busy.setFillLevel(index + 0.7)
            busy.setData(*_boxes(_epochs(row.busy) if row else [], index + 0.7, index + 0.3))
            self.row_labels[index].hide()

    def _update_spans(
        self, slots: tuple[SlotMark, ...], proposals: tuple[Proposal, ...], rows: int
    ) -> None:
        plain = [s for s in slots if not s.chosen]
        chosen = [s for s in slots if s.chosen]
        for curve in (self.slot_fill, self.chosen_fill, self.proposal_fill):
            curve.setFillLevel(rows)
        self.slot_fill.setData(*_boxes(_epochs(plain), rows, 0))
        self.chosen_fill.setData(*_boxes(_epochs(chosen), rows, 0))
        self.chosen_frame.setData(*_frames(_epochs(chosen), rows, 0))
        merged = _merge(_epochs(proposals))
        self.proposal_fill.setData(*_boxes(merged, rows, 0))
        self.proposal_frame.setData(*_frames(merged, rows, 0))
        self._labelled = sorted(slots[: len(self.slot_labels)], key=lambda slot: slot.start)
        for index, label in enumerate(self.slot_labels):
            if index < len(self._labelled):
                slot = self._labelled[index]
                mark = "✓ " if slot.chosen else ""
                label.setText(f"{mark}{slot.start.astimezone(self.zone):%H:%M}")
            else:
                label.hide()
        self._place_slot_labels()

    def _place_slot_labels(self) -> None:
        """Each slot's time at the top of the first row, on the first level where it does not
        run into another label at the current zoom, the chosen slot's first; a label that
        fits on no level is hidden (hover still tells). Drawn leftwards at the plot's right
        edge. Rerun whenever the visible range or the plot's size changes."""
        view = self.plot.getPlotItem().getViewBox()
        (x0, x1), _ = view.viewRange()
        per_pixel = (x1 - x0) / max(view.width(), 1.0)
        taken: list[list[tuple[float, float]]] = [[] for _ in range(SLOT_LABEL_LEVELS)]
        pairs = list(zip(self.slot_labels, self._labelled, strict=False))
        for label, slot in sorted(pairs, key=lambda pair: not pair[1].chosen):
            x = slot.start.timestamp()
            span = (label.textItem.boundingRect().width() + 6) * per_pixel
            fits_right = x + span <= x1
            left = x if fits_right else x - span
            level = next(
                (
                    i
                    for i, used in enumerate(taken)
                    if all(left + span <= a or left >= b for a, b in used)
                ),
                None,
            )
            if level is None:
                label.hide()
                continue
            taken[level].append((left, left + span))
            label.setAnchor((0, 0) if fits_right else (1, 0))
            label.setPos(x, SLOT_LABEL_STEP * level)
            label.show()

    def _update_now(self) -> None:
        now = datetime.now(UTC)
        overlay = self.overlay
        if overlay is not None and overlay.start <= now <= overlay.end:
            self.now_line.setPos(now.timestamp())
            self.now_line.show()
        else:
            self.now_line.hide()

    # --- hover --------------------------------------------------------------------

    def _on_mouse_moved(self, position: QPointF) -> None:
        view = self.plot.getPlotItem().getViewBox()
        if self.overlay is None or not view.sceneBoundingRect().contains(position):
            self.hover_line.hide()
            for label in self.row_labels:
                label.hide()
            return
        x = view.mapSceneToView(position).x()
        self.hover_at(datetime.fromtimestamp(x, UTC))

    def hover_at(self, moment: datetime) -> list[tuple[str, str]]:
        """Show every person's local time at ``moment`` (on their row and below the plot)."""
        overlay = self.overlay
        if overlay is None or not overlay.start <= moment <= overlay.end:
            return []
        times = local_times_at(overlay, moment)
        x = moment.timestamp()
        self.hover_line.setPos(x)
        self.hover_line.show()
        right_half = x > (overlay.start.timestamp() + overlay.end.timestamp()) / 2
        for index, (_name, text) in enumerate(times):
            label = self.row_labels[index]
            label.setAnchor((1, 0.5) if right_half else (0, 0.5))
            label.setText(text.split(" · ")[0].split(" ", 1)[-1])  # "14:00 CET"
            label.setPos(x, index + 0.5)
            label.show()
        self.hover.setText(
            f"<b>{local(moment, self.zone)}</b> (you) — "
            + " · ".join(f"<b>{name}</b> {text}" for name, text in times)
        )
        return times


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping proposals (several mentors) as one box each."""
    merged: list[tuple[float, float]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
