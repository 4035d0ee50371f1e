"""Scale-out on PostgreSQL, side by side in one run (a throw-away PostgreSQL server on loopback):

- assess N simulated applications (examples/fleet.py, all served by one example e-planning on loopback) with
  1, 2 and 4 ``simpul worker`` processes: applications per minute and the speed-up over one process;
- deliver M webhook events to a loopback receiver with 1, 2 and 4 worker processes: deliveries per second;
- one API process vs two behind one port (``simpul serve --processes 2``) under a bounded loopback load
  (C concurrent clients for S seconds of GET /v1/applications): requests per second and p95.

    .venv/bin/python bench/scale.py                       # the figures of docs/benchmarks.md
    .venv/bin/python bench/scale.py --apps 40 --events 2000 --seconds 5 --parts assess,deliver,api

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text, update  # noqa: E402

from registry.db import Database, forget_databases  # noqa: E402
from registry.pgserver import Cluster  # noqa: E402

QUIET = {"SIMPUL_LOG_LEVEL": "WARNING", "SIMPUL_EXCHANGE_SECRET_KEY": "bench-key", "SIMPUL_QUEUE_POLL_S": "1",
         "SIMPUL_EXCHANGE_POLL_S": "0.2", "SIMPUL_EXCHANGE_RETRY_BASE_S": "0.2", "SIMPUL_EXCHANGE_RETRY_MAX_S": "1"}


def workers(env: dict[str, str], processes: int, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", "--concurrency", str(processes), *args],
                            env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def ready(db: Database, processes: int, timeout: float = 120) -> None:
    """Wait until the worker processes have registered with the queue (their start-up is not measured)."""
    def registered() -> bool:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one() >= processes
    wait_until(registered, timeout)


def reset_queue(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_events; DELETE FROM procrastinate_periodic_defers; "
                          "DELETE FROM procrastinate_jobs; DELETE FROM procrastinate_workers"))


# -- assessments ---------------------------------------------------------------------------------------------------
def bench_assess(db: Database, env: dict[str, str], apps: int, counts: list[int]) -> dict[str, Any]:
    from examples.fleet import fleet_batch
    from examples.launcher import start_examples
    from hub.queue import Queue, Runtime, submit_job
    from hub.services import jobs
    from hub.services.assessments import AssessmentService
    from hub.services.registry_access import Principal
    from registry.io import import_batch

    out: dict[str, Any] = {"apps": apps, "runs": {}}
    with start_examples({"e-planning": "good"}, ports=0) as urls:
        env = {**env, "SIMPUL_EPLANNING_TOKEN": urls.tokens["e-planning"]}
        with db.session() as s:
            assert import_batch(s, fleet_batch([urls["e-planning"]], apps), "bench").valid
        ids = [f"app-{n:04d}" for n in range(1, apps + 1)]
        for processes in counts:
            reset_queue(db)
            job, _ = AssessmentService(db, Principal.cli()).create_job(ids, trigger="bench")

            async def go(job_id: str = job.job_id) -> None:
                runtime = Runtime(db, Queue(db))
                await submit_job(runtime, job_id, trigger="bench")
                await runtime.queue.close()

            proc = workers(env, processes, "--queue", "assess")
            ready(db, processes)
            started = time.perf_counter()
            asyncio.run(go())

            def finished(job_id: str = job.job_id) -> bool:
                with db.session() as s:
                    found = jobs.read_job(s, job_id)
                return found is not None and found.status in ("done", "failed")

            done = wait_until(finished, 3600)
            seconds = time.perf_counter() - started
            stop(proc)
            rate = apps / seconds * 60
            out["runs"][str(processes)] = {"seconds": round(seconds, 1), "apps_per_min": round(rate, 1),
                                           "finished": done}
            print(f"assess {apps} apps, {processes} worker process(es): {seconds:.1f} s, {rate:.1f} apps/min",
                  flush=True)
    base = out["runs"][str(counts[0])]["apps_per_min"]
    for row in out["runs"].values():
        row["speedup"] = round(row["apps_per_min"] / base, 2)
    return out


# -- deliveries ----------------------------------------------------------------------------------------------------
class Receiver:
    """A loopback webhook receiver that answers 204 and counts (HTTP/1.1 keep-alive, one thread per connection)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with outer.lock:
                    outer.count += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def seed_outbox(db: Database, events: int, url: str) -> None:
    from hub.exchange.subscriptions import SubscriptionIn, create
    from registry.tables_exchange import OutboxRow, RecordRow

    doc = json.loads(next((ROOT / "schemas/perencanaan/sub_kegiatan/examples/valid").glob("*.json")).read_text())
    sub = create(SubscriptionIn(name="bench receiver", schema="perencanaan/sub_kegiatan", url=url), "bench", db=db)
    now = time.time()
    with db.session() as s:
        for start in range(0, events, 1000):
            records = [RecordRow(schema_key="perencanaan/sub_kegiatan", record_key=f"2026|{n:06d}", version=1,
                                 is_current=True, content_hash=f"{n:064d}", document=doc,
                                 schema_version="urn:simpul:schema:perencanaan/sub_kegiatan:1", source_app="bench",
                                 source_resource="sub-kegiatan") for n in range(start, min(events, start + 1000))]
            s.add_all(records)
            s.flush()
            s.add_all([OutboxRow(delivery_id=f"dlv_{r.id:012d}", subscription_id=sub.id, record_id=r.id,
                                 schema_key=r.schema_key, record_key=r.record_key, event="record.created",
                                 status="pending", attempts=0, next_attempt_at=now) for r in records])


