"""Fixtures of the exchange tests: a registry database (SQLite, and PostgreSQL when configured) with fast retry
settings, and helpers to store canonical records and answer webhooks in-process."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.db import Database

EXAMPLES = Path(__file__).resolve().parents[3] / "schemas"


@pytest.fixture
def exdb(registry_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    from hub.exchange.ratelimit import buckets
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "test-master-key")
    monkeypatch.setenv("SIMPUL_EXCHANGE_RETRY_BASE_S", "0")
    monkeypatch.setenv("SIMPUL_EXCHANGE_RETRY_MAX_S", "0")
    monkeypatch.setenv("SIMPUL_EXCHANGE_MAX_ATTEMPTS", "3")
    get_settings.cache_clear()
    buckets.reset()
    yield registry_db
    buckets.reset()


def example_document(schema: str) -> dict[str, Any]:
    folder = EXAMPLES / schema / "examples" / "valid"
    return json.loads(sorted(folder.glob("*.json"))[0].read_text(encoding="utf-8"))


@pytest.fixture
def sub_kegiatan() -> Callable[..., dict[str, Any]]:
    base = example_document("perencanaan/sub_kegiatan")

    def make(**changes: Any) -> dict[str, Any]:
        doc = copy.deepcopy(base)
        doc.update(changes)
        return doc

    return make


class Consumer:
    """An in-process webhook consumer: records every request; ``fail_with`` makes it answer that status."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.fail_with: int | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_with:
            return httpx.Response(self.fail_with, text="down for maintenance")
        return httpx.Response(200, json={"ok": True})

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def consumer() -> Consumer:
    return Consumer()
