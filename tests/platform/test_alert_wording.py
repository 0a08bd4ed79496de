"""Instants in alert messages are words a coordinator reads, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mentra_platform.alerts.wording import utc_text


def test_utc_text_is_weekday_day_month_and_minutes() -> None:
    moment = datetime(2026, 11, 26, 21, 41, 59, 67084, tzinfo=UTC)
    assert utc_text(moment) == "Thu 26 Nov, 21:41 UTC"
    tokyo = moment.astimezone(timezone(timedelta(hours=9)))  # the same instant elsewhere
    assert utc_text(tokyo) == "Thu 26 Nov, 21:41 UTC"
    with pytest.raises(ValueError, match="timezone-aware"):
        utc_text(moment.replace(tzinfo=None))
