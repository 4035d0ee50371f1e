"""Test databases for the registry and everything built on it (SQLite and PostgreSQL).

- SQLite: the schema is migrated once into a template file; each test gets a copy (fast, isolated).
- PostgreSQL (when ``SIMPUL_TEST_POSTGRES_URL`` is set): one fresh schema per test session, selected through
  ``search_path`` in the URL, dropped at the end; every test starts with empty tables. Reruns stay clean and
  parallel sessions on the same server do not meet.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

from registry.db import Database, make_engine, normalize_url, upgrade

POSTGRES_ENV = "SIMPUL_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


class SqliteTemplate:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        upgrade(f"sqlite:///{self.path}")

    def copy(self, folder: Path, name: str = "registry.db") -> str:
        target = folder / name
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"


class PostgresSchema:
    def __init__(self, base_url: str) -> None:
        self.base_url = normalize_url(base_url)
        self.schema = f"simpul_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        engine = make_engine(self.base_url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        engine.dispose()
        sep = "&" if "?" in self.base_url else "?"
        self.url = f"{self.base_url}{sep}options={quote(f'-csearch_path={self.schema}')}"
        upgrade(self.url)

    def truncate(self) -> None:
        engine = make_engine(self.url)
        with engine.begin() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s "
                                       "AND tablename <> 'alembic_version'"), {"s": self.schema}).scalars().all()
            if tables:
                names = ", ".join(f'"{self.schema}"."{t}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()

    def drop(self) -> None:
        engine = make_engine(self.base_url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        engine.dispose()


def open_database(url: str) -> Database:
    return Database(url)
