"""Confirming many councils at their deadline with a few bulk statements.

What :func:`mentra_platform.coordination.deadlines.decide_at_deadline` and
:func:`mentra_platform.coordination.service.confirm_slot` write for one council, written
here for a whole batch at once, row for row:

* the phase moves by the one phase table (:func:`mentra_platform.councils.phases.move`):
  collecting → selecting (cause "the response deadline passed") and → confirmed (cause "the
  response deadline"), each an :class:`AuditLog` entry, the invite sequence raised;
* the ``deadline_silent_mentors`` and ``lead_unavailable_everywhere`` alerts with their
  dedupe keys (a key raised before is skipped), each with its ``alert.raised`` event;
* the final slot, ``finalTimeConfirmed``, the video link, every seat's ``attending``;
* one queued confirmation to each attendee, the lead and the mentee(s), in the reader's
  own time zone;
* a ``council.confirmed`` change event per council, whose seq becomes the council's
  ``change_seq`` (with ``updated_at`` and ``version``, so sync, SSE and ETags see it).

Two steps. :func:`stage_confirmations` writes what no other transaction reads as a booking
(audit, alerts, seats, notifications) and may run before the mentors are locked;
:func:`finish_confirmations` appends the change events and then moves the council rows to
``confirmed``. The change events go last because on PostgreSQL they take the change log's
advisory lock, which every writer holds until it commits: the shorter that tail, the more
two workers overlap. The council rows are updated only at the version read (they are
claimed, so a mismatch means a bug, and the batch is rolled back).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Enum,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    AvailabilityResponse,
    ChangeEvent,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    Notification,
    NotificationKind,
    NotificationStatus,
    utcnow,
)
from mentra_desktop.scheduling.selection import Decision
from mentra_platform.coordination.batch_inputs import BatchCouncil, BatchSlot
from mentra_platform.coordination.service import VIDEO_BASE
from mentra_platform.core.changes import _PG_CHANGE_LOCK
from mentra_platform.core.tables import Alert, AlertKind
from mentra_platform.councils import phases
from mentra_platform.notifications.messages import confirmation_parts, recipient_zones

P = CoordinationStatus
T = phases.Trigger
_AUDIT = cast(Table, AuditLog.__table__)
_ALERTS = cast(Table, Alert.__table__)
_NOTES = cast(Table, Notification.__table__)
_CHANGES = cast(Table, ChangeEvent.__table__)
_SEATS = cast(Table, CouncilMentor.__table__)
_COUNCILS = cast(Table, CouncilSession.__table__)


@dataclass(frozen=True)
class Confirmation:
    """The engine confirmed ``slot`` of ``council`` with ``mentors`` attending."""

    council: BatchCouncil
    slot: BatchSlot
    mentors: list[int]
    decision: Decision


@dataclass
class Staged:
    """One council's rows, gathered before the statements run."""

    confirmation: Confirmation
    invite_sequence: int
    video_link: str
    events: list[dict[str, Any]]
    """Change events in order; an alert's gets its id once inserted (``_alert`` index)."""


def _audit(council_id: int, source: P, target: P, cause: str, now: datetime) -> dict[str, Any]:
    return {
        "actor_id": None,
        "action": "council.phase_changed",
        "council_id": council_id,
        "reason": cause,
        "before": {"coordinationStatus": source.value},
        "after": {"coordinationStatus": target.value, "trigger": T.DEADLINE.value},
        "at": now,
    }


