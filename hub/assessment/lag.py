"""Simpul's own event-loop lag, measured around every timing probe (issue 10.5, docs/adr/0010).

A response time measured by the hub is the application's time *plus* the time the hub itself was too busy to read
the answer: its event loop blocked by other work (records of another application being validated, a report being
rendered) or its process not scheduled at all (a busy machine). :class:`LagMonitor` runs a small ticker task on the
hub's loop while a timing probe runs: it sleeps ``tick_ms`` and records how late it wakes. A tick that wakes 300 ms
late means that for those 300 ms nothing on the loop could run, the probe's own reads included.

* :meth:`LagMonitor.sample_lag` gives, for one request, how long the hub, not the application, may have delayed
  it: the largest lateness of a tick during the request. A sample the lag *explains* — lag above the check's lag
  limit, the sample beyond the check's time limit, and within it without the lag (:meth:`TimingRule.disturbed`) —
  is *disturbed*: the probe takes another one, and the evaluator judges only undisturbed samples (the disturbed
  ones stay in the evidence with their lag; nothing is subtracted from any figure). A slow sample the lag does not
  explain counts, whatever the lag.
* For an application on Simpul's own machine (loopback), :meth:`LagMonitor.app_wait_ms` follows how long the
  application's processes were kept waiting for a CPU (hub/assessment/machine.py): the probes report it as a share
  of the time measured (``app_cpu_wait_pct``). A saturated machine slows a CPU-bound application as much as it slows
  the hub; above ``app_wait_max_pct``, a slow result that share explains (without it the verdict would differ) is
  inconclusive.
* :meth:`LagMonitor.stats` gives the lag p50/p95/max over the whole probe, the number of ticks, and the process CPU
  time against wall time (how much of the probe the hub spent computing).

The rule (:class:`TimingRule`) is data: each timing check's thresholds in ``catalog.yaml`` carry ``min_samples``,
``tolerance`` and ``lag_fraction``; the lag limit is ``lag_fraction × the check's time limit``.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import math
import os
import time
from dataclasses import dataclass
from typing import Any

from hub.assessment.detect import percentile
from hub.assessment.machine import ProcessCpuWait


@dataclass(frozen=True)
class TimingRule:
    """How a timing check samples and compares (from its catalog thresholds)."""

    min_samples: int
    tolerance: float
    lag_fraction: float
    limit_ms: float
    app_wait_max_pct: float = 100.0

    @classmethod
    def of(cls, thresholds: dict[str, Any], limit_key: str) -> TimingRule:
        limit = float(thresholds.get(limit_key) or 0)
        return cls(min_samples=int(thresholds.get("min_samples", 1)), tolerance=float(thresholds.get("tolerance", 0)),
                   lag_fraction=float(thresholds.get("lag_fraction", 1.0)), limit_ms=limit,
                   app_wait_max_pct=float(thresholds.get("app_wait_max_pct", 100.0)))

    def disturbed(self, ms: float, lag_ms: float) -> bool:
        """A sample the hub's lag explains: the lag is above the limit, the sample is beyond the limit (with its
        tolerance), and without the lag it would not be. Such a sample is retaken and not judged."""
        bound = self.limit_ms * (1 + self.tolerance)
        return lag_ms > self.lag_limit_ms and ms > bound and ms - lag_ms <= bound

    def machine_busy(self, app_wait_pct: float | None) -> bool:
        """The loopback application's processes waited for a CPU longer than the stated share of the time."""
        return app_wait_pct is not None and float(app_wait_pct) > self.app_wait_max_pct

    @property
    def lag_limit_ms(self) -> float:
        """The hub is "the slow one" for a sample (or a probe) whose lag is above this."""
        return round(self.lag_fraction * self.limit_ms, 1)

    def above(self, value: float, threshold: float) -> bool:
        """``value`` exceeds ``threshold`` beyond the stated tolerance: ``threshold × (1 + tolerance)``."""
        return value > threshold * (1 + self.tolerance) + 1e-9

    def with_tolerance(self, threshold: float) -> float:
        return round(threshold * (1 + self.tolerance), 1)


