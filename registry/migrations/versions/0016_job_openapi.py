"""job openapi: assessment_job.openapi, the OpenAPI URL or document an API caller gave for this job's application

Without it only a worker inside the API process (the in-memory seam) knew the override, and a separate
``simpul worker`` assessed the application without it.

Revision ID: 0016_job_openapi
Revises: 0015_store_lookup
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_job_openapi"
down_revision = "0015_store_lookup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_job") as batch:
        batch.add_column(sa.Column("openapi", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment_job") as batch:
        batch.drop_column("openapi")
