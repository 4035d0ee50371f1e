"""assessment: stored runs, manual answers (with history), background jobs

Revision ID: 0002_assessment
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_assessment"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assessment_run",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("app_id", sa.String(length=80), nullable=False),
        sa.Column("app_name", sa.String(length=200), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("catalog_version", sa.String(length=60), nullable=False),
        sa.Column("overall_score", sa.Float(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("score_reliable", sa.Float(), nullable=True),
        sa.Column("score_interoperable", sa.Float(), nullable=True),
        sa.Column("score_scalable", sa.Float(), nullable=True),
        sa.Column("score_user_friendly", sa.Float(), nullable=True),
        sa.Column("score_integrateable", sa.Float(), nullable=True),
        sa.Column("count_pass", sa.Integer(), nullable=False),
        sa.Column("count_warning", sa.Integer(), nullable=False),
        sa.Column("count_fail", sa.Integer(), nullable=False),
        sa.Column("count_not_applicable", sa.Integer(), nullable=False),
        sa.Column("count_error", sa.Integer(), nullable=False),
        sa.Column("count_not_answered", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("based_on", sa.String(length=40), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_run")),
    )
    op.create_index("ix_assessment_run_app_created", "assessment_run", ["app_id", "created_at", "id"])
    op.create_index("ix_assessment_run_created", "assessment_run", ["created_at", "id"])

    op.create_table(
        "assessment_manual_answer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("app_id", sa.String(length=80), nullable=False),
        sa.Column("check_id", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        sa.Column("answered_at", TS, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_manual_answer")),
    )
    op.create_index("ix_assessment_manual_answer_app_check", "assessment_manual_answer",
                    ["app_id", "check_id", "id"])

    op.create_table(
        "assessment_job",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("app_ids", sa.JSON(), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("current_check", sa.String(length=120), nullable=True),
        sa.Column("run_ids", sa.JSON(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_job")),
    )
    op.create_index("ix_assessment_job_status", "assessment_job", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_assessment_job_status", table_name="assessment_job")
    op.drop_table("assessment_job")
    op.drop_index("ix_assessment_manual_answer_app_check", table_name="assessment_manual_answer")
    op.drop_table("assessment_manual_answer")
    op.drop_index("ix_assessment_run_created", table_name="assessment_run")
    op.drop_index("ix_assessment_run_app_created", table_name="assessment_run")
    op.drop_table("assessment_run")
