"""The writes a coordinator makes, as data the outbox can store, send and lay on documents.

Build one with a function below and hand it to
:meth:`~mentra_desktop.client.outbox.Outbox.enqueue`::

    outbox.enqueue(writes.edit(42, coordinatorNotes="Call Ada first"))
    outbox.enqueue(writes.confirm(42, slot_id=7, mentor_ids=[11, 12, 13]))

Each kind knows its request (method, path, body), its optimistic patch on the council
document (see :mod:`mentra_desktop.client.documents`), whether it needs ``If-Match`` and,
for routes without ``Idempotency-Key`` on the platform, what the document shows once it has
been applied (so a resend after a crash that finds its own success is not a conflict).
``params`` is JSON; for every kind but ``lead`` it is the request body itself, so a conflict
can be resolved with an edited body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mentra_desktop.client.documents import CouncilDoc, Patch, utc_text

API = "/api/v1"
Params = dict[str, Any]


@dataclass(frozen=True)
class Write:
    """One write, before it is queued: its kind, council and parameters."""

    kind: str
    council_id: int
    params: Params


@dataclass(frozen=True)
class Kind:
    """How one kind of write is sent and shown before the platform has answered."""

    name: str
    versioned: bool
    """Sent with ``If-Match`` (the council version it was based on)."""
    request: Callable[[int, Params], tuple[str, str, Params | None]]
    patch: Callable[[Params, CouncilDoc, datetime], Patch]
    expect: Callable[[Params], dict[str, Any] | None]
    label: Callable[[Params], str]
    council_bound: bool = True
    """The write changes its council: it is laid on the cached document and the council
    is read back after it. False for writes about something else that merely names a
    council (acknowledging an alert); their ``council_id`` may be 0 (none) and their
    optimistic change lives with what they are about."""


def _mentor_flags(doc: CouncilDoc, flag: str, chosen: set[int]) -> dict[str, dict[str, Any]]:
    return {str(m["mentorId"]): {flag: m["mentorId"] in chosen} for m in doc.get("mentors", [])}


def _confirm_patch(p: Params, doc: CouncilDoc, _now: datetime) -> Patch:
    fields: dict[str, Any] = {
        "coordinationStatus": "confirmed",
        "finalSlotId": p["slotId"],
        "finalTimeConfirmed": True,
    }
    if p.get("videoLink"):
        fields["videoLink"] = p["videoLink"]
    return {
        "fields": fields,
        "mentors": _mentor_flags(doc, "attending", set(p["attendingMentorIds"])),
    }


def _override_patch(p: Params, doc: CouncilDoc, _now: datetime) -> Patch:
    fields: dict[str, Any] = {}
    if p.get("coordinationStatus") is not None:
        fields["coordinationStatus"] = p["coordinationStatus"]
        fields["finalTimeConfirmed"] = p["coordinationStatus"] == "confirmed"
    if "slotId" in p:
        fields["finalSlotId"] = p["slotId"]
    patch: Patch = {"fields": fields}
    if p.get("attendingMentorIds") is not None:
        patch["mentors"] = _mentor_flags(doc, "attending", set(p["attendingMentorIds"]))
    return patch


def _override_expect(p: Params) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if p.get("coordinationStatus") is not None:
        out["coordinationStatus"] = p["coordinationStatus"]
    if "slotId" in p:
        out["finalSlotId"] = p["slotId"]
    if p.get("attendingMentorIds") is not None:
        out["attendingMentorIds"] = sorted(p["attendingMentorIds"])
    return out


def _remind_patch(p: Params, doc: CouncilDoc, now: datetime) -> Patch:
    stamp = utc_text(now)
    chosen = set(p["mentorIds"]) if p.get("mentorIds") is not None else None
    return {
        "mentors": {
            str(m["mentorId"]): {
                "lastReminderSent": stamp,
                "reminderCount": int(m.get("reminderCount") or 0) + 1,
            }
            for m in doc.get("mentors", [])
            if m.get("availabilityResponse", "pending") == "pending"
            and (chosen is None or m["mentorId"] in chosen)
        }
    }


def _remind_label(p: Params) -> str:
    chosen = p.get("mentorIds")
    if chosen is None:
        return "Remind pending mentors"
    ids = ", ".join(str(m) for m in chosen)
    return f"Remind mentor{'s' if len(chosen) > 1 else ''} {ids}"


def _lead_patch(p: Params, doc: CouncilDoc, _now: datetime) -> Patch:
    lead = int(p["mentorId"])
    return {"fields": {"leadMentorId": lead}, "mentors": _mentor_flags(doc, "isLead", {lead})}


def _nothing(_p: Params) -> None:
    return None


def _fields(names: Mapping[str, Any]) -> str:
    return ", ".join(sorted(names)) or "nothing"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "edit",
            versioned=True,
            request=lambda c, p: ("PATCH", f"{API}/councils/{c}", dict(p)),
            patch=lambda p, _d, _n: {"fields": dict(p)},
            expect=lambda p: dict(p),
            label=lambda p: f"Edit {_fields(p)}",
        ),
        Kind(
            "confirm",
            versioned=True,
            request=lambda c, p: ("POST", f"{API}/councils/{c}/confirm", dict(p)),
            patch=_confirm_patch,
            expect=_nothing,
            label=lambda p: f"Confirm slot {p['slotId']}",
        ),
        Kind(
            "override",
            versioned=True,
            request=lambda c, p: ("POST", f"{API}/councils/{c}/override", dict(p)),
            patch=_override_patch,
            expect=_nothing,
            label=lambda p: f"Override: {p.get('reason', '')}",
        ),
        Kind(
            "remind",
            versioned=False,
            request=lambda c, p: ("POST", f"{API}/councils/{c}/notifications", dict(p)),
            patch=_remind_patch,
            expect=_nothing,
            label=_remind_label,
        ),
        Kind(
            "lead",
            versioned=True,
            request=lambda c, p: (
                "POST",
                f"{API}/councils/{c}/mentors/{int(p['mentorId'])}/lead",
                None,
            ),
            patch=_lead_patch,
            expect=lambda p: {"leadMentorId": int(p["mentorId"])},
            label=lambda p: f"Make mentor {p['mentorId']} the lead",
        ),
        Kind(
            "cancel",
            versioned=True,
            request=lambda c, p: ("POST", f"{API}/councils/{c}/cancel", dict(p)),
            patch=lambda _p, _d, _n: {"fields": {"coordinationStatus": "cancelled"}},
            expect=_nothing,
            label=lambda _p: "Cancel the council",
        ),
        Kind(
            "acknowledge",
            versioned=False,
            request=lambda _c, p: ("POST", f"{API}/alerts/{int(p['alertId'])}/acknowledge", None),
            patch=lambda _p, _d, _n: {},
            expect=_nothing,
            label=lambda p: f"Acknowledge alert {p['alertId']}",
            council_bound=False,
        ),
    )
}
"""Every kind the outbox can carry. Kinds whose route takes ``Idempotency-Key`` need no
expectation (a resend is answered with the first response)."""


def edit(council_id: int, **changes: Any) -> Write:
    """``PATCH /councils/{id}`` with camelCase ``changes`` (e.g. ``coordinatorNotes=…``)."""
    if not changes:
        raise ValueError("edit needs at least one field")
    return Write("edit", council_id, changes)


def confirm(
    council_id: int,
    slot_id: int,
    mentor_ids: list[int],
    *,
    video_link: str | None = None,
    note: str = "",
) -> Write:
    """Confirm the final slot and attending mentors (``POST …/confirm``)."""
    params: Params = {"slotId": slot_id, "attendingMentorIds": list(mentor_ids), "note": note}
    if video_link:
        params["videoLink"] = video_link
    return Write("confirm", council_id, params)


def override(
    council_id: int,
    reason: str,
    *,
    status: str | None = None,
    slot_id: int | None = None,
    mentor_ids: list[int] | None = None,
) -> Write:
    """Admin override of status, final slot and/or attendees (``POST …/override``)."""
    params: Params = {"reason": reason}
    if status is not None:
        params["coordinationStatus"] = status
    if slot_id is not None:
        params["slotId"] = slot_id
    if mentor_ids is not None:
        params["attendingMentorIds"] = list(mentor_ids)
    return Write("override", council_id, params)


def remind(
    council_id: int,
    *,
    subject: str | None = None,
    message: str | None = None,
    mentor_ids: list[int] | None = None,
) -> Write:
    """Nudge the mentors still pending (``POST …/notifications`` kind ``reminder``): every
    one of them, or only ``mentor_ids`` (the platform refuses a listed mentor who has
    answered with 409)."""
    params: Params = {"kind": "reminder"}
    if mentor_ids is not None:
        params["mentorIds"] = list(mentor_ids)
    if subject:
        params["subject"] = subject
    if message:
        params["message"] = message
    return Write("remind", council_id, params)


def set_lead(council_id: int, mentor_id: int) -> Write:
    """Make an assigned mentor the lead (``POST …/mentors/{m}/lead``)."""
    return Write("lead", council_id, {"mentorId": mentor_id})


def cancel_council(council_id: int, reason: str = "") -> Write:
    """Cancel the council (``POST …/cancel``)."""
    return Write("cancel", council_id, {"reason": reason})


def acknowledge(alert_id: int, council_id: int | None = None) -> Write:
    """Acknowledge a coordination alert (``POST /alerts/{id}/acknowledge``; acknowledging
    twice keeps the first). ``council_id`` is the council the alert is about (None: none);
    the council document is not touched (see :mod:`mentra_desktop.client.alerts`)."""
    if alert_id < 1:
        raise ValueError(f"alert id must be positive, not {alert_id}")
    return Write("acknowledge", council_id or 0, {"alertId": alert_id})
