"""``GET /api/v1/events``: server-sent events announcing every committed change.

Each event is one :class:`ChangeEvent`: ``id`` is its seq, ``event`` its kind, ``data`` JSON
``{"seq", "kind", "councilId", "entity", "entityId", "at", "payload"}``. Resume with the
``Last-Event-ID`` header (browsers send it on reconnect) or ``?lastEventId=``; without
either the stream starts at the current end. The stream polls the change table, so it sees
writes from every API process, on SQLite and PostgreSQL alike; a ``: ping`` comment is sent
when nothing happened for the heartbeat interval. Users see only events of councils they
can see (staff see all).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from mentra_desktop.models import ChangeEvent, CouncilSession, Role, User
from mentra_platform.core.changes import latest_seq
from mentra_platform.core.db import Database
from mentra_platform.core.errors import BadRequest
from mentra_platform.councils.queries import iso, visibility_clause
from mentra_platform.http.deps import CouncilUser
from mentra_platform.http.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["events"])

BATCH = 500


def _fetch(db: Database, user: User, after: int) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(
            select(ChangeEvent)
            .where(ChangeEvent.seq > after)
            .order_by(ChangeEvent.seq)
            .limit(BATCH)
        ).all()
        events = [
            {
                "seq": r.seq,
                "kind": r.kind,
                "councilId": r.council_id,
                "entity": r.entity_type,
                "entityId": r.entity_id,
                "at": iso(r.at),
                "payload": r.payload or {},
            }
            for r in rows
        ]
        if user.role in (Role.ADMIN, Role.COORDINATOR) or not events:
            return events
        ids = {e["councilId"] for e in events if e["councilId"] is not None}
        clause = visibility_clause(user)
        visible: set[int] = set()
        if ids and clause is not None:
            visible = set(
                session.scalars(
                    select(CouncilSession.id).where(CouncilSession.id.in_(ids), clause)
                ).all()
            )
        # The cursor must still pass the hidden events: keep the last seq as a marker.
        out = [e for e in events if e["councilId"] in visible]
        if not out or out[-1]["seq"] != events[-1]["seq"]:
            out.append({"seq": events[-1]["seq"], "hidden": True})
        return out


def _start(db: Database) -> int:
    return latest_seq(db)


def _format(event: dict[str, Any]) -> str:
    data = json.dumps(event, separators=(",", ":"))
    return f"id: {event['seq']}\nevent: {event['kind']}\ndata: {data}\n\n"


def _parse_cursor(raw: str | None, field: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("Bad event id", [(field, "must be a change sequence number")]) from None
    if value < 0 or value > 2**62:
        raise BadRequest("Bad event id", [(field, "out of range")])
    return value


@router.get(
    "/events",
    summary="Server-sent events: every change, resumable with Last-Event-ID",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
        **error_responses(400, 401, 403),
    },
)
async def events(
    request: Request,
    user: CouncilUser,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id_query: Annotated[str | None, Query(alias="lastEventId", max_length=20)] = None,
) -> StreamingResponse:
    db: Database = request.app.state.db
    settings = request.app.state.settings
    cursor = _parse_cursor(last_event_id, "Last-Event-ID")
    if cursor is None:
        cursor = _parse_cursor(last_event_id_query, "lastEventId")
    if cursor is None:
        cursor = await run_in_threadpool(_start, db)
    start = cursor

    async def stream() -> AsyncIterator[str]:
        position = start
        yield f"retry: 2000\n: connected at {position}\n\n"
        last_sent = time.monotonic()
        while True:
            if await request.is_disconnected():
                return
            batch = await run_in_threadpool(_fetch, db, user, position)
            for event in batch:
                position = event["seq"]
                if not event.get("hidden"):
                    yield _format(event)
                    last_sent = time.monotonic()
            if len(batch) >= BATCH:
                continue
            if time.monotonic() - last_sent >= settings.sse_heartbeat_seconds:
                yield ": ping\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(settings.sse_poll_seconds)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
