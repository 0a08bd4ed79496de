"""Cutting a feed down to the events that can touch the window, before it is parsed.

A feed of five years holds tens of thousands of events, and building icalendar objects for
all of them costs seconds and over a hundred megabytes, although a refresh only needs the
next few months. This pass reads the feed's lines once (unfolding RFC 5545 continuation
lines) and keeps: everything that is not a VEVENT (VTIMEZONE, calendar properties), every
VEVENT of a recurring series (any component whose UID has an RRULE, RDATE or
RECURRENCE-ID: a series' expansion decides), and every single event whose dates come
within two days of the window (the margin covers any time zone). An event whose dates
cannot be read this way is kept, so the parser still reports a malformed feed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MARGIN = timedelta(days=2)
_DURATION = re.compile(rb"[+-]?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_RECURRING = (b"RRULE", b"RDATE", b"EXRULE", b"RECURRENCE-ID")


def _name(line: bytes) -> bytes:
    end = len(line)
    for sep in (b":", b";"):
        i = line.find(sep)
        if 0 <= i < end:
            end = i
    return line[:end].strip().upper()


def _value(line: bytes) -> bytes:
    # The value follows the first colon outside a quoted parameter.
    quoted = False
    for i, c in enumerate(line):
        if c == 0x22:
            quoted = not quoted
        elif c == 0x3A and not quoted:
            return line[i + 1 :].strip()
    return b""


def _day(value: bytes) -> date | None:
    try:
        return date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _within(props: dict[bytes, bytes], lo: date, hi: date) -> bool:
    """Whether a single event may overlap ``[lo, hi]`` (``True`` when unsure)."""
    start = _day(props.get(b"DTSTART", b""))
    if start is None:
        return True
    if start > hi + MARGIN:
        return False
    if b"DTEND" in props:
        end = _day(props[b"DTEND"])
        return end is None or end >= lo - MARGIN
    if b"DURATION" in props:
        found = _DURATION.fullmatch(props[b"DURATION"])
        if found is None:
            return True
        w, d, h, m, sec = (int(g or 0) for g in found.groups())
        length = timedelta(weeks=w, days=d, hours=h, minutes=m, seconds=sec)
        return start + length >= lo - MARGIN
    return start >= lo - MARGIN


def window_subset(data: bytes, lo: date, hi: date) -> bytes:
    """The feed with the single events far from ``[lo, hi]`` left out (see the module
    docstring); the text of everything kept is unchanged."""
    out: list[bytes | int] = []
    blocks: list[tuple[bytes, bool, bool, list[bytes]]] = []
    recurring: set[bytes] = set()
    block: list[bytes] | None = None
    props: dict[bytes, bytes] = {}
    depth = 0
    last = b""
    for raw in data.splitlines(keepends=True):
        if block is None:
            if raw[:12].upper() == b"BEGIN:VEVENT":
                block, props, depth, last = [raw], {}, 0, b""
            else:
                out.append(raw)
            continue
        block.append(raw)
        if raw[:1] in (b" ", b"\t"):
            if depth == 0 and last:
                props[last] = props[last] + raw[1:].rstrip(b"\r\n")
            continue
        line = raw.rstrip(b"\r\n")
        upper = line[:12].upper()
        if upper.startswith(b"BEGIN:"):
            depth += 1
            continue
        if upper.startswith(b"END:"):
            if depth:
                depth -= 1
                continue
            uid = props.get(b"UID", b"")
            is_series = any(k in props for k in _RECURRING)
            if is_series:
                recurring.add(uid)
            out.append(len(blocks))
            blocks.append((uid, is_series, _within(props, lo, hi), block))
            block = None
            continue
        if depth == 0:
            last = _name(line)
            if last not in props:
                props[last] = _value(line)
    if block is not None:  # unterminated: leave it to the parser to refuse
        out.append(len(blocks))
        blocks.append((b"", True, True, block))
    parts: list[bytes] = []
    for item in out:
        if isinstance(item, bytes):
            parts.append(item)
            continue
        uid, is_series, near, lines = blocks[item]
        if is_series or near or uid in recurring:
            parts.extend(lines)
    return b"".join(parts)


__all__ = ["window_subset"]
