"""Single-council selection speed: ``python -m bench.bench_selection``.

Targets (issue 2): one council of 5 mentors × 5 slots decided in ≤ 100 µs median,
in-process, with its explanation; 10,000 independent councils in ≤ 1 s, every
decision kept, with the garbage collector on. Timings exclude building the input
dataclasses; a separate row adds JSON parsing. Before the 10,000-council loop one
``gc.collect()`` settles the collections owed for building its 10,000 inputs (which
would otherwise fall, by chance, inside the timed loop); the collections the loop's
own decisions cause are timed and their count is printed.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from mentra_desktop.scheduling.documents import parse_request
from mentra_desktop.scheduling.model import SelectionRequest
from mentra_desktop.scheduling.selection import Status, select

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC",
         "Europe/London", "America/Los_Angeles", "Asia/Tokyo"]  # fmt: skip
ANSWERS = ["available", "available", "available", "tentative", "unavailable", None]
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def council_document(rnd: random.Random, index: int, mentors: int = 5, slots: int = 5) -> Any:
    """A realistic select document: mixed zones, answers, a partial, a busy range."""
    day0 = NOW + timedelta(days=rnd.randint(3, 20))
    slot_docs = [
        {
            "id": f"s{j}",
            "start": (day0 + timedelta(hours=rnd.randint(0, 96) // 2 * 2)).isoformat(),
            "priority": rnd.choice([0.0, 0.0, 0.5, 1.0]),
        }
        for j in range(slots)
    ]
    mentor_docs = []
    for i in range(mentors):
        answers = {s["id"]: a for s in slot_docs if (a := rnd.choice(ANSWERS)) is not None}
        doc: dict[str, Any] = {
            "id": f"c{index}-m{i}",
            "timezone": rnd.choice(ZONES),
            "seniority": rnd.randint(0, 4),
            "expertise_match": round(rnd.random(), 2),
            "working_hours": {"start": "08:00", "end": "18:00"},
            "answers": answers,
        }
        if rnd.random() < 0.3:
            start = datetime.fromisoformat(slot_docs[0]["start"])
            doc["busy"] = [[start.isoformat(), (start + timedelta(minutes=30)).isoformat()]]
        if rnd.random() < 0.2:
            start = datetime.fromisoformat(slot_docs[1]["start"])
            doc["partial"] = {
                "s1": [[start.isoformat(), (start + timedelta(minutes=40)).isoformat()]]
            }
        mentor_docs.append(doc)
    return {
        "now": NOW.isoformat(),
        "deadline": (NOW + timedelta(days=2)).isoformat(),
        "council": {
            "id": f"c{index}",
            "mentor_minimum": 3,
            "mentor_maximum": 5,
            "lead_mentor": f"c{index}-m0",
            "duration_minutes": 60,
            "slots": slot_docs,
        },
        "mentors": mentor_docs,
    }


def _median_call_us(fn: Any, calls: int = 200, batches: int = 50) -> float:
    samples = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(samples)


def measure() -> list[tuple[str, str, str]]:
    rnd = random.Random(2026)
    doc = council_document(rnd, 0)
    doc["mentors"][0]["answers"] = dict.fromkeys(["s0", "s1", "s2", "s3", "s4"], "available")
    text = json.dumps(doc)
    request = parse_request(doc)
    decision = select(request)
    assert decision.explanation.reason and decision.explanation.rows
    single = _median_call_us(lambda: select(request))
    with_json = _median_call_us(lambda: select(parse_request(json.loads(text))))

    docs = [council_document(rnd, i) for i in range(10_000)]
    requests: list[SelectionRequest] = [parse_request(d) for d in docs]
    gc.collect()  # the inputs' share; the collector stays on for the loop
    collections = [g["collections"] for g in gc.get_stats()]
    t0 = time.perf_counter()
    decisions = [select(r) for r in requests]
    batch = time.perf_counter() - t0
    during = [g["collections"] - c for g, c in zip(gc.get_stats(), collections, strict=True)]
    statuses = {s: sum(d.status is s for d in decisions) for s in Status}
    mix = ", ".join(f"{s.value} {n}" for s, n in statuses.items())
    return [
        ("select, 5 mentors × 5 slots, median (explanation incl.)", f"{single:.1f} µs", "≤ 100 µs"),
        ("JSON parse + select, median", f"{with_json:.1f} µs", "—"),
        ("10,000 independent councils (select)", f"{batch:.3f} s", "≤ 1 s"),
        ("  decision mix", mix, ""),
        ("  GC runs in the loop (gen 0/1/2)", "/".join(map(str, during)), ""),
    ]


def main() -> None:
    rows = [("benchmark", "measured", "target"), *measure()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print("Scheduling: single-council selection")
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
