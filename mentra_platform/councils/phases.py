"""The council's phases and the one table of the moves between them.

::

    draft ─invitations→ collecting ─deadline→ selecting ─confirm/deadline→ confirmed
                         │  │                    │
                         │  └─confirm/answer→ confirmed (early: the engine's verdict)
                         └─patch→ needs_alternatives ←─deadline─ selecting
                                         │
                                    rescheduling ─patch→ collecting  (collect again)
                                         ├─answer/confirm/deadline→ confirmed
                                         └─deadline→ needs_alternatives (no alternative held)
    confirmed ─withdrawal→ collecting (below the minimum, before the session starts)
    any phase ─cancel→ cancelled, a confirmed council only before its session starts

Each move names the :class:`Trigger` that may make it, so the invitations, confirm and
cancel endpoints keep their own transitions and a PATCH cannot route around them (leaving
draft creates the one-click links; confirming picks the slot and the attendees). The
automation (:mod:`mentra_platform.coordination`) moves by ``answer`` (instant confirmation),
``deadline`` (the worker), ``alternatives`` (rescheduling) and ``withdrawal``, and audits each
of its moves with its cause. Phases go forward, except a withdrawal below the minimum, which
reopens the collection. An admin override is the one way outside this table and is audited
as such.

Every move goes through :func:`move` (or :func:`check` first, when the caller must validate
more before changing anything), which refuses with a :class:`Conflict` naming the current and
the requested phase. A move into or out of ``confirmed``, and a cancellation, raises the
council's ``invite_sequence``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mentra_desktop.models import CoordinationStatus, CouncilSession
from mentra_platform.core.errors import Conflict

P = CoordinationStatus


class Trigger(enum.StrEnum):
    """Who or what moves a council's phase."""

    INVITATIONS = "invitations"
    """``POST …/invitations``: the links go out."""
    PATCH = "patch"
    """A coordinator moves the phase by hand (``PATCH`` ``coordinationStatus``)."""
    CONFIRM = "confirm"
    """``POST …/confirm``: a slot and its attendees are chosen."""
    CANCEL = "cancel"
    """``POST …/cancel``."""
    ANSWER = "answer"
    """A mentor's answer (form or one-click) after which the engine confirms at once."""
    DEADLINE = "deadline"
    """The worker: the response deadline passed; pending answers count as unavailable."""
    ALTERNATIVES = "alternatives"
    """The worker sends the engine's alternative times as new slots (rescheduling)."""
    WITHDRAWAL = "withdrawal"
    """An attending mentor withdraws from a confirmed council, leaving it below its minimum."""


Guard = Callable[[CouncilSession, datetime], str | None]
"""A further condition on a move: ``None`` allows it, a sentence refuses it."""


def _before_the_session(council: CouncilSession, now: datetime) -> str | None:
    """A confirmed council can be cancelled until its session starts, not after."""
    if council.coordination_status != P.CONFIRMED or council.final_slot_id is None:
        return None
    slot = next((s for s in council.slots if s.id == council.final_slot_id), None)
    if slot is not None and slot.starts_at <= now:
        started = slot.starts_at.isoformat().replace("+00:00", "Z")
        return f"its session already started at {started}"
    return None


@dataclass(frozen=True)
class Transition:
    source: CoordinationStatus
    target: CoordinationStatus
    triggers: frozenset[Trigger]
    guard: Guard | None = None


def _t(source: P, target: P, *triggers: Trigger, guard: Guard | None = None) -> Transition:
    return Transition(source, target, frozenset(triggers), guard)


