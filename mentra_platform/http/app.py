"""``create_app(settings)``: the FastAPI application.

Routers are discovered: every module in ``mentra_platform.http.routes`` that defines a
module-level ``router`` (an ``APIRouter``) is included, in module-name order. To add
endpoints, create ``mentra_platform/routes/<area>.py`` with
``router = APIRouter(prefix="/api/v1", tags=["<area>"])``; nothing else to register.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from mentra_platform.auth.throttle import LoginThrottle
from mentra_platform.core.config import Settings, get_settings
from mentra_platform.core.db import Database, make_database
from mentra_platform.core.security import password_hasher
from mentra_platform.http import routes
from mentra_platform.http.deps import UserCache
from mentra_platform.http.errors import install_error_handlers
from mentra_platform.http.idempotency import install_replay_handler
from mentra_platform.http.page_cache import PageCache

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
    answer 400 for a body that is not parseable JSON.
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
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"]["content"] = {"application/json": {"schema": _ERROR_REF}}
                if "requestBody" in operation and "400" not in responses:
                    responses["400"] = {
                        "description": "Body is not parseable",
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def bind_state(app: FastAPI, settings: Settings, database: Database) -> None:
    """(Re)point an app at settings and a database; tests reuse one server this way."""
    app.state.settings = settings
    app.state.db = database
    app.state.hasher = password_hasher(settings)
    app.state.page_cache = PageCache()
    app.state.user_cache = UserCache(settings.user_cache_seconds)
    app.state.login_throttle = LoginThrottle(
        database, settings.login_max_failures, settings.login_window_seconds
    )


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the app over ``settings`` (default: from the environment).

    The schema must already be migrated (``mentra-platform migrate``).
    """
    settings = settings or get_settings()
    database = db or make_database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync endpoints run on AnyIO's threadpool; size it to the connection pool.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        yield
        if db is None:
            database.dispose()

    app = FastAPI(title=API_TITLE, version="1.0.0", lifespan=lifespan)
    bind_state(app, settings, database)
    install_error_handlers(app)
    install_replay_handler(app)
    for router in discover_routers():
        app.include_router(router)

    @app.get("/healthz", tags=["meta"], summary="Liveness probe")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    _install_openapi(app)

    return app
