"""``CouncilCache``: the desktop's local SQLite copy of the councils, and its outbox table.

One file (WAL, ``synchronous=FULL`` so a committed write survives a crash or power cut):

* ``councils`` — each council's document as JSON text, keyed by id, with raw columns the
  grid sorts and filters on in SQL (``change_seq``, ``version``, ``coordination_status``,
  ``mentor_response_deadline`` and ``updated_at`` as fixed-width UTC text, ``topic``) and a
  ``summary`` JSON column filled by the injected ``summarize(doc)``. ``doc`` is what the
  user sees: the server's document with any unsent local changes laid on it; while such
  changes exist ``server_doc`` keeps the server's own version (otherwise NULL).
* ``meta`` — the sync cursor, the time the last change arrived, the origin and the
  summary version.
* ``outbox`` — the writes not yet acknowledged (see :mod:`mentra_desktop.client.outbox`).
* ``alerts`` — the platform's coordination alerts (see :mod:`mentra_desktop.client.alerts`).

Threads: every public method takes one internal lock, so an instance may be shared by the
views' DB worker, the sync thread and the outbox sender; each call is short (a 1,000-council
page is the longest). Other processes may open the same file (SQLite's own locking).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mentra_desktop.client.documents import (
    CouncilDoc,
    apply_patches,
    sortable_instant,
    utc_text,
)
from mentra_desktop.client.pages import dumps as _dumps
from mentra_desktop.client.pages import gc_paused
from mentra_desktop.client.schema import SCHEMA, SCHEMA_VERSION, UPSERT_COUNCIL

log = logging.getLogger(__name__)

Summarize = Callable[[CouncilDoc], dict[str, Any]]
LOCAL_STATES = ("pending", "sending")
"""Outbox states whose optimistic change is laid on the cached document."""
SORT_COLUMNS = frozenset(
    {"id", "change_seq", "coordination_status", "mentor_response_deadline", "topic", "updated_at"}
)


class CacheError(Exception):
    """The cache file cannot be used as asked (newer schema, another origin's writes)."""


class CouncilCache:
    """The cache at ``path`` (created when missing).

    ``summarize(doc) -> dict`` fills each council's ``summary`` (None: no summaries);
    bump ``summary_version`` whenever its output changes and every summary is rebuilt
    once at open.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        summarize: Summarize | None = None,
        summary_version: str = "1",
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._summarize = summarize
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._migrate()
        if summarize is not None and self._meta("summary_version") != summary_version:
            self.resummarize()
            self._set_meta("summary_version", summary_version)

    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise CacheError(f"{self.path} was written by a newer Mentra desktop")
            self._conn.executescript(f"BEGIN IMMEDIATE;{SCHEMA}COMMIT;")
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # --- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), committed on success, rolled back on
        error; the cache's lock is held throughout. Re-entrant calls join the outer one."""
        with self._lock:
            if self._conn.in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read statement on the cache file, under the cache's lock (the
        outbox reads its table this way)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def _set_meta(self, key: str, value: str, conn: sqlite3.Connection | None = None) -> None:
        sql = (
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        if conn is not None:
            conn.execute(sql, (key, value))
            return
        with self.transaction() as c:
            c.execute(sql, (key, value))

    # --- writing documents ----------------------------------------------------------------

    def _row(
        self, doc: CouncilDoc, server_doc: CouncilDoc | None, text: str | None = None
    ) -> tuple[Any, ...]:
        """The ``councils`` row showing ``doc`` (the server's own when ``server_doc`` is None);
        ``text`` is ``doc``'s JSON when the caller already has it."""
        base = server_doc if server_doc is not None else doc
        summary = None
        if self._summarize is not None:
            try:
                summary = _dumps(self._summarize(doc))
            except Exception:  # one odd document must not stop a sync
                log.exception("summarize failed for council %s", doc.get("id"))
        return (
            int(doc["id"]),
            text if text is not None else _dumps(doc),
            None if server_doc is None else _dumps(server_doc),
            int(base.get("changeSeq") or 0),
            int(base.get("version") or 0),
            str(doc.get("coordinationStatus") or ""),
            sortable_instant(doc.get("mentorResponseDeadline")),
            str(doc.get("topic") or ""),
            sortable_instant(doc.get("updatedAt")),
            summary,
        )

    def put_documents(
        self,
        docs: Sequence[CouncilDoc],
        *,
        texts: Sequence[str] | None = None,
        cursor: int | None = None,
    ) -> list[int]:
        """Store server documents in one transaction; returns the ids that changed.

        A document older than the cached one (lower ``changeSeq``) is ignored. Councils with
        unsent local changes keep them, laid again on the new server document. ``texts``
        (each document's JSON, as a sync page brings it) saves encoding them again.
        ``cursor``, when given, is stored in the same transaction, so the cursor never runs
        ahead of the documents it stands for.
        """
        changed: list[int] = []
        with gc_paused(), self.transaction() as conn:
            known = self._known(conn, [int(d["id"]) for d in docs])
            rows = []
            layered = []
            for n, doc in enumerate(docs):
                council_id = int(doc["id"])
                seq = int(doc.get("changeSeq") or 0)
                old = known.get(council_id)
                if old is not None and seq < old[0]:
                    continue
                if old is None or seq > old[0]:
                    changed.append(council_id)
                if old is not None and old[1]:
                    layered.append(doc)
                else:
                    rows.append(self._row(doc, None, texts[n] if texts is not None else None))
            conn.executemany(UPSERT_COUNCIL, rows)
            for doc in layered:
                conn.execute(
                    "UPDATE councils SET server_doc = ? WHERE id = ?", (_dumps(doc), doc["id"])
                )
                self.relayer(conn, int(doc["id"]))
            if cursor is not None:
                self._set_meta("cursor", str(cursor), conn)
            if changed:
                self._set_meta("last_change_at", utc_text(datetime.now(UTC)), conn)
        return changed

    @staticmethod
    def _known(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[int, bool]]:
        """id → (change_seq, has local changes) for those of ``ids`` already cached."""
        out: dict[int, tuple[int, bool]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for council_id, seq, layered in conn.execute(
                "SELECT id, change_seq, server_doc IS NOT NULL FROM councils "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                out[council_id] = (seq, bool(layered))
        return out

    def relayer(self, conn: sqlite3.Connection, council_id: int) -> CouncilDoc | None:
        """Rebuild one council's shown document from its server document and the patches
        of its unsent outbox rows, inside the caller's transaction (the outbox's hook)."""
        row = conn.execute(
            "SELECT doc, server_doc FROM councils WHERE id = ?", (council_id,)
        ).fetchone()
        if row is None:
            return None
        server: CouncilDoc = json.loads(row[1] if row[1] is not None else row[0])
        marks = ",".join("?" * len(LOCAL_STATES))
        patches = [
            json.loads(p)
            for (p,) in conn.execute(
                f"SELECT patch FROM outbox WHERE council_id = ? AND state IN ({marks}) ORDER BY id",
                (council_id, *LOCAL_STATES),
            )
        ]
        if patches:
            shown = apply_patches(server, patches)
            conn.execute(UPSERT_COUNCIL, self._row(shown, server))
            return shown
        conn.execute(UPSERT_COUNCIL, self._row(server, None))
        return server

    def resummarize(self) -> int:
        """Recompute every summary (after ``summarize`` changed); returns the count."""
        if self._summarize is None:
            return 0
        summarize = self._summarize
        with self.transaction() as conn:
            updates = []
            for council_id, doc in conn.execute("SELECT id, doc FROM councils").fetchall():
                try:
                    summary: str | None = _dumps(summarize(json.loads(doc)))
                except Exception:
                    log.exception("summarize failed for council %s", council_id)
                    summary = None
                updates.append((summary, council_id))
            conn.executemany("UPDATE councils SET summary = ? WHERE id = ?", updates)
        return len(updates)

    # --- reading --------------------------------------------------------------------------

    def documents(self, ids: Iterable[int] | None = None) -> list[CouncilDoc]:
        """Shown documents (local changes included), by id; all of them when ``ids`` is None."""
        if ids is None:
            rows = self.query("SELECT doc FROM councils ORDER BY id")
        else:
            wanted = list(ids)
            rows = []
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self.query(
                    f"SELECT doc FROM councils WHERE id IN ({marks}) ORDER BY id", chunk
                )
        return [json.loads(doc) for (doc,) in rows]

    def document(self, council_id: int) -> CouncilDoc | None:
        """One shown document, or None when it is not cached."""
        rows = self.query("SELECT doc FROM councils WHERE id = ?", (council_id,))
        return json.loads(rows[0][0]) if rows else None

    def server_document(self, council_id: int) -> CouncilDoc | None:
        """The server's last known document, without local changes."""
        rows = self.query(
            "SELECT COALESCE(server_doc, doc) FROM councils WHERE id = ?", (council_id,)
        )
        return json.loads(rows[0][0]) if rows else None

    def summaries(self) -> list[tuple[int, dict[str, Any] | None]]:
        """``(id, summary)`` for every council in id order, without reading documents: the
        cold-start path that paints the grid before any network traffic."""
        rows = self.query("SELECT id, summary FROM councils ORDER BY id")
        return [(cid, json.loads(s) if s is not None else None) for cid, s in rows]

    def ids(
        self,
        *,
        order_by: str = "id",
        descending: bool = False,
        statuses: Iterable[str] | None = None,
    ) -> list[int]:
        """Council ids sorted in SQL by one indexed column, optionally by status."""
        if order_by not in SORT_COLUMNS:
            raise ValueError(f"cannot sort by {order_by!r}; one of {sorted(SORT_COLUMNS)}")
        where, params = "", []
        if statuses is not None:
            params = list(statuses)
            where = f"WHERE coordination_status IN ({','.join('?' * len(params))})"
        direction = "DESC" if descending else "ASC"
        sql = f"SELECT id FROM councils {where} ORDER BY {order_by} {direction}, id {direction}"
        return [cid for (cid,) in self.query(sql, params)]

    def count(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM councils")[0][0])

    def local_states(self) -> dict[int, str]:
        """Councils with outbox rows not yet settled → ``conflict``, ``failed`` or
        ``pending`` (the first that applies, in that order), for row markers."""
        out: dict[int, str] = {}
        rank = {"conflict": 0, "failed": 1, "pending": 2, "sending": 2}
        rows = self.query("SELECT council_id, state FROM outbox WHERE council_id IS NOT NULL")
        for council_id, state in rows:
            label = "pending" if state == "sending" else state
            if council_id not in out or rank[label] < rank[out[council_id]]:
                out[council_id] = label
        return out

    # --- sync bookkeeping -----------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """The change cursor the next ``since`` sync starts from (0: never synced)."""
        value = self._meta("cursor")
        return int(value) if value is not None else 0

    def set_cursor(self, value: int) -> None:
        self._set_meta("cursor", str(int(value)))

    @property
    def last_change_at(self) -> datetime | None:
        """When the last changed council arrived (aware UTC), None before the first."""
        value = self._meta("last_change_at")
        return datetime.fromisoformat(value) if value else None

    def ensure_origin(self, origin: str) -> bool:
        """Tie the cache to one platform and user (e.g. ``"embedded:coordinator@…"``).

        A different origin wipes the councils and the cursor (returns True); it raises
        :class:`CacheError` instead when the outbox still holds that origin's unsent
        writes, so they are never sent as someone else or silently dropped.
        """
        with self.transaction() as conn:
            stored = conn.execute("SELECT value FROM meta WHERE key = 'origin'").fetchone()
            if stored is not None and stored[0] == origin:
                return False
            if stored is not None:
                unsent = conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending', 'conflict')"
                ).fetchone()[0]
                if unsent:
                    raise CacheError(
                        f"{unsent} unsent change(s) belong to {stored[0]}; sign in as them first"
                    )
                conn.execute("DELETE FROM councils")
                conn.execute("DELETE FROM outbox")
                conn.execute("DELETE FROM alerts")
                conn.execute("DELETE FROM meta WHERE key IN ('cursor', 'last_change_at')")
            self._set_meta("origin", origin, conn)
            return stored is not None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> CouncilCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