_T = Trigger
TRANSITIONS: tuple[Transition, ...] = (
    _t(P.DRAFT, P.COLLECTING, _T.INVITATIONS),
    _t(P.COLLECTING, P.SELECTING, _T.PATCH, _T.DEADLINE),
    _t(P.COLLECTING, P.NEEDS_ALTERNATIVES, _T.PATCH),
    _t(P.COLLECTING, P.CONFIRMED, _T.CONFIRM, _T.ANSWER),
    _t(P.SELECTING, P.CONFIRMED, _T.CONFIRM, _T.ANSWER, _T.DEADLINE),
    _t(P.SELECTING, P.NEEDS_ALTERNATIVES, _T.PATCH, _T.DEADLINE),
    _t(P.NEEDS_ALTERNATIVES, P.RESCHEDULING, _T.PATCH, _T.ALTERNATIVES),
    _t(P.RESCHEDULING, P.COLLECTING, _T.PATCH),
    _t(P.RESCHEDULING, P.CONFIRMED, _T.CONFIRM, _T.ANSWER, _T.DEADLINE),
    _t(P.RESCHEDULING, P.NEEDS_ALTERNATIVES, _T.DEADLINE),
    _t(P.CONFIRMED, P.COLLECTING, _T.WITHDRAWAL, guard=_before_the_session),
    *(
        _t(source, P.CANCELLED, _T.CANCEL, guard=_before_the_session)
        for source in P
        if source != P.CANCELLED
    ),
)
"""Every allowed move; anything not listed is refused."""

_BY_EDGE: dict[tuple[CoordinationStatus, CoordinationStatus], Transition] = {
    (t.source, t.target): t for t in TRANSITIONS
}


def transition(source: CoordinationStatus, target: CoordinationStatus) -> Transition | None:
    return _BY_EDGE.get((source, target))


def next_phases(
    source: CoordinationStatus, trigger: Trigger | None = None
) -> list[CoordinationStatus]:
    """The phases ``source`` can move to (by ``trigger``, or by anything), in table order."""
    return [
        t.target
        for t in TRANSITIONS
        if t.source == source and (trigger is None or trigger in t.triggers)
    ]


def check(
    council: CouncilSession, target: CoordinationStatus, trigger: Trigger, now: datetime
) -> Transition:
    """The move of ``council`` to ``target`` by ``trigger``, or :class:`Conflict` saying why."""
    current = council.coordination_status
    found = transition(current, target)
    if found is None or trigger not in found.triggers:
        raise Conflict(_refusal(current, target, trigger))
    reason = found.guard(council, now) if found.guard else None
    if reason is not None:
        raise Conflict(f"Cannot move the council from {current} to {target}: {reason}")
    return found


def move(
    council: CouncilSession, target: CoordinationStatus, trigger: Trigger, now: datetime
) -> Transition:
    """Check the move and make it (the caller records the change and any audit entry)."""
    found = check(council, target, trigger, now)
    if _changes_the_invite(found):
        council.invite_sequence = (council.invite_sequence or 0) + 1
    council.coordination_status = target
    return found


def _changes_the_invite(move: Transition) -> bool:
    """Confirming, cancelling and leaving ``confirmed`` change the calendar invite: each
    raises the council's ``invite_sequence`` (the RFC 5545 SEQUENCE)."""
    return P.CONFIRMED in (move.source, move.target) or move.target == P.CANCELLED


_HOW: dict[Trigger, str] = {
    Trigger.INVITATIONS: "sending the invitations",
    Trigger.PATCH: "a phase change",
    Trigger.CONFIRM: "confirming",
    Trigger.CANCEL: "cancelling",
    Trigger.ANSWER: "a mentor's answer",
    Trigger.DEADLINE: "the response deadline",
    Trigger.ALTERNATIVES: "sending alternatives",
    Trigger.WITHDRAWAL: "a withdrawal",
}


def _refusal(current: CoordinationStatus, target: CoordinationStatus, trigger: Trigger) -> str:
    text = f"Cannot move the council from {current} to {target}"
    if target == current:
        return f"{text}: it is already {current}"
    edge = transition(current, target)
    if edge is not None:  # the move exists, but belongs to another endpoint
        how = " or ".join(sorted(_HOW[t] for t in edge.triggers))
        return f"{text} by {_HOW[trigger]}; that is done by {how}"
    onward = next_phases(current)
    if not onward:
        return f"{text}: {current} is final"
    return f"{text}: phases only go forward; from {current} it can go to " + ", ".join(onward)


__all__ = [
    "TRANSITIONS",
    "Transition",
    "Trigger",
    "check",
    "move",
    "next_phases",
    "transition",
]
