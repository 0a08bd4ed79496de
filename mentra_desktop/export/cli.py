"""``mentra-desktop export``: the desktop's exports for scripts, without Qt.

::

    mentra-desktop export ics  --out councils.ics [--council ID] [--from DATE --to DATE]
    mentra-desktop export csv  --out grid.csv  [--status PHASE …] [--search TEXT]
    mentra-desktop export xlsx --out grid.xlsx [--from DATE --to DATE] [--platform URL]

Councils come from a local cache synced just before (see :mod:`.source`): from the
embedded demo platform without ``--platform``, else from that platform, signed in with
``--email`` and the desktop's kept token or ``MENTRA_PASSWORD``. ``--from``/``--to`` are
inclusive calendar days in ``--tz`` (default: the coordinator's zone); ``ics`` takes the
confirmed councils whose session starts in them (every confirmed council without them),
``csv``/``xlsx`` the grid rows whose best slot does. ``--out -`` writes to stdout.

Exit status: 0 written; 2 a bad argument — argparse's own, and what only the values show:
``--from`` after ``--to``, an unknown or unconfirmed ``--council``, an ``--out`` that cannot
be written, an unknown zone, ``--platform`` without a way to sign in; 1 the platform could
not be reached or refused the sign-in. Nothing is written unless the export succeeds.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from mentra_desktop.client.cache import CacheError
from mentra_desktop.client.embedded import EmbeddedError
from mentra_desktop.client.errors import PlatformError
from mentra_desktop.client.paths import PLATFORM_URL_ENV, get_settings
from mentra_desktop.export.grid_rows import PHASES, grid_rows
from mentra_desktop.export.ical import (
    IcsOptions,
    NotExportable,
    build_calendar,
    invite_facts,
    select_confirmed,
)
from mentra_desktop.export.source import MissingCredentials, SignInRefused, Source, open_source
from mentra_desktop.export.tabular import export_grid, write_bytes
from mentra_desktop.export.zones import UnknownZone, coordinator_zone, parse_zone
from mentra_desktop.models.calendar_invite import DEFAULT_ORGANIZER

FORMATS = ("ics", "csv", "xlsx")
SUFFIXES = {f".{fmt}": fmt for fmt in FORMATS}
USAGE_ERROR = 2
FAILURE = 1


class UsageError(ValueError):
    """A bad argument only its value shows (exit status 2)."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _council_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a council id (a positive integer): {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentra-desktop export",
        description="Export councils as a calendar (.ics) or the council grid (CSV, XLSX).",
        epilog=(
            "Signing in to --platform: --email (or MENTRA_EMAIL, or the account the desktop "
            "last used), then the token the desktop keeps in the keyring, else the password "
            "in MENTRA_PASSWORD. Exit status: 0 written, 2 bad arguments, 1 platform errors."
        ),
    )
    parser.add_argument("format", choices=FORMATS, help="ics: calendar; csv, xlsx: the grid")
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write ('-': stdout)")
    parser.add_argument("--council", type=_council_id, metavar="ID", help="one council only")
    parser.add_argument("--from", dest="start", type=_day, metavar="DATE", help="first day")
    parser.add_argument("--to", dest="end", type=_day, metavar="DATE", help="last day (inclusive)")
    parser.add_argument(
        "--platform",
        metavar="URL",
        default=os.environ.get(PLATFORM_URL_ENV) or None,
        help="a running platform (default: the embedded demo platform)",
    )
    parser.add_argument("--email", metavar="EMAIL", help="the account on --platform")
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="the zone of --from/--to and of the grid's times (default: yours); "
        "for ics, also write local times with this TZID instead of UTC",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the platform's PUBLIC_BASE_URL, for councils whose cached document does not "
        "carry its invite UID (from a platform that predates it; default: --platform)",
    )
    parser.add_argument(
        "--organizer",
        default=DEFAULT_ORGANIZER,
        metavar="'NAME <ADDRESS>'",
        help="the platform's MAIL_FROM, for councils whose cached document does not carry "
        f"the invite's ORGANIZER (default {DEFAULT_ORGANIZER!r})",
    )
    parser.add_argument(
        "--status",
        action="append",
        choices=PHASES,
        default=[],
        metavar="PHASE",
        help=f"csv/xlsx: only councils in this phase (repeatable; {', '.join(PHASES)})",
    )
    parser.add_argument("--search", default="", help="csv/xlsx: the grid's search words")
    parser.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
    return parser


