"""The login throttle holds under concurrency: a burst of parallel guesses gets no more
password checks than the limit allows."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx


def test_parallel_guesses_get_at_most_the_allowed_checks(live_server: Any) -> None:
    bad = {"email": "mentor7@example.com", "password": "guess"}
    limit = live_server.settings.login_max_failures

    def guess(_: int) -> int:
        with httpx.Client(base_url=live_server.url, timeout=30) as c:
            return c.post("/api/v1/auth/login", json=bad).status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = Counter(pool.map(guess, range(30)))
    assert set(codes) <= {401, 429, 503}, codes  # 503: the password-check queue is full
    assert codes[401] <= limit, codes
    with httpx.Client(base_url=live_server.url, timeout=10) as c:
        good = {"email": "mentor7@example.com", "password": "password123"}
        assert c.post("/api/v1/auth/login", json=good).status_code == 429
