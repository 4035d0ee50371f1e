"""Assessment benchmark: many simulated applications assessed concurrently vs one by one.

    .venv/bin/python bench/assess.py [--apps 200] [--concurrency 50] [--sequential 200]

One uvicorn server (a subprocess) serves ``--apps`` lightweight simulated OPD applications under path prefixes
``/app000`` … (plain ASGI, no framework, so the server is not the bottleneck being measured). Their quality varies
by index, like a real Pemda: every fourth one is fragile (500 with a traceback on bad input), every fourth+1 has no
pagination, every fourth+2 answers errors in English. Each is a full ``assess()`` run of the whole catalog (short
probe limits: 3 availability probes, load levels 1 and 2, one page sampled).

It reports the wall time of assessing them all concurrently (bounded by ``--concurrency``) against one by one
(``--sequential N`` assesses the first N one by one and extrapolates when N < apps), the speed-up ratio, and the
peak resident memory of the assessing process in each phase. Readable table, then as the LAST line one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = ('<!doctype html><html lang="id"><head><title>Aplikasi {i}</title><meta name="viewport" '
        'content="width=device-width"></head><body><label for="q">Cari</label><input id="q"></body></html>')
TRACEBACK = ('Traceback (most recent call last):\n  File "/srv/app/main.py", line 12, in daftar\n'
             "ValueError: invalid literal for int() with base 10")


# -- the simulated applications (server side) ----------------------------------------------------------------
def _records() -> list[dict[str, Any]]:
    folder = ROOT / "schemas" / "kepegawaian" / "pegawai" / "examples" / "valid"
    out = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]
    for n, record in enumerate(out):
        record["updated_at"] = f"2024-0{n + 1}-01T00:00:00Z"
    return out


def _openapi(i: int) -> dict[str, Any]:
    ok = {"200": {"description": "OK"}}
    query = [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("page", "size")]
    return {"openapi": "3.1.0", "info": {"title": f"Aplikasi {i}", "version": "1.0",
                                         "description": "API data pegawai simulasi untuk benchmark penilaian."},
            "paths": {"/api/v1/pegawai": {"get": {"parameters": [*query, {"name": "updated_since", "in": "query",
                                                                            "schema": {"type": "string"}}],
                                                  "responses": ok}},
                      "/api/v1/export/pegawai.ndjson": {"get": {"responses": ok}}},
            "webhooks": {"pegawai": {"post": {"responses": ok}}},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}


def make_server_app(count: int, latency_s: float = 0.0) -> Any:
    records = _records()
    docs = {i: json.dumps(_openapi(i)).encode() for i in range(count)}

    async def send(send_fn: Any, status: int, body: bytes, ctype: str) -> None:
        await send_fn({"type": "http.response.start", "status": status,
                       "headers": [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]})
        await send_fn({"type": "http.response.body", "body": body})

    def error(i: int, id_text: str, en_text: str) -> tuple[int, bytes, str]:
        text = en_text if i % 4 == 2 else id_text
        return 400, json.dumps({"detail": text}).encode(), "application/json"

    def listing(i: int, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        raw = {k: v[0] for k, v in query.items()}
        unknown = set(raw) - {"page", "size", "updated_since"}
        try:
            page, size = int(raw.get("page", 1)), int(raw.get("size", 2))
        except ValueError:
            if i % 4 == 0:
                return 500, TRACEBACK.encode(), "text/plain"
            return error(i, "Parameter page dan size harus berupa angka.", "page and size must be integers.")
        if unknown:
            return error(i, f"Parameter tidak dikenal: {', '.join(sorted(unknown))}.", "Unknown parameter.")
        if page < 1 or not 1 <= size <= 100:
            if i % 4 == 0:
                return 500, TRACEBACK.encode(), "text/plain"
            return error(i, "Nomor halaman minimal 1 dan ukuran halaman 1 sampai 100.", "page/size out of range.")
        rows = [r for r in records if r["updated_at"] > raw.get("updated_since", "")]
        if i % 4 == 1:
            return 200, json.dumps(rows).encode(), "application/json"
        body = {"data": rows[(page - 1) * size: page * size], "total": len(rows), "page": page, "size": size}
        return 200, json.dumps(body).encode(), "application/json"

    async def app(scope: dict[str, Any], receive: Any, send_fn: Any) -> None:
        if scope["type"] != "http":
            return
        parts = scope["path"].split("/", 2)
        try:
            i = int(parts[1][3:])
        except (IndexError, ValueError):
            await send(send_fn, 404, b'{"detail": "Aplikasi tidak ada."}', "application/json")
            return
        rest = "/" + (parts[2] if len(parts) > 2 else "")
        query = parse_qs(scope.get("query_string", b"").decode())
        if latency_s:
            await asyncio.sleep(latency_s)  # a LAN round trip and a little application work
        if scope["method"] == "POST":
            await send(send_fn, 405, b'{"detail": "Metode tidak diizinkan."}', "application/json")
        elif rest == "/":
            await send(send_fn, 200, PAGE.format(i=i).encode(), "text/html; charset=utf-8")
        elif rest == "/openapi.json":
            await send(send_fn, 200, docs[i], "application/json")
        elif rest == "/docs":
            await send(send_fn, 200, b"<html lang='id'><title>Dokumentasi API</title></html>", "text/html")
        elif rest == "/api/v1/pegawai":
            await send(send_fn, *listing(i, query))
        elif rest == "/api/v1/export/pegawai.ndjson":
            await send(send_fn, 200, "\n".join(json.dumps(r) for r in records).encode(), "application/x-ndjson")
        else:
            await send(send_fn, 404, b'{"detail": "Alamat tidak ditemukan."}', "application/json")

    return app


def serve(port: int, count: int, latency_s: float) -> None:
    import uvicorn

    uvicorn.run(make_server_app(count, latency_s), host="127.0.0.1", port=port, log_level="error", access_log=False,
                backlog=4096)


# -- the assessing side ----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(count: int, latency_ms: float) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--apps", str(count),
                                "--latency-ms", str(latency_ms)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/app000/", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the simulated applications did not start")


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def assess_many(base: str, indices: list[int], concurrency: int) -> tuple[float, list[Any]]:
    from hub.assessment import AssessmentTarget, ProbeLimits, assess

    limits = ProbeLimits(availability_probes=3, availability_interval_s=0, load_levels=[1, 2],
                         load_requests_per_client=1, sample_pages=1, total_timeout_s=120)
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Any:
        target = AssessmentTarget(app_id=f"app{i:03d}", name=f"Aplikasi {i}", base_url=f"{base}/app{i:03d}",
                                  area="kepegawaian")
        async with gate:
            return await assess(target, limits=limits)

    start = time.perf_counter()
    runs = await asyncio.gather(*(one(i) for i in indices))
    return time.perf_counter() - start, runs


def phase(base: str, count: int, concurrency: int) -> dict[str, Any]:
    """One timed phase, in its own process so that its peak memory is its own."""
    from hub.logging import configure_logging
    from hub.validation.store import get_store

    configure_logging("ERROR")
    get_store()  # load the schemas once, outside the timing
    asyncio.run(assess_many(base, [count], 1))  # warm-up on an app outside the timed set
    wall, runs = asyncio.run(assess_many(base, list(range(count)), concurrency))
    levels: dict[str, int] = {}
    for run in runs:
        levels[str(run.maturity.level)] = levels.get(str(run.maturity.level), 0) + 1
    return {"wall_s": round(wall, 2), "peak_rss_mb": peak_rss_mb(), "levels": dict(sorted(levels.items())),
            "simpul_errors": sum(len(run.errors) for run in runs), "checks": len(runs[0].results),
            "requests": sum(run.requests_made for run in runs)}


def run_phase(base: str, count: int, concurrency: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--phase", base, "--apps", str(count), "--concurrency",
                          str(concurrency)], capture_output=True, text=True, check=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--sequential", type=int, default=None, help="apps assessed one by one (default: all)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every answer of the simulated apps")
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--phase", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.apps + 1, args.latency_ms / 1000)
        return
    if args.phase is not None:
        print(json.dumps(phase(args.phase, args.apps, args.concurrency)))
        return
    sequential_n = min(args.sequential or args.apps, args.apps)
    process, base = start_server(args.apps, args.latency_ms)
    try:
        conc = run_phase(base, args.apps, args.concurrency)
        seq = run_phase(base, sequential_n, 1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    sequential_all = seq["wall_s"] * args.apps / sequential_n
    summary = {
        "benchmark": "assessment", "apps": args.apps, "concurrency": args.concurrency,
        "latency_ms_per_answer": args.latency_ms, "checks_per_app": conc["checks"],
        "requests_per_app": round(conc["requests"] / args.apps, 1), "concurrent_wall_s": conc["wall_s"],
        "sequential_apps": sequential_n, "sequential_wall_s": seq["wall_s"],
        "sequential_wall_s_all": round(sequential_all, 2), "sequential_extrapolated": sequential_n < args.apps,
        "speedup": round(sequential_all / conc["wall_s"], 1),
        "apps_per_s_concurrent": round(args.apps / conc["wall_s"], 1),
        "peak_rss_mb_concurrent": conc["peak_rss_mb"], "peak_rss_mb_sequential": seq["peak_rss_mb"],
        "levels": conc["levels"], "simpul_errors": conc["simpul_errors"], "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(f"{'mode':<30} {'apps':>5} {'wall s':>9} {'apps/s':>8} {'peak RSS MB':>12}")
    print(f"{'concurrent (≤' + str(args.concurrency) + ' at once)':<30} {args.apps:>5} {conc['wall_s']:>9.2f} "
          f"{args.apps / conc['wall_s']:>8.1f} {conc['peak_rss_mb']:>12.1f}")
    label = "one by one" + (f" ({sequential_n}, extrapolated)" if sequential_n < args.apps else "")
    print(f"{label:<30} {args.apps:>5} {sequential_all:>9.2f} {args.apps / sequential_all:>8.1f} "
          f"{seq['peak_rss_mb']:>12.1f}")
    print(f"speed-up: {summary['speedup']}×  ·  {summary['checks_per_app']} checks, {summary['requests_per_app']:.0f} "
          f"requests per application, {args.latency_ms:.0f} ms added per answer  ·  levels reached "
          f"{summary['levels']}  ·  Simpul errors: {summary['simpul_errors']}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
