"""``python -m mentra_platform.run_demo`` (``make run``): migrate, seed if empty, serve,
with the coordination worker running in-process (a thread, one pass every
``WORKER_INTERVAL_SECONDS``; ``RUN_WORKER=0`` leaves it out).

Serves on http://127.0.0.1:8000 over the default SQLite database (or ``DATABASE_URL``).
"""

from __future__ import annotations

import os
import threading

from mentra_platform.seed import DEMO_PASSWORD

DEMO_LOGINS = [
    ("council@example.com", "mentee on the Council plan (user id 9)"),
    ("coordinator@example.com", "coordinator"),
    ("admin@example.com", "admin"),
    ("mentor1@example.com", "mentor (mentor1 … mentor40)"),
    ("starter@example.com", "mentee without council access"),
]


def main() -> None:
    import uvicorn

    from mentra_platform.core.config import get_settings
    from mentra_platform.core.db import make_database
    from mentra_platform.core.migrate import upgrade
    from mentra_platform.core.security import password_hasher
    from mentra_platform.http.app import create_app
    from mentra_platform.seed import is_empty, seed_demo

    settings = get_settings()
    upgrade(settings.database_url)
    db = make_database(settings)
    with db.write() as session:
        if is_empty(session):
            summary = seed_demo(session, password_hasher(settings))
            print(f"Seeded demo data: {summary.users} users, {summary.councils} councils")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    url = f"http://{host}:{port}"
    print(f"\nMentra platform: {url}  (API docs: {url}/docs)")
    print(f"Demo logins (password {DEMO_PASSWORD}):")
    for email, what in DEMO_LOGINS:
        print(f"  {email:28} {what}")
    print()
    stop = threading.Event()
    if os.environ.get("RUN_WORKER", "1") != "0":
        from mentra_platform.coordination.clock import SystemClock
        from mentra_platform.coordination.worker import run_forever

        threading.Thread(
            target=run_forever,
            args=(db, settings, SystemClock(), stop),
            name="coordination-worker",
            daemon=True,
        ).start()
        print(f"Coordination worker: a pass every {settings.worker_interval_seconds:g} s\n")
    try:
        uvicorn.run(
            create_app(settings, db), host=host, port=port, log_level="info", proxy_headers=False
        )
    finally:
        stop.set()


if __name__ == "__main__":
    main()
