"""Calendar import speed: ``python -m bench.bench_calendars``.

Targets (issue 10):

* importing a five-year iCalendar feed of 20,000 events, recurring series included (weekly
  meetings with EXDATEs and moved instances), in ≤ 2 s with ≤ 150 MB peak memory. The
  import is what a refresh does with a changed feed: parse, expand the next
  ``CALENDAR_HORIZON_DAYS`` (90), filter and merge. It runs in a fresh subprocess; the
  peak is the Python heap's (tracemalloc, a second run) and the process's RSS growth over
  the interpreter with the libraries imported (``ru_maxrss``). Median of 3 timed runs.
* a refresh pass over 1,000 feeds that did not change, served by a local HTTP server with
  ETags, in ≤ 5 s: every feed answers 304 to the conditional GET, so nothing is parsed.
  SQLite, after a first pass that imported them.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EVENTS = 20_000
SERIES = 400
FEEDS = 1_000

_HEADER = (
    "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
    "CALSCALE:GREGORIAN\r\nX-WR-CALNAME:bench@example.com\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def five_year_feed(seed: int = 7, events: int = EVENTS, series: int = SERIES) -> bytes:
    """20,000 VEVENTs over four years back and one ahead: ``SERIES`` weekly series (each
    with an EXDATE and a moved instance: three components), the rest single events."""
    rnd = random.Random(seed)
    start = NOW - timedelta(days=4 * 365)
    out = [_HEADER]
    singles = events - 3 * series
    for i in range(singles):
        s = start + timedelta(minutes=30 * rnd.randint(0, 5 * 365 * 48))
        e = s + timedelta(minutes=30 * rnd.randint(1, 4))
        transp = "TRANSPARENT" if i % 10 == 0 else "OPAQUE"
        out.append(
            f"BEGIN:VEVENT\r\nDTSTART:{_stamp(s)}\r\nDTEND:{_stamp(e)}\r\nDTSTAMP:{_stamp(NOW)}\r\n"
            f"UID:single-{i}@google.com\r\nSTATUS:CONFIRMED\r\nSUMMARY:Meeting {i}\r\n"
            f"TRANSP:{transp}\r\nEND:VEVENT\r\n"
        )
    for j in range(series):
        first = (start + timedelta(days=rnd.randint(0, 5 * 365 - 60))).replace(
            hour=0, minute=0, second=0
        )
        local = first.strftime("%Y%m%d") + f"T{8 + j % 9:02d}0000"
        skip = (first + timedelta(weeks=2)).strftime("%Y%m%d") + f"T{8 + j % 9:02d}0000"
        moved = (first + timedelta(weeks=3)).strftime("%Y%m%d") + f"T{8 + j % 9:02d}0000"
        moved_to = (first + timedelta(weeks=3)).strftime("%Y%m%d") + "T180000"
        out.append(
            f"BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:{local}\r\n"
            f"DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT={rnd.randint(10, 150)}\r\n"
            f"EXDATE;TZID=Europe/Berlin:{skip}\r\nDTSTAMP:{_stamp(NOW)}\r\n"
            f"UID:series-{j}@google.com\r\nSUMMARY:Weekly {j}\r\nEND:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:{moved_to}\r\nDURATION:PT1H\r\n"
            f"RECURRENCE-ID;TZID=Europe/Berlin:{moved}\r\nDTSTAMP:{_stamp(NOW)}\r\n"
            f"UID:series-{j}@google.com\r\nSUMMARY:Weekly {j} (moved)\r\nEND:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nDTSTART:{_stamp(first + timedelta(days=1))}\r\n"
            f"DURATION:PT30M\r\nDTSTAMP:{_stamp(NOW)}\r\nUID:extra-{j}@google.com\r\n"
            f"SUMMARY:Prep {j}\r\nEND:VEVENT\r\n"
        )
    out.append("END:VCALENDAR\r\n")
    return "".join(out).encode()


_CHILD = """
import json, resource, sys, time, tracemalloc
from datetime import datetime, timedelta
from mentra_platform.calendars.feeds import busy_from_feed
data = open(sys.argv[1], "rb").read()
now = datetime.fromisoformat(sys.argv[2])
trace = sys.argv[3] == "trace"
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if trace:
    tracemalloc.start()
