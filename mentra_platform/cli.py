"""``mentra-platform migrate | serve [--host --port --workers] | seed --demo``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _migrate(_args: argparse.Namespace) -> int:
    from mentra_platform.core.config import get_settings
    from mentra_platform.core.migrate import upgrade

    upgrade(get_settings().database_url)
    print("database is at the newest schema")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from mentra_platform.core.config import get_settings
    from mentra_platform.core.db import make_database
    from mentra_platform.core.migrate import upgrade
    from mentra_platform.core.security import password_hasher
    from mentra_platform.seed import is_empty, seed_demo

    if not args.demo:
        print("nothing to do: pass --demo", file=sys.stderr)
        return 2
    settings = get_settings()
    upgrade(settings.database_url)
    db = make_database(settings)
    try:
        with db.write() as session:
            if not is_empty(session):
                print("database already has data; demo seed skipped", file=sys.stderr)
                return 1
            summary = seed_demo(session, password_hasher(settings))
    finally:
        db.dispose()
    print(
        f"seeded {summary.users} users ({summary.mentors} mentors) and {summary.councils} councils"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from mentra_platform.core.config import get_settings

    get_settings()  # create the secret file once, before workers start

    uvicorn.run(
        "mentra_platform.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        timeout_graceful_shutdown=3,
        # The app derives the client address itself (TRUSTED_PROXIES); uvicorn's own
        # handling would trust X-Forwarded-For from any local process.
        proxy_headers=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentra-platform", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the newest schema").set_defaults(
        func=_migrate
    )
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)
    seed = sub.add_parser("seed", help="load demo data into an empty database")
    seed.add_argument("--demo", action="store_true", help="the demo data set")
    seed.set_defaults(func=_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear one-line error instead of a traceback
        print(f"mentra-platform {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
