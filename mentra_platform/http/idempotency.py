"""``Idempotency-Key`` for POSTs that create or send (IETF httpapi draft semantics).

* First request with a key: the key is claimed (a row ``in_progress``), the route runs,
  and its response (status, body, headers) is stored *in the same transaction* as the
  route's own writes.
* Replay with the same key and the same payload: the stored response is returned
  (header ``Idempotent-Replayed: true``) and the route does not run again.
* Same key, different payload (or another method/path): 422.
* Same key while the first request is still running: 409.
* Keys are scoped per user; a request that fails (4xx/5xx) releases its key.
* No header: the route runs normally.
* A claim records the API process running it (``owner``). A request cut off by a crash
  cannot release its claim, so a retry takes over a claim whose owner is known dead
  (:func:`mentra_platform.core.processes.is_dead`: a stale heartbeat, or a pid gone on
  this host) at once, and any claim older than :data:`STALE_AFTER`.

How to apply it to a POST route — add the dependency and finish with ``idem.respond``::

    from mentra_platform.http.idempotency import Idem, IDEMPOTENT_RESPONSES

    @router.post("/things", status_code=201, response_model=ThingOut,
                 responses={**error_responses(401, 403, 422), **IDEMPOTENT_RESPONSES})
    def create_thing(body: ThingIn, user: CurrentUser, session: WriteSession,
                     idem: Idem) -> Response:
        thing = ...                       # writes, record_change(...)
        return idem.respond(session, ThingOut.model_validate(thing), status_code=201,
                            headers={"Location": f"/api/v1/things/{thing.id}"})

``respond`` serialises the body (pydantic models by alias), marks the key done, commits
``session`` and returns the ``Response``. Raise a domain error
(:mod:`mentra_platform.core.errors`) for failures as usual.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentra_desktop.models import User, utcnow
from mentra_platform.core.errors import BadRequest, Conflict, Invalid
from mentra_platform.core.processes import is_dead
from mentra_platform.core.tables import IdempotencyRecord, IdempotencyStatus
from mentra_platform.http.deps import current_user, get_write_session
from mentra_platform.http.errors import ErrorBody
from mentra_platform.http.writes import commit_response, json_body

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
STALE_AFTER = timedelta(minutes=5)
"""An ``in_progress`` claim older than this is treated as abandoned, whoever owns it."""

_STORED_HEADERS = ("location", "etag", "content-type")

IDEMPOTENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "A request with this Idempotency-Key is running"},
    422: {
        "model": ErrorBody,
        "description": "Validation failed, or Idempotency-Key reused with another payload",
    },
    400: {"model": ErrorBody, "description": "Malformed Idempotency-Key header"},
}


class IdempotentReplay(Exception):
    """Raised by the dependency to short-circuit with the stored first response."""

    def __init__(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        super().__init__("replay")
        self.status = status
        self.body = body
        self.headers = dict(headers)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash of the request; JSON bodies are canonicalised so key order does not matter."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def parse_key(raw: str) -> str:
    """Accept a bare token or an RFC 8941 sf-string (``"abc"``); 400 for anything else."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest("Malformed Idempotency-Key", [(HEADER, "1-255 printable characters")])
    return key