def bench_deliver(db: Database, env: dict[str, str], events: int, counts: list[int]) -> dict[str, Any]:
    from registry.tables_exchange import OutboxRow

    receiver = Receiver()
    seed_outbox(db, events, receiver.url)
    out: dict[str, Any] = {"events": events, "runs": {}}

    def open_rows() -> int:
        with db.session() as s:
            return s.execute(select(func.count()).select_from(OutboxRow)
                             .where(OutboxRow.status.in_(("pending", "retrying")))).scalar_one()

    try:
        for processes in counts:
            reset_queue(db)
            with db.session() as s:
                s.execute(update(OutboxRow).values(status="pending", attempts=0, next_attempt_at=time.time() + 1e6,
                                                   claimed_until=None, claimed_by=None, delivered_at=None))
            receiver.count = 0
            proc = workers(env, processes, "--queue", "deliver")
            ready(db, processes)
            with db.session() as s:  # now due: the workers' outbox watch queues the delivery jobs
                s.execute(update(OutboxRow).values(next_attempt_at=time.time()))
            started = time.perf_counter()
            done = wait_until(lambda: open_rows() == 0, 1800)
            seconds = time.perf_counter() - started
            stop(proc)
            rate = events / seconds
            out["runs"][str(processes)] = {"seconds": round(seconds, 1), "deliveries_per_s": round(rate, 1),
                                           "received": receiver.count, "finished": done}
            print(f"deliver {events} events, {processes} worker process(es): {seconds:.1f} s, {rate:.0f}/s",
                  flush=True)
    finally:
        receiver.close()
    base = out["runs"][str(counts[0])]["deliveries_per_s"]
    for row in out["runs"].values():
        row["speedup"] = round(row["deliveries_per_s"] / base, 2)
    return out


# -- API processes -------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load(url: str, token: str, clients: int, seconds: float) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = await http.get(url, params={"limit": 20})
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests_per_s": round(len(latencies) / elapsed, 1),
            "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
            "median_ms": round(1000 * statistics.median(latencies), 1), "errors": errors}


def bench_api(db: Database, env: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    from hub.services.registry_access import Principal
    from hub.services.registry_keys import ApiKeyIn, KeyService

    token = KeyService(db, Principal.cli()).create(ApiKeyIn(name="bench", role="admin")).token
    out: dict[str, Any] = {"clients": clients, "seconds": seconds, "runs": {}}
    for processes in (1, 2):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--port", str(port), "--processes",
                                 str(processes)], env={**os.environ, **env, "SIMPUL_LOG_LEVEL": "WARNING"}, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"

        def up(base: str = base) -> bool:
            try:
                return httpx.get(f"{base}/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, 60)
        time.sleep(1.0)
        out["runs"][str(processes)] = asyncio.run(load(f"{base}/v1/applications", token, clients, seconds))
        print(f"api {processes} process(es): {out['runs'][str(processes)]}", flush=True)
        stop(proc)
    one, two = out["runs"]["1"], out["runs"]["2"]
    out["speedup"] = round(two["requests_per_s"] / one["requests_per_s"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--parts", default="assess,deliver,api")
    args = parser.parse_args()
    counts = [int(n) for n in args.processes.split(",")]
    parts = set(args.parts.split(","))
    cluster = Cluster()
    env = {**QUIET, "SIMPUL_DATABASE_URL": cluster.url}
    os.environ.update(env)
    from hub.settings import get_settings

    get_settings.cache_clear()
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "shared": True}}
    db = Database(cluster.url)
    try:
        if "assess" in parts:
            results["assess"] = bench_assess(db, env, args.apps, counts)
        if "deliver" in parts:
            results["deliver"] = bench_deliver(db, env, args.events, counts)
        if "api" in parts:
            results["api"] = bench_api(db, env, args.clients, args.seconds)
    finally:
        db.dispose()
        forget_databases()
        cluster.stop()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