def _moves(c: BatchCouncil, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The audited phase moves to confirmed, checked against the phase table, and the
    raised invite sequence."""
    shadow = CouncilSession(coordination_status=c.status, invite_sequence=c.invite_sequence)
    rows = []
    if shadow.coordination_status == P.COLLECTING:
        phases.move(shadow, P.SELECTING, T.DEADLINE, now)
        rows.append(_audit(c.id, P.COLLECTING, P.SELECTING, "the response deadline passed", now))
    source = shadow.coordination_status
    phases.move(shadow, P.CONFIRMED, T.DEADLINE, now)
    rows.append(_audit(c.id, source, P.CONFIRMED, "the response deadline", now))
    return rows, shadow.invite_sequence


def _alerts(c: BatchCouncil, decision: Decision, now: datetime) -> list[dict[str, Any]]:
    """The alerts :func:`~mentra_platform.coordination.deadlines.decide_at_deadline`
    raises on the way to a confirmation (silent mentors, a lead who can attend nothing)."""
    out: list[dict[str, Any]] = []
    rnd = c.collection_round
    pending = AvailabilityResponse.PENDING
    silent = [s.mentor_id for s in c.seats if s.availability_response == pending]
    if silent:
        out.append(
            {
                "kind": AlertKind.DEADLINE_SILENT_MENTORS,
                "council_id": c.id,
                "message": (
                    f"The deadline of \u201c{c.topic}\u201d passed without an answer from "
                    f"mentor(s) {', '.join(str(m) for m in silent)}"
                ),
                "details": {"mentorIds": silent},
                "dedupe_key": f"silent:{c.id}:{rnd}",
                "created_at": now,
            }
        )
    if c.lead_mentor_id is not None and not any(r[3] for r in decision.ranking_rows):
        out.append(
            {
                "kind": AlertKind.LEAD_UNAVAILABLE_EVERYWHERE,
                "council_id": c.id,
                "message": (
                    f"The lead mentor {c.lead_mentor_id} of \u201c{c.topic}\u201d "
                    "cannot attend any proposed time"
                ),
                "details": {"mentorId": c.lead_mentor_id},
                "dedupe_key": f"lead_unavailable:{c.id}:{rnd}",
                "created_at": now,
            }
        )
    return out


def _recipients(c: BatchCouncil, mentors: list[int]) -> list[int]:
    lead = [c.lead_mentor_id] if c.lead_mentor_id is not None else []
    return list(dict.fromkeys([*mentors, *lead, *c.mentee_ids()]))


def stage_confirmations(
    session: Session, confirmations: Sequence[Confirmation], now: datetime
) -> list[Staged]:
    """Write everything of the confirmations but the change events and the council rows:
    audit entries, alerts, seats, queued confirmations. No other council sees a booking
    yet (the councils are not ``confirmed``), so this may run before the mentors are
    locked, in a savepoint the caller rolls back if the busy ranges moved meanwhile."""
    audit: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    alert_owner: list[int] = []
    written: list[Staged] = []
    for conf in confirmations:
        c = conf.council
        rows, sequence = _moves(c, now)
        audit.extend(rows)
        for alert in _alerts(c, conf.decision, now):
            alerts.append(alert)
            alert_owner.append(len(written))
        link = c.video_link or f"{VIDEO_BASE}{c.id}-{secrets.token_urlsafe(9)}"
        written.append(Staged(conf, sequence, link, []))
    if alerts:
        raised = set(
            session.scalars(
                select(_ALERTS.c.dedupe_key).where(
                    _ALERTS.c.dedupe_key.in_([a["dedupe_key"] for a in alerts])
                )
            )
        )
        fresh = [
            (a, w)
            for a, w in zip(alerts, alert_owner, strict=True)
            if a["dedupe_key"] not in raised
        ]
        if fresh:
            _insert_many(session, _ALERTS, [a for a, _ in fresh])
            ids: dict[str, int] = {
                key: alert_id
                for key, alert_id in session.execute(
                    select(_ALERTS.c.dedupe_key, _ALERTS.c.id).where(
                        _ALERTS.c.dedupe_key.in_([a["dedupe_key"] for a, _ in fresh])
                    )
                )
            }
            for a, w in fresh:
                alert_id = ids[a["dedupe_key"]]
                written[w].events.append(
                    {
                        "entity_type": "alert",
                        "entity_id": alert_id,
                        "council_id": None,
                        "kind": "alert.raised",
                        "payload": {
                            "kind": a["kind"].value,
                            "councilId": a["council_id"],
                            "message": a["message"],
                        },
                    }
                )
    _insert_many(session, _AUDIT, audit)
    _seat_attendance(session, confirmations)
    _queue_confirmations(session, written)
    return written


def finish_confirmations(session: Session, written: Sequence[Staged]) -> None:
    """The change events (under the change log's lock) and the council rows: from here on
    the sessions are bookings other transactions see once this one commits."""
    stamp = utcnow()
    events: list[dict[str, Any]] = []
    for done in written:
        c = done.confirmation.council
        events.extend(done.events)
        events.append(
            {
                "entity_type": "council",
                "entity_id": c.id,
                "council_id": c.id,
                "kind": "council.confirmed",
                "payload": {
                    "status": P.CONFIRMED.value,
                    "finalSlotId": done.confirmation.slot.id,
                    "trigger": T.DEADLINE.value,
                    "inviteSequence": done.invite_sequence,
                },
            }
        )
    for e in events:
        e["at"] = stamp
    council_seq = _append_changes(session, events)
    _confirm_councils(session, written, council_seq, stamp)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) in one statement.

    SQLite's executemany already runs in C. On PostgreSQL a plain executemany sends a
    statement per row, and a multi-row ``VALUES`` list makes psycopg parse a statement of
    thousands of placeholders; so one array per column goes in as a parameter and
    ``unnest`` turns the arrays back into rows: a short statement whatever the batch."""
    if not rows:
        return
    if not _postgres(session):
        session.execute(insert(table), rows)
        return
    dialect = session.get_bind().dialect
    names = list(rows[0])
    for col in table.columns:
        if col.name in names or col.default is None:
            continue
        if not col.default.is_scalar:
            raise ValueError(f"{table.name}.{col.name} has a computed default: give it")
        names.append(col.name)
        for row in rows:
            row.setdefault(col.name, col.default.arg)  # type: ignore[attr-defined]
    arrays: dict[str, list[Any]] = {}
    casts = []
    for i, name in enumerate(names):
        col = table.c[name]
        values = [row[name] for row in rows]
        if isinstance(col.type, JSON):
            values = [None if v is None else json.dumps(v) for v in values]
        elif isinstance(col.type, Enum):
            values = [None if v is None else getattr(v, "value", v) for v in values]
        arrays[f"c{i}"] = values
        casts.append(f"CAST(:c{i} AS {col.type.compile(dialect=dialect)}[])")
    session.execute(
        text(
            f"INSERT INTO {table.name} ({', '.join(names)}) "
            f"SELECT * FROM unnest({', '.join(casts)})"
        ),
        arrays,
    )


def _append_changes(session: Session, events: list[dict[str, Any]]) -> dict[int, int]:
    """Append ``events`` to the change log in order; returns each council's last seq.

    Like :func:`mentra_platform.core.changes.record_change`, on PostgreSQL under the change
    log's advisory lock (sequence order = commit order). Every writer appends under that
    lock (SQLite: under the write lock), so the rows after the highest seq seen before the
    insert are exactly these events, in order: one INSERT and two small SELECTs, where
    ``RETURNING`` in parameter order would cost a statement per row on SQLite."""
    if _postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHANGE_LOCK})
    before = session.scalar(select(func.coalesce(func.max(_CHANGES.c.seq), 0)))
    _insert_many(session, _CHANGES, events)
    rows = session.execute(
        select(_CHANGES.c.seq, _CHANGES.c.council_id, _CHANGES.c.entity_type)
        .where(_CHANGES.c.seq > before)
        .order_by(_CHANGES.c.seq)
    ).all()
    if len(rows) != len(events):
        raise RuntimeError("the change log moved under its lock")
    return {cid: seq for seq, cid, entity in rows if cid is not None and entity == "council"}


