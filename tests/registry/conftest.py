"""Registry fixtures: every test that takes ``registry_db`` runs on SQLite and, when SIMPUL_TEST_POSTGRES_URL is
set, again on PostgreSQL (marked ``postgres``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.db import Database

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry" / "registry.yaml"


@pytest.fixture
def registry_db(registry_db_url: str) -> Iterator[Database]:
    db = Database(registry_db_url)
    yield db
    db.dispose()


@pytest.fixture
def example_yaml() -> bytes:
    return EXAMPLE.read_bytes()


@pytest.fixture
def loaded_db(registry_db: Database, example_yaml: bytes) -> Database:
    from registry.io import import_batch, read

    with registry_db.session() as s:
        report = import_batch(s, read(example_yaml, "yaml"), "test:loader")
    assert report.valid, report.errors
    return registry_db
