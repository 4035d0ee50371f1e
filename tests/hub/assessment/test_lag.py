"""The hub's own event-loop lag around timing probes (issue 10.5): the monitor, the rule, the loopback application's
CPU wait, and a timing check that ends `inconclusive` when the hub was the slow one.

No assertion here depends on how fast the machine is: the blocks are made on purpose and only lower bounds of the
lag they cause are asserted (a loop blocked for 200 ms makes a tick at least that late, never less).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI

from hub.assessment import Status, load_catalog
from hub.assessment.lag import LagMonitor, TimingRule
from hub.assessment.machine import ProcessCpuWait
from hub.assessment.render import render

from .conftest import FAST, run_app


async def test_a_blocked_loop_shows_as_lag_during_the_requests_it_overlapped():
    async with LagMonitor(tick_ms=5) as lag:
        await asyncio.sleep(0.03)
        start = time.perf_counter()
        time.sleep(0.2)  # the hub's loop is blocked: nothing on it can run, the ticker included
        end = time.perf_counter()
        await asyncio.sleep(0.03)
    stats = lag.stats()
    assert stats["ticks"] >= 3 and stats["lag_max_ms"] >= 150
    assert lag.sample_lag(start, end) >= 150  # a request during the block: the hub may have delayed it that long
    assert {"lag_p50_ms", "lag_p95_ms", "cpu_ms", "wall_ms", "cpu_pct", "tick_ms"} <= set(stats)
    assert lag.sample_lag(0.0, 0.0) == 0.0


def test_the_rule_is_the_catalogs_thresholds():
    rule = TimingRule.of(load_catalog().get("REL-002").thresholds, "p95_warn_ms")
    assert (rule.min_samples, rule.tolerance, rule.lag_limit_ms, rule.app_wait_max_pct) == (10, 0.1, 50.0, 25.0)
    assert not rule.above(550, 500) and rule.above(551, 500)  # limit × (1 + tolerance)
    assert rule.disturbed(900, 880)  # beyond the limit only because of the hub's lag
    assert not rule.disturbed(900, 40)  # the lag is below its limit: the sample counts
    assert not rule.disturbed(1400, 300)  # still beyond the limit without the lag: the application is slow
    assert not rule.disturbed(120, 100)  # within the limit anyway
    assert rule.machine_busy(30.0) and not rule.machine_busy(10.0) and not rule.machine_busy(None)


def test_the_cpu_wait_of_a_loopback_application_is_followed_and_a_remote_one_is_not():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        waiter = None
        for _ in range(100):  # until it listens
            waiter = ProcessCpuWait.for_port("127.0.0.1", port)
            if waiter is not None or server.poll() is not None:
                break
            time.sleep(0.05)
        assert waiter is not None and waiter.pids == [server.pid]
        assert (waiter.wait_ms() or 0.0) >= 0.0
    finally:
        server.terminate()
        server.wait(5)
    assert ProcessCpuWait.for_port("opd.example", port) is None  # never for another machine
    assert ProcessCpuWait.for_port("127.0.0.1", None) is None


def blocking_app(block_s: float) -> FastAPI:
    """An application served in-process, on the hub's own loop: its /health blocks that loop (time.sleep), so
    every latency sample is the hub's lag, not the application's time."""
    app = FastAPI(title="Blokir", description="Aplikasi uji yang menahan putaran kejadian Simpul.")

    @app.get("/health")
    def health() -> dict[str, str]:  # a sync endpoint runs in a thread: block the loop from an async one instead
        return {"status": "ok"}

    @app.middleware("http")
    async def block(request, call_next):  # type: ignore[no-untyped-def]
        if request.url.path == "/health":
            time.sleep(block_s)
        return await call_next(request)

    return app


@pytest.fixture(scope="module")
def busy_run():
    catalog = load_catalog().model_copy(deep=True)
    # a 50 ms warning limit (lag limit 5 ms) and a 120 ms block on every availability probe
    catalog.get("REL-002").thresholds.update(p95_warn_ms=50, p95_max_ms=100)
    return asyncio.run(run_app(blocking_app(0.12), catalog=catalog, limits=FAST)), catalog


def test_latency_measured_while_the_hub_was_blocked_is_inconclusive_not_a_failure(busy_run):
    run, _catalog = busy_run
    rel2 = run.result("REL-002")
    assert rel2.status is Status.INCONCLUSIVE
    assert run.result("REL-001").status is Status.PASS
    measured = rel2.measured
    assert measured["disturbed"] > 0 and measured["lag_max_ms"] >= 100 and measured["raw_p95_ms"] >= 100
    assert measured["samples"] >= 10  # the disturbed samples were retaken, and are still shown
    for text in (rel2.reason.id, rel2.reason.en):
        assert "simpul assess run simpeg-uji" in text
    assert "tidak meyakinkan" in rel2.reason.id.lower() and "inconclusive" in rel2.reason.en.lower()
    assert rel2.message is None  # no failure message: nothing is held against the application
    assert "REL-002" in run.inconclusive


def test_an_inconclusive_check_is_shown_as_such_in_every_report(busy_run):
    run, _catalog = busy_run
    root = ET.fromstring(render(run, "junit", "en"))
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("REL-002"))
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message").startswith("inconclusive:")
    assert case.find("failure") is None and "lag" in skipped.text
    html = render(run, "html", "id")
    assert "tidak meyakinkan" in html.lower() and 'class="badge inconclusive"' in html
    assert json.loads(render(run, "json"))["results"][1]["status"] == "inconclusive"
    assert render(run, "xlsx", "en")[:2] == b"PK"
