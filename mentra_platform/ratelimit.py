"""In-process login throttle: N failures per (email, client) in a sliding window → 429.

Per API process; with several workers each counts separately, which still bounds
guessing to ``workers × N`` attempts per window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque


class LoginThrottle:
    def __init__(self, max_failures: int, window_seconds: float) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, email: str, client: str, now: float | None = None) -> int:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._prune((email, client), now)
            if len(times) < self.max_failures:
                return 0
            return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, email: str, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._prune((email, client), now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spray of emails
                self._failures.clear()

    def succeeded(self, email: str, client: str) -> None:
        with self._lock:
            self._failures.pop((email, client), None)
