"""The outbox's row types: what the views see (:class:`OutboxRow`), what a flush did
(:class:`FlushReport`), and the stored row the sender works from (:class:`StoredRow`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mentra_desktop.client.documents import CouncilDoc, apply_patches
from mentra_desktop.client.errors import FieldError
from mentra_desktop.client.writes import Params

COLUMNS = (
    "id, council_id, kind, label, method, path, params, body, idempotency_key, versioned, "
    "base_version, patch, expect, before_doc, state, attempts, not_before, status, detail, "
    "errors, theirs, created_at"
)
"""The ``outbox`` columns every reader selects, in the order the parsers below expect."""


def loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


@dataclass(frozen=True)
class OutboxRow:
    """One queued write as the views show it.

    ``state``: ``pending`` (never attempted: Undo can take it back), ``sending`` (attempted,
    outcome not yet known), ``failed`` or ``conflict``. For a conflict ``theirs`` is the
    council as the server has it and ``yours`` the document as you saw it with this write
    applied; for a failure ``detail`` and ``errors`` are the platform's words.
    """

    id: int
    council_id: int
    kind: str
    label: str
    params: Params
    state: str
    attempts: int
    created_at: datetime
    status: int | None = None
    detail: str | None = None
    errors: tuple[FieldError, ...] = ()
    theirs: CouncilDoc | None = None
    yours: CouncilDoc | None = None

    @property
    def message(self) -> str:
        """One line for a status bar or tooltip."""
        parts = [self.detail or "", *(f"{e.field}: {e.message}" for e in self.errors)]
        return "; ".join(p for p in parts if p)


@dataclass
class FlushReport:
    """What one flush did. ``changed``: councils whose shown document changed (reload
    them); ``wait``: seconds until the head row may be retried (None: nothing waits);
    ``offline``: the platform did not answer; ``remaining``: rows still unsent."""

    sent: list[int] = field(default_factory=list)
    failed: list[OutboxRow] = field(default_factory=list)
    conflicts: list[OutboxRow] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    wait: float | None = None
    offline: bool = False
    auth_expired: bool = False
    remaining: int = 0

    @property
    def news(self) -> bool:
        """Something the views should show (a row settled or a document changed)."""
        return bool(self.sent or self.failed or self.conflicts or self.changed)

    def merge(self, later: FlushReport) -> None:
        self.sent += later.sent
        self.failed += later.failed
        self.conflicts += later.conflicts
        self.changed += [c for c in later.changed if c not in self.changed]
        self.wait, self.offline = later.wait, later.offline
        self.auth_expired, self.remaining = later.auth_expired, later.remaining


@dataclass(frozen=True)
class StoredRow:
    """A row as the sender needs it."""

    id: int
    council_id: int
    kind: str
    method: str
    path: str
    params: Params
    body: Any
    key: str
    versioned: bool
    base_version: int | None
    patch: dict[str, Any]
    expect: dict[str, Any] | None
    before_doc: CouncilDoc | None
    state: str
    attempts: int
    not_before: datetime | None


def public_row(r: tuple[Any, ...]) -> OutboxRow:
    """An :class:`OutboxRow` from a ``SELECT COLUMNS`` tuple."""
    (rid, council_id, kind, label, _m, _p, params, _b, _k, _v, _bv, patch, _e, before,
     state, attempts, _nb, status, detail, errors, theirs, created_at) = r  # fmt: skip
    yours = None
    if state == "conflict" and before is not None:
        yours = apply_patches(json.loads(before), [json.loads(patch)])
    return OutboxRow(
        id=rid,
        council_id=council_id,
        kind=kind,
        label=label,
        params=json.loads(params),
        state=state,
        attempts=attempts,
        created_at=datetime.fromisoformat(created_at),
        status=status,
        detail=detail,
        errors=tuple(FieldError(e["field"], e["message"]) for e in loads(errors) or []),
        theirs=loads(theirs),
        yours=yours,
    )


def stored_row(r: tuple[Any, ...]) -> StoredRow:
    """A :class:`StoredRow` from a ``SELECT COLUMNS`` tuple."""
    (rid, council_id, kind, _l, method, path, params, body, key, versioned, base_version,
     patch, expect, before, state, attempts, not_before, *_rest) = r  # fmt: skip
    return StoredRow(
        id=rid,
        council_id=council_id,
        kind=kind,
        method=method,
        path=path,
        params=json.loads(params),
        body=loads(body),
        key=key,
        versioned=bool(versioned),
        base_version=base_version,
        patch=json.loads(patch),
        expect=loads(expect),
        before_doc=loads(before),
        state=state,
        attempts=attempts,
        not_before=datetime.fromisoformat(not_before) if not_before else None,
    )
