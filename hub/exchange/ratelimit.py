"""Per-key rate limit of the canonical API: a token bucket in memory, per process.

Each key has ``rate`` requests per minute (its scope's ``rate_per_minute`` or ``SIMPUL_EXCHANGE_RATE_PER_MINUTE``)
with a burst of the same size. With several API processes each keeps its own buckets (the effective limit is
multiplied by the number of processes): put a shared limiter in the reverse proxy if that matters.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    def __init__(self) -> None:
        self._buckets: dict[int | str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: int | str, rate_per_minute: int, *, now: float | None = None) -> float:
        """0 when the request may pass; otherwise the seconds to wait (for Retry-After)."""
        if rate_per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        per_second = rate_per_minute / 60.0
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(rate_per_minute), now)
            bucket.tokens = min(float(rate_per_minute), bucket.tokens + (now - bucket.stamp) * per_second)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return max(1.0, math.ceil((1.0 - bucket.tokens) / per_second))

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


buckets = TokenBuckets()


class TooManyRequests(Exception):
    """Raised by the canonical API when a key's bucket is empty; answered 429 with Retry-After."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after
