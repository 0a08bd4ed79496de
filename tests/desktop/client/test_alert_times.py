"""Instants in alert messages rewritten into the coordinator's zone (no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mentra_desktop.client.alert_times import readable

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
RAISED = datetime(2026, 11, 26, 20, 41, tzinfo=UTC)


def test_iso_instants_read_as_local_words() -> None:
    raw = (
        "No proposed time worked for \u201cPricing\u201d; 5 alternative time(s) went to "
        "the mentors, answers close 2026-11-26T21:41:59.067084Z"
    )
    assert readable(raw, BERLIN, RAISED).endswith("answers close Thu 26 Nov, 22:41 CET")
    assert readable(raw, NEW_YORK, RAISED).endswith("answers close Thu 26 Nov, 16:41 EST")
    assert readable(raw, UTC, RAISED).endswith("answers close Thu 26 Nov, 21:41 UTC")
    assert readable("at 2026-07-01T08:00:00+00:00.", BERLIN, RAISED) == "at Wed 01 Jul, 10:00 CEST."


def test_the_platforms_worded_forms_are_localised_too() -> None:
    conflict = (
        "Possible conflict: mentor 12 answered available for 2026-11-30 14:00 UTC on "
        "\u201cX\u201d, but their calendar is now busy 2026-11-30 13:30 UTC\u20132026-11-30 "
        "15:00 UTC"
    )
    assert readable(conflict, BERLIN, RAISED) == (
        "Possible conflict: mentor 12 answered available for Mon 30 Nov, 15:00 CET on "
        "\u201cX\u201d, but their calendar is now busy Mon 30 Nov, 14:30 CET\u2013Mon 30 Nov, "
        "16:00 CET"
    )
    # The platform's own wording names no year: the one near the alert whose weekday fits.
    worded = "answers close Thu 26 Nov, 21:41 UTC"
    assert readable(worded, BERLIN, RAISED) == "answers close Thu 26 Nov, 22:41 CET"
    new_year = readable("answers close Fri 01 Jan, 09:00 UTC", BERLIN, RAISED)
    assert new_year == "answers close Fri 01 Jan, 10:00 CET"  # 2027, not 2026 (a Thursday)


def test_other_text_and_impossible_dates_are_left_alone() -> None:
    for text in (
        "Notification 7 (invitation) could not be delivered after 5 attempts: 550 no user",
        "order 2026-13-45T10:00:00Z is not a date",
        "Mon 26 Nov, 21:41 UTC",  # no year near the alert has 26 Nov on a Monday
        "a local 2026-11-26T21:41:00 without a zone",
    ):
        assert readable(text, BERLIN, RAISED) == text
    with pytest.raises(ValueError, match="aware"):
        readable("x", BERLIN, RAISED.replace(tzinfo=None))
