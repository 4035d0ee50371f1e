"""Suite-wide fixtures: every test runs against its own temporary SQLite file and output folder."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors import netpolicy
from registry.db import forget_databases
from registry.testing import PostgresSchema, SqliteTemplate, postgres_url

warnings.filterwarnings("ignore", message=".*httpx2.*")

# Registry databases for the tests of every package: SQLite always, PostgreSQL too when SIMPUL_TEST_POSTGRES_URL
# is set (marked ``postgres``). Each folder's conftest builds its ``registry_db`` on ``registry_db_url``.
REGISTRY_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """argon2id still, at the lowest cost: the defaults (64 MiB, t=3) take ~0.15 s per hash or check, and the web
    tests sign in hundreds of times. What is stored and checked stays a real argon2id hash."""
    from argon2 import PasswordHasher

    from hub.services import users

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    real = users.hasher
    users.hasher = lambda: fast  # type: ignore[assignment]
    users._dummy_hash.cache_clear()
    yield
    users.hasher = real  # type: ignore[assignment]
    users._dummy_hash.cache_clear()


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test writes ./simpul.db or ./simpul-output, and settings are re-read for each test."""
    from hub.settings import get_settings

    if "SIMPUL_DATABASE_URL" not in os.environ:
        monkeypatch.setenv("SIMPUL_DATABASE_URL", f"sqlite:///{tmp_path / 'simpul.db'}")
    monkeypatch.setenv("SIMPUL_OUTPUT_DIR", str(tmp_path / "simpul-output"))
    monkeypatch.delenv("SIMPUL_LANG", raising=False)
    monkeypatch.setenv("SIMPUL_SERVE_WORKERS", "on")  # the test app runs its queue's jobs on PostgreSQL too
    get_settings.cache_clear()
    netpolicy.reset()  # loopback only, unless a test allows more
    yield
    from hub.exchange import audit

    audit.close_buffers()  # buffered read entries land in this test's database, never in the next one's
    get_settings.cache_clear()
    netpolicy.reset()


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


@pytest.fixture(params=REGISTRY_BACKENDS)
def registry_db_url(request: pytest.FixtureRequest, tmp_path: Path,
                    registry_sqlite_template: SqliteTemplate) -> str:
    if request.param == "sqlite":
        return registry_sqlite_template.copy(tmp_path)
    schema: PostgresSchema = request.getfixturevalue("registry_postgres")
    schema.truncate()
    return schema.url
