"""The change log: every write records a :class:`ChangeEvent` in its own transaction.

Call :func:`record_change` once per logical change, *before* committing::

    council.coordinator_notes = "..."
    record_change(session, council_id=council.id, kind="council.updated",
                  payload={"fields": ["coordinatorNotes"]})
    session.commit()

It appends the event, and for a council-scoped change bumps that council's
``change_seq`` (the incremental-sync cursor), ``updated_at`` and ``version`` (the ETag),
so a write to any child row (mentor, answer, registration) is seen by sync, SSE and
If-Match alike. On PostgreSQL a transaction-level advisory lock makes sequence order
equal commit order, so a reader polling ``seq > cursor`` can never skip an event.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mentra_desktop.models import ChangeEvent, CouncilSession, utcnow
from mentra_platform.core.db import Database

_PG_CHANGE_LOCK = 0x4D454E54  # "MENT"
_CHANGES = cast(Table, ChangeEvent.__table__)


def record_change(
    session: Session,
    *,
    council_id: int | None,
    kind: str,
    entity: str = "council",
    entity_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Append a change event and bump the council's cursor and version; returns the seq."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHANGE_LOCK})
    now = utcnow()
    with session.no_autoflush:
        seq = session.execute(
            insert(_CHANGES)
            .values(
                entity_type=entity,
                entity_id=entity_id if entity_id is not None else council_id,
                council_id=council_id,
                kind=kind,
                at=now,
                payload=payload or {},
            )
            .returning(_CHANGES.c.seq)
        ).scalar_one()
        if council_id is not None:
            council = session.get(CouncilSession, council_id)
            if council is not None:
                council.change_seq = seq
                council.updated_at = now
    session.flush()
    return int(seq)


def latest_seq(db: Database) -> int:
    """The highest committed change seq (0 when the log is empty), in one round trip
    outside any transaction, for hot paths.

    A connection that died (a database restart) is retried once on a fresh one.
    """
    stmt = select(func.coalesce(func.max(ChangeEvent.seq), 0))
    for attempt in (1, 2):
        try:
            with db.probe_engine.connect() as conn:
                return int(conn.execute(stmt).scalar() or 0)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")
