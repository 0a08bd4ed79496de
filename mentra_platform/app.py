"""``create_app(settings)``: the FastAPI application.

Routers are discovered: every module in ``mentra_platform.routes`` that defines a
module-level ``router`` (an ``APIRouter``) is included, in module-name order. To add
endpoints, create ``mentra_platform/routes/<area>.py`` with
``router = APIRouter(prefix="/api/v1", tags=["<area>"])``; nothing else to register.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from mentra_platform import routes
from mentra_platform.config import Settings, get_settings
from mentra_platform.db import Database, make_database
from mentra_platform.errors import install_error_handlers
from mentra_platform.idempotency import install_replay_handler
from mentra_platform.ratelimit import LoginThrottle
from mentra_platform.security import password_hasher

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


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the app over ``settings`` (default: from the environment).

    The schema must already be migrated (``mentra-platform migrate``).
    """
    settings = settings or get_settings()
    database = db or make_database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if db is None:
            database.dispose()

    app = FastAPI(title=API_TITLE, version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.db = database
    app.state.hasher = password_hasher(settings)
    app.state.login_throttle = LoginThrottle(
        settings.login_max_failures, settings.login_window_seconds
    )
    install_error_handlers(app)
    install_replay_handler(app)
    for router in discover_routers():
        app.include_router(router)

    @app.get("/healthz", tags=["meta"], summary="Liveness probe")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
