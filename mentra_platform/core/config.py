"""Platform settings, read once from the environment.

``DATABASE_URL``      SQLAlchemy URL; default ``sqlite:///<data dir>/mentra.db``
                      (``postgresql://`` is rewritten to the psycopg 3 driver).
``MENTRA_DATA_DIR``   where the SQLite file and the generated secret live; default the
                      platformdirs user data dir for "mentra-platform", else ``./var``.
                      Created mode 0700; the SQLite files are created mode 0600.
``SECRET_KEY``        signs bearer tokens and one-click links. When unset, one is generated
                      once and kept in ``<data dir>/secret_key`` (mode 0600). Never logged.
``TOKEN_TTL_SECONDS`` bearer token lifetime (default 12 h).
``PUBLIC_BASE_URL``   the URL mentors' one-click links point at (default http://127.0.0.1:8000).
``WORKER_THREADS``    threads per API process for sync endpoints (default 8); fewer keeps
                      latency tails short under load, more helps when writers queue on SQLite.
``MAX_BODY_BYTES``    largest request body accepted (default 1 MiB); larger → 413 before
                      the body is read.
``TRUSTED_PROXIES``   comma-separated addresses or networks (``10.0.0.0/8``) of reverse
                      proxies whose ``X-Forwarded-For`` names the client (default none: the
                      peer address is the client, and the header is ignored).
``PASSWORD_HASH_WORKERS`` / ``PASSWORD_HASH_QUEUE``
                      password checks (argon2) run on their own threads, this many at once
                      (default 2) with this many more waiting (default 8); beyond that a login
                      is refused at once with 503 and ``Retry-After`` instead of queueing.
``LOGIN_MAX_FAILURES`` / ``LOGIN_MAX_FAILURES_PER_CLIENT`` / ``LOGIN_MAX_FAILURES_PER_EMAIL``
                      failed logins within ``LOGIN_WINDOW_SECONDS`` (default 900) per e-mail
                      and client (5), per client across e-mails (20), per e-mail across
                      clients (20); beyond → 429 with ``Retry-After``.
``SSE_MAX_STREAMS_PER_USER`` open event streams per user and API process (default 4);
                      one more → 429.
``DB_CONNECT_TIMEOUT_SECONDS`` (5), ``DB_STATEMENT_TIMEOUT_SECONDS`` (15),
``DB_LOCK_TIMEOUT_SECONDS`` (5)
                      how long a request may wait to connect, for one statement (PostgreSQL),
                      and for a lock (PostgreSQL ``lock_timeout``, SQLite's busy timeout, and
                      a free pooled connection). Past them the request answers 503 with
                      ``Retry-After`` instead of hanging.
``DB_POOL_SIZE``      database connections one API process may hold, all pools together
                      (default 12, no overflow). On PostgreSQL a quarter (at least 1) serves
                      single-statement probes (change-log cursor, readiness, the event feed)
                      and the rest the request sessions; on SQLite the write pool gets a
                      third (at least 2), the read pool the rest. Keep the request share at
                      least ``WORKER_THREADS``. **Budget:** processes × ``DB_POOL_SIZE`` plus
                      migrations and admin sessions must stay below PostgreSQL's
                      ``max_connections`` (default 100): 4 workers × 12 = 48.
``PROCESS_HEARTBEAT_SECONDS`` (2) / ``PROCESS_STALE_SECONDS`` (10)
                      each API process records a heartbeat; an ``Idempotency-Key`` claimed by
                      a process whose heartbeat is older than the stale limit, or whose pid is
                      gone on this host, is taken over by the next retry.
``SMTP_HOST`` / ``SMTP_PORT`` (587) / ``SMTP_USERNAME`` / ``SMTP_PASSWORD`` / ``SMTP_STARTTLS``
                      the mail server notifications go through (STARTTLS on by default:
                      ``true``/``false``); the password is never logged. With no ``SMTP_HOST``
                      (the embedded default) mail is written as ``.eml`` files (0600) into
                      ``MAIL_DIR`` (default ``<data dir>/mail``).
``MAIL_FROM``         the sender and calendar ORGANIZER (default ``Mentra <mentra@localhost>``).
``WEBHOOK_TIMEOUT_SECONDS`` (5) / ``SMTP_TIMEOUT_SECONDS`` (10)
                      how long one webhook POST or SMTP exchange may take.
``DELIVERY_MAX_ATTEMPTS`` (6) / ``DELIVERY_RETRY_SECONDS`` (60)
                      a failed delivery is retried after 60 s, 120 s, 240 s … (at most an
                      hour apart); after the last attempt it is ``failed`` and alerted.
``CALENDLY_API_BASE`` Calendly's API (default https://api.calendly.com; tests point it at a
                      local server).
``CALENDAR_SECRET_KEY`` the key that encrypts mentors' calendar tokens and feed URLs at rest.
                      When unset, one is generated once into ``<data dir>/calendar_key``
                      (mode 0600), never into the database. Never logged.
``CALENDAR_HORIZON_DAYS`` (90) / ``CALENDAR_REFRESH_MINUTES`` (30)
                      how far ahead busy time is read, and how often each calendar is read.
``CALENDAR_ALLOW_PRIVATE_FEEDS`` (false) read feeds on loopback and private addresses too.

Every numeric field of :class:`Settings` is read from the environment variable of its
upper-case name (``SSE_POLL_SECONDS``, ``ARGON2_TIME_COST``, …); the list above is what
operators usually set.
"""

