"""One council's grid row: a pure function of its document and the current instant.

The desktop cache stores :func:`summarize`'s dict beside each council document (its
``summarize`` hook), so the grid can show 10,000 councils without parsing a document
or running the engine per paint. The dict holds facts that change only with the
document; :func:`risks` derives the flags that also move with the clock (a deadline
coming within 24 h) from it at paint time, so a cached summary never goes stale just
because time passed.

Risk flags, for councils still being scheduled (``collecting``, ``selecting``,
``needs_alternatives``, ``rescheduling``):

* ``deadline``: the answer deadline is within 24 h (or past) and no slot is feasible yet;
* ``lead``: the lead mentor cannot come to any slot (declined or busy everywhere);
* ``minimum``: fewer mentors assigned than the minimum, or no slot could reach the
  minimum even if every pending mentor said yes (the engine's ``needs_alternatives``);
* ``silent``: mentors who have answered nothing although reminded, or invited more than
  :data:`SILENT_AFTER` ago.

The engine part (best slot so far, feasibility, needs-alternatives, busy leads) comes
from :func:`~mentra_desktop.scheduling.selection.select` on the document's
:class:`~mentra_desktop.scheduling.model.SelectionRequest`; ``decide`` is injectable so
the rest can be tested alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mentra_desktop.models.engine_bridge import selection_request
from mentra_desktop.scheduling.selection import Decision, Status, select

Document = Mapping[str, Any]
Decide = Callable[[Document, datetime], Decision | None]

OPEN_PHASES = frozenset({"collecting", "selecting", "needs_alternatives", "rescheduling"})
DEADLINE_WARNING = timedelta(hours=24)
SILENT_AFTER = timedelta(hours=48)

RISK_TEXT = {
    "deadline": "Deadline within 24 h and no feasible slot yet",
    "lead": "The lead mentor cannot come to any slot",
    "minimum": "Cannot reach the mentor minimum",
    "silent": "Mentors silent despite the invitation",
}
"""Risk code → the sentence a coordinator reads (tooltip, status line)."""


@dataclass(frozen=True, slots=True)
class CouncilSummary:
    """What the grid shows for one council; instants are ISO 8601 UTC strings.

    ``best_slot_*`` is the final slot once confirmed; for an open council the engine's
    top-ranked slot (its pick, or while waiting the front-runner even if it does not seat
    the minimum yet), none when it needs alternatives. ``best_attendees`` is how many
    mentors that slot seats now, ``minimum`` the council's mentor minimum; ``decision`` is
    the engine's status for open councils.
    """

    id: int
    topic: str
    mentee: str
    status: str
    answered: int
    invited: int
    deadline: str | None
    lead: str
    best_slot_id: int | None
    best_slot_start: str | None
    best_attendees: int
    minimum: int
    decision: str | None
    feasible: bool
    lead_unavailable: bool
    below_minimum: bool
    silent: tuple[str, ...]
    version: int
    change_seq: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the cache's summary column)."""
        out = asdict(self)
        out["silent"] = list(self.silent)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CouncilSummary:
        values = {name: data[name] for name in cls.__slots__}
        values["silent"] = tuple(values["silent"])
        return cls(**values)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def parse_instant(value: str | None) -> datetime | None:
    """An ISO 8601 instant from a document or summary (``Z`` accepted), aware, or None."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _answered(mentor: Document) -> bool:
    if mentor.get("availabilityResponse", "pending") != "pending":
        return True
    return any(a.get("answer", "pending") != "pending" for a in mentor.get("slotAnswers", ()))


def _silent(doc: Document, now: datetime) -> tuple[str, ...]:
    invited_at = parse_instant(doc.get("invitationsSentAt"))
    long_ago = invited_at is not None and now - invited_at >= SILENT_AFTER
    return tuple(
        sorted(
            str(m.get("name") or m["mentorId"])
            for m in doc.get("mentors", ())
            if m.get("notificationSent", invited_at is not None)
            and not _answered(m)
            and (long_ago or int(m.get("reminderCount") or 0) > 0)
        )
    )


def _lead(doc: Document) -> Document | None:
    lead_id = doc.get("leadMentorId")
    mentors: list[Document] = list(doc.get("mentors", ()))
    for mentor in mentors:
        if mentor.get("isLead") or (lead_id is not None and mentor.get("mentorId") == lead_id):
            return mentor
    return None


def _lead_declined_everywhere(doc: Document, lead: Document | None) -> bool:
    if lead is None or not doc.get("proposedTimeSlots"):
        return False
    answers = {a["slotId"]: a.get("answer") for a in lead.get("slotAnswers", ())}
    return all(answers.get(s["id"]) == "unavailable" for s in doc["proposedTimeSlots"])


def _lead_cannot_come(decision: Decision, lead: Document | None) -> bool:
    """The engine's table: the lead is declined or busy on every slot."""
    if lead is None:
        return False
    lead_key = str(lead["mentorId"])
    rows = decision.explanation.rows
    return bool(rows) and all(lead_key in row.unavailable or lead_key in row.busy for row in rows)


