"""Platform settings, read once from the environment.

``DATABASE_URL``      SQLAlchemy URL; default ``sqlite:///<data dir>/mentra.db``
                      (``postgresql://`` is rewritten to the psycopg 3 driver).
``MENTRA_DATA_DIR``   where the SQLite file and the generated secret live; default the
                      platformdirs user data dir for "mentra-platform", else ``./var``.
``SECRET_KEY``        signs bearer tokens and one-click links. When unset, one is generated
                      once and kept in ``<data dir>/secret_key`` (mode 0600). Never logged.
``TOKEN_TTL_SECONDS`` bearer token lifetime (default 12 h).
``PUBLIC_BASE_URL``   the URL mentors' one-click links point at (default http://127.0.0.1:8000).
``WORKER_THREADS``    threads per API process for sync endpoints (default 8); fewer keeps
                      latency tails short under load, more helps when writers queue on SQLite.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "mentra-platform"


def default_data_dir() -> Path:
    override = os.environ.get("MENTRA_DATA_DIR")
    if override:
        return Path(override)
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return Path("var")
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for bare ``postgresql://`` / ``postgres://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_or_create_secret(path: Path) -> str:
    """Read the secret file, or create it (mode 0600, exclusively) with a fresh random key.

    ``O_EXCL`` makes concurrent first starts (several workers) agree on one key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(50):
        if path.exists():
            value = path.read_text(encoding="utf-8").strip()
            if value:
                return value
            time.sleep(0.01)  # another process is writing it right now
            continue
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        value = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value)
        os.chmod(path, 0o600)
        return value
    raise RuntimeError(f"secret file {path} exists but stays empty")


@dataclass(frozen=True)
class Settings:
    """Everything the platform reads from its environment; tests build one directly."""

    database_url: str
    secret_key: str = field(repr=False)
    token_ttl_seconds: int = 12 * 3600
    public_base_url: str = "http://127.0.0.1:8000"
    # argon2id cost; tests lower these (production keeps argon2-cffi's defaults).
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4
    # Login throttling: this many failures per (email, client) within the window → 429.
    login_max_failures: int = 5
    login_window_seconds: int = 900
    # Server-sent events: how often the change table is polled, and the keep-alive.
    sse_poll_seconds: float = 0.5
    sse_heartbeat_seconds: float = 15.0
    # Threads that run sync endpoints in one API process, and the connection pool that
    # serves them: a pool as large as the threadpool never opens a connection per request.
    worker_threads: int = 8
    # How long one API process trusts a loaded user (role, plan, active flag).
    user_cache_seconds: float = 5.0
    db_pool_size: int = 16
    db_max_overflow: int = 8

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env["MENTRA_DATA_DIR"]) if "MENTRA_DATA_DIR" in env else default_data_dir()
        url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'mentra.db'}"
        if url.startswith("sqlite:///") and "DATABASE_URL" not in env:
            data_dir.mkdir(parents=True, exist_ok=True)
        secret = env.get("SECRET_KEY") or load_or_create_secret(data_dir / "secret_key")
        return cls(
            database_url=normalise_database_url(url),
            secret_key=secret,
            token_ttl_seconds=int(env.get("TOKEN_TTL_SECONDS", 12 * 3600)),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            worker_threads=int(env.get("WORKER_THREADS", 8)),
        )


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings
