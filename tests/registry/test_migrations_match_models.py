"""The migrations build exactly the schema the models describe.

A column the model calls NOT NULL while the migration made it nullable (or a shorter VARCHAR on PostgreSQL, which
refuses a longer value) is a bug that only shows on an upgraded production database, never on a test database
made from the models. Alembic's own comparison of a migrated database with the models must find nothing.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from registry.db import Database
from registry.tables import Base

# procrastinate's tables belong to the queue library and are created by its own migrations (hub/queue/backend.py)
FOREIGN_PREFIX = "procrastinate_"


def _ours(obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    table = obj.table.name if type_ in ("column", "index", "unique_constraint", "foreign_key_constraint") else name
    return not str(table or "").startswith(FOREIGN_PREFIX)


def test_migrated_database_matches_the_models(registry_db: Database) -> None:
    # SQLite ignores VARCHAR lengths (and cannot ALTER a column's type in place), PostgreSQL enforces them
    compare_type = registry_db.backend == "postgresql"
    with registry_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": compare_type, "include_object": _ours})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
