"""Alert kinds in words, for a coordinator.

The platform's alert kinds are plain strings and new ones appear without a schema change
(the calendar kinds did), so :func:`kind_label` never fails: a kind this app does not know
yet is shown as its own words (``payment_overdue`` → "Payment overdue").
"""

from __future__ import annotations

KIND_LABELS: dict[str, str] = {
    "no_feasible_slot": "No feasible slot",
    "deadline_silent_mentors": "Deadline passed, mentors silent",
    "lead_unavailable_everywhere": "Lead unavailable at every slot",
    "withdrawal_below_minimum": "Withdrawal left too few mentors",
    "undeliverable_notification": "Notification undeliverable",
    "alternatives_sent": "Alternative times proposed",
    "alternative_booked": "Alternative time booked",
    "calendar_token_expired": "Calendar sign-in expired",
    "calendar_feed_error": "Calendar feed broken",
    "calendar_conflict": "Possible calendar conflict",
    "calendar_conflict_confirmed": "Calendar conflict with a confirmed session",
}
"""Every kind the platform raised when this was written (``AlertKind``)."""


def kind_label(kind: str) -> str:
    """The kind in words; an unknown kind as its own words, capitalised."""
    known = KIND_LABELS.get(kind)
    if known is not None:
        return known
    words = " ".join(kind.replace("_", " ").replace(".", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words else "Alert"
