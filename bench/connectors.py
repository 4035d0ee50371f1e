"""Connector benchmark: records/s through rest_json vs a plain httpx loop, and peak memory of a streamed read.

    .venv/bin/python bench/connectors.py [--records 20000] [--page-size 500] [--repeat 7] [--memory-records 100000]

A small Starlette app (uvicorn, in a subprocess on 127.0.0.1) serves deterministic SIMPEG-like records page by page
(``/n/<total>/pegawai?page=&size=``; each page's JSON is built once, then served from memory, so the server
costs the same for every client). On exactly the same pages it times:

* plain        — ``httpx.AsyncClient`` GET page after page, ``response.json()``, count the records (the floor);
* rest_json    — ``connector.read_pages()`` and ``connector.read()`` (one record at a time): page strategy,
                 auth hook, retries/circuit breaker/budget/size cap, timings, record path, stats;
* rest_json+map — the same, plus the declarative mapping of every record to kepegawaian/pegawai.

Rounds are interleaved (every client sees the same machine load). The overhead ratio is measured on the client's
CPU time per record (the server runs in another process, so this is what the connector itself costs); the wall
records/s ratio is printed too. Memory: a fresh child interpreter reads
``--memory-records`` records through rest_json and reports the tracemalloc peak during the read, the growth of
``ru_maxrss`` and the size of the whole JSON it received (what reading "all at once" would have had to hold).
Prints a table, then as the last line one JSON object with the figures. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOL = ["II/a", "II/c", "III/a", "III/b", "III/c", "III/d", "IV/a"]
UNITS = [("1.01.0.00.0.00.01.0000", "Dinas Pendidikan"), ("1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
         ("2.16.2.20.2.21.01.0000", "Dinas Komunikasi dan Informatika")]
MAPPING = {
    "schema": "kepegawaian/pegawai",
    "fields": {
        "nip": {"from": "pegawai.nip_baru", "code": {"remove_spaces": True}},
        "jenis_asn": {"const": "PNS"},
        "nama": "pegawai.nama",
        "tanggal_lahir": {"from": "tgl_lahir", "date": "%d-%m-%Y"},
        "jenis_kelamin": {"from": "jk", "map": {"Laki-laki": "L", "Perempuan": "P"}},
        "golongan_ruang": "gol",
        "jabatan.nama": "jabatan",
        "jabatan.jenis_jabatan": {"const": "fungsional_umum"},
        "unit_kerja.kode_opd": "unor.kode",
        "unit_kerja.nama": "unor.nama",
        "status_kepegawaian": {"from": "status", "map": {"Aktif": "aktif"}},
        "kode_pemda": {"const": "35.72"},
        "updated_at": {"from": "diubah", "datetime": {"from": "%Y-%m-%d %H:%M:%S"}},
    },
}


# -- the example application ------------------------------------------------------------------------------------
def record(i: int) -> dict[str, Any]:
    year, month, day = 1965 + i % 35, 1 + i % 12, 1 + i % 28
    male = i % 2 == 0
    unit = UNITS[i % len(UNITS)]
    nip = f"{year}{month:02d}{day:02d} {1990 + i % 30}{1 + i % 12:02d} {1 if male else 2} {i % 1000:03d}"
    return {
        "id": i, "pegawai": {"nip_baru": nip, "nama": f"Pegawai Nomor {i}"},
        "tgl_lahir": f"{day:02d}-{month:02d}-{year}", "jk": "Laki-laki" if male else "Perempuan",
        "gol": GOL[i % len(GOL)], "jabatan": "Pengadministrasi Umum", "unor": {"kode": unit[0], "nama": unit[1]},
        "status": "Aktif", "diubah": f"2024-{month:02d}-{day:02d} 10:{i % 60:02d}:00",
    }


def make_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    @lru_cache(maxsize=4096)
    def page_bytes(total: int, page: int, size: int) -> bytes:
        start = (page - 1) * size
        items = [record(i) for i in range(start, min(start + size, total))]
        return json.dumps({"data": items, "meta": {"page": page, "size": size, "total": total}}).encode()

    async def pegawai(request: Request) -> Response:
        total = int(request.path_params["total"])
        page, size = int(request.query_params.get("page", 1)), int(request.query_params.get("size", 100))
        return Response(page_bytes(total, page, size), media_type="application/json")

    async def health(request: Request) -> Response:
        return Response(b"ok")

    return Starlette(routes=[Route("/n/{total:int}/pegawai", pegawai), Route("/health", health)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        import httpx

        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the example application did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


# -- the clients ----------------------------------------------------------------------------------------------
def spec(url: str, total: int, size: int) -> dict[str, Any]:
    return {"app": "bench", "connector": {"type": "rest_json", "config": {
        "base_url": url, "pagination": {"type": "page", "page_size": size, "total_path": "meta.total"},
        "record_path": "data", "http": {"request_budget": 100_000, "max_response_bytes": 20_000_000}}},
        "resources": {"pegawai": {"path": f"/n/{total}/pegawai"}}}


async def plain_httpx(url: str, total: int, size: int) -> int:
    import httpx

    count, page = 0, 1
    async with httpx.AsyncClient(timeout=30) as client:
        while True:
            response = await client.get(f"{url}/n/{total}/pegawai", params={"page": page, "size": size})
            response.raise_for_status()
            items = response.json()["data"]
            count += len(items)
            if len(items) < size or count >= total:
                return count
            page += 1


async def through_rest_json(url: str, total: int, size: int, mapped: bool = False, pages: bool = False) -> int:
    from connectors import Mapper, build_connector, close_all

    connector = build_connector(spec(url, total, size))
    mapper = Mapper(MAPPING) if mapped else None
    count = 0
    if pages:
        async for page in connector.read_pages("pegawai"):
            count += len(page)
    else:
        async for item in connector.read("pegawai"):
            if mapper is not None and not mapper.map(item).ok:
                raise RuntimeError("benchmark records must map")
            count += 1
    await close_all()
    return count


def timed(clients: dict[str, Any], repeat: int, expected: int) -> list[dict[str, Any]]:
    """Median seconds per client; rounds are interleaved so every client sees the same machine load."""
    for factory in clients.values():
        asyncio.run(factory())  # warm-up: imports and first connections are not what is measured
    wall: dict[str, list[float]] = {label: [] for label in clients}
    cpu: dict[str, list[float]] = {label: [] for label in clients}
    for _ in range(repeat):
        for label, factory in clients.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            count = asyncio.run(factory())
            wall[label].append(time.perf_counter() - start)
            cpu[label].append(time.process_time() - start_cpu)
            if count != expected:
                raise RuntimeError(f"{label}: read {count} records, expected {expected}")
    rows = []
    for label in clients:
        seconds, cpu_s = statistics.median(wall[label]), statistics.median(cpu[label])
        rows.append({"label": label, "seconds": round(seconds, 3), "records_per_s": round(expected / seconds),
                     "cpu_us_per_record": round(cpu_s / expected * 1e6, 2)})
    return rows


# -- memory, in a fresh interpreter -----------------------------------------------------------------------------
def memory_child(url: str, total: int, size: int) -> None:
    from connectors import build_connector

    async def run() -> dict[str, Any]:
        connector = build_connector(spec(url, total, size))
        warm = build_connector(spec(url, size, size))
        assert [r async for r in warm.read("pegawai")]  # imports, client and first page out of the way
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        count = 0
        async for _ in connector.read("pegawai"):
            count += 1
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        received = sum(t.bytes for t in connector.http().timings)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
        return {"records": count, "pages": connector.last_read.pages, "tracemalloc_peak_mb": round(peak / 2**20, 2),
                "maxrss_growth_mb": round(grown / 1024, 2), "received_json_mb": round(received / 2**20, 2),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}

    print(json.dumps(asyncio.run(run())))


def measure_memory(url: str, total: int, size: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--memory-child", url, str(total), str(size)],
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--memory-records", type=int, default=100_000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        import uvicorn

        uvicorn.run(make_app(), host="127.0.0.1", port=args.serve, log_level="warning", access_log=False)
        return
    if args.memory_child:
        url, total, size = args.memory_child
        memory_child(url, int(total), int(size))
        return

    n, size = args.records, args.page_size
    with Server() as server:
        asyncio.run(plain_httpx(server.url, n, size))  # the server builds and caches its pages once
        rows = timed({
            "plain httpx loop": lambda: plain_httpx(server.url, n, size),
            "rest_json read_pages()": lambda: through_rest_json(server.url, n, size, pages=True),
            "rest_json read()": lambda: through_rest_json(server.url, n, size),
            "rest_json read() + mapping": lambda: through_rest_json(server.url, n, size, True),
        }, args.repeat, n)
        memory = measure_memory(server.url, args.memory_records, size)

    plain, paged, rest, mapped = (r["records_per_s"] for r in rows)
    c_plain, c_paged, c_rest, c_mapped = (r["cpu_us_per_record"] for r in rows)
    print(f"Connectors — {n} records in pages of {size}, median of {args.repeat} interleaved runs, "
          f"Python {platform.python_version()} on {platform.machine()} ({os.cpu_count()} CPUs)")
    print(f"{'client':<30}{'wall s':>9}{'records/s':>12}{'client CPU µs/record':>23}")
    for r in rows:
        print(f"{r['label']:<30}{r['seconds']:>9.3f}{r['records_per_s']:>12,}{r['cpu_us_per_record']:>23.2f}")
    print(f"overhead vs plain httpx (client CPU): read() {c_rest / c_plain:.2f}x, read_pages() "
          f"{c_paged / c_plain:.2f}x, read() + mapping {c_mapped / c_plain:.2f}x; "
          f"(wall records/s: {plain / rest:.2f}x, {plain / paged:.2f}x, {plain / mapped:.2f}x)")
    print(f"streamed read of {memory['records']:,} records ({memory['pages']} pages, "
          f"{memory['received_json_mb']} MB of JSON received): tracemalloc peak {memory['tracemalloc_peak_mb']} MB, "
          f"maxrss growth {memory['maxrss_growth_mb']} MB (maxrss {memory['maxrss_mb']} MB)")
    print(json.dumps({
        "benchmark": "connectors", "records": n, "page_size": size, "repeat": args.repeat,
        "records_per_s": {"plain": plain, "rest_json_read": rest, "rest_json_read_pages": paged,
                          "rest_json_read_mapped": mapped},
        "client_cpu_us_per_record": {"plain": c_plain, "rest_json_read": c_rest, "rest_json_read_pages": c_paged,
                                     "rest_json_read_mapped": c_mapped},
        "overhead_ratio_cpu": round(c_rest / c_plain, 2), "overhead_ratio_cpu_pages": round(c_paged / c_plain, 2),
        "overhead_ratio_cpu_mapped": round(c_mapped / c_plain, 2), "overhead_ratio_wall": round(plain / rest, 2),
        "memory": memory, "python": platform.python_version(), "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