class Idempotency:
    """Handle given to a route; ``respond`` stores the outcome and commits."""

    def __init__(self, record_id: int | None) -> None:
        self.record_id = record_id
        self.completed = False

    def respond(
        self,
        session: Session,
        content: Any,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        body = json_body(content)
        out_headers = {"content-type": "application/json", **(headers or {})}
        if self.record_id is not None:
            record = session.get(IdempotencyRecord, self.record_id)
            if record is None:  # pragma: no cover - only if someone deleted the claim
                raise Conflict("Idempotency-Key claim lost; retry")
            record.status = IdempotencyStatus.DONE
            record.response_status = status_code
            record.response_body = body
            record.response_headers = {
                k.lower(): v for k, v in out_headers.items() if k.lower() in _STORED_HEADERS
            }
            record.completed_at = utcnow()
        response = commit_response(session, body, status_code=status_code, headers=out_headers)
        self.completed = True
        return response


@dataclass(frozen=True)
class Claim:
    """Who asks for a key: the user, the request's identity, and the process running it."""

    user_id: int
    key: str
    method: str
    path: str
    fingerprint: str
    owner: str
    owner_stale_after: timedelta


def _take_over(session: Session, record: IdempotencyRecord, claim: Claim, now: datetime) -> int:
    """Move an abandoned claim to this request, unless a racing retry moved it first."""
    taken = session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == record.id,
            IdempotencyRecord.status == IdempotencyStatus.IN_PROGRESS,
            IdempotencyRecord.created_at == record.created_at,
        )
        .values(created_at=now, owner=claim.owner)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("A request with this Idempotency-Key is still running")
    session.commit()
    return record.id


def _claim_once(session: Session, claim: Claim) -> int | None:
    """Claim the key (commit) and return the record id; None when a racing insert won."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == claim.user_id, IdempotencyRecord.key == claim.key
        )
    )
    now = utcnow()
    if record is not None:
        if record.fingerprint != claim.fingerprint:
            raise Invalid(
                "Idempotency-Key was already used with a different request",
                [(HEADER, "reused with another payload")],
            )
        if record.status == IdempotencyStatus.DONE:
            raise IdempotentReplay(
                record.response_status or 200,
                record.response_body or b"",
                record.response_headers or {},
            )
        abandoned = now - record.created_at >= STALE_AFTER or is_dead(
            session, record.owner, claim.owner_stale_after
        )
        if not abandoned:
            raise Conflict("A request with this Idempotency-Key is still running")
        return _take_over(session, record, claim, now)
    record = IdempotencyRecord(
        user_id=claim.user_id,
        key=claim.key,
        method=claim.method,
        path=claim.path,
        fingerprint=claim.fingerprint,
        owner=claim.owner,
        created_at=now,
    )
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return record.id


def _claim(session: Session, claim: Claim) -> int:
    try:
        for _attempt in range(3):
            record_id = _claim_once(session, claim)
            if record_id is not None:
                return record_id
    except BaseException:
        session.rollback()  # free the write lock before answering
        raise
    raise Conflict("A request with this Idempotency-Key is still running")


def _release(session: Session, record_id: int) -> None:
    # The route's own (failed) work shares this session: drop it first, then the claim.
    session.rollback()
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.id == record_id,
            IdempotencyRecord.status == IdempotencyStatus.IN_PROGRESS,
        )
    )
    session.commit()


async def idempotency(
    request: Request,
    user: Annotated[User, Depends(current_user)],
    session: Annotated[Session, Depends(get_write_session)],
) -> AsyncIterator[Idempotency]:
    """Claims the key on the request's write session (the one the route gets too)."""
    raw = request.headers.get(HEADER)
    if raw is None:
        yield Idempotency(None)
        return
    key = parse_key(raw)
    body = await request.body()
    claim = Claim(
        user_id=user.id,
        key=key,
        method=request.method,
        path=request.url.path,
        fingerprint=fingerprint(request.method, request.url.path, body),
        owner=request.app.state.process.id,
        owner_stale_after=timedelta(seconds=request.app.state.settings.process_stale_seconds),
    )
    record_id = await run_in_threadpool(_claim, session, claim)
    guard = Idempotency(record_id)
    try:
        yield guard
    finally:
        if not guard.completed:
            await run_in_threadpool(_release, session, record_id)


Idem = Annotated[Idempotency, Depends(idempotency)]


def install_replay_handler(app: FastAPI) -> None:
    @app.exception_handler(IdempotentReplay)
    async def _replay(_request: Request, exc: IdempotentReplay) -> Response:
        headers = {**exc.headers, "Idempotent-Replayed": "true"}
        return Response(content=exc.body, status_code=exc.status, headers=headers)
