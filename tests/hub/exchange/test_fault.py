"""Fault tests: SIGKILL the worker (sync + delivery in one process) mid-way, restart it, and count — every record
version is delivered at least once, none is lost; a consumer that is down for a while receives everything later.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from examples.launcher import start_examples
from hub.exchange.subscriptions import SubscriptionIn, create
from registry.db import Database, forget_databases
from registry.tables_exchange import OutboxRow, RecordRow
from registry.testing import PostgresSchema, postgres_url

from .support import RecordingConsumer, eplanning_spec

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
VENV_SIMPUL = ROOT / ".venv" / "bin" / "simpul"
SIMPUL = [str(VENV_SIMPUL)] if VENV_SIMPUL.exists() else [sys.executable, "-m", "hub.cli"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fault.db'}"
        return
    base = postgres_url()
    if not base:
        pytest.skip("PostgreSQL: set SIMPUL_TEST_POSTGRES_URL to run")
    schema = PostgresSchema(base)
    yield schema.url
    forget_databases()
    schema.drop()


@pytest.fixture
def env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from hub.settings import get_settings

    values = {"SIMPUL_DATABASE_URL": db_url, "SIMPUL_EXCHANGE_SECRET_KEY": "fault-test-key",
              "SIMPUL_EXCHANGE_RETRY_BASE_S": "0.2", "SIMPUL_EXCHANGE_RETRY_MAX_S": "1",
              "SIMPUL_EXCHANGE_MAX_ATTEMPTS": "1000", "SIMPUL_EXCHANGE_LEASE_S": "2", "SIMPUL_EXCHANGE_POLL_S": "0.1",
              "SIMPUL_EXCHANGE_SYNC_BATCH": "25", "SIMPUL_EXCHANGE_DELIVERY_BATCH": "10",
              "SIMPUL_EXCHANGE_DELIVERY_CONCURRENCY": "2", "SIMPUL_LOG_LEVEL": "WARNING",
              # the killed worker's queued jobs (its sync holds the resource's lock) come back within seconds
              "SIMPUL_QUEUE_HEARTBEAT_S": "0.5", "SIMPUL_QUEUE_STALLED_S": "5", "SIMPUL_QUEUE_MAINTENANCE_S": "0.5",
              "SIMPUL_QUEUE_POLL_S": "0.5"}
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    return values


def start_worker(spec: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([*SIMPUL, "worker", "--sync", str(spec), "--sync-interval", "0.5"],
                            env={**os.environ, **env}, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        versions = s.execute(select(func.count()).select_from(RecordRow)).scalar_one()
        open_ = s.execute(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.status.in_(("pending", "retrying")))).scalar_one()
    return versions, open_


def all_versions(db: Database) -> set[tuple[str, int]]:
    with db.session() as s:
        return {(k, v) for k, v in s.execute(select(RecordRow.record_key, RecordRow.version))}


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def source_keys(url: str, token: str) -> set[str]:
    keys, page = set(), 1
    while True:
        data = httpx.get(f"{url}/api/v1/sub-kegiatan", params={"page": page, "size": 100},
                         headers={"Authorization": f"Bearer {token}"}).json()
        keys |= {f"{r['tahun_anggaran']}|{r['kode_sub_kegiatan']}" for r in data["data"]}
        if not data.get("next"):
            return keys
        page += 1


def test_sigkill_mid_sync_and_delivery_loses_nothing(env, tmp_path):
    db = Database(env["SIMPUL_DATABASE_URL"])
    with start_examples({"e-planning": "good"}, ports=0) as urls, RecordingConsumer() as consumer:
        env["EPLAN_TOKEN"] = urls.tokens["e-planning"]
        spec = eplanning_spec(tmp_path, urls["e-planning"])
        create(SubscriptionIn(name="fault consumer", schema="perencanaan/sub_kegiatan", url=consumer.url), "test",
               db=db)
        log = tmp_path / "worker.log"
        worker = start_worker(spec, env, log)
        try:
            wait_for(lambda: consumer.count() >= 20, 40, "first deliveries")
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        at_kill = (consumer.count(), *counts(db))
        # a change made at the source while Simpul is down
        token = {"Authorization": f"Bearer {urls.tokens['e-planning']}"}
        item = httpx.get(urls["e-planning"] + "/api/v1/sub-kegiatan", params={"size": 1}, headers=token).json()
        row = {k: v for k, v in item["data"][0].items() if k not in ("updated_at", "nama_opd")}
        row["pagu_indikatif"] += 1_000
        httpx.put(f"{urls['e-planning']}/api/v1/sub-kegiatan/{row['kode_sub_kegiatan']}", json=row, headers=token)
        expected_keys = source_keys(urls["e-planning"], urls.tokens["e-planning"])

        worker = start_worker(spec, env, log)
        try:
            def done() -> bool:
                versions, open_ = counts(db)
                return versions >= len(expected_keys) + 1 and open_ == 0 and all_versions(db) <= consumer.versions()
            wait_for(done, 90, f"all deliveries (log: {log.read_text()[-500:]})")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(15)
    assert at_kill[0] < len(expected_keys) + 1, f"the kill came too late to test anything: {at_kill}"
    stored = all_versions(db)
    received = consumer.versions()
    assert stored <= received  # every stored version delivered at least once
    assert {k for k, _ in received} == expected_keys  # every source record arrived, none lost
    assert (f"{row['tahun_anggaran']}|{row['kode_sub_kegiatan']}", 2) in received  # the change made while down
    duplicates = len(consumer.received) - len(received)
    print(f"kill at {at_kill}; delivered {len(consumer.received)} ({duplicates} redelivered)")
    db.dispose()


def test_consumer_down_for_a_while_receives_everything(env, tmp_path):
    db = Database(env["SIMPUL_DATABASE_URL"])
    with start_examples({"e-planning": "good"}, ports=0) as urls, RecordingConsumer() as consumer:
        env["EPLAN_TOKEN"] = urls.tokens["e-planning"]
        spec = eplanning_spec(tmp_path, urls["e-planning"])
        create(SubscriptionIn(name="sleepy consumer", schema="perencanaan/sub_kegiatan", url=consumer.url), "test",
               db=db)
        consumer.down = True
        worker = start_worker(spec, env, tmp_path / "worker.log")
        try:
            wait_for(lambda: consumer.refused >= 30, 40, "refused deliveries")
            time.sleep(2)
            assert consumer.count() == 0
            consumer.down = False
            wait_for(lambda: counts(db)[1] == 0 and counts(db)[0] > 0, 50, "everything delivered")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(15)
        assert all_versions(db) <= consumer.versions()
        assert {k for k, _ in consumer.versions()} == source_keys(urls["e-planning"], urls.tokens["e-planning"])
    db.dispose()
