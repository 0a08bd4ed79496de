"""`mentra-desktop export`: exit status 2 and nothing written for bad arguments (before any
platform is contacted), 0 with a file that parses back against the live platform and the
embedded demo platform, 1 when the platform refuses the sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import icalendar
import openpyxl
import pandas as pd
import pytest
from export_helpers import COORDINATOR, PASSWORD

from mentra_desktop.main import main


def run(argv: list[str]) -> int:
    """``mentra-desktop`` as a script runs it: argparse's own errors exit via SystemExit."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pdf"], "invalid choice: 'pdf'"),
        (["ics"], "--out"),
        (["ics", "--council", "0"], "not a council id"),
        (["ics", "--from", "2026-13-01"], "not a date"),
        (["ics", "--from", "2026-12-10", "--to", "2026-12-01"], "--from 2026-12-10 is after --to"),
        (["ics", "--council", "3", "--from", "2026-12-01"], "leave out --from/--to"),
        (["ics", "--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["ics", "--status", "confirmed"], "filter the grid"),
        (["csv", "--status", "sleeping"], "invalid choice: 'sleeping'"),
        (["ics", "--platform", "ftp://example.com"], "http(s) URL"),
        (["ics", "--organizer", "nobody"], "--organizer needs an address"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"out.{args[0] if args[0] in ('ics', 'csv') else 'ics'}"
    argv = ["export", *args] if args == ["ics"] else ["export", *args, "--out", str(out)]
    assert run(argv) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_unwritable_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["export", "ics", "--out", str(tmp_path / "missing" / "x.ics")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert run(["export", "ics", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert run(["export", "csv", "--out", str(tmp_path / "grid.xlsx")]) == 2
    assert "a .xlsx name for a csv export" in capsys.readouterr().err


def test_live_platform_exports_and_semantic_errors(
    live_platform: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["--platform", live_platform.url, "--email", COORDINATOR]
    # No password and no kept token (the tests' keyring is the failing one): a usage error.
    monkeypatch.delenv("MENTRA_PASSWORD", raising=False)
    assert run(["export", "ics", "--out", str(tmp_path / "a.ics"), *base]) == 2
    assert "MENTRA_PASSWORD" in capsys.readouterr().err

    monkeypatch.setenv("MENTRA_PASSWORD", "not-the-password")
    assert run(["export", "ics", "--out", str(tmp_path / "a.ics"), *base]) == 1
    assert "refused the sign-in" in capsys.readouterr().err

    monkeypatch.setenv("MENTRA_PASSWORD", PASSWORD)
    with live_platform.http() as http:
        councils = http.get("/api/v1/councils", params={"limit": 200}).json()["items"]
    confirmed = sorted(c["id"] for c in councils if c["coordinationStatus"] == "confirmed")
    collecting = next(c["id"] for c in councils if c["coordinationStatus"] == "collecting")

    out = tmp_path / "all.ics"
    assert run(["export", "ics", "--out", str(out), *base]) == 0
    assert f"wrote {len(confirmed)} council(s)" in capsys.readouterr().err
    events = icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    uids = sorted(str(e["uid"]) for e in events)
    assert uids == sorted(f"council-{cid}@127.0.0.1" for cid in confirmed)

    one = tmp_path / "one.ics"
    assert run(["export", "ics", "--out", str(one), "--council", str(confirmed[0]), *base]) == 0
    (event,) = icalendar.Calendar.from_ical(one.read_bytes()).walk("VEVENT")
    assert str(event["uid"]) == f"council-{confirmed[0]}@127.0.0.1"

    assert (
        run(["export", "ics", "--out", str(tmp_path / "x.ics"), "--council", "99999", *base]) == 2
    )
    assert "--council 99999: no such council" in capsys.readouterr().err
    bad = ["export", "ics", "--out", str(tmp_path / "x.ics"), "--council", str(collecting)]
    assert run([*bad, *base]) == 2
    assert f"council {collecting} is not confirmed (collecting)" in capsys.readouterr().err
    assert not (tmp_path / "x.ics").exists()

    grid = tmp_path / "confirmed.csv"
    argv = ["export", "csv", "--out", str(grid), "--status", "confirmed", "--tz", "Asia/Tokyo"]
    assert run([*argv, *base]) == 0
    frame = pd.read_csv(grid, encoding="utf-8-sig")
    assert sorted(frame["Council"]) == confirmed
    assert "Best slot (Asia/Tokyo)" in frame.columns
    assert set(frame["Status"]) == {"Confirmed"}


def test_embedded_demo_platform_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "grid.xlsx"
    assert run(["export", "xlsx", "--out", str(out), "--tz", "Europe/Berlin"]) == 0
    assert "wrote 60 row(s)" in capsys.readouterr().err
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert sheet.max_row == 61 and sheet["G1"].value == "Deadline (Europe/Berlin)"
