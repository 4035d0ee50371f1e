"""The rate limit of a key is one budget however many API processes serve it (PostgreSQL), and per process in
memory with SQLite."""

from __future__ import annotations

import pytest

from hub.exchange import ratelimit
from registry.db import Database


def test_two_api_processes_share_one_bucket(registry_db: Database):
    if registry_db.backend != "postgresql":
        pytest.skip("shared buckets live in PostgreSQL")
    other = Database(registry_db.url)  # a second API process: its own engine and connections
    try:
        answers = [ratelimit.take(db, "key-7", 4) for db in (registry_db, other, registry_db, other, other)]
        assert answers[:4] == [0.0, 0.0, 0.0, 0.0]
        assert answers[4] >= 1.0  # the fifth request in the same minute waits, whichever process it reaches
        assert ratelimit.take(other, "key-8", 4) == 0.0  # another key has its own bucket
    finally:
        other.dispose()


def test_memory_buckets_on_sqlite(registry_db: Database):
    if registry_db.backend != "sqlite":
        pytest.skip("SQLite keeps buckets in the process")
    ratelimit.buckets.reset()
    assert [ratelimit.take(registry_db, "k", 2) for _ in range(3)][:2] == [0.0, 0.0]
    assert ratelimit.buckets.take("k", 2) >= 1.0
    ratelimit.buckets.reset()
