"""``Outbox``: every write is stored locally first, shown at once, and sent in order.

:meth:`Outbox.enqueue` inserts the write in the cache's ``outbox`` table **in the same
SQLite transaction** as its optimistic change to the cached council, with a fresh
``Idempotency-Key`` (uuid4) and the council version (ETag) it was based on. Nothing the
user did is lost by a crash, a closed laptop or a missing network: rows wait in the file.

Sending (:meth:`Outbox.flush_once`, :meth:`Outbox.flush`, or the :meth:`Outbox.run` loop)
takes rows oldest first::

    pending ──attempt──▶ sending ──2xx──────────────▶ (deleted; server document stored)
       │                    ├──412──────────────────▶ conflict  (theirs + yours kept)
    cancel (Undo)           ├──other 4xx, 500───────▶ failed    (optimistic change undone)
                            └──network, 429/502/503/504: stays sending, retried later

* Retries only on :class:`TransportError` and :class:`RetryableStatus`, with jittered
  exponential backoff that honours Retry-After; the queue waits there, so order holds.
* A resend reuses the row's key, so a request that reached the platform before a crash is
  answered with its first response instead of running twice. Routes without
  ``Idempotency-Key`` (PATCH, the lead change) rely on ``If-Match``: a resend that gets 412
  while the server document already shows the write (its *expectation*) is a success.
* After a success, later rows of the same council based on the same version move onto the
  version the write produced (the user made them on top of it).
* Undo: :meth:`Outbox.cancel` takes back a row that has never been attempted.

Use one ``Outbox`` per process and cache file; ``enqueue`` (the views' DB worker) and the
sender (a network thread) may run at the same time.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from mentra_desktop.client.api import PlatformClient, Sent, etag_version
from mentra_desktop.client.backoff import Backoff
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.documents import CouncilDoc, shows, utc_text
from mentra_desktop.client.errors import (
    AuthExpired,
    PlatformError,
    Refused,
    RetryableStatus,
    TransportError,
    VersionConflict,
)
from mentra_desktop.client.outbox_rows import (
    COLUMNS,
    FlushReport,
    OutboxRow,
    StoredRow,
    dumps,
    public_row,
    stored_row,
)
from mentra_desktop.client.writes import KINDS, Params, Write

__all__ = ["FlushReport", "Outbox", "OutboxRow", "Resolution"]

Resolution = Literal["reapply", "discard"] | dict[str, Any]
_UNSENT = "state IN ('pending', 'sending')"


def _now() -> datetime:
    return datetime.now(UTC)


class Outbox:
    """The outbox in ``cache``'s file, sending through ``client``."""

    def __init__(
        self, cache: CouncilCache, client: PlatformClient, *, backoff: Backoff | None = None
    ) -> None:
        self.cache = cache
        self.client = client
        self.backoff = backoff or Backoff()
        self._wake = threading.Event()
        self._flushing = threading.Lock()

    # --- queueing -------------------------------------------------------------------------

    def enqueue(self, write: Write) -> int:
        """Queue ``write`` and show its effect on the cached council; returns the row id.

        Raises KeyError for an unknown kind or a council that is not in the cache.
        """
        KINDS[write.kind]  # unknown kinds fail before anything is written
        with self.cache.transaction() as conn:
            row_id = self._insert(conn, write.kind, write.council_id, write.params)
            self.cache.relayer(conn, write.council_id)
        self._wake.set()
        return row_id

    def _insert(
        self, conn: sqlite3.Connection, kind_name: str, council_id: int, params: Params
    ) -> int:
        kind = KINDS[kind_name]
        found = None
        if kind.council_bound:  # others neither need nor touch a cached council
            found = conn.execute(
                "SELECT doc, version FROM councils WHERE id = ?", (council_id,)
            ).fetchone()
            if found is None:
                raise KeyError(f"council {council_id} is not in the cache")
        shown, version = (json.loads(found[0]), int(found[1])) if found else ({}, None)
        method, path, body = kind.request(council_id, params)
        now = _now()
        cur = conn.execute(
            "INSERT INTO outbox (council_id, kind, label, method, path, params, body, "
            "idempotency_key, versioned, base_version, patch, expect, before_doc, state, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            (
                council_id,
                kind.name,
                kind.label(params),
                method,
                path,
                dumps(params),
                dumps(body),
                str(uuid.uuid4()),
                int(kind.versioned),
                version,
                dumps(kind.patch(params, shown, now)),
                dumps(kind.expect(params)),
                dumps(shown),
                utc_text(now),
            ),
        )
        return int(cur.lastrowid or 0)

    def cancel(self, row_id: int) -> bool:
        """Undo: take back a write that was never attempted, and its optimistic change.
        False when it is already on its way (or gone)."""
        return self._drop(row_id, ("pending",))

    def dismiss(self, row_id: int) -> bool:
        """Forget a failed row once the user has read why."""
        return self._drop(row_id, ("failed",))

    def _drop(self, row_id: int, states: tuple[str, ...]) -> bool:
        with self.cache.transaction() as conn:
            found = conn.execute(
                "SELECT council_id, state FROM outbox WHERE id = ?", (row_id,)
            ).fetchone()
            if found is None or found[1] not in states:
                return False
            conn.execute("DELETE FROM outbox WHERE id = ?", (row_id,))
            self.cache.relayer(conn, found[0])
        return True

    def resolve(self, row_id: int, choice: Resolution) -> int | None:
        """Settle a conflict. ``"discard"`` keeps theirs; ``"reapply"`` queues your write
        again on top of theirs; a dict queues it with that edited body (the write's
        ``params``). Returns the new row id (queued last: it is a new decision) or None."""
        with self.cache.transaction() as conn:
            row = self._stored(conn, row_id)
            if row is None or row.state != "conflict":
                raise ValueError(f"outbox row {row_id} is not a conflict")
            conn.execute("DELETE FROM outbox WHERE id = ?", (row_id,))
            new_id = None
            if choice != "discard":
                params = row.params if choice == "reapply" else dict(choice)
                new_id = self._insert(conn, row.kind, row.council_id, params)
            self.cache.relayer(conn, row.council_id)
        self._wake.set()
        return new_id

    # --- reading ----------------------------------------------------------------------------

    def pending_count(self) -> int:
        """Writes not yet acknowledged (pending or sending)."""
        return int(self.cache.query(f"SELECT COUNT(*) FROM outbox WHERE {_UNSENT}")[0][0])

    def rows(self, states: tuple[str, ...] | None = None) -> list[OutboxRow]:
        """Rows in send order, optionally only those in ``states``."""
        sql = f"SELECT {COLUMNS} FROM outbox"
        if states is not None:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
        return [public_row(r) for r in self.cache.query(sql + " ORDER BY id", states or ())]

    def row(self, row_id: int) -> OutboxRow | None:
        found = self.cache.query(f"SELECT {COLUMNS} FROM outbox WHERE id = ?", (row_id,))
        return public_row(found[0]) if found else None

    @staticmethod
    def _stored(conn: sqlite3.Connection, row_id: int) -> StoredRow | None:
        r = conn.execute(f"SELECT {COLUMNS} FROM outbox WHERE id = ?", (row_id,)).fetchone()
        return None if r is None else stored_row(r)

    # --- sending ----------------------------------------------------------------------------

    def wake(self) -> None:
        """Ask the :meth:`run` loop to flush now (after a login, say)."""
        self._wake.set()

    def retry_now(self) -> None:
        """Forget backoff delays (the platform is reachable again) and wake the sender."""
        with self.cache.transaction() as conn:
            conn.execute(f"UPDATE outbox SET not_before = NULL WHERE {_UNSENT}")
        self._wake.set()

    def flush_once(self) -> FlushReport:
        """Send rows in order until none is left or the head row must wait; never sleeps."""
        report = FlushReport()
        with self._flushing:
            while True:
                found = self.cache.query(
                    f"SELECT {COLUMNS} FROM outbox WHERE {_UNSENT} ORDER BY id LIMIT 1"
                )
                if not found:
                    break
                row = stored_row(found[0])
                if row.not_before is not None and row.not_before > _now():
                    report.wait = (row.not_before - _now()).total_seconds()
                    break
                if not self._attempt(row, report):
                    break
        report.remaining = self.pending_count()
        return report

    def flush(self, stop: threading.Event | None = None, timeout: float = 30.0) -> FlushReport:
        """Flush, sleeping out backoff delays, until the queue is empty, ``stop`` is set,
        the token has expired or ``timeout`` seconds have passed."""
        stop = stop or threading.Event()
        deadline = time.monotonic() + timeout
        total = FlushReport()
        while True:
            report = self.flush_once()
            total.merge(report)
            left = deadline - time.monotonic()
            if report.remaining == 0 or report.auth_expired or left <= 0:
                return total
            if stop.wait(min(report.wait if report.wait is not None else 0.05, left)):
                return total

    def run(self, stop: threading.Event, on_report: Callable[[FlushReport], None]) -> None:
        """The sender loop: flush when woken (enqueue, resolve, :meth:`wake`) or when the
        head row's backoff ends, until ``stop`` is set (noticed within 0.25 s)."""
        next_at = 0.0
        while not stop.is_set():
            if self._wake.is_set() or time.monotonic() >= next_at:
                self._wake.clear()
                report = self.flush_once()
                if report.news or report.offline or report.auth_expired:
                    on_report(report)
                wait = None if report.auth_expired else report.wait
                next_at = time.monotonic() + wait if wait is not None else float("inf")
            self._wake.wait(0.25)

    def _attempt(self, row: StoredRow, report: FlushReport) -> bool:
        """Send one row; True to go on with the next one, False to stop flushing."""
        with self.cache.transaction() as conn:
            claimed = conn.execute(
                f"UPDATE outbox SET state = 'sending', attempts = attempts + 1, sent_at = ? "
                f"WHERE id = ? AND {_UNSENT}",
                (utc_text(_now()), row.id),
            ).rowcount
        if not claimed:
            return True  # cancelled meanwhile
        try:
            sent = self.client.send(
                row.method,
                row.path,
                row.body,
                idempotency_key=row.key,
                if_match=row.base_version if row.versioned else None,
            )
        except VersionConflict as exc:
            if row.expect and exc.current is not None and shows(exc.current, row.expect):
                self._succeeded(row, None, exc.current, report)  # our own earlier success
            else:
                self._conflicted(row, exc, report)
            return True
        except Refused as exc:
            self._failed(row, exc, report)
            return True
        except AuthExpired:
            report.auth_expired = True
            return False
        except (TransportError, RetryableStatus, PlatformError) as exc:
            retry_after = exc.retry_after if isinstance(exc, RetryableStatus) else None
            delay = self.backoff.delay(row.attempts, retry_after)
            self._later(row, delay)
            report.wait = delay
            report.offline = isinstance(exc, TransportError)
            return False
        self._succeeded(row, sent, None, report)
        return True

    def _later(self, row: StoredRow, delay: float) -> None:
        with self.cache.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET not_before = ? WHERE id = ?",
                (utc_text(_now() + timedelta(seconds=delay)), row.id),
            )

    def _fetch(self, council_id: int) -> CouncilDoc | None:
        try:
            return self.client.council(council_id)[0]
        except PlatformError:
            return None  # the stream or the next catch-up will bring it

    def _succeeded(
        self, row: StoredRow, sent: Sent | None, current: CouncilDoc | None, report: FlushReport
    ) -> None:
        body = sent.body if sent is not None else None
        doc = current
        if doc is None and isinstance(body, dict) and body.get("id") == row.council_id:
            doc = body if "changeSeq" in body else None
        if doc is None and KINDS[row.kind].council_bound:
            doc = self._fetch(row.council_id)
        # The version this write produced: its own answer first, a later read last.
        version = etag_version(sent.etag) if sent is not None else None
        if version is None and isinstance(body, dict) and isinstance(body.get("version"), int):
            version = body["version"]
        if version is None and doc is not None:
            version = int(doc["version"])
        with self.cache.transaction() as conn:
            conn.execute("DELETE FROM outbox WHERE id = ?", (row.id,))
            if version is not None and row.base_version is not None:
                conn.execute(
                    f"UPDATE outbox SET base_version = ? WHERE council_id = ? AND id > ? "
                    f"AND base_version = ? AND {_UNSENT}",
                    (version, row.council_id, row.id, row.base_version),
                )
            if doc is not None:
                self.cache.put_documents([doc])
            self.cache.relayer(conn, row.council_id)
        report.sent.append(row.id)
        if row.council_id:  # 0: a write about no council (an alert without one)
            report.changed.append(row.council_id)

    def _settle(
        self, row: StoredRow, state: str, status: int, detail: str, extra: dict[str, Any],
        fresh: CouncilDoc | None, report: FlushReport,
    ) -> OutboxRow:  # fmt: skip
        with self.cache.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET state = ?, status = ?, detail = ?, errors = ?, theirs = ? "
                "WHERE id = ?",
                (
                    state,
                    status,
                    detail,
                    dumps(extra.get("errors")),
                    dumps(extra.get("theirs")),
                    row.id,
                ),
            )
            if fresh is not None:
                self.cache.put_documents([fresh])
            self.cache.relayer(conn, row.council_id)
            settled = conn.execute(
                f"SELECT {COLUMNS} FROM outbox WHERE id = ?", (row.id,)
            ).fetchone()
        if row.council_id:  # 0: a write about no council (an alert without one)
            report.changed.append(row.council_id)
        return public_row(settled)

    def _conflicted(self, row: StoredRow, exc: VersionConflict, report: FlushReport) -> None:
        theirs = exc.current or self.cache.server_document(row.council_id)
        report.conflicts.append(
            self._settle(row, "conflict", 412, exc.detail, {"theirs": theirs}, exc.current, report)
        )

    def _failed(self, row: StoredRow, exc: Refused, report: FlushReport) -> None:
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        fresh = self._fetch(row.council_id) if KINDS[row.kind].council_bound else None
        report.failed.append(
            self._settle(row, "failed", exc.status, exc.detail, {"errors": errors}, fresh, report)
        )
