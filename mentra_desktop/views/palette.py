"""Colours and labels that carry meaning (council phases, mentor answers, risk), and the
light or dark scheme the app follows from the system.

One place so the grid's status chips, the matrix cells, the legend and the decision
panel agree. Colours are chosen to read on a light background and stay distinct for the
common colour-vision deficiencies (green/red pairs always differ in lightness too, and
every cell also carries a text label, so colour is never the only signal).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


class Swatch(NamedTuple):
    label: str
    background: QColor
    foreground: QColor


def _swatch(label: str, background: str, foreground: str = "#1b1f24") -> Swatch:
    return Swatch(label, QColor(background), QColor(foreground))


STATUS = {
    "draft": _swatch("Draft", "#e4e7eb", "#3c4650"),
    "collecting": _swatch("Collecting", "#d4e6fb", "#0b4a8b"),
    "selecting": _swatch("Selecting", "#e5dcfa", "#4b2a99"),
    "needs_alternatives": _swatch("Needs alternatives", "#ffe1c2", "#8a3d00"),
    "rescheduling": _swatch("Rescheduling", "#fff0b3", "#6b5200"),
    "confirmed": _swatch("Confirmed", "#cdeed6", "#145c2c"),
    "cancelled": _swatch("Cancelled", "#eeeeee", "#7a7a7a"),
}
"""Coordination phase → chip label and colours."""

ANSWER = {
    "available": _swatch("Available", "#2e9d57", "#ffffff"),
    "tentative": _swatch("Tentative", "#f4c542"),
    "partial": _swatch("Partial", "#a7dcb4"),
    "unavailable": _swatch("Unavailable", "#d64545", "#ffffff"),
    "pending": _swatch("Pending", "#eef0f2", "#5b6670"),
    "busy": _swatch("Busy elsewhere", "#5b6670", "#ffffff"),
}
"""Matrix cell kind → label and colours (``busy``: taken by another session or calendar)."""

RISK = QColor("#c0392b")
CHOSEN = QColor("#1d6fd8")
MUTED = QColor("#6b7785")


def status_swatch(status: str) -> Swatch:
    return STATUS.get(status, _swatch(status.replace("_", " ").capitalize(), "#e4e7eb"))


# --- light / dark -----------------------------------------------------------------

DARK_QSS = {
    "#ffffff": "#1f2328",
    "#f6f7f9": "#16191d",
    "#f7f9fb": "#23272d",
    "#f1f3f5": "#2a2f35",
    "#eef0f2": "#30353c",
    "#eef1f4": "#2a2f35",
    "#eef4fd": "#1f3450",
    "#e4e7eb": "#3a4048",
    "#d6e6fb": "#1f4a80",
    "#d9dee4": "#3f464f",
    "#c9d0d8": "#4a525c",
    "#9aa4ae": "#7d8791",
    "#6b7785": "#a3adb8",
    "#4b5661": "#b8c1ca",
    "#3c4650": "#c8d0d8",
    "#1b1f24": "#e6e9ed",
    "#0b4a8b": "#8cbcf5",
}
"""The shell's stylesheet colours (``resources/styles``) and their dark counterparts:
light surfaces become dark ones, dark text light; accents (blue, red, green buttons with
white text) keep their colour."""


def dark_stylesheet(qss: str) -> str:
    """``qss`` with every light-scheme colour of :data:`DARK_QSS` swapped (case-insensitive)."""
    pattern = re.compile("|".join(re.escape(c) for c in DARK_QSS), re.IGNORECASE)
    return pattern.sub(lambda m: DARK_QSS[m.group(0).lower()], qss)


def scheme_palette(dark: bool) -> QPalette:
    """Fusion's palette for light, or a dark one whose roles match :data:`DARK_QSS`."""
    palette = QStyleFactory.create("Fusion").standardPalette()
    if not dark:
        return palette
    roles = {
        QPalette.ColorRole.Window: "#16191d",
        QPalette.ColorRole.WindowText: "#e6e9ed",
        QPalette.ColorRole.Base: "#1f2328",
        QPalette.ColorRole.AlternateBase: "#23272d",
        QPalette.ColorRole.Text: "#e6e9ed",
        QPalette.ColorRole.Button: "#2a2f35",
        QPalette.ColorRole.ButtonText: "#e6e9ed",
        QPalette.ColorRole.ToolTipBase: "#2a2f35",
        QPalette.ColorRole.ToolTipText: "#e6e9ed",
        QPalette.ColorRole.PlaceholderText: "#7d8791",
        QPalette.ColorRole.Highlight: "#1f4a80",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#8cbcf5",
        QPalette.ColorRole.Mid: "#3f464f",
        QPalette.ColorRole.Dark: "#0f1114",
        QPalette.ColorRole.Light: "#3a4048",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7480"))
    return palette


def system_is_dark(app: QGuiApplication) -> bool:
    """What the platform says (Qt 6.5+ ``QStyleHints.colorScheme``)."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_color_scheme(app: QApplication, light_qss: str, dark: bool | None = None) -> bool:
    """Give ``app`` the light or dark palette and stylesheet (``dark`` None: the system's
    choice); returns whether it is dark now. Widgets that paint with their own colours
    (the pyqtgraph views) follow through their ``PaletteChange`` event."""
    dark = system_is_dark(app) if dark is None else dark
    app.setPalette(scheme_palette(dark))
    app.setStyleSheet(dark_stylesheet(light_qss) if dark else light_qss)
    app.setProperty("mentraDark", dark)
    return dark


def follow_system_scheme(app: QApplication, light_qss: str) -> None:
    """Apply the system's scheme now and whenever it changes (connected once per app)."""
    if app.property("mentraFollowsScheme"):
        return
    app.setProperty("mentraFollowsScheme", True)
    if system_is_dark(app):
        apply_color_scheme(app, light_qss, True)
    app.styleHints().colorSchemeChanged.connect(
        lambda scheme: apply_color_scheme(app, light_qss, scheme == Qt.ColorScheme.Dark)
    )
