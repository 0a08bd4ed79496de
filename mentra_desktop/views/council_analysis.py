"""Everything the matrix and the decision panel show about one council, computed once.

:func:`analyse` is pure (no Qt): the task manager runs it on the DB worker right after
reading the cached document, and the views only display the result. It runs the engine
locally through the one bridge (:mod:`mentra_desktop.models.engine_bridge`), so the
answer is the platform's ``GET …/decision`` for the same document and instant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mentra_desktop.models.engine_bridge import selection_request
from mentra_desktop.scheduling.attendance import CellStatus, CouncilEvaluation, MentorCell, evaluate
from mentra_desktop.scheduling.decisive import DecisiveAnswer, decisive_answers
from mentra_desktop.scheduling.model import DEFAULT_WEIGHTS, SelectionRequest
from mentra_desktop.scheduling.selection import Decision, Status, select

Doc = Mapping[str, Any]
OPEN_PHASES = frozenset({"collecting", "selecting", "needs_alternatives", "rescheduling"})


@dataclass(frozen=True)
class CouncilAnalysis:
    """One council at ``now``: the document, the engine's request, decision and cells.

    ``decision``/``evaluation`` are None when the engine refuses the document (``error``
    says why) or the council has no mentors yet. Mentor and slot keys are the engine's
    string ids (``str(mentorId)``, ``str(slot id)``).
    """

    doc: Doc
    now: datetime
    request: SelectionRequest | None = None
    decision: Decision | None = None
    evaluation: CouncilEvaluation | None = None
    decisive: tuple[DecisiveAnswer, ...] = ()
    error: str | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def council_id(self) -> int:
        return int(self.doc["id"])

    @property
    def status(self) -> str:
        return str(self.doc["coordinationStatus"])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PHASES

    @property
    def early(self) -> bool:
        """Confirmed by the engine before the deadline while answers are still pending."""
        d, r = self.decision, self.request
        if d is None or r is None or d.status is not Status.CONFIRMED:
            return False
        return r.now < r.deadline and any(row[10] for row in d.table_rows)

    def name(self, mentor_key: str) -> str:
        return self.names.get(mentor_key, f"Mentor {mentor_key}")

    def cell(self, mentor_key: str, slot_key: str) -> MentorCell | None:
        if self.evaluation is None:
            return None
        for se in self.evaluation.slots:
            if se.slot.id == slot_key:
                return se.cell(mentor_key)
        return None

    def chosen_slot(self) -> str | None:
        """The slot to highlight: the final slot once confirmed, else the engine's pick."""
        final = self.doc.get("finalSlotId")
        if self.status == "confirmed" and final is not None:
            return str(final)
        return self.decision.slot if self.decision is not None else None

    def is_decisive(self, mentor_key: str, slot_key: str) -> bool:
        return any(d.mentor == mentor_key and d.slot == slot_key for d in self.decisive)

    def slot_start(self, slot_key: str) -> datetime | None:
        for slot in self.doc.get("proposedTimeSlots", ()):
            if str(slot["id"]) == slot_key:
                return datetime.fromisoformat(str(slot["start"]).replace("Z", "+00:00"))
        return None


def analyse(doc: Doc, now: datetime) -> CouncilAnalysis:
    """Decide ``doc`` at ``now`` with the local engine (see the module docstring)."""
    names = {
        str(m["mentorId"]): str(m.get("name") or m["mentorId"]) for m in doc.get("mentors", ())
    }
    if not doc.get("mentors") or not doc.get("proposedTimeSlots"):
        return CouncilAnalysis(doc, now, names=names)
    try:
        request = selection_request(doc, now)
        decision = select(request)
        evaluation = evaluate(request, DEFAULT_WEIGHTS)
    except ValueError as exc:  # SchedulingInputError, or a document pydantic refuses
        return CouncilAnalysis(doc, now, error=str(exc), names=names)
    decisive: tuple[DecisiveAnswer, ...] = ()
    if str(doc["coordinationStatus"]) in OPEN_PHASES:
        decisive = decisive_answers(request, DEFAULT_WEIGHTS, decision)
    return CouncilAnalysis(doc, now, request, decision, evaluation, decisive, None, names)


CELL_KIND = {
    CellStatus.FULL: "available",
    CellStatus.PARTIAL: "partial",
    CellStatus.TENTATIVE: "tentative",
    CellStatus.UNAVAILABLE: "unavailable",
    CellStatus.BUSY: "busy",
    CellStatus.PENDING: "pending",
}
"""Engine cell status → the matrix's cell kind (a key of ``palette.ANSWER``)."""


_SLOT_PATTERNS = (
    re.compile(r"(?<=Slot )(\d+) \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)"),
    re.compile(r"(?<=ahead of )(\d+)(?= because)"),
    re.compile(r"(?<=beats )(\d+)(?='s)"),
    re.compile(r"(?<=the best is )(\d+)(?= with)"),
    re.compile(r"(?<=because )(\d+)(?= does not reach)"),
    re.compile(r"(?<=but not )(\d+)(?=\.)"),
    re.compile(r"(?<=ties with )(\d+)(?= and)"),
)
_UTC_WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
_ID_LIST = re.compile(r"(?<=\()(\d+(?:, \d+)*)(?=\))")
_AFTER_WORDS = re.compile(
    r"(?<=lead )(\d+)|(?<=Waiting for )(\d+(?:, \d+)*)|(?<=likely for )(\d+(?:, \d+)*)"
)
_NOT_ATTENDING = re.compile(r"(?<=Not attending: )([^.]*)")
_ID_WITH_STATE = re.compile(r"\b(\d+)(?= \()")


def readable_reason(analysis: CouncilAnalysis, slot_label: Callable[[datetime], str]) -> str:
    """The engine's paragraph with mentor names and local slot times instead of ids.

    The paragraph's sentence templates are :func:`~mentra_desktop.scheduling.explanation.
    explain`'s; ids are replaced only where those templates put them, so counts and scores
    are never mistaken for ids. Falls back to the engine's own text where a template
    changes.
    """
    decision = analysis.decision
    if decision is None:
        return ""

    def slot(match: re.Match[str]) -> str:
        start = analysis.slot_start(match.group(1))
        return slot_label(start) if start is not None else match.group(0)

    def names(text: str) -> str:
        return ", ".join(analysis.name(part.strip()) for part in text.split(","))

    text = decision.reason
    for pattern in _SLOT_PATTERNS:
        text = pattern.sub(slot, text)
    text = _ID_LIST.sub(lambda m: names(m.group(1)), text)
    text = _AFTER_WORDS.sub(lambda m: names(next(g for g in m.groups() if g)), text)
    text = _NOT_ATTENDING.sub(
        lambda m: _ID_WITH_STATE.sub(lambda n: analysis.name(n.group(1)), m.group(1)), text
    )

    def when(match: re.Match[str]) -> str:
        moment = datetime.strptime(match.group(0), "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
        return slot_label(moment)

    return _UTC_WHEN.sub(when, text)
