"""inconclusive: assessment_run.count_inconclusive, the timing checks Simpul's own busy event loop made unjudgeable

Revision ID: 0013_inconclusive
Revises: 0012_federation
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_inconclusive"
down_revision = "0012_federation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # runs stored before this revision had no inconclusive check: 0 is their true count
    with op.batch_alter_table("assessment_run") as batch:
        batch.add_column(sa.Column("count_inconclusive", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("assessment_run") as batch:
        batch.drop_column("count_inconclusive")
