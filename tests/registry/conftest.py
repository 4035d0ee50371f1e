"""Registry fixtures: every test that takes ``registry_db`` runs on SQLite and, when SIMPUL_TEST_POSTGRES_URL is
set, again on PostgreSQL (marked ``postgres``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.db import Database, forget_databases
from registry.testing import PostgresSchema, SqliteTemplate, postgres_url

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry" / "registry.yaml"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def registry_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("registry-template"))


@pytest.fixture(scope="session")
def registry_postgres() -> Iterator[PostgresSchema]:
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL: set SIMPUL_TEST_POSTGRES_URL to run")
    schema = PostgresSchema(url)
    yield schema
    forget_databases()
    schema.drop()


@pytest.fixture(params=BACKENDS)
def registry_db_url(request: pytest.FixtureRequest, tmp_path: Path,
                    registry_sqlite_template: SqliteTemplate) -> str:
    if request.param == "sqlite":
        return registry_sqlite_template.copy(tmp_path)
    schema: PostgresSchema = request.getfixturevalue("registry_postgres")
    schema.truncate()
    return schema.url


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
