"""Fixtures for the example applications: in-process clients (no server) and the canonical schema registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from examples.apps import create_app
from tests.examples.examples_testkit import ROOT


@pytest.fixture(scope="session")
def make_client() -> Callable[..., TestClient]:
    """``make_client(app, profile, **knobs)``: a TestClient; clients are cached per arguments for speed."""
    cache: dict[tuple[Any, ...], TestClient] = {}

    def make(app: str, profile: str = "good", **knobs: Any) -> TestClient:
        key = (app, profile, tuple(sorted(knobs.items())))
        if key not in cache:
            cache[key] = TestClient(create_app(app, profile, **knobs), raise_server_exceptions=False)
        return cache[key]

    return make


@pytest.fixture
def fresh_client() -> Callable[..., TestClient]:
    """An uncached client, for tests that write or count requests."""
    def make(app: str, profile: str = "good", **knobs: Any) -> TestClient:
        return TestClient(create_app(app, profile, **knobs), raise_server_exceptions=False)
    return make


@pytest.fixture(scope="session")
def schema_registry() -> Any:
    """A ``referencing.Registry`` of every canonical schema file, or skip when schemas/ has none yet."""
    from referencing import Registry, Resource

    files = [p for p in (ROOT / "schemas").rglob("*.json") if "examples" not in p.parts]
    if not files:
        pytest.skip("schemas/ has no canonical schema yet")
    resources = []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in doc:
            resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)
