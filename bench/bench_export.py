"""Export speed: ``python -m bench.bench_export``.

Targets (issue 9): 1,000 confirmed councils to ``.ics`` in ≤ 2 s; 10,000 grid rows to
XLSX in ≤ 5 s. The councils are platform-shaped documents (5 slots, 5 mentors of whom 4
attend, a video link, the invite's UID, SEQUENCE, organizer, mentee and a second registered
mentee) stored in a real :class:`CouncilCache` file; the ``.ics`` time
includes reading them back from the cache, as ``mentra-desktop export ics`` does after its
sync. The grid rows are :class:`CouncilSummary` dicts (what the window's grid holds), with
one text cell in ten needing a formula escape. Medians of 3 runs.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.export.ical import IcsOptions, build_calendar
from mentra_desktop.export.tabular import export_grid, write_bytes
from mentra_desktop.models.council_summary import CouncilSummary

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def council_doc(rnd: random.Random, council_id: int) -> dict[str, Any]:
    day = NOW + timedelta(days=rnd.randint(1, 60), hours=rnd.randint(6, 20))
    slots = [
        {"id": council_id * 10 + j, "position": j, "start": (day + timedelta(days=j)).isoformat(),
         "end": (day + timedelta(days=j, hours=1)).isoformat(), "priorityScore": 0.0}
        for j in range(5)
    ]  # fmt: skip
    mentors = [
        {"id": council_id * 10 + i, "mentorId": 1000 + rnd.randint(0, 400), "name": f"Mentor {i}",
         "email": f"mentor{council_id}-{i}@example.com", "isLead": i == 0, "attending": i < 4}
        for i in range(5)
    ]  # fmt: skip
    return {
        "id": council_id, "topic": f"Council {council_id}: scaling a platform team",
        "description": "Goals: a hiring plan and an on-call rota.\nQuestions: where to start?",
        "menteeId": 7, "menteeName": "Casey Council", "leadMentorId": mentors[0]["mentorId"],
        "coordinationStatus": "confirmed", "finalSlotId": slots[rnd.randint(0, 4)]["id"],
        "finalTimeConfirmed": True, "videoLink": f"https://meet.example.com/c{council_id}",
        "proposedTimeSlots": slots, "mentors": mentors, "version": 3, "changeSeq": council_id,
        "mentorResponseDeadline": NOW.isoformat(), "updatedAt": NOW.isoformat(),
        "inviteUid": f"council-{council_id}@mentra.example.com", "inviteSequence": 1,
        "organizer": {"name": "Mentra", "address": "mentra@example.com"},
        "menteeEmail": "council@example.com", "registrationCount": 2,
        "registrants": [{"userId": 7, "name": "Casey Council", "email": "council@example.com"},
                        {"userId": 8, "name": "Sam Second", "email": "sam@example.com"}],
    }  # fmt: skip


def grid_row(rnd: random.Random, council_id: int) -> dict[str, Any]:
    start = NOW + timedelta(days=rnd.randint(1, 60), hours=rnd.randint(0, 23))
    return CouncilSummary(
        id=council_id,
        topic=("=cmd|' /C calc'!A0" if council_id % 10 == 0 else f"Council {council_id}"),
        mentee="Casey Council", status=rnd.choice(["collecting", "selecting", "confirmed"]),
        answered=rnd.randint(0, 5), invited=5,
        deadline=(NOW + timedelta(hours=rnd.randint(-48, 240))).isoformat(), lead="Lena Petrov",
        best_slot_id=1, best_slot_start=start.isoformat(), best_attendees=rnd.randint(0, 5),
        minimum=3, decision="waiting", feasible=rnd.random() < 0.7, lead_unavailable=False,
        below_minimum=False, silent=("Ada", "Grace") if council_id % 7 == 0 else (),
        version=1, change_seq=council_id,
    ).to_dict()  # fmt: skip


def _median(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure() -> list[tuple[str, str, str]]:
    rnd = random.Random(9)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        cache = CouncilCache(base / "cache.sqlite3")
        cache.put_documents([council_doc(rnd, n) for n in range(1, 1001)])

        def ics(zone: ZoneInfo | None) -> Callable[[], object]:
            def run() -> None:
                docs = cache.documents(cache.ids(statuses=["confirmed"]))
                options = IcsOptions("https://mentra.example.com", zone=zone)
                write_bytes(base / "councils.ics", build_calendar(docs, options, NOW))

            return run

        utc = _median(ics(None))
        size = (base / "councils.ics").stat().st_size
        rows.append(("1,000 confirmed councils → .ics, from the cache, UTC times",
                     f"{utc:.2f} s ({size / 1e6:.1f} MB)", "≤ 2 s"))  # fmt: skip
        local = _median(ics(BERLIN))
        rows.append(("the same with TZID=Europe/Berlin and its VTIMEZONE", f"{local:.2f} s", ""))
        cache.close()

        grid = [grid_row(rnd, n) for n in range(1, 10_001)]
        xlsx = _median(lambda: export_grid(grid, base / "grid.xlsx", "xlsx", BERLIN, NOW))
        rows.append(("10,000 grid rows → XLSX (14 columns, local date-time cells)",
                     f"{xlsx:.2f} s", "≤ 5 s"))  # fmt: skip
        csv = _median(lambda: export_grid(grid, base / "grid.csv", "csv", BERLIN, NOW))
        rows.append(("10,000 grid rows → CSV", f"{csv:.2f} s", ""))
    return rows


def main() -> None:
    rows = [("benchmark", "measured", "target"), *measure()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print("Desktop: export")
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
