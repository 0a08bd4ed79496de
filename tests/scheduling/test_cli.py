"""The ``mentra-schedule`` contract: shapes in and out, exit 2 with one line on bad input."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mentra_desktop.scheduling import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "council_select.json"


@pytest.fixture()
def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return loaded


def run_inprocess(
    document: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = cli.main(["select", "-"])
    out, err = capsys.readouterr()
    return code, out, err


def test_subprocess_select_prints_the_documented_shape() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mentra_desktop.scheduling.cli", "select", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {
        "status", "slot", "start", "mentors", "lead_included", "ranking", "alternatives",
        "explanation",
    }  # fmt: skip
    assert out["status"] == "confirmed" and out["slot"] == "tue-0800"
    assert out["start"] == "2026-12-01T08:00:00+00:00"
    assert set(out["ranking"][0]) == {"slot", "start", "feasible", "attendees", "score"}
    assert out["explanation"]["reason"]
    assert out["explanation"]["table"][0]["score_parts"].keys() == {
        "answers", "priority", "penalty",
    }  # fmt: skip


def test_subprocess_bad_zone_exits_2_with_one_line(tmp_path: Path, doc: dict[str, Any]) -> None:
    doc["mentors"][2]["timezone"] = "Mars/Base"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "mentra_desktop.scheduling.cli", "select", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "error: mentors[m-sydney].timezone: unknown IANA time zone 'Mars/Base'\n"


def test_needs_alternatives_lists_alternatives(
    doc: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc["now"] = doc["deadline"]
    for mentor in doc["mentors"][1:]:
        mentor["answers"] = dict.fromkeys(mentor["answers"], "unavailable")
    code, out, _ = run_inprocess(doc, capsys, monkeypatch)
    result = json.loads(out)
    assert code == 0 and result["status"] == "needs_alternatives"
    assert result["slot"] is None and result["mentors"] == []
    assert 1 <= len(result["alternatives"]) <= 5
    assert set(result["alternatives"][0]) >= {"start", "likely_attendees"}
    assert result["alternatives"][0]["start"].endswith("+00:00")


def _mutate(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    *parents, last = path.split("/")
    target: Any = doc
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return doc


CASES = [
    ("now", "2026-11-26T09:00:00", "now: naive datetime"),
    ("now", KeyError, "now: is required"),
    ("deadline", "tomorrow", "deadline: not an ISO 8601 instant"),
    ("council/mentor_minimum", 0, "council.mentor_minimum: must be within 1..mentor_maximum"),
    ("council/mentor_minimum", 5, "council.mentor_minimum: must be within 1..mentor_maximum"),
    ("council/mentor_maximum", 6, "council.mentor_maximum: must be within 1..5"),
    ("council/mentor_maximum", "4", "council.mentor_maximum: must be an integer"),
    ("council/slots/1/id", "tue-0800", "council.slots: duplicate slot id 'tue-0800'"),
    ("council/slots/0/start", "2026-12-01T08:00:00", "council.slots[tue-0800].start: naive"),
    ("council/lead_mentor", "nobody", "council.lead_mentor: 'nobody' is not among the mentors"),
    ("council", KeyError, "council: is required"),
    ("mentors/1/id", "m-berlin", "mentors: duplicate mentor id 'm-berlin'"),
    ("mentors/0/answers/fri", "available", "mentors[m-berlin].answers.fri: unknown slot id"),
    ("mentors/0/answers/tue-0800", "maybe", "mentors[m-berlin].answers.tue-0800: unknown answer"),
    ("mentors/0/expertise_match", 1.5, "mentors[m-berlin].expertise_match: must be within [0, 1]"),
    ("mentors/0/seniority", "high", "mentors[m-berlin].seniority: must be a number"),
    ("mentors/0/timezone", KeyError, "mentors[m-berlin].timezone: is required"),
    ("mentors/0/working_hours", {"start": "9am"}, "mentors[m-berlin].working_hours.start"),
    (
        "mentors/0/working_hours",
        {"start": "09:00", "end": "09:00"},
        "mentors[m-berlin].working_hours.end: must differ from the start",
    ),
    ("mentors/0/working_hours", {"start": "24:00"}, "mentors[m-berlin].working_hours.start"),
    ("mentors/0/working_hours", {"days": [0]}, "mentors[m-berlin].working_hours.days: ISO"),
    ("mentors/0/working_hours", {"days": []}, "mentors[m-berlin].working_hours.days: at least"),
    ("mentors/0/working_hours", {"days": [1, 1]}, "mentors[m-berlin].working_hours.days: each"),
    ("mentors/0/working_hours", {"days": ["mon"]}, "mentors[m-berlin].working_hours.days[0]"),
    ("mentors/3/busy", [["2026-12-03T09:00:00+00:00"]], "mentors[m-london].busy[0]: expected"),
    ("mentors/3/partial/fri", [], "mentors[m-london].partial.fri: unknown slot id"),
    ("weights", {"tentative": 2.0}, "weights.tentative: must not exceed weights.available"),
    ("weights", {"bogus": 1}, "weights.bogus: unknown weight"),
]


@pytest.mark.parametrize(("path", "value", "expected"), CASES, ids=[c[2][:40] for c in CASES])
def test_bad_input_exits_2_naming_the_field(
    doc: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    value: Any,
    expected: str,
) -> None:
    code, out, err = run_inprocess(_mutate(doc, path, value), capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.startswith("error: " + expected), err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "error: -: malformed JSON at line 1"),
        ("[]", "error: document: must be an object"),
    ],
)
def test_malformed_documents(
    text: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run_inprocess(text, capsys, monkeypatch)
    assert code == 2 and err.startswith(expected) and err.count("\n") == 1


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["select", "/nonexistent/x.json"]) == 2
    assert capsys.readouterr().err.startswith("error: /nonexistent/x.json: cannot read")


def test_z_suffix_and_offsets_are_accepted(
    doc: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc["now"] = "2026-11-26T10:00:00+01:00"
    doc["deadline"] = "2026-11-28T17:00:00Z"
    code, out, _ = run_inprocess(doc, capsys, monkeypatch)
    assert code == 0 and json.loads(out)["slot"] == "tue-0800"


# Wrong types and numbers the engine cannot compute with: every one is refused with
# exit status 2 and one line naming the field, never a traceback or a NaN score.
TYPE_CASES = [
    ("mentors/0/seniority", "1" + "0" * 400, "mentors[m-berlin].seniority: must be a finite"),
    ("mentors/0/seniority", "Infinity", "mentors[m-berlin].seniority: must be a finite"),
    ("mentors/0/seniority", "NaN", "mentors[m-berlin].seniority: must be a finite"),
    ("council/slots/0/priority", "NaN", "council.slots[tue-0800].priority: must be a finite"),
    ("council/slots/0/priority", "-1e999", "council.slots[tue-0800].priority: must be a finite"),
    ("council/duration_minutes", "1" + "0" * 30, "council.duration_minutes: must be within"),
    ("council/duration_minutes", "100000000", "council.duration_minutes: must be within"),
    ("mentors/0/busy", "0", "mentors[m-berlin].busy: must be an array"),
    ("mentors/0/busy", "{}", "mentors[m-berlin].busy: must be an array"),
    ("mentors/0/alternatives", "false", "mentors[m-berlin].alternatives: must be an array"),
    ("mentors/0/alternatives", '""', "mentors[m-berlin].alternatives: must be an array"),
    ("mentors/0/timezone", '"Europe"', "mentors[m-berlin].timezone: unknown IANA time zone"),
    ("mentors/0/timezone", '"' + "A" * 400 + '"', "mentors[m-berlin].timezone: unknown IANA"),
    ("now", '"0001-01-01T00:00:00+05:00"', "now: instant out of range"),
    ("now", '"9999-12-31T12:00:00+00:00"', "now: must lie between"),
    (
        "council/slots/0/start",
        '"9999-12-31T23:30:00+00:00"',
        "council.slots[tue-0800].start: must lie between",
    ),
    ("council/slots", "[]", "council.slots: at least one slot is required"),
    ("council/slots", '"tue-0800"', "council.slots: must be an array"),
    ("mentors", "{}", "mentors: must be an array"),
    ("council/mentor_minimum", "null", "council.mentor_minimum: must be an integer"),
    ("council/slots/0/id", "7", "council.slots[0].id: must be a string"),
    ("mentors/0/seniority", "true", "mentors[m-berlin].seniority: must be a number"),
]


@pytest.mark.parametrize(
    ("path", "raw", "expected"), TYPE_CASES, ids=[f"{c[0]}={c[1][:12]}" for c in TYPE_CASES]
)
def test_wrong_types_and_numbers_exit_2_naming_the_field(
    doc: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    raw: str,
    expected: str,
) -> None:
    marker = "@@VALUE@@"
    text = json.dumps(_mutate(doc, path, marker)).replace(f'"{marker}"', raw)
    code, out, err = run_inprocess(text, capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.startswith("error: " + expected), err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"now": "\xff"}', "not UTF-8 text (byte 9)"),
        (b'{"now": 1' + b"0" * 5000 + b"}", "malformed JSON: a number has too many digits"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed JSON: nested too deeply"),
    ],
    ids=["invalid-utf8", "5000-digit-number", "deep-nesting"],
)
def test_unreadable_documents_exit_2_with_one_line_in_a_subprocess(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "-m", "mentra_desktop.scheduling.cli", "select", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"error: {path}: {expected}\n", proc.stderr