def _seat_attendance(session: Session, confirmations: Sequence[Confirmation]) -> None:
    """Every seat of each council: attending exactly when among the confirmed mentors."""
    yes: list[int] = []
    no: list[int] = []
    for conf in confirmations:
        chosen = set(conf.mentors)
        for seat in conf.council.seats:
            (yes if seat.mentor_id in chosen else no).append(seat.id)
    for ids, value in ((yes, True), (no, False)):
        if ids:
            session.execute(update(_SEATS).where(_SEATS.c.id.in_(ids)).values(attending=value))


def _queue_confirmations(session: Session, written: Sequence[Staged]) -> None:
    """One queued confirmation per distinct recipient, rendered in their own time zone
    (each zone's text rendered once per council)."""
    recipients = {
        w.confirmation.council.id: _recipients(w.confirmation.council, w.confirmation.mentors)
        for w in written
    }
    zones = recipient_zones(session, {r for rs in recipients.values() for r in rs})
    created = utcnow()
    rows: list[dict[str, Any]] = []
    for w in written:
        c, slot = w.confirmation.council, w.confirmation.slot
        subject, render = confirmation_parts(c.topic, (slot.starts_at, slot.ends_at), w.video_link)
        bodies: dict[str, str] = {}
        for rid in recipients[c.id]:
            zone = zones[rid]
            body = bodies.get(zone)
            if body is None:
                body = bodies[zone] = render(zone)
            rows.append(
                {
                    "kind": NotificationKind.CONFIRMATION,
                    "recipient_id": rid,
                    "council_id": c.id,
                    "subject": subject[:200],
                    "body": body,
                    "status": NotificationStatus.QUEUED,
                    "created_at": created,
                }
            )
    if rows:
        _insert_many(session, _NOTES, rows)