from __future__ import annotations

import ipaddress
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
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
    # Server-sent events: how often the change table is polled (by one poller per process,
    # only while a stream is open: a desktop sees another client's write within ~0.1 s),
    # and the keep-alive.
    sse_poll_seconds: float = 0.1
    sse_heartbeat_seconds: float = 15.0
    # Threads that run sync endpoints in one API process (keep db_pool_size's request share
    # at least this large, so a thread never waits for a connection).
    worker_threads: int = 8
    # How long one API process trusts a loaded user (role, plan, active flag).
    user_cache_seconds: float = 5.0
    # Requests: the largest body read, and the proxies whose X-Forwarded-For is believed.
    max_body_bytes: int = 1024 * 1024
    trusted_proxies: tuple[str, ...] = ()
    # Password checks: their own threads, and how many may wait before a login gets 503.
    password_hash_workers: int = 2
    password_hash_queue: int = 8
    # Login throttling across e-mails (one client guessing many accounts) and across
    # clients (many addresses guessing one account).
    login_max_failures_per_client: int = 20
    login_max_failures_per_email: int = 20
    sse_max_streams_per_user: int = 4
    # Database: connections per process (all pools together) and how long anything waits.
    db_pool_size: int = 12
    db_connect_timeout_seconds: float = 5.0
    db_statement_timeout_seconds: float = 15.0
    db_lock_timeout_seconds: float = 5.0
    # Liveness of API processes, for taking over the Idempotency-Keys of a dead one.
    process_heartbeat_seconds: float = 2.0
    process_stale_seconds: float = 10.0
    # Delivery (mentra_platform.notifications): SMTP, or .eml files in mail_dir without a
    # host; webhooks; retries with exponential backoff.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Mentra <mentra@localhost>"
    mail_dir: str = ""
    webhook_timeout_seconds: float = 5.0
    delivery_max_attempts: int = 6
    delivery_retry_seconds: float = 60.0
    # Coordination automation (mentra_platform.coordination): a council is confirmed only
    # for a slot starting at least this long after the decision; reminders to silent mentors
    # go this long after the invitation and this long before the deadline; a reschedule
    # collects answers for this long; the worker runs a pass this often.
    confirmation_notice_hours: float = 24.0
    reminder_first_hours: float = 24.0
    reminder_second_hours: float = 48.0
    reminder_final_hours_before_deadline: float = 6.0
    rescheduling_window_hours: float = 48.0
    worker_interval_seconds: float = 30.0
    # Mentors' calendars (mentra_platform.calendars): the Calendly API, the key for the
    # secrets (or the 0600 file it is generated into), how far ahead and how often.
    calendly_api_base: str = "https://api.calendly.com"
    calendar_secret_key: str = field(default="", repr=False)
    calendar_key_file: str = ""
    calendar_horizon_days: int = 90
    calendar_refresh_minutes: float = 30.0
    calendar_timeout_seconds: float = 10.0
    calendar_fetch_workers: int = 4
    calendar_allow_private_feeds: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env["MENTRA_DATA_DIR"]) if "MENTRA_DATA_DIR" in env else default_data_dir()
        url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'mentra.db'}"
        if url.startswith("sqlite:///") and "DATABASE_URL" not in env:
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = env.get("SECRET_KEY") or load_or_create_secret(data_dir / "secret_key")
        defaults = cls(database_url="", secret_key="")
        numbers: dict[str, object] = {}
        for name, value in vars(defaults).items():
            raw = env.get(name.upper())
            if raw is None or not isinstance(value, int | float) or isinstance(value, bool):
                continue
            try:
                numbers[name] = type(value)(raw)
            except ValueError:
                raise ValueError(f"{name.upper()} must be a number, not {raw!r}") from None
        return cls(
            **numbers,  # type: ignore[arg-type]
            database_url=normalise_database_url(url),
            secret_key=secret,
            public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            trusted_proxies=parse_networks(env.get("TRUSTED_PROXIES", "")),
            smtp_host=env.get("SMTP_HOST", "").strip(),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=parse_flag("SMTP_STARTTLS", env.get("SMTP_STARTTLS", "true")),
            mail_from=env.get("MAIL_FROM", "").strip() or defaults.mail_from,
            mail_dir=env.get("MAIL_DIR") or str(data_dir / "mail"),
            calendly_api_base=(
                env.get("CALENDLY_API_BASE", "").strip().rstrip("/") or defaults.calendly_api_base
            ),
            calendar_secret_key=env.get("CALENDAR_SECRET_KEY", ""),
            calendar_key_file=str(data_dir / "calendar_key"),
            calendar_allow_private_feeds=parse_flag(
                "CALENDAR_ALLOW_PRIVATE_FEEDS", env.get("CALENDAR_ALLOW_PRIVATE_FEEDS", "false")
            ),
        )


def parse_flag(name: str, raw: str) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off); anything else fails at start-up."""
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def parse_networks(raw: str) -> tuple[str, ...]:
    """``"10.0.0.1, 10.1.0.0/16"`` → normalised networks; a typo fails at start-up."""
    out = []
    for item in raw.split(","):
        if item.strip():
            try:
                out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {item.strip()!r} is no address") from None
    return tuple(out)


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings
