"""Exchange throughput and canonical-API overhead on loopback.

    .venv/bin/python bench/exchange.py                  # 5,000 budget lines from the e-budgeting example, SQLite
    .venv/bin/python bench/exchange.py --records 20000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

1. pull → validate → store: ``sync`` of e-budgeting's rincian-belanja (HTTP pages of 100, mapping-free canonical
   JSON, full validation with business rules, a record version + an outbox row per record in one transaction).
2. deliver: the delivery worker sends every outbox row as a signed webhook to a local consumer (HTTP/1.1, 8 at a
   time) and records the outcome (plus an audit entry per delivery).
3. read overhead: the same page of 100 records read from the source application directly vs. through the
   canonical API (key check, scope, rate limit, audit entry, masking, provenance): p50/p95 and the ratio.
A readable table is printed; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with _Sink.lock:
            _Sink.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def run(records: int, db_url: str | None, reads: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="simpul-bench-exchange-"))
    if db_url:
        from registry.testing import PostgresSchema

        schema = PostgresSchema(db_url)
        url, backend = schema.url, "postgresql"
    else:
        schema, url, backend = None, f"sqlite:///{tmp / 'bench.db'}", "sqlite"
    os.environ.update({"SIMPUL_DATABASE_URL": url, "SIMPUL_EXCHANGE_SECRET_KEY": "bench",
                       "SIMPUL_LOG_LEVEL": "WARNING", "SIMPUL_EXCHANGE_SYNC_BATCH": "500",
                       "SIMPUL_EXCHANGE_DELIVERY_BATCH": "200", "SIMPUL_EXCHANGE_RATE_PER_MINUTE": "1000000"})
    from examples.launcher import start_examples
    from hub.exchange import delivery, scopes, subscriptions
    from hub.exchange.subscriptions import SubscriptionIn
    from hub.exchange.sync import sync_resource
    from hub.logging import configure_logging
    from hub.services.connections import spec_from_dict
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database
    from hub.services.registry_keys import ApiKeyIn, KeyService

    configure_logging("WARNING", "console")
    db = get_database()
    sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    result: dict[str, Any] = {"records": records, "backend": backend}
    with start_examples({"e-budgeting": "good"}, ports=0, records=f"rincian-belanja={records}") as urls:
        os.environ["BENCH_TOKEN"] = urls.tokens["e-budgeting"]
        base = urls["e-budgeting"] + "/api/v1"
        spec = spec_from_dict({"app": "e-budgeting", "connector": {"type": "rest_json", "config": {
            "base_url": base, "auth": {"type": "bearer", "token": {"env": "BENCH_TOKEN"}},
            "pagination": {"type": "page", "page_param": "page", "size_param": "size", "page_size": 100},
            "record_path": "data", "since_param": "updated_since"}},
            "resources": {"rincian-belanja": {"path": "/rincian-belanja", "schema": "penganggaran/rincian_belanja"}}})
        subscriptions.create(SubscriptionIn(name="bench sink", schema="penganggaran/rincian_belanja",
                                            url=f"http://127.0.0.1:{sink.server_address[1]}/hook"), "bench")
        t0 = time.perf_counter()
        sync = asyncio.run(sync_resource(spec, "rincian-belanja"))
        t1 = time.perf_counter()
        delivered = asyncio.run(delivery.drain(timeout_s=3600))
        t2 = time.perf_counter()
        result.update({"stored": sync.counts.new, "invalid": sync.counts.invalid, "sync_s": round(t1 - t0, 2),
                       "sync_records_per_s": round(sync.counts.read / (t1 - t0)),
                       "delivered": delivered, "sink_received": _Sink.received, "deliver_s": round(t2 - t1, 2),
                       "deliver_per_s": round(delivered / (t2 - t1)) if delivered else 0,
                       "end_to_end_records_per_s": round(sync.counts.read / (t2 - t0))})

        key = KeyService(db, Principal.cli()).create(ApiKeyIn(name="bench consumer", role="vendor"))
        scopes.grant(str(key.id), "data:read:penganggaran/rincian_belanja", "bench")
        import httpx
        import uvicorn

        from hub.api.app import create_app

        server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        hub_port = server.servers[0].sockets[0].getsockname()[1]
        direct, through = [], []
        with httpx.Client(timeout=30) as http:
            src_h = {"Authorization": f"Bearer {urls.tokens['e-budgeting']}"}
            hub_h = {"Authorization": f"Bearer {key.token}"}
            hub_url = f"http://127.0.0.1:{hub_port}/v1/data/penganggaran/rincian_belanja/records"
            for i in range(reads + 5):
                t = time.perf_counter()
                assert http.get(f"{base}/rincian-belanja", params={"page": 2, "size": 100}, headers=src_h).is_success
                d = time.perf_counter() - t
                t = time.perf_counter()
                r = http.get(hub_url, params={"limit": 100}, headers=hub_h)
                assert r.is_success, r.text
                h = time.perf_counter() - t
                if i >= 5:  # warm-up
                    direct.append(d * 1000)
                    through.append(h * 1000)
        server.should_exit = True
        thread.join(10)
    sink.shutdown()
    result.update({"read_direct_ms_p50": round(statistics.median(direct), 2),
                   "read_direct_ms_p95": round(_pct(direct, 0.95), 2),
                   "read_canonical_ms_p50": round(statistics.median(through), 2),
                   "read_canonical_ms_p95": round(_pct(through, 0.95), 2),
                   "read_ratio_p50": round(statistics.median(through) / statistics.median(direct), 2),
                   "python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine()})
    if schema is not None:
        from registry.db import forget_databases

        forget_databases()
        schema.drop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (a scratch schema is created)")
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    r = run(args.records, args.postgres, args.reads)
    rows = [("backend", r["backend"]), ("records pulled / stored / invalid", f"{r['records']} / {r['stored']} / "
                                                                             f"{r['invalid']}"),
            ("pull → validate → store", f"{r['sync_s']} s = {r['sync_records_per_s']} records/s"),
            ("deliver (signed webhooks)", f"{r['deliver_s']} s = {r['deliver_per_s']} deliveries/s"),
            ("end to end", f"{r['end_to_end_records_per_s']} records/s"),
            ("read 100 records from the source", f"p50 {r['read_direct_ms_p50']} ms, p95 {r['read_direct_ms_p95']} ms"),
            ("same through the canonical API", f"p50 {r['read_canonical_ms_p50']} ms, "
                                               f"p95 {r['read_canonical_ms_p95']} ms"),
            ("canonical / direct (p50)", f"{r['read_ratio_p50']}×")]
    width = max(len(a) for a, _ in rows)
    for a, b in rows:
        print(f"{a:<{width}}  {b}")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
