"""The test platform both desktop conftests build on: its settings and a seeded SQLite file.

A plain module (``tests/desktop`` is on ``sys.path`` for its conftests), so the client
fixtures (``tests/desktop/conftest.py``) and the view fixtures
(``tests/desktop/views/conftest.py``) share one definition. The platform is imported
lazily, so tests that never start it do not pay for it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

SECRET = "desktop-test-secret-not-for-production"


def platform_settings(database_url: str, **overrides: Any) -> Any:
    """Platform settings for tests: cheap argon2, fast SSE polling and heartbeats."""
    from mentra_platform.core.config import Settings

    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": SECRET,
        "argon2_time_cost": 1,
        "argon2_memory_cost": 8,
        "argon2_parallelism": 1,
        "sse_poll_seconds": 0.05,
        "sse_heartbeat_seconds": 0.5,
        "token_ttl_seconds": 3600,
    }
    values.update(overrides)
    return Settings(**values)


def build_seeded_sqlite(path: Path, now: datetime | None = None) -> Path:
    """Migrate and demo-seed a SQLite file at ``path`` (WAL checkpointed, so a plain file
    copy is a complete database)."""
    from sqlalchemy import create_engine

    from mentra_platform.core.db import make_database
    from mentra_platform.core.migrate import upgrade
    from mentra_platform.core.security import password_hasher
    from mentra_platform.seed import seed_demo

    url = f"sqlite:///{path}"
    upgrade(url)
    settings = platform_settings(url)
    db = make_database(settings)
    try:
        with db.write() as session:
            seed_demo(session, password_hasher(settings), now=now)
    finally:
        db.dispose()
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()
    return path
