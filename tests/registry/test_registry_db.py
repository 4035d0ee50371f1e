"""Storage: migrations on SQLite and PostgreSQL, SQLite pragmas, upgrade on first use."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from registry.db import Database, current_revision, head_revision, upgrade
from registry.errors import DatabaseUnavailable


def test_schema_is_at_head_and_upgrade_is_idempotent(registry_db: Database):
    assert current_revision(registry_db.engine) == head_revision()
    assert upgrade(registry_db.url) == head_revision()
    tables = set(inspect(registry_db.engine).get_table_names())
    assert {"registry_pemda", "registry_opd", "registry_application", "registry_change", "api_key"} <= tables
    assert registry_db.check() == "ok"


def test_first_use_creates_the_schema(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'sub' / 'new.db'}")
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM registry_application")).scalar() == 0
    assert current_revision(db.engine) == head_revision()
    db.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_unreachable_database_is_a_clear_error():
    db = Database("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=1")
    with pytest.raises(DatabaseUnavailable) as info, db.session():
        pass
    assert "secret" not in str(info.value)
    assert "***" in info.value.params["url"]
    db.dispose()
