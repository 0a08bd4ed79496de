"""Coordinator alerts: raising, listing and acknowledging coordination failures.

:func:`raise_alert` is the one way in, for the coordination worker and for delivery (an
undeliverable notification). It adds the row and a change event in the caller's
transaction; a ``dedupe_key`` already raised makes it a no-op (returns ``None``), so a
retried pass or a second worker never raises the same alert twice. Alert events carry no
council id on the change log (the council id is in the payload): only staff see them in
``/events``, and raising one never bumps a council's version (its ETag).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentra_desktop.models import User
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import NotFound
from mentra_platform.core.tables import Alert, AlertKind

ENTITY = "alert"


def raise_alert(
    session: Session,
    kind: AlertKind | str,
    *,
    council_id: int | None,
    message: str,
    now: datetime,
    details: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Alert | None:
    """Raise an alert in the caller's transaction; ``None`` when ``dedupe_key`` was raised
    before. The caller commits."""
    if dedupe_key is not None:
        existing = session.scalar(select(Alert.id).where(Alert.dedupe_key == dedupe_key))
        if existing is not None:
            return None
    alert = Alert(
        kind=AlertKind(kind),
        council_id=council_id,
        message=message,
        details=details or {},
        dedupe_key=dedupe_key,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:  # the same key raised concurrently by another process
        return None
    record_change(
        session,
        council_id=None,
        kind="alert.raised",
        entity=ENTITY,
        entity_id=alert.id,
        payload={"kind": alert.kind.value, "councilId": council_id, "message": message},
    )
    return alert


def list_alerts(
    session: Session,
    *,
    unacknowledged: bool = False,
    council_id: int | None = None,
    kinds: Sequence[str] = (),
    limit: int = 100,
    after_id: int = 0,
) -> list[Alert]:
    """Alerts in id order (oldest first), after ``after_id``."""
    stmt = select(Alert).where(Alert.id > after_id)
    if unacknowledged:
        stmt = stmt.where(Alert.acknowledged_at.is_(None))
    if council_id is not None:
        stmt = stmt.where(Alert.council_id == council_id)
    if kinds:
        stmt = stmt.where(Alert.kind.in_(list(kinds)))
    return list(session.scalars(stmt.order_by(Alert.id).limit(limit)).all())


def acknowledge(session: Session, alert_id: int, actor: User, now: datetime) -> Alert:
    """Mark the alert seen by ``actor``; acknowledging twice keeps the first."""
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        raise NotFound("Alert not found")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by_id = actor.id
        record_change(
            session,
            council_id=None,
            kind="alert.acknowledged",
            entity=ENTITY,
            entity_id=alert.id,
            payload={"councilId": alert.council_id, "acknowledgedBy": actor.id},
        )
    return alert


__all__ = ["Alert", "AlertKind", "acknowledge", "list_alerts", "raise_alert"]
