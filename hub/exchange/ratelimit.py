"""Per-key rate limit of the canonical API: a token bucket per key, shared by every API process.

Each key has ``rate`` requests per minute (its scope's ``rate_per_minute`` or ``SIMPUL_EXCHANGE_RATE_PER_MINUTE``)
with a burst of the same size.

- PostgreSQL (``SIMPUL_RATE_LIMIT_BACKEND=auto`` or ``database``): the bucket is a row of ``rate_bucket``, taken
  with one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on the database's clock, so N API processes on
  several machines give a key the same ``rate`` in total (not N × rate) and their clocks do not matter.
- SQLite (one process) or ``memory``: the buckets live in the process.

Why not Redis: PostgreSQL is already there and one round trip per request (well under a millisecond on a LAN) is
small next to the request it guards; a second server to run and secure is not.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from sqlalchemy import text

from registry.db import Database


@dataclass
class _Bucket:
    tokens: float
    stamp: float


def _wait(tokens: float, per_second: float) -> float:
    return max(1.0, math.ceil((1.0 - tokens) / per_second))


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
            return _wait(bucket.tokens, per_second)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


# The bucket refilled to now, capped at the burst; one token taken when there is one. The WHERE makes the UPDATE a
# no-op when the bucket is empty (no row returned: refused).
_TAKE = text("""
INSERT INTO rate_bucket (key, tokens, stamp)
VALUES (:key, :cap - 1, extract(epoch FROM clock_timestamp()))
ON CONFLICT (key) DO UPDATE SET
    tokens = LEAST(:cap, rate_bucket.tokens + (extract(epoch FROM clock_timestamp()) - rate_bucket.stamp) * :per_s) - 1,
    stamp = extract(epoch FROM clock_timestamp())
WHERE LEAST(:cap, rate_bucket.tokens + (extract(epoch FROM clock_timestamp()) - rate_bucket.stamp) * :per_s) >= 1
RETURNING tokens
""")
_PEEK = text("SELECT LEAST(:cap, tokens + (extract(epoch FROM clock_timestamp()) - stamp) * :per_s) "
             "FROM rate_bucket WHERE key = :key")


class DatabaseBuckets:
    """The same buckets in PostgreSQL's ``rate_bucket`` table."""

    def take(self, db: Database, key: int | str, rate_per_minute: int) -> float:
        if rate_per_minute <= 0:
            return 0.0
        params = {"key": str(key)[:120], "cap": float(rate_per_minute), "per_s": rate_per_minute / 60.0}
        with db.session() as s:
            if s.execute(_TAKE, params).first() is not None:
                return 0.0
            tokens = s.execute(_PEEK, params).scalar()
        return _wait(float(tokens or 0.0), params["per_s"])

    def reset(self, db: Database) -> None:
        with db.session() as s:
            s.execute(text("DELETE FROM rate_bucket"))


buckets = TokenBuckets()
shared_buckets = DatabaseBuckets()


def take(db: Database, key: int | str, rate_per_minute: int) -> float:
    """0 when the request may pass, else seconds to wait: in the database or in memory (module doc)."""
    from hub.settings import get_settings

    backend = get_settings().rate_limit_backend
    if backend == "database" or (backend == "auto" and db.backend == "postgresql"):
        return shared_buckets.take(db, key, rate_per_minute)
    return buckets.take(key, rate_per_minute)


class TooManyRequests(Exception):
    """Raised by the canonical API when a key's bucket is empty; answered 429 with Retry-After."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after
