"""Storage of assessments (hub/assessment run against registered applications): runs, manual answers, jobs.

* ``assessment_run``: one stored :class:`hub.assessment.AssessmentRun` (the whole run as JSON in ``result``) with
  the numbers auditors query in plain SQL as columns: overall score, level, one score per standard, status counts.
  ``app_id`` is the registry slug, without a foreign key: the history of a deleted application stays.
* ``assessment_manual_answer``: auditors' answers to manual checks. A new answer adds a row; the newest row per
  (app_id, check_id) counts, the older ones are the history.
* ``assessment_job``: background assessments started through the API, with their progress.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.tables import Base, utcnow

STANDARD_COLUMNS = ("reliable", "interoperable", "scalable", "user_friendly", "integrateable")
STATUS_COLUMNS = ("pass", "warning", "fail", "not_applicable", "error", "not_answered", "inconclusive")


class AssessmentRunRow(Base):
    __tablename__ = "assessment_run"
    __table_args__ = (
        Index("ix_assessment_run_app_created", "app_id", "created_at", "id"),
        Index("ix_assessment_run_created", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(80))
    app_name: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    catalog_version: Mapped[str] = mapped_column(String(60))
    overall_score: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int] = mapped_column(Integer)
    score_reliable: Mapped[float | None] = mapped_column(Float)
    score_interoperable: Mapped[float | None] = mapped_column(Float)
    score_scalable: Mapped[float | None] = mapped_column(Float)
    score_user_friendly: Mapped[float | None] = mapped_column(Float)
    score_integrateable: Mapped[float | None] = mapped_column(Float)
    count_pass: Mapped[int] = mapped_column(Integer, default=0)
    count_warning: Mapped[int] = mapped_column(Integer, default=0)
    count_fail: Mapped[int] = mapped_column(Integer, default=0)
    count_not_applicable: Mapped[int] = mapped_column(Integer, default=0)
    count_error: Mapped[int] = mapped_column(Integer, default=0)
    count_not_answered: Mapped[int] = mapped_column(Integer, default=0)
    count_inconclusive: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 0013_inconclusive
    trigger: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    based_on: Mapped[str | None] = mapped_column(String(40))  # the run a manual answer re-scored
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class AssessmentManualAnswerRow(Base):
    __tablename__ = "assessment_manual_answer"
    __table_args__ = (Index("ix_assessment_manual_answer_app_check", "app_id", "check_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    app_id: Mapped[str] = mapped_column(String(80))
    check_id: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(200))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))


class AssessmentJobRow(Base):
    __tablename__ = "assessment_job"
    __table_args__ = (Index("ix_assessment_job_status", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # queued | running | done | failed
    trigger: Mapped[str] = mapped_column(String(20), default="api")
    app_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    current_check: Mapped[str | None] = mapped_column(String(120))
    run_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"id": ..., "en": ...}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)  # the fan-out job (hub/queue), 0006_queue
    # app id → {"url": ...} or {"document": {...}}: the OpenAPI an API caller gave for this job (0016_job_openapi)
    openapi: Mapped[dict[str, Any] | None] = mapped_column(JSON)
