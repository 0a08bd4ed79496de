"""Retry delays: exponential, capped, jittered, and never shorter than Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """``delay(n)`` for the n-th consecutive failure (0-based) is "equal jitter": half of
    ``min(cap, base * factor**n)`` plus a random part up to the other half, so clients that
    failed together do not come back together. A server's ``retry_after`` is a floor,
    spread by up to 10 % for the same reason."""

    base: float = 0.5
    cap: float = 60.0
    factor: float = 2.0

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        draw = (rng or random).uniform
        ceiling = min(self.cap, self.base * self.factor ** min(attempt, 32))
        jittered = ceiling / 2 + draw(0, ceiling / 2)
        if retry_after is None:
            return jittered
        return max(jittered, retry_after * draw(1.0, 1.1))
