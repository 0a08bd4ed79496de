"""``python -m mentra_platform.run_demo`` (``make run``): migrate, seed if empty, serve.

Serves on http://127.0.0.1:8000 over the default SQLite database (or ``DATABASE_URL``).
"""

from __future__ import annotations

import os

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
    uvicorn.run(
        create_app(settings, db), host=host, port=port, log_level="info", proxy_headers=False
    )


if __name__ == "__main__":
    main()
