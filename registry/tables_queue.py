"""Storage of the job queue around Simpul's background work (hub/queue): one row per application of an
assessment job, the schedules of re-assessment and sync, and the shared rate-limit buckets of the API.

The queue itself is procrastinate's tables (``procrastinate_jobs`` ...), created by migration ``0006_queue`` on
PostgreSQL only; on SQLite the queue lives in the memory of the one process (``hub.queue.backend``).

* ``assessment_job_item``: one application of an ``assessment_job``. Each item is its own queued job, so several
  workers assess the applications of one job at once and each writes only its own row (no contention); the job's
  progress (GET /v1/assessments/jobs/{id}) is the sum of its items.
* ``schedule``: a cron expression (in a time zone) that re-assesses or syncs an application, an area or all.
* ``rate_bucket``: a token bucket per API key shared by every API process (PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.tables import Base, utcnow


class AssessmentJobItemRow(Base):
    __tablename__ = "assessment_job_item"
    __table_args__ = (Index("ix_assessment_job_item_job", "job_id", "position"),)

    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    current_check: Mapped[str | None] = mapped_column(String(120))
    run_id: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(120))
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduleRow(Base):
    __tablename__ = "schedule"
    __table_args__ = (Index("ix_schedule_due", "enabled", "next_run_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # assess | sync | federation-pull (widened by 0012_federation)
    scope: Mapped[str] = mapped_column(String(10))  # app | area | all
    target: Mapped[str | None] = mapped_column(String(80))  # application id or area code
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(60))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[float | None] = mapped_column(Float)  # Unix seconds, like the outbox
    last_run_at: Mapped[float | None] = mapped_column(Float)
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateBucketRow(Base):
    __tablename__ = "rate_bucket"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[float] = mapped_column(Float)
