"""State of the assessment jobs, kept in the database so that every process (API, CLI, workers) sees the same.

A job (``assessment_job``) has one item per application (``assessment_job_item``); each item is its own queued
job (hub/queue/tasks.py), run by whichever worker takes it, and writes only its own row. The job's status JSON
(GET /v1/assessments/jobs/{id}) is built from its items: progress is the sum of their finished checks, the run ids
those of the items done, in the order the applications were asked for.

    job = create_items(s, job_id, ["e-planning", "simpeg"], checks_per_app=33)   # with the job row, one transaction
    start_item(db, job_id, "simpeg", worker="host:123")   # False: already finished (a retry after a crash)
    finish_item(db, job_id, "simpeg", run, trigger="api", actor="key:..")  # stores the run; the last item ends the job

A run is stored in the same transaction that marks its item done, and an item already done is never assessed or
stored again: a job retried after its worker died does not double its runs. A run in which nothing was measured
(no address, a secret not set, a refused host) is not stored as a scored run, as with ``simpul assess``: its item
ends ``not_measured`` with the reason ("belum diukur"), shown in the job's ``not_measured``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.errors import SimpulError
from hub.exchange.db import write_session
from hub.i18n import both
from hub.logging import get_logger
from registry import assessments as store
from registry.assessments import UNFINISHED, JobRecord, RunRecord, stamp
from registry.convert import aware
from registry.db import Database
from registry.tables_assessment import AssessmentJobRow
from registry.tables_queue import AssessmentJobItemRow

log = get_logger("hub.services.jobs")
FINISHED = ("done", "failed", "not_measured")
NOT_MEASURED = "not_measured"


def error_text(exc: BaseException) -> dict[str, str]:
    """The bilingual text of the error that ended a job."""
    if isinstance(exc, SimpulError):
        return exc.messages()
    return both("assessment_service.job.failed", detail=f"{type(exc).__name__}: {str(exc)[:200]}")


# -- creating and reading -----------------------------------------------------------------------------------------
def create_items(s: Session, job_id: str, app_ids: Iterable[str], *, checks_per_app: int) -> None:
    now = stamp()
    for position, app_id in enumerate(dict.fromkeys(app_ids)):
        s.add(AssessmentJobItemRow(job_id=job_id, app_id=app_id, position=position, status="queued",
                                   progress_done=0, progress_total=checks_per_app, attempts=0, updated_at=now))
    s.flush()


def _items(s: Session, job_id: str) -> list[AssessmentJobItemRow]:
    return list(s.scalars(select(AssessmentJobItemRow).where(AssessmentJobItemRow.job_id == job_id)
                          .order_by(AssessmentJobItemRow.position)))


def read_job(s: Session, job_id: str) -> JobRecord | None:
    """The job with its progress summed over its items (a job without items is shown as stored)."""
    job = store.get_job(s, job_id)
    if job is None:
        return None
    items = _items(s, job_id)
    if not items:
        return job
    running = [i for i in items if i.status == "running" and i.current_check]
    current = max(running, key=lambda i: i.updated_at).current_check if running else None
    newest = max([job.updated_at, *(aware(i.updated_at) for i in items)])
    return job.model_copy(update={
        "progress_done": sum(i.progress_done for i in items),
        "run_ids": [i.run_id for i in items if i.run_id],
        "current_check": current if job.status in UNFINISHED else None,
        "not_measured": {i.app_id: dict(i.error or {}) for i in items if i.status == NOT_MEASURED},
        "updated_at": newest})


def item_states(db: Database, job_id: str) -> list[dict[str, Any]]:
    """Per application: status, checks done, run id, attempts, worker (``simpul assess job ID``)."""
    with db.session() as s:
        return [{"app_id": i.app_id, "status": i.status, "done": i.progress_done, "total": i.progress_total,
                 "run_id": i.run_id, "attempts": i.attempts, "worker": i.worker,
                 "error": i.error if i.status != NOT_MEASURED else None,
                 "not_measured": i.error if i.status == NOT_MEASURED else None} for i in _items(s, job_id)]


def recent_jobs(db: Database, limit: int = 20) -> list[JobRecord]:
    with db.session() as s:
        ids = s.scalars(select(AssessmentJobRow.id).order_by(AssessmentJobRow.created_at.desc()).limit(limit)).all()
        return [job for job in (read_job(s, i) for i in ids) if job is not None]


def set_queue_job(db: Database, job_id: str, queue_job_id: int | None, app_id: str | None = None) -> None:
    with write_session(db) as s:
        if app_id is None:
            s.execute(update(AssessmentJobRow).where(AssessmentJobRow.id == job_id)
                      .values(queue_job_id=queue_job_id))
        else:
            s.execute(update(AssessmentJobItemRow).where(AssessmentJobItemRow.job_id == job_id,
                                                         AssessmentJobItemRow.app_id == app_id)
                      .values(queue_job_id=queue_job_id))


def pending_items(db: Database, job_id: str) -> list[str]:
    with db.session() as s:
        return [i.app_id for i in _items(s, job_id) if i.status not in FINISHED]


# -- running --------------------------------------------------------------------------------------------------------
def _item(s: Session, job_id: str, app_id: str, lock: bool = False) -> AssessmentJobItemRow | None:
    q = select(AssessmentJobItemRow).where(AssessmentJobItemRow.job_id == job_id,
                                           AssessmentJobItemRow.app_id == app_id)
    if lock and s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    return s.scalars(q).first()


def start_item(db: Database, job_id: str, app_id: str, *, worker: str) -> bool:
    """Mark the item running (and its job); False when there is nothing to do (unknown, or already finished)."""
    with write_session(db) as s:
        item = _item(s, job_id, app_id, lock=True)
        if item is None or item.status in FINISHED:
            return False
        item.status, item.worker, item.attempts = "running", worker[:120], item.attempts + 1
        item.progress_done, item.current_check, item.updated_at = 0, None, stamp()
        s.execute(update(AssessmentJobRow).where(AssessmentJobRow.id == job_id, AssessmentJobRow.status == "queued")
                  .values(status="running", updated_at=stamp()))
        return True


def item_progress(db: Database, job_id: str, app_id: str, done: int, total: int, check_id: str) -> None:
    with write_session(db) as s:
        s.execute(update(AssessmentJobItemRow)
                  .where(AssessmentJobItemRow.job_id == job_id, AssessmentJobItemRow.app_id == app_id,
                         AssessmentJobItemRow.status == "running")
                  .values(progress_done=done, progress_total=total, current_check=f"{app_id} {check_id}"[:120],
                          updated_at=stamp()))


def requeue_item(db: Database, job_id: str, app_id: str) -> None:
    """A worker stopping mid-way: the item waits again (its queued job is deferred anew)."""
    with write_session(db) as s:
        s.execute(update(AssessmentJobItemRow)
                  .where(AssessmentJobItemRow.job_id == job_id, AssessmentJobItemRow.app_id == app_id,
                         AssessmentJobItemRow.status == "running")
                  .values(status="queued", current_check=None, updated_at=stamp()))


def finish_item(db: Database, job_id: str, app_id: str, run: Any | None, *, trigger: str, actor: str,
                error: dict[str, str] | None = None) -> RunRecord | None:
    """Store ``run`` (an AssessmentRun) and mark the item done — or failed with ``error`` — in one transaction;
    the last item to finish ends the job. A run that measured nothing is not stored: the item ends
    ``not_measured`` with the reason, and the record returned is the unsaved one (``stored`` False), as
    :meth:`AssessmentService.assess_loaded` reports it. Returns None if failed or already finished."""
    with write_session(db) as s:
        _lock_job(s, job_id)
        item = _item(s, job_id, app_id, lock=True)
        if item is None or item.status in FINISHED:
            return None
        record = None
        if run is not None and error is None:
            data = json.loads(run.model_dump_json())  # NaN/inf → null: PostgreSQL's JSON refuses them
            if run.measured:
                record = store.save_run(s, data, trigger=trigger, actor=actor)
                item.status, item.run_id = "done", record.run_id
            else:  # "belum diukur": reported with its reason, never stored as a level (issue 10.3)
                record = store.unsaved_record(data, trigger=trigger, actor=actor)
                item.status, item.error = NOT_MEASURED, record.not_measured
            item.progress_done = item.progress_total
        else:
            item.status, item.error = "failed", error
        item.current_check, item.updated_at = None, stamp()
        s.flush()
        _finalize(s, job_id)
        return record.model_copy(update={"result": None}) if record else None


def _lock_job(s: Session, job_id: str) -> None:
    """Serialise the items of one job finishing at the same moment (each sees the others' commits)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(AssessmentJobRow.id).where(AssessmentJobRow.id == job_id).with_for_update())


def _finalize(s: Session, job_id: str) -> None:
    items = _items(s, job_id)
    if any(i.status not in FINISHED for i in items):
        return
    failed = [i for i in items if i.status == "failed"]
    job = s.get(AssessmentJobRow, job_id)
    if job is None or job.status in FINISHED:
        return
    job.status = "failed" if failed else "done"
    job.error = failed[0].error if failed else None
    job.progress_done = sum(i.progress_done for i in items)
    job.run_ids = [i.run_id for i in items if i.run_id]
    job.current_check, job.updated_at = None, stamp()


def fail_job(db: Database, job_id: str, error: dict[str, str]) -> None:
    """The whole job failed before its items ran (e.g. its fan-out ran out of attempts)."""
    with write_session(db) as s:
        _lock_job(s, job_id)
        now = stamp()
        s.execute(update(AssessmentJobItemRow)
                  .where(AssessmentJobItemRow.job_id == job_id, AssessmentJobItemRow.status.not_in(FINISHED))
                  .values(status="failed", error=error, current_check=None, updated_at=now))
        s.flush()
        if not _items(s, job_id):
            store.fail_unfinished_jobs(s, error, [job_id])
        _finalize(s, job_id)


# -- recovery ---------------------------------------------------------------------------------------------------
def fail_all_unfinished(db: Database, error: dict[str, str]) -> int:
    """At start-up of a process whose queue lived in memory (SQLite): every unfinished job failed, with why."""
    with write_session(db) as s:
        ids = list(s.scalars(select(AssessmentJobRow.id).where(AssessmentJobRow.status.in_(UNFINISHED))))
    for job_id in ids:
        fail_job(db, job_id, error)
    return len(ids)


def orphans(db: Database, *, grace_s: float) -> tuple[list[str], dict[str, list[int]], dict[str, int | None]]:
    """What the queue must still hold for unfinished jobs to end: jobs with no fan-out job recorded (queued ones
    only after ``grace_s``: the API may be between its commit and its defer), and per job the queue ids of its
    unfinished items. Returns (jobs never queued, queue ids of items per job, fan-out queue id per job)."""
    cutoff = stamp().timestamp() - grace_s
    never: list[str] = []
    item_ids: dict[str, list[int]] = {}
    fanout: dict[str, int | None] = {}
    with db.session() as s:
        for job in s.scalars(select(AssessmentJobRow).where(AssessmentJobRow.status.in_(UNFINISHED))):
            created = aware(job.created_at).timestamp()
            if job.queue_job_id is None:
                if job.status == "running" or created < cutoff:
                    never.append(job.id)
                continue
            fanout[job.id] = job.queue_job_id
            item_ids[job.id] = [i.queue_job_id or 0 for i in _items(s, job.id) if i.status not in FINISHED]
    return never, item_ids, fanout