t0 = time.perf_counter()
busy = busy_from_feed(data, now, now + timedelta(days=90), own_addresses=["bench@example.com"])
elapsed = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1] if trace else 0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"s": elapsed, "ranges": len(busy), "heap": peak, "rss": rss, "base": base}))
"""


def _child(path: Path, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), NOW.isoformat(), mode],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def measure_import() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "five-years.ics"
        data = five_year_feed()
        path.write_bytes(data)
        runs = [_child(path, "plain") for _ in range(3)]
        traced = _child(path, "trace")
    secs = statistics.median(r["s"] for r in runs)
    heap_mb = traced["heap"] / 1e6
    rss_mb = max(r["rss"] for r in runs) / 1024
    growth_mb = max(r["rss"] - r["base"] for r in runs) / 1024
    ok_t = "met" if secs <= 2.0 else "not met"
    ok_m = "met" if heap_mb <= 150 and growth_mb <= 150 else "not met"
    return [
        (
            f"import a five-year feed ({EVENTS:,} events, {SERIES} weekly series; "
            f"{len(data) / 1e6:.1f} MB) → {runs[0]['ranges']} busy ranges in 90 days, median",
            f"{secs:.2f} s",
            f"≤ 2 s — {ok_t}",
        ),
        (
            "  peak memory: Python heap (tracemalloc) / RSS growth / process RSS",
            f"{heap_mb:.0f} / {growth_mb:.0f} / {rss_mb:.0f} MB",
            f"≤ 150 MB — {ok_m}",
        ),
    ]


def _small_feed(i: int) -> bytes:
    s = NOW + timedelta(days=1 + i % 30, hours=i % 8)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:bench\r\nBEGIN:VEVENT\r\nUID:f{i}\r\n"
        f"DTSTAMP:{_stamp(NOW)}\r\nDTSTART:{_stamp(s)}\r\nDTEND:{_stamp(s + timedelta(hours=1))}"
        "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


class _Feeds(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: ClassVar[dict[str, tuple[bytes, str]]] = {}
    counts: ClassVar[dict[str, int]] = {"200": 0, "304": 0}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body, tag = self.bodies[self.path]
        if self.headers.get("If-None-Match") == tag:
            self.counts["304"] += 1
            self.send_response(304)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.counts["200"] += 1
        self.send_response(200)
        self.send_header("ETag", tag)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def measure_refresh() -> list[tuple[str, str, str]]:
    from mentra_desktop.models import Role, User
    from mentra_platform.calendars.crypto import seal
    from mentra_platform.calendars.refresh import refresh_calendars
    from mentra_platform.core.config import Settings
    from mentra_platform.core.db import make_database
    from mentra_platform.core.migrate import upgrade
    from mentra_platform.core.tables import CalendarConnection, CalendarKind

    for i in range(FEEDS):
        body = _small_feed(i)
        _Feeds.bodies[f"/feeds/{i}.ics"] = (body, '"' + hashlib.sha1(body).hexdigest() + '"')
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        settings = Settings(
            database_url=url,
            secret_key="bench-secret",
            calendar_fetch_workers=4,
            calendar_allow_private_feeds=True,  # the feeds are served on 127.0.0.1
        )
        db = make_database(settings)
        try:
            with db.write() as s:
                users = [
                    User(email=f"m{i}@example.com", password_hash="x", role=Role.MENTOR)
                    for i in range(FEEDS)
                ]
                s.add_all(users)
                s.flush()
                s.add_all(
                    CalendarConnection(
                        mentor_id=u.id,
                        kind=CalendarKind.ICS,
                        secret=seal(settings, f"{base}/feeds/{i}.ics"),
                        label="bench",
                        next_refresh_at=NOW,
                    )
                    for i, u in enumerate(users)
                )
                s.commit()
            first = refresh_calendars(db, settings, NOW, due_only=False)
            t0 = time.perf_counter()
            second = refresh_calendars(db, settings, NOW, due_only=False)
            elapsed = time.perf_counter() - t0
        finally:
            db.dispose()
            httpd.shutdown()
            httpd.server_close()
    ok = "met" if elapsed <= 5.0 and second.unchanged == FEEDS else "not met"
    return [
        (
            f"refresh pass over {FEEDS:,} unchanged feeds, local server, SQLite "
            f"(first pass read {first.refreshed:,}; this one: {second.unchanged:,} × 304)",
            f"{elapsed:.2f} s",
            f"≤ 5 s — {ok}",
        )
    ]


def main() -> None:
    os.environ.setdefault("MENTRA_DATA_DIR", tempfile.mkdtemp(prefix="bench-calendars-"))
    rows = [("benchmark", "measured", "target"), *measure_import(), *measure_refresh()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print("Platform: calendars")
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
