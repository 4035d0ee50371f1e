"""Queries and writes of stored assessments (tables in :mod:`registry.tables_assessment`).

Runs are given and returned as plain JSON data (``run.model_dump(mode="json")``): the registry never imports
``hub``. Every function takes an open session (``with db.session() as s``) and does not commit.

    save_run(s, run_json, trigger="cli", actor="cli:rina")
    list_runs(s, "e-planning", limit=20)          # newest first, cursor pages
    latest_runs(s)                                # {app_id: RunRecord}
    save_answer(s, "e-planning", "SCA-005", "pass", [{"title": "BAST", "url": "https://..."}], ...)
    latest_answers(s, "e-planning")               # {check_id: AnswerRecord}, the newest answer per check
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, load_only

from registry.convert import aware
from registry.errors import InvalidCursor
from registry.pagination import clamp
from registry.tables_assessment import (
    STANDARD_COLUMNS,
    STATUS_COLUMNS,
    AssessmentJobRow,
    AssessmentManualAnswerRow,
    AssessmentRunRow,
)

JOB_STATUSES = ("queued", "running", "done", "failed")
UNFINISHED = ("queued", "running")


class RunRecord(BaseModel):
    """A stored run: the queryable columns, and the whole run (``result``) when asked for."""

    run_id: str
    app_id: str
    app_name: str = ""
    started_at: datetime
    finished_at: datetime
    created_at: datetime = Field(description="When the run was stored (a re-scored run keeps its measurement "
                                             "times in started_at/finished_at)")
    catalog_version: str
    overall_score: float | None = None
    level: int
    scores: dict[str, float | None] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    trigger: str
    actor: str
    based_on: str | None = Field(default=None, description="The run a manual answer re-scored")
    result: dict[str, Any] | None = None
    stored: bool = Field(default=True, description="False for a run that measured nothing: it is reported, "
                                                   "not stored")
    not_measured: dict[str, str] | None = Field(default=None, description="why nothing was measured ({id, en})")

    @property
    def measured(self) -> bool:
        """Level 0 is 'belum diukur': no automated check ended pass, warning or fail."""
        return self.level >= 1


class RunPage(BaseModel):
    items: list[RunRecord]
    next_cursor: str | None = None


class AnswerRecord(BaseModel):
    id: int
    app_id: str
    check_id: str
    answer: str
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    note: str | None = None
    answered_by: str
    answered_at: datetime
    actor: str


class JobRecord(BaseModel):
    job_id: str
    status: str
    trigger: str
    app_ids: list[str]
    progress_done: int = 0
    progress_total: int = 0
    current_check: str | None = None
    run_ids: list[str] = Field(default_factory=list)
    error: dict[str, str] | None = None
    not_measured: dict[str, dict[str, str]] = Field(default_factory=dict, description="app id → why nothing was "
                                                    "measured ({id, en}); such runs are not stored")
    created_at: datetime
    updated_at: datetime
    actor: str


# -- time ------------------------------------------------------------------------------------------------------
_clock_lock = threading.Lock()
_last_stamp = datetime.min.replace(tzinfo=UTC)


def stamp() -> datetime:
    """Now (UTC), strictly increasing within the process, so "newest" never ties."""
    global _last_stamp
    with _clock_lock:
        now = datetime.now(UTC)
        if now <= _last_stamp:
            now = _last_stamp + timedelta(microseconds=1)
        _last_stamp = now
        return now


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return aware(value)
    return aware(datetime.fromisoformat(str(value)))


# -- runs ------------------------------------------------------------------------------------------------------
def _summary_columns(run: dict[str, Any]) -> dict[str, Any]:
    scores = {s.get("standard"): s.get("score") for s in run.get("scores") or [] if isinstance(s, dict)}
    statuses = [r.get("status") for r in run.get("results") or [] if isinstance(r, dict)]
    maturity = run.get("maturity") or {}
    target = run.get("target") or {}
    out: dict[str, Any] = {
        "app_id": str(target.get("app_id") or ""), "app_name": str(target.get("name") or "")[:200],
        "started_at": _time(run["started_at"]), "finished_at": _time(run["finished_at"]),
        "catalog_version": str(run.get("catalog_version") or "")[:60],
        "overall_score": maturity.get("overall_score"),
        "level": int(maturity["level"]) if maturity.get("level") is not None else 1,  # 0 = not measured
    }
    out.update({f"score_{k}": scores.get(k) for k in STANDARD_COLUMNS})
    out.update({f"count_{k}": statuses.count(k) for k in STATUS_COLUMNS})
    return out


def _record(row: AssessmentRunRow, with_result: bool) -> RunRecord:
    return RunRecord(
        run_id=row.id, app_id=row.app_id, app_name=row.app_name, started_at=aware(row.started_at),
        finished_at=aware(row.finished_at), created_at=aware(row.created_at), catalog_version=row.catalog_version,
        overall_score=row.overall_score, level=row.level,
        scores={k: getattr(row, f"score_{k}") for k in STANDARD_COLUMNS},
        counts={k: getattr(row, f"count_{k}") for k in STATUS_COLUMNS}, trigger=row.trigger, actor=row.actor,
        based_on=row.based_on, result=row.result if with_result else None)


_SUMMARY_ATTRS = [getattr(AssessmentRunRow, c.key) for c in AssessmentRunRow.__table__.columns if c.key != "result"]


def unsaved_record(run: dict[str, Any], *, trigger: str, actor: str) -> RunRecord:
    """The record of a run that is reported but not stored (it measured nothing)."""
    columns = _summary_columns(run)
    scores = {k: columns.pop(f"score_{k}") for k in STANDARD_COLUMNS}
    counts = {k: columns.pop(f"count_{k}") for k in STATUS_COLUMNS}
    why = (run.get("maturity") or {}).get("not_measured_reason")
    return RunRecord(run_id=str(run["run_id"]), created_at=stamp(), trigger=trigger[:20], actor=actor[:200],
                     scores=scores, counts=counts, result=run, stored=False,
                     not_measured=why if isinstance(why, dict) else None, **columns)


def save_run(s: Session, run: dict[str, Any], *, trigger: str, actor: str, based_on: str | None = None) -> RunRecord:
    """Store one run (JSON data of an AssessmentRun). ``run["run_id"]`` is the key."""
    row = AssessmentRunRow(id=str(run["run_id"]), created_at=stamp(), trigger=trigger[:20], actor=actor[:200],
                           based_on=based_on, result=run, **_summary_columns(run))
    s.add(row)
    s.flush()
    return _record(row, with_result=True)


def get_run(s: Session, run_id: str, *, with_result: bool = True) -> RunRecord | None:
    stmt = select(AssessmentRunRow).where(AssessmentRunRow.id == run_id)
    if not with_result:
        stmt = stmt.options(load_only(*_SUMMARY_ATTRS))
    row = s.scalars(stmt).first()
    return _record(row, with_result) if row is not None else None


def find_run_ids(s: Session, prefix: str, limit: int = 2) -> list[str]:
    """Run ids starting with ``prefix`` (so the CLI accepts a short id)."""
    safe = prefix.replace("\\", "").replace("%", "").replace("_", "")
    if not safe:
        return []
    return list(s.scalars(select(AssessmentRunRow.id).where(AssessmentRunRow.id.like(f"{safe}%"))
                          .order_by(AssessmentRunRow.id).limit(limit)))


def _encode(created_at: datetime, run_id: str) -> str:
    raw = json.dumps([aware(created_at).isoformat(), run_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, key = json.loads(raw)
        if not isinstance(when, str) or not isinstance(key, str) or len(key) > 40:
            raise ValueError("bad cursor")
        return _time(when), key
    except (ValueError, binascii.Error, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise InvalidCursor("the cursor is not one this server handed out", cursor=cursor[:40]) from exc


def _latest_ids(app_ids: list[str] | None = None, as_of: datetime | None = None) -> Any:
    """A subquery of the id of the newest stored run of each application."""
    run = AssessmentRunRow
    ranked = select(run.id, func.row_number().over(partition_by=run.app_id,
                                                   order_by=(run.created_at.desc(), run.id.desc())).label("n"))
    if as_of is not None:
        ranked = ranked.where(run.created_at <= as_of)
    if app_ids is not None:
        ranked = ranked.where(run.app_id.in_(app_ids or [""]))
    return ranked.subquery()


def list_runs(s: Session, app_id: str | None = None, *, limit: int | None = None, cursor: str | None = None,
              app_ids: list[str] | None = None, latest: bool = False) -> RunPage:
    """Runs newest first (by the time they were stored), without their ``result``; ``app_ids`` limits the
    applications (an OPD sees only its own); ``latest`` keeps only the newest run of each application (what a
    provincial Simpul pulls)."""
    limit = clamp(limit)
    run = AssessmentRunRow
    stmt = select(run).options(load_only(*_SUMMARY_ATTRS))
    if app_id is not None:
        stmt = stmt.where(run.app_id == app_id)
    if app_ids is not None:
        stmt = stmt.where(run.app_id.in_(app_ids or [""]))
    if latest:
        sub = _latest_ids(app_ids)
        stmt = stmt.where(run.id.in_(select(sub.c.id).where(sub.c.n == 1)))
    if cursor:
        when, key = _decode(cursor)
        stmt = stmt.where(or_(run.created_at < when, and_(run.created_at == when, run.id < key)))
    rows = list(s.scalars(stmt.order_by(run.created_at.desc(), run.id.desc()).limit(limit + 1)))
    nxt = _encode(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return RunPage(items=[_record(r, with_result=False) for r in rows[:limit]], next_cursor=nxt)


def latest_runs(s: Session, app_ids: list[str] | None = None, *, with_result: bool = True,
                as_of: datetime | None = None) -> dict[str, RunRecord]:
    """The newest stored run of every application (or of ``app_ids``); with ``as_of``, the newest stored at or
    before that moment (a snapshot, for Monev comparisons)."""
    run = AssessmentRunRow
    sub = _latest_ids(app_ids, as_of)
    stmt = select(run).join(sub, sub.c.id == run.id).where(sub.c.n == 1).order_by(run.app_id)
    if not with_result:
        stmt = stmt.options(load_only(*_SUMMARY_ATTRS))
    return {row.app_id: _record(row, with_result) for row in s.scalars(stmt)}


def latest_run(s: Session, app_id: str, *, with_result: bool = True) -> RunRecord | None:
    return latest_runs(s, [app_id], with_result=with_result).get(app_id)


# -- manual answers --------------------------------------------------------------------------------------------
def _answer(row: AssessmentManualAnswerRow) -> AnswerRecord:
    return AnswerRecord(id=row.id, app_id=row.app_id, check_id=row.check_id, answer=row.answer,
                        evidence=list(row.evidence or []), note=row.note, answered_by=row.answered_by,
                        answered_at=aware(row.answered_at), actor=row.actor)


def save_answer(s: Session, app_id: str, check_id: str, answer: str, evidence: list[dict[str, Any]], *,
                answered_by: str, actor: str, answered_at: datetime | None = None,
                note: str | None = None) -> AnswerRecord:
    """Add an answer; earlier answers to the same check stay as history."""
    row = AssessmentManualAnswerRow(app_id=app_id, check_id=check_id, answer=answer, evidence=evidence, note=note,
                                    answered_by=answered_by[:200], answered_at=answered_at or stamp(),
                                    actor=actor[:200])
    s.add(row)
    s.flush()
    return _answer(row)


def latest_answers(s: Session, app_id: str) -> dict[str, AnswerRecord]:
    """The newest answer per check of one application."""
    rows = s.scalars(select(AssessmentManualAnswerRow).where(AssessmentManualAnswerRow.app_id == app_id)
                     .order_by(AssessmentManualAnswerRow.id))
    return {row.check_id: _answer(row) for row in rows}


def answer_history(s: Session, app_id: str, check_id: str | None = None, limit: int = 200) -> list[AnswerRecord]:
    """Every answer of one application (or one check), newest first."""
    answer = AssessmentManualAnswerRow
    stmt = select(answer).where(answer.app_id == app_id)
    if check_id is not None:
        stmt = stmt.where(answer.check_id == check_id)
    return [_answer(r) for r in s.scalars(stmt.order_by(answer.id.desc()).limit(limit))]


# -- jobs ------------------------------------------------------------------------------------------------------
def _job(row: AssessmentJobRow) -> JobRecord:
    return JobRecord(job_id=row.id, status=row.status, trigger=row.trigger, app_ids=list(row.app_ids or []),
                     progress_done=row.progress_done, progress_total=row.progress_total,
                     current_check=row.current_check, run_ids=list(row.run_ids or []), error=row.error,
                     created_at=aware(row.created_at), updated_at=aware(row.updated_at), actor=row.actor)


def create_job(s: Session, job_id: str, app_ids: list[str], *, actor: str, total: int,
               trigger: str = "api", openapi: dict[str, Any] | None = None) -> JobRecord:
    """``openapi``: app id → ``{"url": ...}`` or ``{"document": {...}}`` given for this job only (any worker, in
    any process, reads it back with :func:`job_openapi`)."""
    now = stamp()
    row = AssessmentJobRow(id=job_id, status="queued", trigger=trigger[:20], app_ids=list(app_ids),
                           progress_done=0, progress_total=total, run_ids=[], created_at=now, updated_at=now,
                           actor=actor[:200], openapi=openapi or None)
    s.add(row)
    s.flush()
    return _job(row)


def job_openapi(s: Session, job_id: str) -> dict[str, Any]:
    """The OpenAPI overrides stored with a job (empty when none was given)."""
    value = s.execute(select(AssessmentJobRow.openapi).where(AssessmentJobRow.id == job_id)).scalar_one_or_none()
    return dict(value) if isinstance(value, dict) else {}


def get_job(s: Session, job_id: str) -> JobRecord | None:
    row = s.get(AssessmentJobRow, job_id)
    return _job(row) if row is not None else None


def update_job(s: Session, job_id: str, **changes: Any) -> JobRecord | None:
    """Change some of: status, progress_done, progress_total, current_check, run_ids, error."""
    allowed = {"status", "progress_done", "progress_total", "current_check", "run_ids", "error"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown job fields: {sorted(unknown)}")
    if "status" in changes and changes["status"] not in JOB_STATUSES:
        raise ValueError(f"unknown job status {changes['status']!r}")
    if isinstance(changes.get("current_check"), str):
        changes["current_check"] = changes["current_check"][:120]
    row = s.get(AssessmentJobRow, job_id)
    if row is None:
        return None
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = stamp()
    s.flush()
    return _job(row)


def count_jobs(s: Session, statuses: tuple[str, ...] = UNFINISHED) -> int:
    return s.scalar(select(func.count()).select_from(AssessmentJobRow)
                    .where(AssessmentJobRow.status.in_(statuses))) or 0


def fail_unfinished_jobs(s: Session, error: dict[str, str], job_ids: list[str] | None = None) -> int:
    """Mark queued and running jobs (all, or ``job_ids``) failed with ``error``; returns how many."""
    stmt = update(AssessmentJobRow).where(AssessmentJobRow.status.in_(UNFINISHED))
    if job_ids is not None:
        stmt = stmt.where(AssessmentJobRow.id.in_(job_ids or [""]))
    result = s.execute(stmt.values(status="failed", error=error, updated_at=stamp()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
