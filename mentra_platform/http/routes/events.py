"""``GET /api/v1/events``: server-sent events announcing every committed change.

Each event is one :class:`ChangeEvent`: ``id`` is its seq, ``event`` its kind, ``data`` JSON
``{"seq", "kind", "councilId", "entity", "entityId", "at", "payload"}``. Resume with the
``Last-Event-ID`` header (browsers send it on reconnect) or ``?lastEventId=``; without
either the stream starts at the current end. Users see only events of councils they can
see (staff see all).

The streams of one API process share one poller of the change table
(:class:`~mentra_platform.http.change_feed.ChangeFeed`), which sees writes from every
process on SQLite and PostgreSQL alike. A ``: ping`` comment is sent when nothing happened
for the heartbeat interval; at that interval the stream also re-checks its reader and ends
(after a last comment saying why) once the token has expired or the user is deactivated
or has lost council access, and when the database cannot be read. A user may hold
``Settings.sse_max_streams_per_user`` streams per process; one more is a 429.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from starlette.types import Receive, Scope, Send

from mentra_desktop.models import STAFF_ROLES, CouncilSession, User
from mentra_platform.core.changes import latest_seq
from mentra_platform.core.db import Database, is_unavailable
from mentra_platform.core.errors import BadRequest, TooManyRequests
from mentra_platform.councils.queries import visibility_clause
from mentra_platform.http.change_feed import BATCH, ChangeFeed, Event, StreamSlots, fetch_changes
from mentra_platform.http.deps import CouncilUser, UserCache, load_user
from mentra_platform.http.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["events"])


def _visible(db: Database, user: User, events: list[Event]) -> list[Event]:
    """The events of ``events`` that ``user`` may see."""
    if user.role in STAFF_ROLES or not events:
        return events
    ids = {e["councilId"] for e in events if e["councilId"] is not None}
    clause = visibility_clause(user)
    if not ids or clause is None:
        return []
    with db.read() as session:
        visible = set(
            session.scalars(
                select(CouncilSession.id).where(CouncilSession.id.in_(ids), clause)
            ).all()
        )
    return [e for e in events if e["councilId"] in visible]


def _format(event: Event) -> str:
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


class EventStreamResponse(StreamingResponse):
    """A streaming response that closes its generator and runs ``on_close`` however the
    stream ends (finished, client gone, server shutting down)."""

    def __init__(self, content: AsyncIterator[str], on_close: Callable[[], None]) -> None:
        super().__init__(
            content,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._content = content
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            try:
                await self._content.aclose()  # type: ignore[attr-defined]
            finally:
                self._on_close()


class _Reader:
    """Who reads the stream, re-checked at every heartbeat."""

    def __init__(self, request: Request, user: User) -> None:
        self.user = user
        self.expires_at: int = request.state.token_expires_at
        self.db: Database = request.app.state.db
        self.cache: UserCache = request.app.state.user_cache

    async def still_allowed(self) -> str | None:
        """None while the reader may go on reading, else why not."""
        if time.time() >= self.expires_at:
            return "token expired"
        fresh = await run_in_threadpool(load_user, self.db, self.cache, self.user.id)
        if fresh is None or not fresh.is_active:
            return "user deactivated"
        if not fresh.has_council_access:
            return "no council access"
        self.user = fresh
        return None


async def _stream(
    feed: ChangeFeed, reader: _Reader, start: int, heartbeat: float
) -> AsyncIterator[str]:
    db = reader.db
    cursor = start
    yield f"retry: 2000\n: connected at {cursor}\n\n"
    last_sent = next_check = time.monotonic()
    next_check += heartbeat
    while True:
        try:
            floor = feed.behind(cursor)
            if floor is not None:
                batch = await run_in_threadpool(fetch_changes, db, cursor, floor)
                if not batch:
                    cursor = floor
            else:
                batch = feed.events_after(cursor)
            if batch:
                for event in await run_in_threadpool(_visible, db, reader.user, batch):
                    yield _format(event)
                    last_sent = time.monotonic()
                cursor = batch[-1]["seq"]
                if len(batch) >= BATCH or floor is not None:
                    continue
            now = time.monotonic()
            if now >= next_check:
                why = await reader.still_allowed()
                if why is not None:
                    yield f": closed: {why}\n\n"
                    return
                next_check = now + heartbeat
            if now - last_sent >= heartbeat:
                yield ": ping\n\n"
                last_sent = now
            await feed.wait(cursor, min(last_sent + heartbeat, next_check) - time.monotonic())
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            yield ": closed: database unavailable\n\n"
            return


@router.get(
    "/events",
    summary="Server-sent events: every change, resumable with Last-Event-ID",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
        **error_responses(400, 401, 403, 429),
    },
)
async def events(
    request: Request,
    user: CouncilUser,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id_query: Annotated[str | None, Query(alias="lastEventId", max_length=20)] = None,
) -> StreamingResponse:
    state: Any = request.app.state
    feed: ChangeFeed = state.change_feed
    slots: StreamSlots = state.stream_slots
    cursor = _parse_cursor(last_event_id, "Last-Event-ID")
    if cursor is None:
        cursor = _parse_cursor(last_event_id_query, "lastEventId")
    if cursor is None:
        cursor = await run_in_threadpool(latest_seq, state.db)
    if not slots.take(user.id):
        raise TooManyRequests(
            f"At most {slots.per_user} open event streams per user",
            retry_after=max(1, round(state.settings.sse_heartbeat_seconds)),
        )
    feed.subscribe()

    def closed() -> None:
        feed.unsubscribe()
        slots.give_back(user.id)

    reader = _Reader(request, user)
    return EventStreamResponse(
        _stream(feed, reader, cursor, state.settings.sse_heartbeat_seconds), closed
    )
