"""``python -m mentra_desktop.scheduling.demo [FILE]``: decide the shipped example council.

Prints the decision, the per-slot explanation table and the coordinator paragraph
for ``resources/demo/council_select.json`` (the README's example) or a given file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mentra_desktop.scheduling.documents import parse_request
from mentra_desktop.scheduling.explanation import render_table
from mentra_desktop.scheduling.selection import select

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "council_select.json"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else EXAMPLE
    request = parse_request(json.loads(path.read_text(encoding="utf-8")))
    decision = select(request)
    print(f"Council {request.council.id} — {decision.status.value}")
    if decision.slot is not None and decision.start is not None:
        print(
            f"Slot {decision.slot} at {decision.start.isoformat()}: {', '.join(decision.mentors)}"
        )
    for alternative in decision.alternatives:
        likely = ", ".join(alternative.likely_attendees)
        print(f"  alternative {alternative.start.isoformat()}: {likely}")
    print()
    print(render_table(decision.explanation))
    print()
    print(decision.explanation.reason)


if __name__ == "__main__":
    main()
