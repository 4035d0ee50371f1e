"""Fault tolerance with real processes on a real (throw-away) PostgreSQL server:

- a worker SIGKILLed in the middle of an assessment job: another worker takes the applications it was assessing
  (once its heartbeat is stale) and the job ends with exactly one stored run per application;
- PostgreSQL restarted while a worker assesses and delivers: the worker reconnects by itself (same process) and
  the job and every delivery finish — deliveries at least once, as documented, runs never doubled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from examples.fleet import fleet_batch
from examples.launcher import start_examples
from registry import pgserver as pgcluster
from registry.db import Database, forget_databases
from registry.tables_assessment import AssessmentRunRow
from registry.tables_exchange import OutboxRow, RecordRow

from ..exchange.support import RecordingConsumer

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not pgcluster.available(), reason="PostgreSQL binaries")]
ROOT = Path(__file__).resolve().parents[3]
FAST = {"SIMPUL_QUEUE_HEARTBEAT_S": "0.5", "SIMPUL_QUEUE_STALLED_S": "5", "SIMPUL_QUEUE_MAINTENANCE_S": "0.5",
        "SIMPUL_QUEUE_POLL_S": "0.5", "SIMPUL_EXCHANGE_POLL_S": "0.2", "SIMPUL_ASSESS_AVAILABILITY_PROBES": "4",
        "SIMPUL_EXCHANGE_SECRET_KEY": "fault-test-key", "SIMPUL_EXCHANGE_RETRY_BASE_S": "0.2",
        "SIMPUL_EXCHANGE_RETRY_MAX_S": "1", "SIMPUL_EXCHANGE_MAX_ATTEMPTS": "1000", "SIMPUL_EXCHANGE_LEASE_S": "2",
        "SIMPUL_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def cluster() -> Iterator[pgcluster.Cluster]:
    server = pgcluster.Cluster()
    yield server
    forget_databases()
    server.stop()


@pytest.fixture
def env(cluster: pgcluster.Cluster, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from hub.settings import get_settings

    values = {**FAST, "SIMPUL_DATABASE_URL": cluster.url}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return values


def start_worker(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", *args], env={**os.environ, **env},
                            cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


def load_fleet(db: Database, base_url: str, count: int) -> None:
    from registry.io import import_batch

    with db.session() as s:
        assert import_batch(s, fleet_batch([base_url], count), "test").valid


def submit(db: Database, app_ids: list[str]) -> str:
    """What POST /v1/assessments does in an API process: create the job, queue its fan-out."""
    import asyncio

    from hub.queue import Queue, Runtime, submit_job
    from hub.services.assessments import AssessmentService
    from hub.services.registry_access import Principal

    job, _ = AssessmentService(db, Principal.cli()).create_job(app_ids)

    async def go() -> None:
        runtime = Runtime(db, Queue(db))
        try:
            await submit_job(runtime, job.job_id)
        finally:
            await runtime.queue.close()

    asyncio.run(go())
    return job.job_id


def state(db: Database, job_id: str) -> tuple[str, list[dict[str, object]], int]:
    from hub.services import jobs

    with db.session() as s:
        job = jobs.read_job(s, job_id)
        runs = s.execute(select(func.count()).select_from(AssessmentRunRow)).scalar_one()
    assert job is not None
    return job.status, jobs.item_states(db, job_id), runs


def test_a_worker_killed_mid_assessment_is_replaced_and_no_run_is_doubled(env, tmp_path):
    db = Database(env["SIMPUL_DATABASE_URL"])
    apps = [f"app-{n:04d}" for n in range(1, 7)]
    with start_examples({"e-planning": "good"}, ports=0) as urls:
        env["SIMPUL_EPLANNING_TOKEN"] = urls.tokens["e-planning"]
        load_fleet(db, urls["e-planning"], len(apps))
        job_id = submit(db, apps)
        log = tmp_path / "workers.log"
        first = start_worker(env, log, "--jobs", "2", "--queue", "assess")
        try:
            wait_for(lambda: any(i["status"] == "running" and int(i["done"]) > 0 for i in state(db, job_id)[1]),
                     60, "an assessment under way")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        status, items, runs_at_kill = state(db, job_id)
        killed = [i["app_id"] for i in items if i["status"] == "running"]
        assert status == "running" and killed, items
        second = start_worker(env, log, "--jobs", "3", "--queue", "assess")
        try:
            wait_for(lambda: state(db, job_id)[0] in ("done", "failed"), 120,
                     f"the job to end (log: {log.read_text()[-800:]})")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
    status, items, runs = state(db, job_id)
    assert status == "done", items
    assert runs == len(apps) and runs_at_kill < len(apps)  # one run per application, none doubled
    assert all(i["status"] == "done" and i["run_id"] for i in items)
    retried = {i["app_id"]: i["attempts"] for i in items if i["app_id"] in killed}
    assert all(attempts == 2 for attempts in retried.values()), retried  # taken up again once each
    db.dispose()


def test_postgresql_restarted_mid_work_the_worker_reconnects_and_goes_on(cluster, env, tmp_path):
    from hub.exchange.subscriptions import SubscriptionIn, create

    db = Database(env["SIMPUL_DATABASE_URL"])
    apps = [f"app-{n:04d}" for n in range(1, 5)]
    with start_examples({"e-planning": "good"}, ports=0) as urls, RecordingConsumer() as consumer:
        env["SIMPUL_EPLANNING_TOKEN"] = urls.tokens["e-planning"]
        load_fleet(db, urls["e-planning"], len(apps))
        create(SubscriptionIn(name="fault consumer", schema="perencanaan/sub_kegiatan", url=consumer.url), "test",
               db=db)
        log = tmp_path / "worker.log"
        worker = start_worker(env, log, "--jobs", "3", "--sync", "app-0001", "--sync-interval", "2")
        try:
            job_id = submit(db, apps)
            wait_for(lambda: consumer.count() > 0 and any(i["status"] == "running" for i in state(db, job_id)[1]),
                     60, "assessments and deliveries under way")
            db.dispose()
            cluster.restart()
            wait_for(lambda: state(db, job_id)[0] in ("done", "failed"), 120,
                     f"the job to end (log: {log.read_text()[-800:]})")

            seen: dict[str, object] = {}

            def delivered() -> bool:
                from sqlalchemy import text

                with db.session() as s:
                    open_ = s.execute(select(func.count()).select_from(OutboxRow)
                                      .where(OutboxRow.status.in_(("pending", "retrying")))).scalar_one()
                    stored = {(k, v) for k, v in s.execute(select(RecordRow.record_key, RecordRow.version).where(
                        RecordRow.schema_key == "perencanaan/sub_kegiatan"))}
                    seen["queue"] = s.execute(text("SELECT task_name, status, worker_id FROM procrastinate_jobs "
                                                   "WHERE status IN ('todo', 'doing')")).all()
                seen["open"], seen["missing"] = open_, len(stored - consumer.versions())
                return open_ == 0 and bool(stored) and stored <= consumer.versions()

            wait_for(delivered, 90, lambda: f"every delivery ({seen}; log: {log.read_text()[-800:]})")
            assert worker.poll() is None, "the worker process itself kept running"
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
    status, items, runs = state(db, job_id)
    assert status == "done" and runs == len(apps), items
    db.dispose()
