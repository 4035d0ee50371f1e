"""queue: assessment job items, schedules, shared rate-limit buckets; procrastinate's queue on PostgreSQL

Revision ID: 0006_queue
Revises: 0003_exchange
Create Date: 2026-12-07

On PostgreSQL this revision also installs the job queue of procrastinate (its tables, types, functions and
triggers, from the schema file of the installed procrastinate 3.x) in the current schema. A later procrastinate
release that changes its schema comes with its own SQL migration files: they are applied by a new Alembic
revision, never by hand. On SQLite the queue lives in memory (one process) and nothing is created for it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_queue"
down_revision = "0005_web"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
PROCRASTINATE_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
                        "procrastinate_workers")


def upgrade() -> None:
    op.add_column("assessment_job", sa.Column("queue_job_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "assessment_job_item",
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("app_id", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("current_check", sa.String(120), nullable=True),
        sa.Column("run_id", sa.String(40), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("queue_job_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("job_id", "app_id", name=op.f("pk_assessment_job_item")),
    )
    op.create_index("ix_assessment_job_item_job", "assessment_job_item", ["job_id", "position"])
    op.create_table(
        "schedule",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("target", sa.String(80), nullable=True),
        sa.Column("cron", sa.String(120), nullable=False),
        sa.Column("timezone", sa.String(60), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("next_run_at", sa.Float(), nullable=True),
        sa.Column("last_run_at", sa.Float(), nullable=True),
        sa.Column("last_result", sa.JSON(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    op.create_index("ix_schedule_due", "schedule", ["enabled", "next_run_at"])
    op.create_table(
        "rate_bucket",
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_bucket")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        raw = bind.connection.dbapi_connection  # no parameters: the schema's "%" stay as they are
        if raw is None:
            raise RuntimeError("no DBAPI connection to install procrastinate's schema with")
        with raw.cursor() as cursor:
            cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in PROCRASTINATE_TABLES:
            bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        functions = bind.exec_driver_sql(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'").scalars().all()
        for signature in functions:
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        types = bind.exec_driver_sql(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%%' AND t.typtype IN ('e', 'c')"
        ).scalars().all()
        for name in types:
            bind.exec_driver_sql(f"DROP TYPE IF EXISTS {name} CASCADE")
    op.drop_table("rate_bucket")
    op.drop_index("ix_schedule_due", table_name="schedule")
    op.drop_table("schedule")
    op.drop_index("ix_assessment_job_item_job", table_name="assessment_job_item")
    op.drop_table("assessment_job_item")
    with op.batch_alter_table("assessment_job") as batch:
        batch.drop_column("queue_job_id")
