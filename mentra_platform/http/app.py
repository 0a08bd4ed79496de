"""``create_app(settings)``: the FastAPI application.

Routers are discovered: every module in ``mentra_platform.http.routes`` that defines a
module-level ``router`` (an ``APIRouter``) is included, in module-name order. To add
endpoints, create ``mentra_platform/routes/<area>.py`` with
``router = APIRouter(prefix="/api/v1", tags=["<area>"])``; nothing else to register.

Around the routes: the client-address and body-limit middleware
(:mod:`mentra_platform.http.middleware`). Beside them: ``/healthz``, a liveness probe that
touches nothing (it answers while the database is down or every worker thread is busy),
and ``/readyz``, which reads the database on threads of its own and answers 503 when it
cannot. The lifespan keeps this process's heartbeat row fresh
(:mod:`mentra_platform.core.processes`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi

from mentra_platform.auth.throttle import LoginThrottle
from mentra_platform.core.changes import latest_seq
from mentra_platform.core.config import Settings, get_settings
from mentra_platform.core.db import Database, is_unavailable, make_database
from mentra_platform.core.errors import Unavailable
from mentra_platform.core.processes import ProcessHeartbeat
from mentra_platform.core.security import PasswordChecks, password_hasher
from mentra_platform.http import pages, routes
from mentra_platform.http.change_feed import ChangeFeed, StreamSlots
from mentra_platform.http.deps import UserCache
from mentra_platform.http.errors import (
    DATABASE_RETRY_AFTER_SECONDS,
    error_responses,
    install_error_handlers,
    openapi_error_entry,
)
from mentra_platform.http.idempotency import install_replay_handler
from mentra_platform.http.middleware import BodyLimitMiddleware, ClientAddressMiddleware
from mentra_platform.http.page_cache import PageCache

log = logging.getLogger(__name__)

API_TITLE = "Mentra Council Coordinator platform"


def discover_routers() -> list[APIRouter]:
    found: list[APIRouter] = []
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_ERROR_SCHEMAS: dict[str, Any] = {
    "FieldError": {
        "type": "object",
        "title": "FieldError",
        "properties": {
            "field": {"type": "string", "title": "Field"},
            "message": {"type": "string", "title": "Message"},
        },
        "required": ["field", "message"],
    },
    "ErrorBody": {
        "type": "object",
        "title": "ErrorBody",
        "properties": {
            "detail": {"type": "string", "title": "Detail"},
            "errors": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/FieldError"},
                "title": "Errors",
                "default": [],
            },
        },
        "required": ["detail"],
    },
}


def _install_openapi(app: FastAPI) -> None:
    """Document our real error body everywhere.

    FastAPI documents 422 with its own ``HTTPValidationError`` shape; ours is
    :class:`~mentra_platform.http.errors.ErrorBody`. Operations with a request body can also
    answer 400 for a body that is not parseable JSON and 413 for one too large; every
    operation can answer 503 while the database is unavailable.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, routes=app.routes, description=app.description
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in _ERROR_SCHEMAS.items():
            components.setdefault(name, definition)
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"]["content"] = {"application/json": {"schema": _ERROR_REF}}
                if "requestBody" in operation and "400" not in responses:
                    responses["400"] = {
                        "description": "Body is not parseable",
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
                if "requestBody" in operation:
                    responses.setdefault("413", openapi_error_entry(413))
                if path != "/healthz":
                    responses.setdefault("503", openapi_error_entry(503))
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def bind_state(app: FastAPI, settings: Settings, database: Database) -> None:
    """(Re)point an app at settings and a database; tests reuse one server this way."""
    previous = getattr(app.state, "password_checks", None)
    if previous is not None:
        previous.shutdown()
    app.state.settings = settings
    app.state.db = database
    app.state.hasher = password_hasher(settings)
    app.state.password_checks = PasswordChecks(
        app.state.hasher, settings.password_hash_workers, settings.password_hash_queue
    )
    app.state.page_cache = PageCache()
    app.state.user_cache = UserCache(settings.user_cache_seconds)
    app.state.login_throttle = LoginThrottle(
        database,
        settings.login_max_failures,
        settings.login_window_seconds,
        max_per_client=settings.login_max_failures_per_client,
        max_per_email=settings.login_max_failures_per_email,
    )
    app.state.change_feed = ChangeFeed(database, settings.sse_poll_seconds)
    app.state.stream_slots = StreamSlots(settings.sse_max_streams_per_user)


def _side_limiter(app: FastAPI) -> CapacityLimiter:
    """Threads of their own for the probes and the heartbeat (made inside the event loop):
    they must answer while every request thread is stuck on the database."""
    limiter: CapacityLimiter | None = getattr(app.state, "side_limiter", None)
    if limiter is None:
        limiter = app.state.side_limiter = CapacityLimiter(2)
    return limiter


async def _heartbeats(app: FastAPI) -> None:
    process: ProcessHeartbeat = app.state.process
    while True:
        try:
            await to_thread.run_sync(process.beat, app.state.db, limiter=_side_limiter(app))
        except Exception as exc:
            log.warning(
                "process heartbeat failed (%s)",
                "database unavailable" if is_unavailable(exc) else repr(exc),
            )
        await asyncio.sleep(app.state.settings.process_heartbeat_seconds)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the app over ``settings`` (default: from the environment).

    The schema must already be migrated (``mentra-platform migrate``).
    """
    settings = settings or get_settings()
    database = db or make_database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync endpoints run on AnyIO's threadpool (WORKER_THREADS); probes, the heartbeat
        # and the change feed have threads of their own.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        heartbeats = asyncio.get_running_loop().create_task(_heartbeats(app))
        try:
            yield
        finally:
            heartbeats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeats
            app.state.process.stop()
            app.state.password_checks.shutdown()
            if db is None:
                database.dispose()

    app = FastAPI(title=API_TITLE, version="1.0.0", lifespan=lifespan)
    app.state.process = ProcessHeartbeat()
    bind_state(app, settings, database)
    install_error_handlers(app)
    install_replay_handler(app)
    # Added last = outermost: the address is known and the body bounded before anything.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(ClientAddressMiddleware)
    for router in discover_routers():
        app.include_router(router)
    app.include_router(pages.router)  # the mentor and mentee web pages (not in OpenAPI)
    pages.mount_static(app)

    @app.get("/healthz", tags=["meta"], summary="Liveness probe (touches nothing)")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["meta"],
        summary="Readiness probe: the database answers",
        responses=error_responses(503),
    )
    async def readyz(request: Request) -> dict[str, str]:
        state = request.app.state
        deadline = state.settings.db_connect_timeout_seconds + 1
        try:
            with anyio.fail_after(deadline):
                await to_thread.run_sync(
                    latest_seq, state.db, limiter=_side_limiter(app), abandon_on_cancel=True
                )
        except Exception as exc:
            log.warning("not ready: %r", exc)
            raise Unavailable(
                "The database does not answer", retry_after=DATABASE_RETRY_AFTER_SECONDS
            ) from exc
        return {"status": "ready"}

    _install_openapi(app)

    return app
