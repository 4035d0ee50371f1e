"""federation: a provincial Simpul's kabupaten/kota members and the copies pulled from them; schedule.kind widened

Revision ID: 0012_federation
Revises: 0011_xperf
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_federation"
down_revision = "0011_xperf"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _copy_table(name: str, key: str, key_len: int, *extra: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("kode_pemda", sa.String(5), nullable=False),
        sa.Column(key, sa.String(key_len), nullable=False),
        *extra,
        sa.Column("fetched_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["kode_pemda"], ["federation_member.kode_pemda"], ondelete="CASCADE",
                                name=op.f(f"fk_{name}_kode_pemda_federation_member")),
        sa.PrimaryKeyConstraint("kode_pemda", key, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    # schedules of kind "federation-pull" (15 characters); SQLite does not enforce VARCHAR lengths
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("schedule", "kind", type_=sa.String(20), existing_type=sa.String(10), existing_nullable=False)
    op.create_table(
        "federation_member",
        sa.Column("kode_pemda", sa.String(5), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("key_env", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("pemda", sa.JSON(), nullable=True),
        sa.Column("fetched_at", TS, nullable=True),
        sa.Column("last_attempt_at", TS, nullable=True),
        sa.Column("last_status", sa.String(20), nullable=False),
        sa.Column("last_error", sa.JSON(), nullable=True),
        sa.Column("last_duration_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("kode_pemda", name=op.f("pk_federation_member")),
        sa.UniqueConstraint("name", name=op.f("uq_federation_member_name")),
    )
    _copy_table("federation_opd", "kode", 60, sa.Column("data", sa.JSON(), nullable=False))
    _copy_table("federation_application", "app_id", 80, sa.Column("data", sa.JSON(), nullable=False))
    _copy_table("federation_run", "app_id", 80,
                sa.Column("run_id", sa.String(40), nullable=False),
                sa.Column("finished_at", TS, nullable=False),
                sa.Column("level", sa.Integer(), nullable=False),
                sa.Column("result", sa.JSON(), nullable=False))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DELETE FROM schedule WHERE kind = 'federation-pull'")
        op.alter_column("schedule", "kind", type_=sa.String(10), existing_type=sa.String(20), existing_nullable=False)
    for name in ("federation_run", "federation_application", "federation_opd", "federation_member"):
        op.drop_table(name)