def _url(text: str, option: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http(s) URL with a host (got {text!r})")
    return text.rstrip("/")


def _check_out(out: str, fmt: str) -> None:
    if out == "-":
        return
    path = Path(out)
    other = SUFFIXES.get(path.suffix.lower())
    if other is not None and other != fmt:
        raise UsageError(f"--out {out}: a .{other} name for a {fmt} export")
    if path.is_dir():
        raise UsageError(f"--out {out} is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--out {out}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--out {out}: not writable")


def validate(args: argparse.Namespace) -> tuple[ZoneInfo, datetime | None, datetime | None]:
    """Check what argparse cannot; returns the zone and the ``[start, end)`` instants."""
    try:
        zone = parse_zone(args.tz) if args.tz else coordinator_zone()
    except UnknownZone as exc:
        raise UsageError(f"--tz: {exc}") from None
    if args.start is not None and args.end is not None and args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}")
    if args.council is not None and (args.start is not None or args.end is not None):
        raise UsageError("--council exports one council: leave out --from/--to")
    if args.format == "ics" and (args.status or args.search):
        raise UsageError("--status and --search filter the grid (csv, xlsx), not ics")
    if args.platform is not None:
        args.platform = _url(args.platform, "--platform")
    if args.public_url is not None:
        args.public_url = _url(args.public_url, "--public-url")
    if "@" not in parseaddr(args.organizer)[1]:
        raise UsageError(
            f"--organizer needs an address, e.g. 'Mentra <mentra@example.com>' "
            f"(got {args.organizer!r})"
        )
    _check_out(args.out, args.format)
    start = datetime.combine(args.start, time(), zone) if args.start else None
    end = datetime.combine(args.end + timedelta(days=1), time(), zone) if args.end else None
    return zone, start, end


def _progress(args: argparse.Namespace, label: str) -> Any:
    if args.quiet or not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        print(
            f"\r{label}: {done:,} of {total:,}",
            end="\n" if done >= total else "",
            file=sys.stderr,
            flush=True,
        )

    return report


def _named_council(args: argparse.Namespace, source: Source) -> dict[str, Any]:
    """The council ``--council`` names, from the synced cache; a usage error when absent."""
    doc = source.cache.document(args.council)
    if doc is None:
        raise UsageError(f"--council {args.council}: no such council on {source.url}")
    return doc


def _write_ics(
    args: argparse.Namespace,
    source: Source,
    zone: ZoneInfo,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> int:
    cache = source.cache
    if args.council is not None:
        doc = _named_council(args, source)
        invite_facts(doc)  # NotExportable: a usage error
        docs: list[Mapping[str, Any]] = [doc]
    else:
        docs = select_confirmed(cache.documents(cache.ids(statuses=["confirmed"])), start, end)
    options = IcsOptions(
        public_url=args.public_url or source.url,
        organizer=args.organizer,
        zone=zone if args.tz else None,
    )
    data = build_calendar(docs, options, now, _progress(args, "Calendar"))
    _emit(args.out, data)
    return len(docs)


def _emit(out: str, data: bytes) -> None:
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_bytes(Path(out), data)


def _write_grid(
    args: argparse.Namespace,
    source: Source,
    zone: tzinfo,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> int:
    named = args.council is not None
    docs = [_named_council(args, source)] if named else source.cache.documents()
    rows = grid_rows(docs, now, search=args.search, statuses=args.status, start=start, end=end)
    progress = _progress(args, "Rows")
    if args.out == "-":
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / f"grid.{args.format}"
            export_grid(rows, target, args.format, zone, now, progress)
            _emit("-", target.read_bytes())
    else:
        export_grid(rows, Path(args.out), args.format, zone, now, progress)
    return len(rows)


def run(args: argparse.Namespace) -> int:
    """Validate, sync, export; raises :class:`UsageError` for a bad argument."""
    zone, start, end = validate(args)
    settings = get_settings()
    try:
        with open_source(
            settings,
            platform=args.platform,
            email=args.email,
            progress=_progress(args, "Syncing councils"),
        ) as source:
            now = datetime.now(UTC)
            write = _write_ics if args.format == "ics" else _write_grid
            count = write(args, source, zone, start, end, now)
    except (MissingCredentials, NotExportable) as exc:
        raise UsageError(str(exc)) from None
    if not args.quiet and args.out != "-":
        kind = "council(s)" if args.format == "ics" else "row(s)"
        print(f"mentra-desktop export: wrote {count} {kind} to {args.out}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The ``export`` subcommand (``argv`` without the word ``export``); an exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on its own errors
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return run(args)
    except UsageError as exc:
        print(f"{parser.prog}: error: {exc} (see --help)", file=sys.stderr)
        return USAGE_ERROR
    except (SignInRefused, PlatformError, EmbeddedError, CacheError, OSError) as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return FAILURE


__all__ = ["build_parser", "main", "run", "validate"]