class LagMonitor:
    """``async with LagMonitor(tick_ms) as lag: ...`` around a timing probe (on the loop that sends the requests)."""

    def __init__(self, tick_ms: float = 10.0, app: ProcessCpuWait | None = None) -> None:
        self.tick_s = max(0.001, float(tick_ms) / 1000)
        self.app = app
        self._app0 = self._app1 = 0.0
        self._deadlines: list[float] = []
        self._woke: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self._cpu0 = self._cpu1 = 0.0
        self._wall0 = self._wall1 = 0.0

    async def _tick(self) -> None:
        while True:
            deadline = time.perf_counter() + self.tick_s
            await asyncio.sleep(self.tick_s)
            self._deadlines.append(deadline)
            self._woke.append(time.perf_counter())

    async def __aenter__(self) -> LagMonitor:
        self._cpu0, self._wall0 = time.process_time(), time.perf_counter()
        self._app0 = self.app_wait_ms()
        self._task = asyncio.create_task(self._tick(), name="simpul-lag-monitor")
        await asyncio.sleep(0)  # let the ticker take its first deadline before the probe starts
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cpu1, self._wall1 = time.process_time(), time.perf_counter()
        self._app1 = self.app_wait_ms()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def lags_ms(self) -> list[float]:
        return [max(0.0, (w - d) * 1000) for d, w in zip(self._deadlines, self._woke, strict=True)]

    def lag_during(self, start: float, end: float) -> float:
        """The largest lateness (ms) of a tick whose late span ``[deadline, woke]`` overlaps ``[start, end]``
        (``time.perf_counter()`` values). A tick still pending at ``end`` counts up to ``end``."""
        if not start or end < start:
            return 0.0
        worst = 0.0
        index = bisect.bisect_left(self._woke, start)
        while index < len(self._woke) and self._deadlines[index] <= end:
            lo, hi = max(self._deadlines[index], start), min(self._woke[index], end)
            if hi > lo:
                worst = max(worst, self._woke[index] - self._deadlines[index])
            index += 1
        return round(worst * 1000, 1)

    def lag_p95_between(self, start: float, end: float) -> float:
        """The lag p95 (ms) of the ticks due between ``start`` and ``end`` (one load step)."""
        lags = [max(0.0, (w - d) * 1000) for d, w in zip(self._deadlines, self._woke, strict=True)
                if start <= d <= end]
        return round(percentile(lags, 0.95), 1) if lags else 0.0

    def app_wait_ms(self) -> float:
        """Cumulative CPU wait (ms) of the loopback application's processes; 0 when not measurable."""
        return (self.app.wait_ms() or 0.0) if self.app is not None else 0.0

    def sample_lag(self, start: float, end: float) -> float:
        """How long the hub's loop may have delayed one request (ms): the largest lateness of a tick during it (an
        upper bound: a block while the application was still working delayed nothing)."""
        return self.lag_during(start, end)

    def stats(self) -> dict[str, Any]:
        """Lag percentiles over the probe, ticks, and process CPU time against wall time (evidence)."""
        lags = self.lags_ms()
        wall1 = self._wall1 or time.perf_counter()
        cpu1 = self._cpu1 or time.process_time()
        wall = max(wall1 - self._wall0, 1e-9)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        return {"tick_ms": round(self.tick_s * 1000, 1), "ticks": len(lags),
                "lag_p50_ms": round(percentile(lags, 0.50), 1) if lags else 0.0,
                "lag_p95_ms": round(percentile(lags, 0.95), 1) if lags else 0.0,
                "lag_max_ms": round(max(lags), 1) if lags else 0.0,
                "cpu_ms": round((cpu1 - self._cpu0) * 1000, 1), "wall_ms": round(wall * 1000, 1),
                "cpu_pct": round(100 * (cpu1 - self._cpu0) / wall, 1),
                "loadavg_1m": None if load is None or math.isnan(load) else round(load, 2),
                **({"app_cpu_wait_ms": round(max(0.0, (self._app1 or self.app_wait_ms()) - self._app0), 1),
                    "app_pids": len(self.app.pids)} if self.app is not None else {})}
