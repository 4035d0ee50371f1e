"""The job queue in one process, on SQLite (in memory) and PostgreSQL (procrastinate's tables): an assessment job
fans out to one job per application, its progress is the same from any process, a retried item never stores a
second run, and jobs no queued entry will finish are ended with the reason."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import func, select

from hub.queue import submit_job
from hub.queue.runtime import Runtime
from hub.services import jobs
from hub.services.assessments import AssessmentService
from hub.services.registry_access import Principal
from registry import assessments as ra
from registry.db import Database
from registry.tables_assessment import AssessmentRunRow

from ..services.test_assessments_kit import options


async def wait_job(db: Database, job_id: str, timeout: float = 90) -> ra.JobRecord:
    deadline = time.monotonic() + timeout
    while True:
        with db.session() as s:
            job = jobs.read_job(s, job_id)
        assert job is not None
        if job.status in ("done", "failed") or time.monotonic() > deadline:
            return job
        await asyncio.sleep(0.1)


def runs_stored(db: Database) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(AssessmentRunRow)).scalar_one()


async def test_a_job_fans_out_per_application_and_any_process_sees_its_progress(registry_loaded: Database):
    service = AssessmentService(registry_loaded, Principal.cli(), options=options({"e-planning": "good",
                                                                                   "e-budgeting": "good"}))
    job, _ = service.create_job(["e-planning", "e-budgeting", "dapodik"])
    runtime = Runtime(registry_loaded)
    runtime.probe_options[job.job_id] = service.options
    await runtime.start(maintenance=False)
    try:
        await submit_job(runtime, job.job_id)
        finished = await wait_job(registry_loaded, job.job_id)
    finally:
        await runtime.stop()
    assert finished.status == "done", finished
    # dapodik has no address Simpul may probe: nothing measured, so no run is stored for it (as `simpul assess`
    # does), and the job says why instead of showing a level 1 that nobody measured
    assert len(finished.run_ids) == 2 and finished.progress_done == finished.progress_total
    assert list(finished.not_measured) == ["dapodik"] and finished.not_measured["dapodik"]["id"]
    assert runs_stored(registry_loaded) == 2
    other = Database(registry_loaded.url)  # another process reading the same database
    try:
        items = jobs.item_states(other, job.job_id)
    finally:
        other.dispose()
    assert [i["app_id"] for i in items] == ["e-planning", "e-budgeting", "dapodik"]
    assert [i["status"] for i in items] == ["done", "done", "not_measured"]
    assert all(i["attempts"] == 1 and i["worker"] == runtime.name for i in items)
    assert [i["run_id"] for i in items if i["run_id"]] == finished.run_ids
    assert items[2]["not_measured"] == finished.not_measured["dapodik"] and items[2]["error"] is None


def test_a_retried_item_never_stores_a_second_run(registry_loaded: Database):
    from hub.assessment import load_catalog
    from hub.assessment.models import Text
    from hub.services.assessments import target_from_application, unmeasured_run
    from registry import repository as repo

    service = AssessmentService(registry_loaded, Principal.cli())
    job, _ = service.create_job(["e-planning"])
    assert jobs.start_item(registry_loaded, job.job_id, "e-planning", worker="w1")
    with registry_loaded.session() as s:
        target = target_from_application(repo.get_application(s, "e-planning"))
    run = unmeasured_run(target, Text(id="uji", en="test"), [], load_catalog(), service.limits)
    measured = run.model_copy(update={"maturity": run.maturity.model_copy(update={"measured": True, "level": 1})})
    first = jobs.finish_item(registry_loaded, job.job_id, "e-planning", measured, trigger="api", actor="test")
    again = jobs.finish_item(registry_loaded, job.job_id, "e-planning", measured, trigger="api", actor="test")
    assert first is not None and first.stored and again is None
    assert not jobs.start_item(registry_loaded, job.job_id, "e-planning", worker="w2")  # the retry: nothing to do
    assert runs_stored(registry_loaded) == 1
    assert service.get_job(job.job_id).status == "done"


def test_a_queued_run_that_measured_nothing_is_reported_not_stored(registry_loaded: Database):
    """The queue path (API jobs, schedules) treats "belum diukur" as the CLI does: no scored run is stored, the
    job ends done and names the application with the reason, in both languages."""
    from hub.assessment import load_catalog
    from hub.assessment.models import Text
    from hub.services.assessments import target_from_application, unmeasured_run
    from registry import repository as repo

    service = AssessmentService(registry_loaded, Principal.cli(), "en")
    job, _ = service.create_job(["e-planning"])
    assert jobs.start_item(registry_loaded, job.job_id, "e-planning", worker="w1")
    with registry_loaded.session() as s:
        target = target_from_application(repo.get_application(s, "e-planning"))
    run = unmeasured_run(target, Text(id="alamat tidak ada", en="no address"), [], load_catalog(), service.limits)
    record = jobs.finish_item(registry_loaded, job.job_id, "e-planning", run, trigger="schedule", actor="test")
    assert record is not None and not record.stored and record.level == 0
    assert runs_stored(registry_loaded) == 0
    assert jobs.finish_item(registry_loaded, job.job_id, "e-planning", run, trigger="api", actor="test") is None
    finished = service.get_job(job.job_id)
    assert finished.status == "done" and finished.run_ids == []
    assert "alamat tidak ada" in finished.not_measured["e-planning"]["id"]
    assert "no address" in finished.not_measured["e-planning"]["en"]
    assert service.latest_runs() == {}  # the inventory and Monev see no level for it


async def test_jobs_no_queue_entry_will_finish_are_ended_with_the_reason(registry_loaded: Database):
    with registry_loaded.session() as s:
        ra.create_job(s, "c" * 32, ["e-planning"], actor="key:old", total=33)
        ra.update_job(s, "c" * 32, status="running")
        ra.create_job(s, "d" * 32, ["e-planning"], actor="key:new", total=33)  # queued a moment ago: left alone
    runtime = Runtime(registry_loaded)
    try:
        assert await runtime.end_orphans(grace_s=60) == 1
    finally:
        await runtime.stop()
    service = AssessmentService(registry_loaded, Principal.cli(), "en")
    assert "restarted" in (service.get_job("c" * 32).error or {}).get("en", "")
    assert service.get_job("d" * 32).status == "queued"


async def test_a_sync_or_delivery_waits_once_per_resource_or_partition(registry_db: Database,
                                                                      monkeypatch: pytest.MonkeyPatch):
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_QUEUE_DELIVERY_PARTITIONS", "3")
    get_settings.cache_clear()
    runtime = Runtime(registry_db)
    try:
        assert await runtime.kick_delivery() == 3
        assert await runtime.kick_delivery() == 0  # each partition already has one waiting
        lock = "sync:e-planning:sub_kegiatan"
        first = await runtime.queue.defer("sync_resource", lock=lock, queueing_lock=lock, target="e-planning",
                                          resource="sub_kegiatan")
        second = await runtime.queue.defer("sync_resource", lock=lock, queueing_lock=lock, target="e-planning",
                                           resource="sub_kegiatan")
        assert first is not None and second is None
        counts = await runtime.queue.counts()
        assert counts["deliver"]["todo"] == 3 and counts["sync"]["todo"] == 1
    finally:
        await runtime.stop()


@pytest.mark.parametrize(("setting", "exchange", "backend", "expected"), [
    ("auto", "true", "sqlite", True), ("auto", "true", "postgresql", False), ("on", "true", "postgresql", True),
    ("off", "true", "sqlite", False), ("on", "false", "sqlite", False)])
def test_serve_runs_workers_with_sqlite_and_only_when_told_with_postgresql(
        setting: str, exchange: str, backend: str, expected: bool, monkeypatch: pytest.MonkeyPatch):
    from types import SimpleNamespace

    from hub.queue.serving import runs_workers
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_SERVE_WORKERS", setting)
    monkeypatch.setenv("SIMPUL_EXCHANGE_WORKERS", exchange)
    get_settings.cache_clear()
    assert runs_workers(SimpleNamespace(backend=backend)) is expected  # type: ignore[arg-type]
