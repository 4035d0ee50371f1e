"""Pinned connections: what the network policy costs per request, against plain httpx, on loopback.

    .venv/bin/python bench/netpolicy.py [--requests 2000] [--repeat 5]

A threaded stdlib HTTP server on 127.0.0.1 answers a small JSON body. Two clients send the same GETs, in
interleaved rounds (both see the same machine load):

* plain   — ``httpx.AsyncClient()`` (httpx's own transport, its own name resolution);
* pinned  — ``default_policy().async_client()`` (connectors.netpolicy: policy check, cached resolution, connection
            to the checked address, the same httpx pool underneath).

Each in two modes: keep-alive (one connection, the policy runs once) and ``Connection: close`` (a new connection,
so a policy decision, per request). The host is named ``localhost`` so that plain httpx really resolves a name.
The overhead is the CPU time of the client's thread per request (``time.thread_time``: the server runs in other
threads; name resolution in httpx's worker thread is not counted, which favours plain httpx). Prints a table,
then as the last line one JSON object with the figures. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from connectors.netpolicy import default_policy

BODY = json.dumps({"ok": True, "data": list(range(20))}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no delayed-ACK stalls

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


async def one_round(make, url: str, n: int, close: bool) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    headers = {"Connection": "close"} if close else {}
    async with make() as client:
        wall, cpu = time.perf_counter(), time.thread_time()
        for _ in range(n):
            response = await client.get(url, headers=headers)
            assert response.status_code == 200
        return time.perf_counter() - wall, time.thread_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://localhost:{server.server_address[1]}/data"
    clients = {"plain": lambda: httpx.AsyncClient(trust_env=False), "pinned": lambda: default_policy().async_client()}
    figures: dict[str, dict[str, float]] = {}
    for mode, close in (("keepalive", False), ("new_connection", True)):
        n = args.requests if not close else max(100, args.requests // 4)
        cpu: dict[str, list[float]] = {k: [] for k in clients}
        wall: dict[str, list[float]] = {k: [] for k in clients}
        for _ in range(args.repeat):
            for name, make in clients.items():
                w, c = asyncio.run(one_round(make, url, n, close))
                wall[name].append(w / n * 1e6)
                cpu[name].append(c / n * 1e6)
        for name in clients:
            figures[f"{mode}_{name}_cpu_us"] = round(statistics.median(cpu[name]), 1)
            figures[f"{mode}_{name}_wall_us"] = round(statistics.median(wall[name]), 1)
        figures[f"{mode}_cpu_ratio"] = round(figures[f"{mode}_pinned_cpu_us"] / figures[f"{mode}_plain_cpu_us"], 3)
    server.shutdown()
    print(f"{'mode':<16}{'client':<8}{'cpu µs/req':>12}{'wall µs/req':>13}")
    for mode in ("keepalive", "new_connection"):
        for name in clients:
            print(f"{mode:<16}{name:<8}{figures[f'{mode}_{name}_cpu_us']:>12}{figures[f'{mode}_{name}_wall_us']:>13}")
        print(f"{mode:<16}{'ratio':<8}{figures[f'{mode}_cpu_ratio']:>12}")
    print(json.dumps({"bench": "netpolicy", "requests": args.requests, "repeat": args.repeat, **figures}))


if __name__ == "__main__":
    main()
