"""Which API processes are alive, so the work a dead one left claimed can be taken over.

Each API process (one uvicorn worker) has a random id and a row in ``api_processes`` whose
``heartbeat_at`` it refreshes every ``Settings.process_heartbeat_seconds``
(:meth:`ProcessHeartbeat.beat`). Another process judges an owner dead (:func:`is_dead`)
when its heartbeat is older than ``Settings.process_stale_seconds``, or at once when it ran
on this host and its pid is gone (or is now this very process, restarted under the same
pid, as in a container). An owner with no row at all is *not* judged dead: callers fall
back to their own age limit.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from mentra_desktop.models import utcnow
from mentra_platform.core.db import Database
from mentra_platform.core.tables import ApiProcess

log = logging.getLogger(__name__)

HOSTNAME = socket.gethostname()[:255]
FORGET_AFTER = timedelta(days=1)
"""Rows of processes silent this long are deleted by the next heartbeat of any process."""

_live_here: set[str] = set()
_live_lock = threading.Lock()


def pid_alive(pid: int) -> bool:
    """True when ``pid`` names a running (not zombie) process on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


class ProcessHeartbeat:
    """This process's identity and its heartbeat row."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.pid = os.getpid()
        self.started_at = utcnow()
        with _live_lock:
            _live_here.add(self.id)

    def beat(self, db: Database, now: datetime | None = None) -> None:
        """Insert or refresh this process's row (and forget long-silent processes)."""
        now = now or utcnow()
        with db.write() as session:
            refreshed = session.execute(
                update(ApiProcess).where(ApiProcess.id == self.id).values(heartbeat_at=now)
            )
            if refreshed.rowcount == 0:  # type: ignore[attr-defined]
                session.add(
                    ApiProcess(
                        id=self.id,
                        hostname=HOSTNAME,
                        pid=self.pid,
                        started_at=self.started_at,
                        heartbeat_at=now,
                    )
                )
                forgotten = ApiProcess.heartbeat_at < now - FORGET_AFTER
                session.execute(delete(ApiProcess).where(forgotten))
            session.commit()

    def stop(self) -> None:
        """This process is shutting down: no longer vouch for it in-process."""
        with _live_lock:
            _live_here.discard(self.id)


def is_dead(session: Session, owner: str | None, stale_after: timedelta) -> bool:
    """Whether the process ``owner`` is known to be gone (see the module docstring)."""
    if owner is None:
        return False
    with _live_lock:
        if owner in _live_here:
            return False
    row = session.get(ApiProcess, owner)
    if row is None:
        return False
    if row.heartbeat_at < utcnow() - stale_after:
        return True
    if row.hostname != HOSTNAME:
        return False
    return row.pid == os.getpid() or not pid_alive(row.pid)
