"""``AlertStore``: the platform's coordination alerts in the local cache file.

The ``alerts`` table (:mod:`mentra_desktop.client.schema`) holds each alert as the platform
last described it (``GET /alerts``, ``alert.*`` events; see
:mod:`mentra_desktop.client.alert_sync`), so the panel works offline and after a restart.

Acknowledging is a write like any other: :meth:`AlertStore.acknowledge` stamps the alert
``acknowledged_here_at`` and queues :func:`~mentra_desktop.client.writes.acknowledge` in the
outbox **in one SQLite transaction**, so it is shown at once and survives a crash or a
missing network. The stamp stays until the platform's own acknowledgement arrives; if the
platform refuses the write (its outbox row is ``failed``) the stamp is dropped at the next
read, and the alert is unread again.

"Unread" means not acknowledged (by anyone, here or elsewhere). "Notified" records that the
desktop has already announced an alert, so a restart never announces it twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mentra_desktop.client.alert_kinds import kind_label
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.documents import utc_text
from mentra_desktop.client.outbox import Outbox
from mentra_desktop.client.writes import acknowledge as acknowledge_write
from mentra_desktop.scheduling.documents import parse_instant

_COLUMNS = (
    "a.id, a.kind, a.council_id, a.message, a.details, a.created_at, a.acknowledged_at, "
    "a.acknowledged_by_id, a.acknowledged_here_at, c.topic"
)
_DROP_REFUSED = """
UPDATE alerts SET acknowledged_here_at = NULL
WHERE acknowledged_here_at IS NOT NULL AND acknowledged_at IS NULL AND EXISTS (
    SELECT 1 FROM outbox o
    WHERE o.kind = 'acknowledge' AND o.state = 'failed'
      AND CAST(json_extract(o.params, '$.alertId') AS INTEGER) = alerts.id
      AND o.created_at >= alerts.acknowledged_here_at
)
"""
_UPSERT = """
INSERT INTO alerts (id, kind, council_id, message, details, created_at, acknowledged_at,
                    acknowledged_by_id, notified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind, council_id = excluded.council_id, message = excluded.message,
    details = excluded.details, created_at = excluded.created_at,
    acknowledged_at = COALESCE(alerts.acknowledged_at, excluded.acknowledged_at),
    acknowledged_by_id = COALESCE(alerts.acknowledged_by_id, excluded.acknowledged_by_id)
"""


@dataclass(frozen=True)
class Alert:
    """One alert as the panel shows it. ``acknowledged_here`` is an acknowledgement queued
    on this desktop that the platform has not confirmed yet."""

    id: int
    kind: str
    council_id: int | None
    message: str
    created_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by_id: int | None = None
    acknowledged_here: bool = False
    council_topic: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The kind in words (unknown kinds readable too)."""
        return kind_label(self.kind)

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None or self.acknowledged_here

    @property
    def council_text(self) -> str:
        """``#12 · Career change`` (the topic when the council is cached), or ``—``."""
        if self.council_id is None:
            return "—"
        topic = f" · {self.council_topic}" if self.council_topic else ""
        return f"#{self.council_id}{topic}"


def parse_alert(item: Mapping[str, Any]) -> tuple[Any, ...]:
    """An ``alerts`` row (upsert order) from one wire document (``AlertOut``, camelCase).

    Raises ValueError naming the field for a document that is not an alert."""
    try:
        alert_id = int(item["id"])
        kind = str(item["kind"])
        council = item.get("councilId")
        message = str(item.get("message") or "")
        details = item.get("details") or {}
        created = parse_instant(item["createdAt"], "createdAt")
    except KeyError as exc:
        raise ValueError(f"alert document without {exc.args[0]!r}") from exc
    if alert_id < 1 or not kind:
        raise ValueError(f"alert document with id {alert_id!r} and kind {kind!r}")
    acked_raw = item.get("acknowledgedAt")
    acked = parse_instant(acked_raw, "acknowledgedAt") if acked_raw else None
    by = item.get("acknowledgedById")
    return (
        alert_id,
        kind,
        int(council) if council is not None else None,
        message,
        json.dumps(details, separators=(",", ":")),
        utc_text(created),
        utc_text(acked) if acked is not None else None,
        int(by) if by is not None else None,
        int(acked is not None),  # an alert already handled is never announced
    )


class AlertStore:
    """The alerts of ``cache``'s file; thread-safe like the cache (one lock)."""

    def __init__(self, cache: CouncilCache) -> None:
        self.cache = cache

    # --- from the platform ------------------------------------------------------------

    def put(self, items: Sequence[Mapping[str, Any]]) -> list[int]:
        """Store alert documents in one transaction; returns the ids that are new or whose
        acknowledgement is new. A known acknowledgement is never taken back."""
        rows = [parse_alert(item) for item in items]
        if not rows:
            return []
        changed: list[int] = []
        with self.cache.transaction() as conn:
            for row in rows:
                old = conn.execute(
                    "SELECT acknowledged_at FROM alerts WHERE id = ?", (row[0],)
                ).fetchone()
                if old is None or (old[0] is None and row[6] is not None):
                    changed.append(row[0])
            conn.executemany(_UPSERT, rows)
        return changed

    def mark_acknowledged(self, alert_id: int, at: datetime, by: int | None) -> bool:
        """The platform says ``alert_id`` was acknowledged (an ``alert.acknowledged``
        event); False when it is unknown here or already was."""
        with self.cache.transaction() as conn:
            cur = conn.execute(
                "UPDATE alerts SET acknowledged_at = ?, acknowledged_by_id = ?, notified = 1 "
                "WHERE id = ? AND acknowledged_at IS NULL",
                (utc_text(at.astimezone(UTC)), by, alert_id),
            )
        return cur.rowcount > 0

    def settle_unacknowledged(self, open_ids: Iterable[int], upto: int, at: datetime) -> list[int]:
        """``open_ids`` is every alert the platform still has unacknowledged, listed after
        this store held every alert up to ``upto``: those up to ``upto`` missing from it
        were acknowledged elsewhere while this desktop was away (time: ``at``, when it
        learnt so). Returns their ids."""
        still = set(open_ids)
        with self.cache.transaction() as conn:
            gone = [
                aid
                for (aid,) in conn.execute(
                    "SELECT id FROM alerts WHERE acknowledged_at IS NULL AND id <= ?", (upto,)
                )
                if aid not in still
            ]
            conn.executemany(
                "UPDATE alerts SET acknowledged_at = ?, notified = 1 WHERE id = ?",
                [(utc_text(at.astimezone(UTC)), aid) for aid in gone],
            )
        return gone

    def last_id(self) -> int:
        """The highest alert id held (the ``afterId`` of the next fetch)."""
        return int(self.cache.query("SELECT COALESCE(MAX(id), 0) FROM alerts")[0][0])

    # --- acknowledging ------------------------------------------------------------------

    def acknowledge(self, outbox: Outbox, alert_id: int) -> int | None:
        """Show ``alert_id`` acknowledged and queue the write, in one transaction; returns
        the outbox row id, or None when it is already acknowledged (nothing queued).
        Raises KeyError for an alert that is not in the cache."""
        with self.cache.transaction() as conn:
            self._drop_refused(conn)  # a refused acknowledgement may be tried again
            found = conn.execute(
                "SELECT council_id, acknowledged_at, acknowledged_here_at FROM alerts WHERE id = ?",
                (alert_id,),
            ).fetchone()
            if found is None:
                raise KeyError(f"alert {alert_id} is not in the cache")
            council_id, acked, here = found
            if acked is not None or here is not None:
                return None
            conn.execute(
                "UPDATE alerts SET acknowledged_here_at = ?, notified = 1 WHERE id = ?",
                (utc_text(datetime.now(UTC)), alert_id),
            )
            return outbox.enqueue(acknowledge_write(alert_id, council_id))

    @staticmethod
    def _drop_refused(conn: Any) -> None:
        """Forget the stamps of acknowledgements the platform refused (this stamp's own
        outbox row failed; an older failed row does not count)."""
        conn.execute(_DROP_REFUSED)

    # --- reading ------------------------------------------------------------------------

    def alerts(self, limit: int = 2000) -> list[Alert]:
        """Alerts newest first (by raise time, then id), at most ``limit``."""
        with self.cache.transaction() as conn:
            self._drop_refused(conn)
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM alerts a LEFT JOIN councils c ON c.id = a.council_id "
                "ORDER BY a.created_at DESC, a.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_alert(r) for r in rows]

    def alert(self, alert_id: int) -> Alert | None:
        rows = self.cache.query(
            f"SELECT {_COLUMNS} FROM alerts a LEFT JOIN councils c ON c.id = a.council_id "
            "WHERE a.id = ?",
            (alert_id,),
        )
        return _alert(rows[0]) if rows else None

    def unread_count(self) -> int:
        """Alerts nobody has acknowledged, here or on the platform."""
        with self.cache.transaction() as conn:
            self._drop_refused(conn)
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM alerts WHERE acknowledged_at IS NULL "
                    "AND acknowledged_here_at IS NULL"
                ).fetchone()[0]
            )

    def take_unannounced(self) -> list[Alert]:
        """Unread alerts not announced yet, newest first, marked announced in the same
        transaction (so each is announced once, whatever crashes)."""
        with self.cache.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM alerts a LEFT JOIN councils c ON c.id = a.council_id "
                "WHERE a.notified = 0 AND a.acknowledged_at IS NULL "
                "AND a.acknowledged_here_at IS NULL ORDER BY a.created_at DESC, a.id DESC"
            ).fetchall()
            conn.execute("UPDATE alerts SET notified = 1 WHERE notified = 0")
        return [_alert(r) for r in rows]


def _alert(r: tuple[Any, ...]) -> Alert:
    aid, kind, council, message, details, created, acked, by, here, topic = r
    return Alert(
        id=aid,
        kind=kind,
        council_id=council,
        message=message,
        created_at=datetime.fromisoformat(created),
        acknowledged_at=datetime.fromisoformat(acked) if acked else None,
        acknowledged_by_id=by,
        acknowledged_here=here is not None,
        council_topic=topic,
        details=json.loads(details),
    )
