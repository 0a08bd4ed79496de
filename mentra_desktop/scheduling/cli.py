"""``mentra-schedule``: a thin command line over the engine's Python API.

``mentra-schedule select FILE.json`` decides one council; ``mentra-schedule optimise
FILE.json`` plans a batch (delegated to ``optimiser_cli.run``). ``-`` reads stdin.
Output is JSON on stdout. Any bad input — unreadable file, malformed JSON, a missing
key, a wrong type, a naive datetime, an unknown zone, a rule broken — exits with
status 2 and exactly one line on stderr: ``error: <field>: <message>``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from mentra_desktop.scheduling.model import SchedulingInputError

EXIT_BAD_INPUT = 2


def _load(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise SchedulingInputError(path, f"cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SchedulingInputError(path, f"not UTF-8 text (byte {exc.start})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchedulingInputError(
            path, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except ValueError as exc:  # an integer literal longer than Python converts (4300 digits)
        raise SchedulingInputError(path, "malformed JSON: a number has too many digits") from exc
    except RecursionError as exc:
        raise SchedulingInputError(path, "malformed JSON: nested too deeply") from exc


def run_select(document: Any) -> dict[str, Any]:
    """The ``select`` command on an already-parsed JSON document."""
    from mentra_desktop.scheduling.documents import (
        decision_to_json,
        parse_request,
        parse_weights,
    )
    from mentra_desktop.scheduling.model import DEFAULT_WEIGHTS
    from mentra_desktop.scheduling.selection import select

    request = parse_request(document)
    weights = DEFAULT_WEIGHTS
    if isinstance(document, dict) and document.get("weights") is not None:
        weights = parse_weights(document["weights"])
    return decision_to_json(select(request, weights))


def run_optimise(document: Any) -> dict[str, Any]:
    """The ``optimise`` command; the optimiser is imported only when asked for."""
    if not isinstance(document, dict):
        raise SchedulingInputError("document", "must be an object")
    optimiser_cli = importlib.import_module("mentra_desktop.scheduling.optimiser_cli")
    result: dict[str, Any] = optimiser_cli.run(document)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mentra-schedule", description="Mentra council scheduling engine."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("select", "decide one council's slot"),
        ("optimise", "plan many councils without double-booking"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("file", help="JSON document, or - for stdin")
    args = parser.parse_args(argv)
    try:
        document = _load(args.file)
        result = run_select(document) if args.command == "select" else run_optimise(document)
    except SchedulingInputError as exc:
        print(f"error: {exc.field}: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error of ours, and nothing to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
