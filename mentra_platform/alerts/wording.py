"""Instants in alert messages: words a coordinator reads at a glance, in UTC.

An alert's message is written once for every reader (the desktop, the alerts feed, mail),
so it names UTC; the desktop rewrites it into the coordinator's own zone
(:mod:`mentra_desktop.client.alert_times`), and the alert's ``details`` keep the exact ISO
instant for programs.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime) -> str:
    """``Thu 26 Nov, 21:41 UTC`` (minute precision). Naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("utc_text needs a timezone-aware instant")
    return f"{moment.astimezone(UTC):%a %d %b, %H:%M} UTC"


__all__ = ["utc_text"]
