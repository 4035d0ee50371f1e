"""exchange: canonical records, quarantine, sync cursors, subscriptions, outbox, consumer scopes, audit log

Revision ID: 0003_exchange
Revises: 0002_assessment
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_exchange"
down_revision = "0002_assessment"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "exchange_record",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schema_key", sa.String(80), nullable=False),
        sa.Column("record_key", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("schema_version", sa.String(120), nullable=False),
        sa.Column("source_app", sa.String(80), nullable=False),
        sa.Column("source_resource", sa.String(80), nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.Column("kode_opd", sa.String(40), nullable=True),
        sa.Column("tahun", sa.Integer(), nullable=True),
        sa.Column("sync_run", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_record")),
        sa.UniqueConstraint("schema_key", "record_key", "version", name="uq_exchange_record_key_version"),
    )
    op.create_index("ix_exchange_record_current", "exchange_record", ["schema_key", "is_current", "id"])
    op.create_index("ix_exchange_record_lookup", "exchange_record", ["schema_key", "record_key", "is_current"])
    op.create_index(op.f("ix_exchange_record_source_app"), "exchange_record", ["source_app"])
    op.create_index(op.f("ix_exchange_record_kode_opd"), "exchange_record", ["kode_opd"])
    op.create_index(op.f("ix_exchange_record_tahun"), "exchange_record", ["tahun"])

    op.create_table(
        "exchange_quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_app", sa.String(80), nullable=False),
        sa.Column("source_resource", sa.String(80), nullable=False),
        sa.Column("schema_key", sa.String(80), nullable=True),
        sa.Column("record_key", sa.String(300), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_quarantine")),
        sa.UniqueConstraint("source_app", "source_resource", "content_hash", name="uq_exchange_quarantine_content"),
    )
    op.create_index(op.f("ix_exchange_quarantine_source_app"), "exchange_quarantine", ["source_app"])
    op.create_index(op.f("ix_exchange_quarantine_schema_key"), "exchange_quarantine", ["schema_key"])

    op.create_table(
        "exchange_sync_cursor",
        sa.Column("app", sa.String(80), nullable=False),
        sa.Column("resource", sa.String(80), nullable=False),
        sa.Column("since", sa.String(60), nullable=True),
        sa.Column("last_run_at", TS, nullable=True),
        sa.Column("last_status", sa.String(20), nullable=True),
        sa.Column("last_counts", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("app", "resource", name=op.f("pk_exchange_sync_cursor")),
    )

    op.create_table(
        "exchange_subscription",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("consumer_app", sa.String(80), nullable=True),
        sa.Column("schema_key", sa.String(80), nullable=False),
        sa.Column("kode_opd", sa.String(40), nullable=True),
        sa.Column("tahun", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("url", sa.String(1000), nullable=True),
        sa.Column("secret_enc", sa.Text(), nullable=True),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_subscription")),
    )
    op.create_index(op.f("ix_exchange_subscription_schema_key"), "exchange_subscription", ["schema_key"])

    op.create_table(
        "exchange_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(40), nullable=False),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("schema_key", sa.String(80), nullable=False),
        sa.Column("record_key", sa.String(300), nullable=False),
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("claimed_until", sa.Float(), nullable=True),
        sa.Column("claimed_by", sa.String(80), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("delivered_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_outbox")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_exchange_outbox_delivery_id")),
    )
    op.create_index("ix_exchange_outbox_due", "exchange_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_exchange_outbox_order", "exchange_outbox", ["subscription_id", "record_key", "id"])
    op.create_index(op.f("ix_exchange_outbox_subscription_id"), "exchange_outbox", ["subscription_id"])
    op.create_index(op.f("ix_exchange_outbox_record_id"), "exchange_outbox", ["record_id"])

    op.create_table(
        "exchange_consumer_scope",
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(120), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=True),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("granted_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("key_id", "scope", name=op.f("pk_exchange_consumer_scope")),
    )

    op.create_table(
        "exchange_audit",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(300), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_audit")),
    )
    op.create_index(op.f("ix_exchange_audit_action"), "exchange_audit", ["action"])
    op.create_table(
        "exchange_audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_audit_head")),
    )
    op.bulk_insert(sa.table("exchange_audit_head", sa.column("id", sa.Integer), sa.column("last_id", sa.Integer),
                            sa.column("last_hash", sa.String)),
                   [{"id": 1, "last_id": 0, "last_hash": "0" * 64}])


def downgrade() -> None:
    for table in ("exchange_audit_head", "exchange_audit", "exchange_consumer_scope", "exchange_outbox",
                  "exchange_subscription", "exchange_sync_cursor", "exchange_quarantine", "exchange_record"):
        op.drop_table(table)
