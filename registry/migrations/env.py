"""Alembic environment of Simpul (programmatic: see registry.db.alembic_config; no alembic.ini needed).

SQLite migrations run in batch mode (copy-and-move tables), so ALTERs work on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

# Every table module, so the metadata Alembic compares against is complete: assessment runs, answers and jobs;
# canonical records, outbox, subscriptions and the audit log; the job queue; web users and sessions.
from registry import (  # noqa: F401
    tables_assessment,
    tables_exchange,
    tables_federation,
    tables_queue,
    tables_web,
)
from registry.tables import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
