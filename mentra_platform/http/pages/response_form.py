"""The mentor response form: what it shows, and turning what was typed into the API's body.

The form speaks the mentor's wall-clock time (``HH:MM`` inside a slot, a date and two times
for an alternative); this module only converts that text into aware instants and builds a
:class:`MentorResponseIn`. Every rule — ranges inside their slot, alternatives in the
future, end after start, partial ranges only with a yes, the note's length — stays where
the JSON API has it (the wire model and :func:`mentra_platform.responses.service.answer`);
their errors come back here and are mapped to the form field they name.

Field names: ``slot-<id>-answer``; ``slot-<id>-from-<k>`` / ``slot-<id>-to-<k>`` (only part
of the slot); ``alt-<k>-date`` / ``alt-<k>-from`` / ``alt-<k>-to``; ``note``. Error keys:
``slot-<id>``, ``slot-<id>-range-<k>``, ``alt-<k>``, ``note`` and ``form``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from mentra_desktop.models import CouncilMentor, CouncilSlot, SlotAnswerValue
from mentra_desktop.models.wire.responses import MentorResponseIn
from mentra_platform.http.pages import when

ANSWERS = ("available", "tentative", "unavailable")
MAX_RANGES = 10
BLANK_ALTERNATIVES = 2


@dataclass
class FormState:
    """What the form shows: the mentor's answers as text, and errors by field key."""

    answers: dict[int, str] = field(default_factory=dict)
    ranges: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    alternatives: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def range_rows(self, slot_id: int) -> list[tuple[str, str]]:
        """The slot's typed ranges plus one blank row to add another."""
        rows = [r for r in self.ranges.get(slot_id, []) if r[0] or r[1]]
        return [*rows, ("", "")] if len(rows) < MAX_RANGES else rows

    def alternative_rows(self) -> list[tuple[str, str, str]]:
        rows = [a for a in self.alternatives if any(a)]
        blanks = max(0, min(BLANK_ALTERNATIVES, MAX_RANGES - len(rows)))
        return rows + [("", "", "")] * blanks

    def has_part(self, slot_id: int) -> bool:
        return any(a or b for a, b in self.ranges.get(slot_id, [])) or any(
            k.startswith(f"slot-{slot_id}-range-") for k in self.errors
        )