def _slot_start(doc: Document, slot_id: int | None) -> str | None:
    for slot in doc.get("proposedTimeSlots", ()):
        if slot["id"] == slot_id:
            return _iso(parse_instant(slot["start"]))
    return None


def engine_decision(doc: Document, now: datetime) -> Decision | None:
    """The engine's decision for an open council (``None`` when there is nothing to decide)."""
    if doc.get("coordinationStatus") not in OPEN_PHASES or not doc.get("mentors"):
        return None
    try:
        return select(selection_request(doc, now))
    except ValueError:  # a document the engine refuses (SchedulingInputError): no best slot
        return None


def summarize(doc: Document, now: datetime, decide: Decide = engine_decision) -> dict[str, Any]:
    """The grid row of ``doc`` at ``now`` as a JSON-ready dict (see :class:`CouncilSummary`)."""
    status = str(doc["coordinationStatus"])
    mentors = doc.get("mentors", ())
    lead = _lead(doc)
    is_open = status in OPEN_PHASES
    decision = decide(doc, now) if is_open else None
    best_id: int | None = None
    best_attendees = 0
    decided: str | None = None
    feasible = status == "confirmed"
    lead_unavailable = is_open and _lead_declined_everywhere(doc, lead)
    below_minimum = is_open and len(mentors) < int(doc["mentorMinimum"])
    if status == "confirmed":
        best_id = doc.get("finalSlotId")
        best_attendees = sum(1 for m in mentors if m.get("attending"))
    elif decision is not None:
        decided = decision.status.value
        top = decision.ranking_rows[0] if decision.ranking_rows else None
        feasible = top is not None and top[2]
        if top is not None and decision.status is not Status.NEEDS_ALTERNATIVES:
            best_id, best_attendees = int(top[0]), len(top[4])
        lead_unavailable = lead_unavailable or _lead_cannot_come(decision, lead)
        below_minimum = below_minimum or decision.status is Status.NEEDS_ALTERNATIVES
    summary = CouncilSummary(
        id=int(doc["id"]),
        topic=str(doc["topic"]),
        mentee=str(doc.get("menteeName") or f"Mentee #{doc['menteeId']}"),
        status=status,
        answered=sum(1 for m in mentors if _answered(m)),
        invited=len(mentors),
        deadline=_iso(parse_instant(doc.get("mentorResponseDeadline"))),
        lead=str(lead["name"]) if lead is not None else "",
        best_slot_id=best_id,
        best_slot_start=_slot_start(doc, best_id),
        best_attendees=best_attendees,
        minimum=int(doc["mentorMinimum"]),
        decision=decided,
        feasible=feasible,
        lead_unavailable=lead_unavailable,
        below_minimum=below_minimum,
        silent=_silent(doc, now) if is_open else (),
        version=int(doc["version"]),
        change_seq=int(doc.get("changeSeq") or 0),
    )
    return summary.to_dict()


def risks(summary: Mapping[str, Any], now: datetime) -> tuple[str, ...]:
    """Risk codes of a summary at ``now``, in :data:`RISK_TEXT` order (empty when fine)."""
    if summary["status"] not in OPEN_PHASES:
        return ()
    found: list[str] = []
    deadline = parse_instant(summary["deadline"])
    if deadline is not None and not summary["feasible"] and deadline - now <= DEADLINE_WARNING:
        found.append("deadline")
    if summary["lead_unavailable"]:
        found.append("lead")
    if summary["below_minimum"]:
        found.append("minimum")
    if summary["silent"]:
        found.append("silent")
    return tuple(found)
