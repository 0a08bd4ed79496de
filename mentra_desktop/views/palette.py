"""Colours and labels that carry meaning: council phases, mentor answers, risk.

One place so the grid's status chips, the matrix cells, the legend and the decision
panel agree. Colours are chosen to read on a light background and stay distinct for the
common colour-vision deficiencies (green/red pairs always differ in lightness too, and
every cell also carries a text label, so colour is never the only signal).
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QColor


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