def _parse_iso(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def from_seat(seat: CouncilMentor, zone: str) -> FormState:
    """The mentor's recorded answers, as the form shows them."""
    state = FormState(note=seat.conflict_notes or "")
    for a in seat.slot_answers:
        if a.answer != SlotAnswerValue.PENDING:
            state.answers[a.slot_id] = a.answer.value
        rows = []
        for pair in a.partial_ranges or []:
            start, end = _parse_iso(pair[0]), _parse_iso(pair[1])
            if start is not None and end is not None:
                rows.append((when.clock(start, zone), when.clock(end, zone)))
        state.ranges[a.slot_id] = rows
    for pair in seat.alternative_proposals or []:
        start, end = _parse_iso(pair[0]), _parse_iso(pair[1])
        if start is not None and end is not None:
            state.alternatives.append(
                (when.local_date(start, zone), when.clock(start, zone), when.clock(end, zone))
            )
    return state


def from_form(form: Mapping[str, str], slots: Sequence[CouncilSlot]) -> FormState:
    """What the mentor typed, kept verbatim so a refused form shows it again."""
    state = FormState(note=form.get("note", ""))
    for slot in slots:
        state.answers[slot.id] = form.get(f"slot-{slot.id}-answer", "")
        rows = []
        for k in range(MAX_RANGES):
            start, end = f"slot-{slot.id}-from-{k}", f"slot-{slot.id}-to-{k}"
            if start not in form and end not in form:
                break
            rows.append((form.get(start, "").strip(), form.get(end, "").strip()))
        state.ranges[slot.id] = rows
    for k in range(MAX_RANGES + BLANK_ALTERNATIVES):
        keys = (f"alt-{k}-date", f"alt-{k}-from", f"alt-{k}-to")
        if not any(key in form for key in keys):
            break
        date_text, start_text, end_text = (form.get(key, "").strip() for key in keys)
        state.alternatives.append((date_text, start_text, end_text))
    return state


@dataclass
class Parsed:
    """The API body (None when typing errors stop it) and how to map its errors back."""

    body: MentorResponseIn | None
    slot_keys: list[int] = field(default_factory=list)
    """Body ``slots[i]`` → slot id."""
    range_keys: dict[tuple[int, int], int] = field(default_factory=dict)
    """Body ``slots[i].partialRanges[j]`` → form row k."""
    alt_keys: list[int] = field(default_factory=list)
    """Body ``alternativeProposals[i]`` → form row k."""


def _iso(value: datetime) -> str:
    return value.isoformat()


def to_body(state: FormState, slots: Sequence[CouncilSlot], zone: str) -> Parsed:
    """Build the API body from the typed text; typing errors go into ``state.errors``."""
    parsed = Parsed(body=None)
    slot_items: list[dict[str, Any]] = []
    for slot in slots:
        answer = state.answers.get(slot.id, "")
        rows = [(i, r) for i, r in enumerate(state.ranges.get(slot.id, [])) if r[0] or r[1]]
        if answer == "":
            if rows:
                state.errors[f"slot-{slot.id}"] = "choose an answer for this slot"
            continue
        if answer not in ANSWERS:
            state.errors[f"slot-{slot.id}"] = "choose available, tentative or unavailable"
            continue
        ranges: list[dict[str, str]] = []
        if answer == "unavailable":
            rows = []  # "not available" makes a part of the slot moot; it is not sent
        for k, (start_text, end_text) in rows:
            key = f"slot-{slot.id}-range-{k}"
            if not start_text or not end_text:
                state.errors[key] = "give both a start and an end time"
                continue
            try:
                start = when.within_slot(slot.starts_at, slot.ends_at, start_text, zone)
                end = when.within_slot(slot.starts_at, slot.ends_at, end_text, zone)
            except when.LocalTimeError as exc:
                state.errors[key] = str(exc)
                continue
            parsed.range_keys[(len(slot_items), len(ranges))] = k
            ranges.append({"start": _iso(start), "end": _iso(end)})
        parsed.slot_keys.append(slot.id)
        slot_items.append({"slotId": slot.id, "answer": answer, "partialRanges": ranges})
    alternatives = []
    for k, (date_text, start_text, end_text) in enumerate(state.alternatives):
        if not (date_text or start_text or end_text):
            continue
        if not (date_text and start_text and end_text):
            state.errors[f"alt-{k}"] = "give a date, a start and an end time"
            continue
        try:
            day = when.parse_date(date_text)
            start = when.to_utc(day, when.parse_clock(start_text), zone)
            end = when.to_utc(day, when.parse_clock(end_text), zone)
        except when.LocalTimeError as exc:
            state.errors[f"alt-{k}"] = str(exc)
            continue
        parsed.alt_keys.append(k)
        alternatives.append({"start": _iso(start), "end": _iso(end)})
    if state.errors:
        return parsed
    try:
        parsed.body = MentorResponseIn.model_validate(
            {"slots": slot_items, "alternativeProposals": alternatives, "conflictNotes": state.note}
        )
    except ValidationError as exc:
        for err in exc.errors():
            key = error_key(parsed, [str(p) for p in err.get("loc", ())])
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            state.errors.setdefault(key, _words(message))
    return parsed


def _words(message: str) -> str:
    return (
        message.replace("partialRanges", "only part of a slot")
        .replace("alternativeProposals", "alternative times")
        .replace("conflictNotes", "the note")
    )


def error_key(parsed: Parsed, parts: Sequence[str]) -> str:
    """The form key of an error at ``parts`` of the body (``slots.0.partialRanges.1``)."""
    try:
        if parts and parts[0] == "slots" and len(parts) > 1:
            i = int(parts[1])
            sid = parsed.slot_keys[i]
            if len(parts) > 3 and parts[2] == "partialRanges":
                return f"slot-{sid}-range-{parsed.range_keys[(i, int(parts[3]))]}"
            return f"slot-{sid}"
        if parts and parts[0] == "alternativeProposals" and len(parts) > 1:
            return f"alt-{parsed.alt_keys[int(parts[1])]}"
    except (ValueError, IndexError, KeyError):
        return "form"
    if parts and parts[0] == "conflictNotes":
        return "note"
    return "form"


def domain_errors(
    state: FormState,
    parsed: Parsed,
    errors: Sequence[tuple[str, str]],
    slots: Sequence[CouncilSlot],
    zone: str,
) -> None:
    """Put the service's field errors next to their fields, in the mentor's own time."""
    by_id = {s.id: s for s in slots}
    for field_name, message in errors:
        key = error_key(parsed, field_name.split("."))
        text = _words(message)
        if key.startswith("slot-") and "-range-" in key and message.startswith("must lie inside"):
            slot = by_id[int(key.split("-")[1])]
            text = (
                f"must lie inside the slot, {when.clock(slot.starts_at, zone)}–"
                f"{when.clock(slot.ends_at, zone)} your time"
            )
        elif key.startswith("alt-") and message.startswith("must be in the future"):
            text = "must be in the future"
        state.errors.setdefault(key, text)
