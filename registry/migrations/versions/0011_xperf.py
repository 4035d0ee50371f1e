"""xperf: api_key.scopes_version, so cached consumer scopes are invalidated at once in every API process

Revision ID: 0011_xperf
Revises: 0009_net
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_xperf"
down_revision = "0009_net"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("scopes_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("scopes_version")
