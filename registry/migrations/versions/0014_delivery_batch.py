"""delivery batch: a webhook subscription may ask for up to N deliveries in one signed POST (batch_size, default 1)

Revision ID: 0014_delivery_batch
Revises: 0013_inconclusive
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_delivery_batch"
down_revision = "0013_inconclusive"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_subscription") as batch:
        batch.add_column(sa.Column("batch_size", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("exchange_subscription") as batch:
        batch.drop_column("batch_size")
