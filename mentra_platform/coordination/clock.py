"""The clock the automation reads: the system's, or one a test or ``--now`` sets.

Everything in :mod:`mentra_platform.coordination` takes ``now`` from a :class:`Clock` (or as
an argument), never from the system directly, so a test walks a council through its phases
by moving a :class:`FixedClock`, and ``mentra-platform worker --now …`` shows what would
happen at a given time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stays where it is set; :meth:`advance` moves it."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._at += delta
        return self._at


__all__ = ["Clock", "FixedClock", "SystemClock"]
