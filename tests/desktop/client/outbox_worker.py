"""A desktop process reduced to its outbox, for the kill -9 tests.

``python outbox_worker.py CACHE URL TOKEN MODE [KIND COUNCIL]``

* ``enqueue``: queue the write, print ``queued``, then wait to be killed before sending.
* ``send``: queue the write, print ``queued``, send it (the test kills us mid-send).
* ``flush``: send whatever the outbox holds; print the report as JSON; exit 0.
"""

from __future__ import annotations

import json
import sys
import time

from mentra_desktop.client import writes
from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.backoff import Backoff
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.outbox import Outbox


def main(argv: list[str]) -> int:
    cache_path, url, token, mode = argv[:4]
    cache = CouncilCache(cache_path)
    outbox = Outbox(cache, PlatformClient(url, token, timeout=60), backoff=Backoff(0.05, 0.2))
    if mode == "flush":
        report = outbox.flush(timeout=20)
        print(
            json.dumps(
                {
                    "sent": len(report.sent),
                    "failed": len(report.failed),
                    "conflicts": len(report.conflicts),
                    "remaining": report.remaining,
                }
            )
        )
        return 0
    kind, council = argv[4], int(argv[5])
    write = (
        writes.remind(council)
        if kind == "remind"
        else writes.edit(council, coordinatorNotes="written exactly once")
    )
    outbox.enqueue(write)
    print("queued", flush=True)
    if mode == "send":
        outbox.flush_once()
    time.sleep(120)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
