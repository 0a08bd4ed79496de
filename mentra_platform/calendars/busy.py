"""The busy-time store: each connection's ranges in ``calendar_busy``, and lookups by slot.

A refresh hands :func:`replace_busy` the connection's merged ranges; rows are rewritten only
when the set changed (an unchanged calendar writes nothing), and the caller learns whether
it did, so conflicts are looked for only then. :func:`slot_busy` answers "which of these
slots is each mentor busy in", for pre-filling answers and for auto-assignment; the council
document reads the same table in SQL (:mod:`mentra_platform.councils.documents`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from mentra_platform.calendars.ranges import BusyRange
from mentra_platform.core.tables import CalendarBusy, CalendarConnection


def stored_busy(session: Session, connection_id: int) -> list[BusyRange]:
    rows = session.execute(
        select(CalendarBusy.starts_at, CalendarBusy.ends_at)
        .where(CalendarBusy.connection_id == connection_id)
        .order_by(CalendarBusy.starts_at, CalendarBusy.ends_at)
    ).all()
    return [BusyRange(s, e) for s, e in rows]


def replace_busy(
    session: Session, connection: CalendarConnection, ranges: Sequence[BusyRange]
) -> list[BusyRange]:
    """Store ``ranges`` (merged, sorted) as the connection's busy time; returns the ranges
    that are new (not in the previous set), empty when nothing changed."""
    before = stored_busy(session, connection.id)
    if before == list(ranges):
        return []
    old = set(before)
    session.execute(delete(CalendarBusy).where(CalendarBusy.connection_id == connection.id))
    if ranges:
        session.execute(
            insert(CalendarBusy),
            [
                {
                    "connection_id": connection.id,
                    "mentor_id": connection.mentor_id,
                    "starts_at": r.start,
                    "ends_at": r.end,
                }
                for r in ranges
            ],
        )
    return [r for r in ranges if r not in old]


def mentor_busy(
    session: Session, mentor_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[BusyRange]]:
    """Each mentor's calendar busy ranges overlapping ``[start, end)``, by start."""
    if not mentor_ids:
        return {}
    rows = session.execute(
        select(CalendarBusy.mentor_id, CalendarBusy.starts_at, CalendarBusy.ends_at)
        .where(
            CalendarBusy.mentor_id.in_(sorted(mentor_ids)),
            CalendarBusy.starts_at < end,
            CalendarBusy.ends_at > start,
        )
        .order_by(CalendarBusy.mentor_id, CalendarBusy.starts_at)
    ).all()
    out: dict[int, list[BusyRange]] = {}
    for m, s, e in rows:
        out.setdefault(int(m), []).append(BusyRange(s, e))
    return out


def slot_busy(
    session: Session,
    mentor_ids: Collection[int],
    slots: Sequence[tuple[int, datetime, datetime]],
) -> dict[int, set[int]]:
    """Per mentor, the ids of the ``(slot id, start, end)`` their calendar is busy in."""
    if not slots:
        return {}
    lo, hi = min(s for _, s, _ in slots), max(e for _, _, e in slots)
    out: dict[int, set[int]] = {}
    for mentor, ranges in mentor_busy(session, mentor_ids, lo, hi).items():
        for sid, s, e in slots:
            if any(r.overlaps(s, e) for r in ranges):
                out.setdefault(mentor, set()).add(sid)
    return out


__all__ = ["mentor_busy", "replace_busy", "slot_busy", "stored_busy"]
