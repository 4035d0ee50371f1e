"""Fixtures of the application registry for hub tests (API and CLI). Nothing else lives here.

``registry_db`` is parametrised: SQLite always, PostgreSQL too when SIMPUL_TEST_POSTGRES_URL is set.
``registry_api`` is a TestClient whose registry database is ``registry_db``; ``registry_key(role, ...)`` makes an
API key and returns its request headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from registry.db import Database, forget_databases

REGISTRY_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry" / "registry.yaml"


@pytest.fixture
def registry_db(registry_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The registry database; also SIMPUL_DATABASE_URL, so the CLI uses it."""
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_DATABASE_URL", registry_db_url)
    get_settings.cache_clear()
    db = Database(registry_db_url)
    yield db
    db.dispose()
    forget_databases()


@pytest.fixture
def registry_api(registry_db: Database):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from hub.api.app import create_app
    from hub.services.registry_db import get_database

    app = create_app()
    app.dependency_overrides[get_database] = lambda: registry_db
    with TestClient(app) as client:
        yield client


@pytest.fixture
def registry_key(registry_db: Database) -> Callable[..., dict[str, str]]:
    from hub.services.registry_access import Principal
    from hub.services.registry_keys import ApiKeyIn, KeyService

    def make(role: str = "admin", name: str | None = None, kode_pemda: str | None = None,
             kode_opd: str | None = None) -> dict[str, str]:
        key = KeyService(registry_db, Principal.cli()).create(
            ApiKeyIn(name=name or f"test {role}", role=role, kode_pemda=kode_pemda, kode_opd=kode_opd))
        return {"Authorization": f"Bearer {key.token}"}

    return make


@pytest.fixture
def registry_loaded(registry_db: Database) -> Database:
    """``registry_db`` holding the sample registry of examples/registry (Kota Blitar)."""
    from registry.io import import_batch, read

    with registry_db.session() as s:
        report = import_batch(s, read(REGISTRY_EXAMPLE.read_bytes(), "yaml"), "test:loader")
    assert report.valid, report.errors
    return registry_db
