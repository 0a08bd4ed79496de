"""The council grid as a table (pandas), written as CSV or XLSX (openpyxl).

Input is the grid's rows — :class:`~mentra_desktop.models.council_summary.CouncilSummary`
dicts, in the order and filter the coordinator sees — and output one row per council
with the grid's facts spelled out for a spreadsheet: counts as numbers, instants as local
wall times in the coordinator's zone (named in the column header, e.g. ``Deadline
(Europe/Berlin)``; DST-correct per instant), risks as the sentences the grid's tooltips
use. Every text cell goes through :mod:`~mentra_desktop.export.formula_escape`.

CSV is UTF-8 with a byte-order mark (so a spreadsheet reads names with accents right),
instants as ``YYYY-MM-DD HH:MM``. XLSX has real date-time cells in the same local time,
numbers as numbers, a bold frozen header. Both are written to a temporary file beside the
target and moved into place, so a failed export never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from mentra_desktop.export.formula_escape import escape_cell
from mentra_desktop.export.zones import zone_label
from mentra_desktop.models.council_summary import RISK_TEXT, risks

Summary = Mapping[str, Any]
Progress = Callable[[int, int], None]
Format = Literal["csv", "xlsx"]
CHUNK = 1000
"""Rows written between two progress reports."""
CSV_TIME = "%Y-%m-%d %H:%M"
XLSX_TIME = "yyyy-mm-dd hh:mm"

STATUS_LABELS = {
    "draft": "Draft",
    "collecting": "Collecting",
    "selecting": "Selecting",
    "needs_alternatives": "Needs alternatives",
    "rescheduling": "Rescheduling",
    "confirmed": "Confirmed",
    "cancelled": "Cancelled",
}
"""The grid's phase labels (the views' chips say the same)."""
ENGINE_LABELS = {
    "confirmed": "Can confirm",
    "waiting": "Waiting for answers",
    "needs_alternatives": "Needs alternatives",
}


def columns(zone_name: str) -> list[str]:
    """The header row; the two instant columns name the zone."""
    return [
        "Council",
        "Topic",
        "Mentee",
        "Status",
        "Answered",
        "Invited",
        f"Deadline ({zone_name})",
        "Lead",
        f"Best slot ({zone_name})",
        "Attendees at best slot",
        "Mentor minimum",
        "Engine",
        "Risks",
        "Silent mentors",
    ]


def grid_frame(summaries: Sequence[Summary], zone: tzinfo, now: datetime) -> pd.DataFrame:
    """One row per summary, in the given order; instants local in ``zone`` (timezone-aware
    pandas columns), counts as integers. Text is escaped by the writers, not here."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    names = columns(zone_label(zone, now))
    deadline_col, best_col = names[6], names[8]
    records = []
    for s in summaries:
        found = risks(s, now)
        records.append(
            {
                "Council": int(s["id"]),
                "Topic": str(s["topic"]),
                "Mentee": str(s["mentee"]),
                "Status": STATUS_LABELS.get(s["status"], str(s["status"])),
                "Answered": int(s["answered"]),
                "Invited": int(s["invited"]),
                deadline_col: s["deadline"],
                "Lead": str(s["lead"]),
                best_col: s["best_slot_start"],
                "Attendees at best slot": int(s["best_attendees"]),
                "Mentor minimum": int(s["minimum"]),
                "Engine": ENGINE_LABELS.get(s["decision"] or "", s["decision"] or ""),
                "Risks": "; ".join(RISK_TEXT[r] for r in found),
                "Silent mentors": ", ".join(s["silent"]),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=names)
    for name in (deadline_col, best_col):
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601").dt.tz_convert(zone)
    for name in ("Council", "Answered", "Invited", "Attendees at best slot", "Mentor minimum"):
        frame[name] = frame[name].astype("int64")
    return frame


def _instant_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]


def escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every cell of every text column escaped (numbers and instants as they
    are). Text columns are found by "not numeric, not a date-time" rather than by dtype
    name: pandas 3 holds text as ``str``, earlier versions as ``object``. Escaping is
    idempotent, so an already escaped frame passes unchanged."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        out[name] = column.map(escape_cell)
    return out


def _atomic(out: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(tmp)`` on a temporary file beside ``out``, then move it into place."""
    out = Path(out)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp's 0600 would hide a file meant to be shared
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, out: Path, progress: Progress | None = None) -> None:
    """``frame`` as CSV at ``out`` (see the module docstring)."""
    text = escaped(frame)
    for name in _instant_columns(text):
        text[name] = text[name].dt.strftime(CSV_TIME).fillna("")
    total = len(text)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            if total == 0:
                text.to_csv(fh, index=False)
            for start in range(0, total, CHUNK):
                text.iloc[start : start + CHUNK].to_csv(fh, index=False, header=start == 0)
                if progress is not None:
                    progress(min(start + CHUNK, total), total)

    _atomic(out, write)


def write_xlsx(
    frame: pd.DataFrame, out: Path, progress: Progress | None = None, title: str = "Councils"
) -> None:
    """``frame`` as one XLSX sheet at ``out`` (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    instants = set(_instant_columns(frame))
    local = escaped(frame)
    for name in instants:  # Excel has no zones: the local wall time, the zone in the header
        local[name] = local[name].dt.tz_localize(None)
    names = list(local.columns)
    total = len(local)

    def write(tmp: Path) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for i, name in enumerate(names, 1):
            width = 18 if name in instants else max(10, min(40, len(name) + 2))
            if name in ("Topic", "Risks", "Silent mentors"):
                width = 40
            sheet.column_dimensions[get_column_letter(i)].width = width
        bold = Font(bold=True)
        header = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        time_columns = [i for i, name in enumerate(names) if name in instants]
        for start in range(0, total, CHUNK):
            chunk = local.iloc[start : start + CHUNK]
            for values in chunk.itertuples(index=False, name=None):
                row: list[Any] = list(values)
                for i in time_columns:
                    moment = row[i]
                    if pd.isna(moment):
                        row[i] = None
                    else:
                        cell = WriteOnlyCell(sheet, value=moment.to_pydatetime())
                        cell.number_format = XLSX_TIME
                        row[i] = cell
                sheet.append(row)
            if progress is not None:
                progress(min(start + CHUNK, total), total)
        book.save(tmp)

    _atomic(out, write)


def export_grid(
    summaries: Sequence[Summary],
    out: Path,
    fmt: Format,
    zone: tzinfo,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """Write the grid rows ``summaries`` to ``out`` as ``fmt``; returns the row count."""
    frame = grid_frame(summaries, zone, now)
    if fmt == "csv":
        write_csv(frame, out, progress)
    elif fmt == "xlsx":
        write_xlsx(frame, out, progress)
    else:
        raise ValueError(f"unknown format {fmt!r}; csv or xlsx")
    return len(frame)


def write_bytes(out: Path, data: bytes) -> None:
    """``data`` at ``out``, moved into place whole (the ``.ics`` export)."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    _atomic(out, write)


__all__ = [
    "STATUS_LABELS",
    "columns",
    "escaped",
    "export_grid",
    "grid_frame",
    "write_bytes",
    "write_csv",
    "write_xlsx",
]
