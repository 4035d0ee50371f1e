"""net: registry-wide settings from the registry file's header (probe_allow)

Revision ID: 0009_net
Revises: 0003_exchange
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_net"
down_revision = "0006_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_setting",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_registry_setting")),
    )


def downgrade() -> None:
    op.drop_table("registry_setting")
