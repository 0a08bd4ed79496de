"""The coordinator's zone is a named zone, so local times are right on both sides of a
DST change (a fixed UTC offset taken today would put summer slots an hour off)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mentra_desktop.views.timefmt import display_zone


def test_tz_names_the_zone_and_summer_and_winter_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MENTRA_DESKTOP_TZ", raising=False)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    zone = display_zone()
    assert zone == ZoneInfo("Europe/Berlin")
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC).astimezone(zone)
    winter = datetime(2026, 12, 1, 12, tzinfo=UTC).astimezone(zone)
    assert (summer.hour, winter.hour) == (14, 13)


def test_the_override_wins_and_a_bad_one_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("MENTRA_DESKTOP_TZ", "America/New_York")
    assert display_zone() == ZoneInfo("America/New_York")
    monkeypatch.setenv("MENTRA_DESKTOP_TZ", "Mars/Olympus")
    assert display_zone() == ZoneInfo("Europe/Berlin")