def _confirm_councils(
    session: Session, written: Sequence[Staged], seqs: dict[int, int], stamp: datetime
) -> None:
    rows = [
        {
            "b_id": w.confirmation.council.id,
            "b_version": w.confirmation.council.version,
            "b_slot": w.confirmation.slot.id,
            "b_link": w.video_link,
            "b_sequence": w.invite_sequence,
            "b_seq": seqs[w.confirmation.council.id],
        }
        for w in written
    ]
    t = _COUNCILS
    if _postgres(session):  # one statement, one array per column (see _insert_many)
        arrays = {name: [r[name] for r in rows] for name in rows[0]}
        result = session.execute(
            text(
                "UPDATE council_sessions c SET coordination_status = :status, "
                "final_time_confirmed = TRUE, updated_at = :stamp, version = c.version + 1, "
                "final_slot_id = v.b_slot, video_link = v.b_link, "
                "invite_sequence = v.b_sequence, change_seq = v.b_seq "
                "FROM unnest(CAST(:b_id AS INTEGER[]), CAST(:b_version AS INTEGER[]), "
                "CAST(:b_slot AS INTEGER[]), CAST(:b_link AS TEXT[]), "
                "CAST(:b_sequence AS INTEGER[]), CAST(:b_seq AS INTEGER[])) "
                "AS v(b_id, b_version, b_slot, b_link, b_sequence, b_seq) "
                "WHERE c.id = v.b_id AND c.version = v.b_version"
            ),
            {**arrays, "status": P.CONFIRMED.value, "stamp": stamp},
        )
        _check_count(getattr(result, "rowcount", -1), len(rows))
        return
    stmt = (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
        .values(
            final_slot_id=bindparam("b_slot"),
            video_link=bindparam("b_link"),
            invite_sequence=bindparam("b_sequence"),
            change_seq=bindparam("b_seq"),
            coordination_status=P.CONFIRMED,
            final_time_confirmed=True,
            updated_at=stamp,
            version=t.c.version + 1,
        )
    )
    _check_count(session.connection().execute(stmt, rows).rowcount, len(rows))


def _check_count(updated: int, expected: int) -> None:
    if updated not in (-1, expected):
        raise RuntimeError(f"{expected - updated} confirmed council(s) changed while claimed")


__all__ = ["Confirmation", "Staged", "finish_confirmations", "stage_confirmations"]
