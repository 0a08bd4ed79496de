"""``mentra-platform migrate | serve [--host --port --workers] | seed --demo |
worker [--once] [--now ISO-8601] [--interval S]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime


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


def _instant(text: str) -> datetime:
    """``--now``: an ISO-8601 instant with a zone (``Z`` or an offset)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--now needs a zone (Z or +hh:mm): {text!r}")
    return value.astimezone(UTC)


def _worker(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    from mentra_platform.coordination.clock import Clock, FixedClock, SystemClock
    from mentra_platform.coordination.worker import run_forever, run_pass
    from mentra_platform.core.config import get_settings
    from mentra_platform.core.db import make_database
    from mentra_platform.core.migrate import upgrade

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    upgrade(settings.database_url)
    db = make_database(settings)
    clock: Clock = FixedClock(args.now) if args.now is not None else SystemClock()
    try:
        if args.once:
            report = run_pass(db, settings, clock.now())
            print(
                f"worker pass at {clock.now().isoformat()}: {report.decided} councils decided "
                f"{report.outcomes}, {report.reminders} reminders, {report.errors} errors, "
                f"{report.delivered if report.delivered is not None else 'no'} messages delivered"
            )
            return 1 if report.errors else 0
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            run_forever(db, settings, clock, stop, args.interval)
        except KeyboardInterrupt:
            stop.set()
        return 0
    finally:
        db.dispose()


def _calendars(args: argparse.Namespace) -> int:
    from mentra_desktop.models import utcnow
    from mentra_platform.calendars.refresh import refresh_calendars
    from mentra_platform.core.config import get_settings
    from mentra_platform.core.db import make_database
    from mentra_platform.core.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    db = make_database(settings)
    now = args.now if args.now is not None else utcnow()
    try:
        report = refresh_calendars(db, settings, now, mentor_id=args.mentor, due_only=False)
    finally:
        db.dispose()
    print(
        f"calendars refreshed at {now.isoformat()}: {report.refreshed} read, "
        f"{report.unchanged} unchanged, {report.failed} failed, {report.conflicts} conflicts"
    )
    return 1 if report.failed else 0


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
    worker = sub.add_parser(
        "worker", help="run the coordination automation (deadlines, reminders, delivery)"
    )
    worker.add_argument("--once", action="store_true", help="run one pass and exit")
    worker.add_argument(
        "--now", type=_instant, default=None, help="the clock for this run (ISO-8601 with a zone)"
    )
    worker.add_argument(
        "--interval",
        type=float,
        default=None,
        help="seconds between passes (WORKER_INTERVAL_SECONDS)",
    )
    worker.set_defaults(func=_worker)
    calendars = sub.add_parser("calendars", help="mentors' calendars")
    calendar_sub = calendars.add_subparsers(dest="action", required=True)
    refresh = calendar_sub.add_parser("refresh", help="read every calendar now")
    refresh.add_argument("--mentor", type=int, default=None, help="only this mentor's")
    refresh.add_argument(
        "--now", type=_instant, default=None, help="the clock for this run (ISO-8601 with a zone)"
    )
    refresh.set_defaults(func=_calendars)
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
