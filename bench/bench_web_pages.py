"""Web page latency: ``python -m bench.bench_web_pages``.

The real app under uvicorn on 127.0.0.1 over a demo-seeded SQLite database, one client
(httpx, keep-alive), measured from the request to the last byte:

* a mentor's response page (``GET /respond/<token>``) of a collecting council;
* sending that form (``POST``: CSRF check, the response service, the engine's instant
  confirmation check, commit, the 303) — alternating two sets of answers;
* the mentee's council page (``GET /council``) for council@example.com (every demo council
  of theirs, upcoming and past, rendered with their documents).

No target was set for these (issue 11); the figures say what a phone waits for on the
server's side.
"""

from __future__ import annotations

import re
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select

from mentra_desktop.models import CoordinationStatus, CouncilMentor, CouncilSession, utcnow
from mentra_platform.core.config import Settings
from mentra_platform.core.db import make_database
from mentra_platform.core.migrate import upgrade
from mentra_platform.core.security import password_hasher
from mentra_platform.http.app import create_app
from mentra_platform.responses.page_links import make_page_claims, sign_page_token
from mentra_platform.seed import DEMO_PASSWORD, seed_demo

ROUNDS = 200
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def _serve(settings: Settings) -> tuple[uvicorn.Server, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, proxy_headers=False
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{port}"


def _timed(call: Callable[[], httpx.Response], expect: int) -> list[float]:
    out = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = call()
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == expect, response.text[:300]
    return out


def _row(name: str, ms: list[float]) -> None:
    ms.sort()
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"| {name} | {statistics.median(ms):.1f} ms | {p95:.1f} ms | {len(ms)} |")


def main() -> None:
    print("\n### Web pages (SQLite, demo data, one client, server-side latency)\n")
    print("| request | median | p95 | requests |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        settings = Settings(
            database_url=url,
            secret_key="bench-web-pages",
            argon2_time_cost=1,
            argon2_memory_cost=8,
            argon2_parallelism=1,
            confirmation_notice_hours=24.0 * 366,  # answers never confirm: same work each time
        )
        db = make_database(settings)
        with db.write() as s:
            seed_demo(s, password_hasher(settings), now=utcnow())
            s.commit()
            seat = s.scalars(
                select(CouncilMentor)
                .join(CouncilSession, CouncilSession.id == CouncilMentor.council_id)
                .where(
                    CouncilSession.coordination_status == CoordinationStatus.COLLECTING,
                    CouncilSession.mentor_response_deadline > utcnow(),
                )
                .order_by(CouncilMentor.id)
            ).first()
            assert seat is not None
            claims = make_page_claims(
                seat.council_id, seat.id, seat.mentor_id, now=utcnow(), lifetime=timedelta(hours=1)
            )
            slots = [sl.id for sl in seat.council.slots]
        db.dispose()
        link = "/respond/" + sign_page_token(settings.secret_key.encode(), claims)
        server, base = _serve(settings)
        try:
            with httpx.Client(base_url=base, timeout=30) as c:
                _row(
                    f"`GET /respond/<token>` (the form, {len(slots)} slots)",
                    _timed(lambda: c.get(link), 200),
                )
                token = CSRF.search(c.get(link).text)
                assert token is not None
                forms = [
                    {f"slot-{sl}-answer": a for sl in slots} | {"csrf": token.group(1), "note": a}
                    for a in ("available", "tentative")
                ]
                turn = iter(range(10**9))
                _row(
                    "`POST /respond/<token>` (record, engine check, 303)",
                    _timed(lambda: c.post(link, data=forms[next(turn) % 2]), 303),
                )
                page = c.get("/signin")
                found = CSRF.search(page.text)
                assert found is not None
                signed = c.post(
                    "/signin",
                    data={
                        "email": "council@example.com",
                        "password": DEMO_PASSWORD,
                        "csrf": found.group(1),
                    },
                )
                assert signed.status_code == 303, signed.text
                count = c.get("/council").text.count('class="card" id="council-')
                _row(
                    f"`GET /council` (council@example.com: {count} upcoming councils)",
                    _timed(lambda: c.get("/council"), 200),
                )
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
