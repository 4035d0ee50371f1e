"""Exchange throughput at two sizes on SQLite and PostgreSQL, peak memory of a large sync, canonical-API overhead.

    .venv/bin/python bench/exchange.py                                   # 5k and 50k on SQLite, reads, 100k memory
    .venv/bin/python bench/exchange.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/exchange.py --sizes 2000 --memory-records 0 --reads 50   # a quick look

For each backend and size (a fresh database, a fresh process):
1. pull → validate → store: ``sync`` of e-budgeting's rincian-belanja (HTTP pages of 100, the example's maximum;
   full validation with business rules; versions + outbox rows stored set-wise per batch of 500).
2. deliver, one signed POST per delivery (``batch_size`` 1, the default contract) for ``--single-seconds`` or
   ``--single-fraction`` of the records (10 % by default), whichever comes first, so the batched phase always has
   most of the backlog to measure (at 5k a 5 s single phase used to deliver everything); then the rest of the
   backlog with the subscription's ``batch_size`` set to ``--batch-size`` (one signed POST per batch envelope;
   docs/exchange.md), capped at ``--deliver-seconds``. The worker sends one POST at a time over HTTP/1.1
   keep-alive (its lean httpcore sender over the pinned backend) to a minimal consumer in its own process (it
   answers 200 without parsing JSON, so what is measured is the hub), and records the outcomes.
3. end to end = records / (sync time + records / batched delivery rate); ``end_to_end_single_records_per_s`` the
   same with the one-per-POST rate. The phases run one after the other (``simpul worker`` overlaps them).
Then: peak RSS of a fresh process syncing ``--memory-records`` records, and the same page of 100 records read from
the source application directly vs. through the canonical API (key, cached scopes, rate limit, buffered audit
entry, masking, provenance): p50/p95 and the ratio.
A readable table is printed; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import queue
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))


def _consumer(port_out: Any, count: Any) -> None:
    """A webhook consumer in its own process: HTTP/1.1 keep-alive, answers every POST with 200."""
    import asyncio as aio

    class Proto(aio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.t, self.buf = transport, b""

        def data_received(self, data: bytes) -> None:
            self.buf += data
            while True:
                head_end = self.buf.find(b"\r\n\r\n")
                if head_end < 0:
                    return
                length = 0
                for line in self.buf[:head_end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if len(self.buf) < head_end + 4 + length:
                    return
                self.buf = self.buf[head_end + 4 + length:]
                with count.get_lock():
                    count.value += 1
                self.t.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    async def serve() -> None:
        server = await aio.get_running_loop().create_server(Proto, "127.0.0.1", 0)
        port_out.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    aio.run(serve())


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _environment(url: str) -> None:
    os.environ.update({"SIMPUL_DATABASE_URL": url, "SIMPUL_EXCHANGE_SECRET_KEY": "bench",
                       "SIMPUL_LOG_LEVEL": "WARNING", "SIMPUL_EXCHANGE_SYNC_BATCH": "500",
                       "SIMPUL_EXCHANGE_DELIVERY_BATCH": "500", "SIMPUL_EXCHANGE_DELIVERY_CONCURRENCY": "1",
                       "SIMPUL_EXCHANGE_RATE_PER_MINUTE": "1000000"})


def _spec(base: str) -> Any:
    from hub.services.connections import spec_from_dict

    return spec_from_dict({"app": "e-budgeting", "connector": {"type": "rest_json", "config": {
        "base_url": base, "auth": {"type": "bearer", "token": {"env": "BENCH_TOKEN"}},
        "pagination": {"type": "page", "page_param": "page", "size_param": "size", "page_size": 100},
        "record_path": "data", "since_param": "updated_since"}},
        "resources": {"rincian-belanja": {"path": "/rincian-belanja", "schema": "penganggaran/rincian_belanja"}}})


def _database(db_url: str | None, tmp: Path) -> tuple[Any, str, str]:
    if db_url:
        from registry.testing import PostgresSchema

        schema = PostgresSchema(db_url)
        return schema, schema.url, "postgresql"
    return None, f"sqlite:///{tmp / 'bench.db'}", "sqlite"


async def _deliver_some(cap: int, seconds: float) -> int:
    """Delivery rounds until ``cap`` deliveries or ``seconds`` (like ``delivery.drain``, with a count cap: the last
    round claims only what is left to reach it)."""
    from hub.exchange import delivery
    from hub.exchange.webhook_client import webhook_sender
    from hub.settings import get_settings

    settings = get_settings()
    sender = webhook_sender(settings.exchange_delivery_timeout_s)
    total, deadline = 0, time.monotonic() + seconds
    try:
        while total < cap and time.monotonic() < deadline:
            n = await delivery.deliver_once(client=sender, limit=min(settings.exchange_delivery_batch, cap - total))
            total += n
            if n == 0:
                break
    finally:
        await sender.aclose()
    return total


def run_size(records: int, db_url: str | None, sink_port: int, deliver_seconds: float, single_seconds: float,
             single_fraction: float, batch_size: int, reads: int, out: Any) -> None:
    """One backend and size in a fresh process (own settings, caches and database)."""
    tmp = Path(tempfile.mkdtemp(prefix="simpul-bench-exchange-"))
    schema, url, backend = _database(db_url, tmp)
    _environment(url)
    from examples.launcher import start_examples
    from hub.exchange import delivery, subscriptions
    from hub.exchange.subscriptions import SubscriptionIn
    from hub.exchange.sync import sync_resource
    from hub.logging import configure_logging

    configure_logging("WARNING", "console")
    result: dict[str, Any] = {"records": records, "backend": backend}
    try:
        with start_examples({"e-budgeting": "good"}, ports=0, records=f"rincian-belanja={records}") as urls:
            os.environ["BENCH_TOKEN"] = urls.tokens["e-budgeting"]
            base = urls["e-budgeting"] + "/api/v1"
            sub = subscriptions.create(SubscriptionIn(name="bench sink", schema="penganggaran/rincian_belanja",
                                                      url=f"http://127.0.0.1:{sink_port}/hook"), "bench")
            c0, t0 = _cpu(), time.perf_counter()
            sync = asyncio.run(sync_resource(_spec(base), "rincian-belanja"))
            c1, t1 = _cpu(), time.perf_counter()
            # batch_size 1 (one signed POST per delivery, the default contract), capped at --single-seconds and at
            # --single-fraction of the records: the batched phase below always measures the larger part
            cap = int(records * single_fraction)
            single = asyncio.run(_deliver_some(cap, single_seconds)) if single_seconds > 0 and cap > 0 else 0
            c2, t2 = _cpu(), time.perf_counter()
            # the rest of the backlog in batch envelopes of --batch-size (opt-in per subscription)
            subscriptions.set_batch_size(sub.id, batch_size, "bench")
            c3, t3 = _cpu(), time.perf_counter()
            batched = asyncio.run(delivery.drain(timeout_s=deliver_seconds))
            c4, t4 = _cpu(), time.perf_counter()
            single_rate = single / (t2 - t1) if single else 0.0
            rate = batched / (t4 - t3) if batched else 0.0
            sync_s = t1 - t0
            result.update({"read": sync.counts.read, "stored": sync.counts.new, "invalid": sync.counts.invalid,
                           "sync_s": round(sync_s, 2), "sync_records_per_s": round(sync.counts.read / sync_s),
                           "delivered_single": single, "deliver_single_s": round(t2 - t1, 2),
                           "deliver_single_per_s": round(single_rate),
                           "batch_size": batch_size, "delivered": batched, "deliver_s": round(t4 - t3, 2),
                           "deliver_capped": single + batched < sync.counts.new, "deliver_per_s": round(rate),
                           "end_to_end_records_per_s": round(records / (sync_s + records / rate)) if rate else 0,
                           "end_to_end_single_records_per_s":
                               round(records / (sync_s + records / single_rate)) if single_rate else 0,
                           # the hub process's own CPU (the source application and the consumer run elsewhere)
                           "sync_hub_cpu_us_per_record": round((c1 - c0) / max(1, sync.counts.read) * 1e6),
                           "deliver_single_hub_cpu_us_per_record": round((c2 - c1) / max(1, single) * 1e6),
                           "deliver_hub_cpu_us_per_record": round((c4 - c3) / max(1, batched) * 1e6)})
            if reads:
                result.update(_reads(urls, base, reads))
            print(json.dumps(result), file=sys.stderr)
    finally:
        if schema is not None:
            from registry.db import forget_databases

            forget_databases()
            schema.drop()
    out.put(result)


def _reads(urls: Any, base: str, reads: int) -> dict[str, Any]:
    import httpx
    import uvicorn

    from hub.api.app import create_app
    from hub.exchange import scopes
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database
    from hub.services.registry_keys import ApiKeyIn, KeyService

    key = KeyService(get_database(), Principal.cli()).create(ApiKeyIn(name="bench consumer", role="vendor"))
    scopes.grant(str(key.id), "data:read:penganggaran/rincian_belanja", "bench")
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
        for i in range(reads + 5):  # interleaved, so both see the same load of the machine
            t = time.perf_counter()
            if not http.get(f"{base}/rincian-belanja", params={"page": 2, "size": 100}, headers=src_h).is_success:
                raise RuntimeError("the source application did not answer")
            d = time.perf_counter() - t
            t = time.perf_counter()
            r = http.get(hub_url, params={"limit": 100}, headers=hub_h)
            if not r.is_success or r.json()["count"] != 100:
                raise RuntimeError(r.text[:300])
            h = time.perf_counter() - t
            if i >= 5:  # warm-up
                direct.append(d * 1000)
                through.append(h * 1000)
    server.should_exit = True
    thread.join(10)
    from hub.exchange import canonical

    inproc, inproc_cpu, cold_cpu = [], [], []
    for _ in range(max(20, reads // 4)):
        t, c = time.perf_counter(), time.thread_time()
        canonical.list_records_json("penganggaran/rincian_belanja", limit=100)
        inproc_cpu.append((time.thread_time() - c) * 1000)
        inproc.append((time.perf_counter() - t) * 1000)
    for _ in range(max(20, reads // 4)):  # the first read of each version: the memo of item texts emptied
        canonical._item_texts.cache_clear()
        c = time.thread_time()
        canonical.list_records_json("penganggaran/rincian_belanja", limit=100)
        cold_cpu.append((time.thread_time() - c) * 1000)
    return {"read_direct_ms_p50": round(statistics.median(direct), 2),
            "read_direct_ms_p95": round(_pct(direct, 0.95), 2),
            "read_canonical_ms_p50": round(statistics.median(through), 2),
            "read_canonical_ms_p95": round(_pct(through, 0.95), 2),
            "read_ratio_p50": round(statistics.median(through) / statistics.median(direct), 2),
            "read_ratio_p95": round(_pct(through, 0.95) / _pct(direct, 0.95), 2),
            "read_in_process_ms_p50": round(statistics.median(inproc), 2),
            "read_in_process_cpu_ms_p50": round(statistics.median(inproc_cpu), 2),
            "read_in_process_cold_cpu_ms_p50": round(statistics.median(cold_cpu), 2)}


def run_memory(records: int, out: Any) -> None:
    """Peak RSS of a fresh process that syncs ``records`` records (SQLite; the source runs in its own process)."""
    import resource

    tmp = Path(tempfile.mkdtemp(prefix="simpul-bench-memory-"))
    _environment(f"sqlite:///{tmp / 'memory.db'}")
    from examples.launcher import start_examples
    from hub.exchange.sync import sync_resource
    from hub.logging import configure_logging

    configure_logging("WARNING", "console")
    with start_examples({"e-budgeting": "good"}, ports=0, records=f"rincian-belanja={records}") as urls:
        os.environ["BENCH_TOKEN"] = urls.tokens["e-budgeting"]
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        sync = asyncio.run(sync_resource(_spec(urls["e-budgeting"] + "/api/v1"), "rincian-belanja"))
        wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({"memory_records": sync.counts.read, "memory_stored": sync.counts.new,
             "memory_sync_s": round(wall, 1), "memory_peak_rss_mb": round(peak, 1),
             "memory_rss_before_sync_mb": round(base_rss, 1)})


def _in_process(target: Any, *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, out))
    proc.start()
    while True:
        try:
            result = out.get(timeout=1)
            break
        except queue.Empty:
            if not proc.is_alive():
                raise RuntimeError(f"{target.__name__} failed (exit {proc.exitcode})") from None
    proc.join(60)
    return result


def run(sizes: list[int], postgres: str | None, reads: int, deliver_seconds: float, single_seconds: float,
        single_fraction: float, batch_size: int, memory_records: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    port_q, count = ctx.Queue(), ctx.Value("q", 0)
    sink = ctx.Process(target=_consumer, args=(port_q, count), daemon=True)
    sink.start()
    sink_port = port_q.get(timeout=30)
    runs = []
    backends = [None] + ([postgres] if postgres else [])
    try:
        for db_url in backends:
            for i, size in enumerate(sizes):
                runs.append(_in_process(run_size, size, db_url, sink_port, deliver_seconds, single_seconds,
                                        single_fraction, batch_size, reads if (db_url is None and i == 0) else 0))
        memory = _in_process(run_memory, memory_records) if memory_records else {}
    finally:
        sink.terminate()
    result: dict[str, Any] = {"sizes": sizes, "runs": runs, "sink_received": count.value, **memory}
    for r in runs:
        if "read_ratio_p50" in r:
            result.update({k: v for k, v in r.items() if k.startswith("read_")})
    for backend in ("sqlite", "postgresql"):
        mine = [r for r in runs if r["backend"] == backend]
        if len(mine) >= 2:
            small, large = mine[0], mine[-1]
            for k in ("sync_records_per_s", "deliver_per_s", "end_to_end_records_per_s",
                      "sync_hub_cpu_us_per_record", "deliver_hub_cpu_us_per_record",
                      "deliver_single_hub_cpu_us_per_record"):
                if small[k]:
                    # 1.0 = linear (the same rate at both sizes); below 1 the cost per record grows with the size
                    result[f"{backend}_{k}_large_vs_small"] = round(large[k] / small[k], 2)
    result.update({"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
                   "load_average_1m": round(os.getloadavg()[0], 1)})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000", help="record counts, comma-separated")
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (a scratch schema per run)")
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--deliver-seconds", type=float, default=60.0, help="cap of the batched delivery phase")
    parser.add_argument("--single-seconds", type=float, default=5.0,
                        help="how long deliveries go one per POST (batch_size 1) before the batch phase; 0 = skip")
    parser.add_argument("--single-fraction", type=float, default=0.1,
                        help="at most this fraction of the records goes one per POST (the rest is batched)")
    parser.add_argument("--batch-size", type=int, default=100, help="batch_size of the batched delivery phase")
    parser.add_argument("--memory-records", type=int, default=100_000, help="0 = skip the memory run")
    args = parser.parse_args()
    r = run([int(x) for x in args.sizes.split(",") if x.strip()], args.postgres, args.reads, args.deliver_seconds,
            args.single_seconds, args.single_fraction, args.batch_size, args.memory_records)
    print(f"{'backend':<11} {'records':>8} {'sync rec/s':>11} {'µs CPU/rec':>11} {'1/POST /s':>10} "
          f"{'µs CPU/dlv':>11} {'batch /s':>9} {'µs CPU/dlv':>11} {'end to end/s':>13}")
    for x in r["runs"]:
        capped = " (delivery capped)" if x["deliver_capped"] else ""
        print(f"{x['backend']:<11} {x['records']:>8} {x['sync_records_per_s']:>11} "
              f"{x['sync_hub_cpu_us_per_record']:>11} {x['deliver_single_per_s']:>10} "
              f"{x['deliver_single_hub_cpu_us_per_record']:>11} {x['deliver_per_s']:>9} "
              f"{x['deliver_hub_cpu_us_per_record']:>11} {x['end_to_end_records_per_s']:>13}{capped}")
    if "read_ratio_p50" in r:
        print(f"read 100 records: direct p50 {r['read_direct_ms_p50']} ms / p95 {r['read_direct_ms_p95']} ms; "
              f"canonical p50 {r['read_canonical_ms_p50']} ms / p95 {r['read_canonical_ms_p95']} ms; "
              f"ratio {r['read_ratio_p50']}×")
    if "memory_peak_rss_mb" in r:
        print(f"sync of {r['memory_records']} records: peak RSS {r['memory_peak_rss_mb']} MB "
              f"({r['memory_sync_s']} s)")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
