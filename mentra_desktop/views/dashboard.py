"""Dashboard: four charts, each titled with the coordinator's question it answers.

The figures come from :func:`~mentra_desktop.models.dashboard_figures.compute_figures`
over every cached council, run on the task manager's DB worker (never the GUI thread).
The page recomputes when the cache changes (the controller's ``summaries_loaded`` /
``summaries_changed``, debounced), and only while it is visible — a hidden page is marked
stale and recomputes when shown. Every plot item is created once and updated with
``setData`` / ``setOpts``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.models.dashboard_figures import (
    PHASES,
    WEEKS_AHEAD,
    DashboardFigures,
    compute_figures,
    histogram,
    median,
)
from mentra_desktop.views.palette import status_swatch
from mentra_desktop.views.taskman import Op, TaskManager
from mentra_desktop.views.timefmt import display_zone
from mentra_desktop.views.tz_overlay import ZoneDateAxis

DEBOUNCE_MS = 400
PHASE_COLOURS = {
    "draft": "#7a8794",
    "collecting": "#1d6fd8",
    "selecting": "#7b3fc4",
    "needs_alternatives": "#d9730d",
    "rescheduling": "#b8930b",
    "confirmed": "#2e9d57",
    "cancelled": "#a0a0a0",
}
WEEK_COLOURS = ("#1d6fd8", "#5b9be8", "#93bdf0", "#c6dcf7")


class ChartCard(QWidget):
    """A question as the title, the plot, and one line on where the figure comes from."""

    def __init__(self, question: str, source: str, plot: pg.PlotWidget) -> None:
        super().__init__()
        self.title = QLabel(f"<b>{question}</b>")
        self.title.setWordWrap(True)
        self.plot = plot
        plot.setAccessibleName(question)
        plot.setMinimumHeight(150)
        self.source = QLabel(source)
        self.source.setWordWrap(True)
        self.source.setObjectName("chartSource")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(plot, 1)
        layout.addWidget(self.source)


def _plot(axis: pg.AxisItem | None = None) -> pg.PlotWidget:
    widget = pg.PlotWidget(axisItems={"bottom": axis} if axis is not None else None)
    item = widget.getPlotItem()
    item.setMenuEnabled(False)
    item.hideButtons()
    item.showGrid(x=False, y=True, alpha=0.2)
    item.setMouseEnabled(x=False, y=False)
    return widget


class Dashboard(QWidget):
    """See the module docstring."""

    figures_ready = Signal(object)
    """The :class:`DashboardFigures` just drawn."""

    def __init__(
        self,
        tasks: TaskManager,
        cache: CouncilCache,
        parent: QWidget | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.tasks = tasks
        self.cache = cache
        self.zone = zone or display_zone()
        self.figures: DashboardFigures | None = None
        self._stale = True
        self._running = False
        self._again = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.summary = QLabel("Reading the council cache…")
        self.summary.setObjectName("dashboardSummary")
        self._build()

    # --- construction -------------------------------------------------------------

    def _build(self) -> None:
        self.phase_card = ChartCard(
            "How many councils are in each phase, day by day?",
            "From each council's audited phase moves (a council the platform sent without "
            "its history: reconstructed from its creation, invitations and last change).",
            _plot(ZoneDateAxis(self.zone)),
        )
        phase_item = self.phase_card.plot.getPlotItem()
        legend = phase_item.addLegend(offset=(8, 4), colCount=4, labelTextSize="8pt")
        legend.setObjectName("phaseLegend")
        self.phase_lines: dict[str, pg.PlotDataItem] = {}
        for phase in PHASES:
            line = phase_item.plot(
                [], [], pen=pg.mkPen(PHASE_COLOURS[phase], width=2), name=status_swatch(phase).label
            )
            self.phase_lines[phase] = line
        phase_item.setLabel("left", "councils")

        self.rate_card = ChartCard(
            "Are mentors answering their invitations?",
            "Share of the mentor seats invited each week (your weeks, Monday first) that have "
            "answered, and that answered within 48 hours; recent weeks are still open.",
            _plot(ZoneDateAxis(self.zone)),
        )
        rate_item = self.rate_card.plot.getPlotItem()
        rate_item.addLegend(offset=(8, 4), labelTextSize="8pt")
        self.rate_line = rate_item.plot(
            [],
            [],
            pen=pg.mkPen("#2e9d57", width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush="#2e9d57",
            name="answered",
        )
        self.quick_line = rate_item.plot(
            [],
            [],
            pen=pg.mkPen("#1d6fd8", width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
            symbol="s",
            symbolSize=5,
            symbolBrush="#1d6fd8",
            name="within 48 h",
        )
        rate_item.setYRange(0, 100, padding=0.02)
        rate_item.setLabel("left", "% of invited seats")

        self.delay_card = ChartCard(
            "How long from invitation to confirmation?",
            "Confirmed councils: from the invitations to the confirmation (the audited "
            "moves; without them, the council's last change), in days.",
            _plot(),
        )
        delay_item = self.delay_card.plot.getPlotItem()
        self.delay_bars = pg.BarGraphItem(x0=[], x1=[], height=[], brush=QColor("#7b3fc4"))
        delay_item.addItem(self.delay_bars)
        self.delay_median = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen("#c0392b", width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
            label="median",
            labelOpts={"position": 0.9, "color": "#c0392b"},
        )
        delay_item.addItem(self.delay_median, ignoreBounds=True)
        delay_item.setLabel("bottom", "days from invitation to confirmation")
        delay_item.setLabel("left", "councils")

        self.load_card = ChartCard(
            "Who is busiest in the coming weeks?",
            f"Confirmed sessions per attending mentor, this week and the next "
            f"{WEEKS_AHEAD - 1} (the busiest first).",
            _plot(),
        )
        load_item = self.load_card.plot.getPlotItem()
        load_item.addLegend(offset=(-8, -8), labelTextSize="8pt")
        load_item.getViewBox().invertY(True)
        load_item.getAxis("left").setWidth(130)
        load_item.showGrid(x=True, y=False, alpha=0.2)
        self.load_bars: list[pg.BarGraphItem] = []
        for week in range(WEEKS_AHEAD):
            bars = pg.BarGraphItem(
                x0=[],
                y=[],
                width=[],
                height=0.7,
                brush=QColor(WEEK_COLOURS[week]),
                name="this week" if week == 0 else f"+{week} week{'s' if week > 1 else ''}",
            )
            load_item.addItem(bars)
            self.load_bars.append(bars)
        load_item.setLabel("bottom", "sessions")

        grid = QGridLayout()
        grid.setSpacing(6)
        grid.addWidget(self.phase_card, 0, 0)
        grid.addWidget(self.rate_card, 0, 1)
        grid.addWidget(self.delay_card, 1, 0)
        grid.addWidget(self.load_card, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.summary)
        layout.addLayout(grid, 1)
        self.apply_palette()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def apply_palette(self) -> None:
        """Plot backgrounds and text follow the widget palette (light or dark)."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        for card in self.cards:
            card.plot.setBackground(palette.color(QPalette.ColorRole.Base))
            for name in ("left", "bottom"):
                axis = card.plot.getPlotItem().getAxis(name)
                axis.setTextPen(text)
                axis.setPen(pg.mkPen(text))
            legend = card.plot.getPlotItem().legend
            if legend is not None:
                legend.setLabelTextColor(text)

    @property
    def cards(self) -> tuple[ChartCard, ...]:
        return (self.phase_card, self.rate_card, self.delay_card, self.load_card)

    # --- refresh ------------------------------------------------------------------

    def cache_changed(self, *_: object) -> None:
        """The cache changed: recompute soon if visible, else when next shown."""
        self._stale = True
        if self.isVisible():
            self._debounce.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._debounce.start(0)

    def refresh(self) -> None:
        """Compute the figures on the DB worker; a change meanwhile runs one more pass."""
        if self.tasks.closed:
            return  # the app is closing: its workers are gone
        if self._running:
            self._again = True
            return
        self._running = True
        self._stale = False
        if self.figures is not None:  # the old figures stay up meanwhile, marked as such
            self.summary.setText(f"{self._summary_text(self.figures)} · updating…")
        cache, zone = self.cache, self.zone

        def work() -> DashboardFigures:
            return compute_figures(cache.documents(), datetime.now(UTC), zone)

        def failed(exc: BaseException) -> None:
            self._running = False
            self.summary.setText(f"Could not compute the dashboard: {exc}")

        Op(self.tasks, work, self._on_figures, "compute the dashboard").failure(failed).run("db")

    def _on_figures(self, figures: DashboardFigures) -> None:
        self._running = False
        self.set_figures(figures)
        if self._again:
            self._again = False
            self.refresh()

    # --- drawing ------------------------------------------------------------------

    def set_figures(self, figures: DashboardFigures) -> None:
        self.figures = figures
        self._update_phases(figures)
        self._update_rates(figures)
        self._update_delay(figures)
        self._update_load(figures)
        self.summary.setText(self._summary_text(figures))
        self.figures_ready.emit(figures)

    def _summary_text(self, figures: DashboardFigures) -> str:
        when = figures.now.astimezone(self.zone)
        return (
            f"{figures.councils} councils in the cache · as of {when:%a %d %b %H:%M} "
            f"{when.tzname()}"
        )

    def _update_phases(self, figures: DashboardFigures) -> None:
        series = figures.phases
        x = np.array([e.timestamp() for e in series.ends], dtype=float)
        for phase, line in self.phase_lines.items():
            counts = np.array(series.counts.get(phase, ()), dtype=float)
            line.setData(x[: len(counts)], counts)
        if len(x):
            self.phase_card.plot.setXRange(x[0] - 43_200, x[-1] + 43_200, padding=0)
        top = max((max(c) for c in series.counts.values() if c), default=1)
        self.phase_card.plot.setYRange(0, top * 1.4 + 1, padding=0)  # room for the legend

    def _update_rates(self, figures: DashboardFigures) -> None:
        weeks = figures.answer_rate
        x = np.array([w.starts.timestamp() + 3.5 * 86400 for w in weeks], dtype=float)
        self.rate_line.setData(x, np.array([100 * w.rate for w in weeks], dtype=float))
        self.quick_line.setData(x, np.array([100 * w.quick_rate for w in weeks], dtype=float))
        if len(x):
            self.rate_card.plot.setXRange(x[0] - 4 * 86400, x[-1] + 4 * 86400, padding=0)

    def _update_delay(self, figures: DashboardFigures) -> None:
        days = tuple(h / 24 for h in figures.confirmation_hours)
        width = 0.5 if not days or max(days) <= 10 else 1.0
        edges, counts = histogram(days, width)
        self.delay_bars.setOpts(x0=edges[:-1], x1=edges[1:], height=counts)
        middle = median(days)
        if middle is None:
            self.delay_median.hide()
        else:
            # Shown first: pyqtgraph's label ignores a new format while its line is hidden.
            self.delay_median.show()
            self.delay_median.setPos(middle)
            self.delay_median.label.setFormat(f"median {middle:.1f} d")
        self.delay_card.plot.setXRange(0, edges[-1], padding=0.02)
        self.delay_card.plot.setYRange(0, max([*counts, 1]) * 1.15, padding=0)

    def _update_load(self, figures: DashboardFigures) -> None:
        loads = figures.load
        y = np.arange(len(loads), dtype=float)
        start = np.zeros(len(loads))
        for week, bars in enumerate(self.load_bars):
            widths = np.array([m.per_week[week] for m in loads], dtype=float)
            bars.setOpts(x0=start.copy(), y=y, width=widths, height=0.7)
            start += widths
        axis = self.load_card.plot.getPlotItem().getAxis("left")
        axis.setTicks([[(float(i), m.name) for i, m in enumerate(loads)], []])
        top = max((m.total for m in loads), default=1)
        # Sessions are whole numbers: one tick per session (every other one past 12).
        self.load_card.plot.getPlotItem().getAxis("bottom").setTickSpacing(
            major=1.0 if top <= 12 else 2.0, minor=1.0
        )
        self.load_card.plot.setXRange(0, top + 0.5, padding=0)
        self.load_card.plot.setYRange(-0.6, max(len(loads), 4) - 0.4, padding=0)
        others = figures.mentors_with_sessions - len(loads)
        more = f"; {others} more mentors have sessions" if others > 0 else ""
        self.load_card.source.setText(
            f"Confirmed sessions per attending mentor, this week and the next "
            f"{WEEKS_AHEAD - 1} (the busiest first{more})."
        )
