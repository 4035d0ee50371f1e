"""Probes of the Scalable standard: pagination, incremental reads, a bounded load."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from hub.assessment.detect import percentile
from hub.assessment.discovery import SIZE_PARAMS, Resource, paging_signals, reported_page_size, resources
from hub.assessment.lag import LagMonitor, TimingRule
from hub.assessment.models import Status
from hub.assessment.probes import Observation, ProbeContext, lag_monitor, probe
from hub.assessment.sampling import Page, fetch_steady

SINCE_GUESSES = ("updated_since", "since", "updated_after", "modified_since", "updatedSince", "changed_since")
FUTURE, PAST = "2999-01-01T00:00:00Z", "1970-01-01T00:00:00Z"
HUGE = 100_000
MAX_RETAKES = 1  # a load step the hub disturbed is taken once more, then judged or left inconclusive


async def _list_resource(ctx: ProbeContext) -> Resource | None:
    found = await resources(ctx)
    return next((r for r in found if r.kind == "json"), None) or next(iter(found), None)


async def _default_page(ctx: ProbeContext, res: Resource) -> Page:
    return await ctx.once(f"default:{res.name}", lambda: fetch_steady(ctx, res, label="default-page"))


@probe("pagination")
async def pagination(ctx: ProbeContext) -> Observation:
    res = await _list_resource(ctx)
    if res is None:
        return Observation.skip(Status.ERROR, "assessment.reason.no_resource")
    default = await _default_page(ctx, res)
    if default.records is None:
        return Observation.skip(Status.ERROR, "assessment.reason.no_records")
    evidence = [default.response]
    signals = paging_signals(default.payload, default.response.headers) if res.kind == "json" else []
    size_param = res.size_param
    if res.kind == "json" and size_param is None and len(default.records) > 1:
        for candidate in SIZE_PARAMS[:4]:
            trial = await fetch_steady(ctx, res, {candidate: 1}, label="size-detect")
            if trial.records is not None and len(trial.records) == 1:
                size_param = candidate
                break
    huge_status, huge_count = 200, len(default.records)
    if res.kind == "json":
        huge = await fetch_steady(ctx, res, {size_param or "size": HUGE}, label="huge-page")
        evidence.append(huge.response)
        huge_status = huge.response.status
        huge_count = len(huge.records) if huge.records is not None else None
        reported = reported_page_size(huge.payload) if huge_status < 400 else None
    return Observation(data={"signals": signals, "default_count": len(default.records), "size_param": size_param,
                             "huge_status": huge_status, "huge_count": huge_count, "kind": res.kind,
                             **({"huge_reported_size": reported} if res.kind == "json" and reported else {})},
                       evidence=evidence)


async def _count(ctx: ProbeContext, res: Resource, params: dict[str, Any], label: str,
                 evidence: list) -> int | None:
    page = await fetch_steady(ctx, res, params, label=label)
    evidence.append(page.response)
    return len(page.records) if page.records is not None else None


async def incremental_result(ctx: ProbeContext) -> Observation:
    return await ctx.once("incremental", lambda: _incremental(ctx))


async def _incremental(ctx: ProbeContext) -> Observation:
    res = await _list_resource(ctx)
    if res is None:
        return Observation.skip(Status.ERROR, "assessment.reason.no_resource")
    default = await _default_page(ctx, res)
    baseline = len(default.records) if default.records is not None else 0
    if baseline == 0:
        return Observation.skip(Status.ERROR, "assessment.reason.no_records")
    candidates = list(dict.fromkeys([p for p in (res.since_param,) if p] + list(SINCE_GUESSES)))[:5]
    tried: list[str] = []
    evidence: list = [default.response]
    result: dict[str, Any] = {"param": None, "future_count": None, "past_count": None}
    for param in candidates:
        tried.append(param)
        future = await _count(ctx, res, {param: FUTURE}, f"since-{param}-future", evidence)
        if future is None:
            continue
        if result["future_count"] is None or future < result["future_count"]:
            result["future_count"] = future
        if future == 0:
            past = await _count(ctx, res, {param: PAST}, f"since-{param}-past", evidence)
            if past:
                result = {"param": param, "future_count": 0, "past_count": past}
                break
    return Observation(data={**result, "baseline_count": baseline, "tried": tried}, evidence=evidence[-4:])


@probe("incremental")
async def incremental(ctx: ProbeContext) -> Observation:
    return await incremental_result(ctx)


async def _client_run(ctx: ProbeContext, path: str, params: dict[str, Any], n: int, lag: LagMonitor,
                      samples: list[dict[str, float]], failures: list[Any]) -> None:
    for _ in range(n):
        response = await ctx.client.request("GET", path, params=params, label="load")
        if response.server_error:
            response.label = "load-error"
            failures.append(response)
        samples.append({"ms": response.elapsed_ms, "lag_ms": lag.sample_lag(response.started, response.finished)})
        ctx.cache.setdefault("load:slowest", []).append(response)


def _level(clients: int, samples: list[dict[str, float]], failures: int, wall_ms: float, rule: TimingRule,
           retakes: int, app_wait_ms: float | None) -> dict[str, Any]:
    """One load step: p50/p95 over every sample and over the samples the hub did not disturb (the ones judged)."""
    times = [s["ms"] for s in samples]
    clean = [s["ms"] for s in samples if not rule.disturbed(s["ms"], s["lag_ms"])]
    return {"concurrency": clients, "requests": len(samples), "errors": failures,
            "p50_ms": round(percentile(clean or times, 0.5), 1), "p95_ms": round(percentile(clean or times, 0.95), 1),
            "raw_p95_ms": round(percentile(times, 0.95), 1), "samples": len(clean),
            "disturbed": len(samples) - len(clean), "max_lag_ms": round(max(s["lag_ms"] for s in samples), 1),
            "retakes": retakes, "wall_ms": round(wall_ms, 1),
            **({"app_cpu_wait_pct": round(100 * max(0.0, app_wait_ms) / max(wall_ms, 1e-6), 1)}
               if app_wait_ms is not None else {})}


@probe("load")
async def load(ctx: ProbeContext) -> Observation:
    """A bounded load: each step of ``load_levels`` concurrent clients sends at least ``min_samples`` requests
    (SCA-003's thresholds); a step in which the hub's own loop lag disturbed too many samples, or in which the
    loopback application's processes waited for a CPU longer than ``app_wait_max_pct`` of the time, is taken once
    more. The p95 judged is over the undisturbed samples; the raw p95 and the lag stay in the observation."""
    if not await ctx.policy.load_allowed(ctx.target.base_url):
        return Observation.skip(Status.NOT_APPLICABLE, "assessment.reason.load_not_allowed", host=ctx.target.host)
    res = await _list_resource(ctx)
    path, params = (res.path, dict(res.params)) if res else ("/", {})
    if res is not None and res.kind == "json" and res.size_param:
        params[res.size_param] = 10
    check = next((c for c in ctx.catalog.checks if c.evaluator == "load_growth"), None)
    th = check.thresholds if check is not None else {}
    rule = TimingRule.of(th, "abs_ok_ms")
    levels: list[dict[str, Any]] = []
    async with lag_monitor(ctx) as lag:
        for clients in ctx.limits.load_levels:
            per_client = max(ctx.limits.load_requests_per_client, math.ceil(rule.min_samples / clients))
            needed = clients * per_client
            if ctx.client.requests_made + needed > ctx.limits.max_requests or ctx.client.remaining() < 5:
                break
            samples: list[dict[str, float]] = []
            failures: list[Any] = []
            start = time.perf_counter()
            waited = lag.app_wait_ms()
            retakes = 0
            while True:  # a step the hub's lag or a saturated machine disturbed is taken once more
                await asyncio.gather(*(_client_run(ctx, path, params, per_client, lag, samples, failures)
                                       for _ in range(clients)))
                clean = sum(1 for s in samples if not rule.disturbed(s["ms"], s["lag_ms"]))
                wall_ms = (time.perf_counter() - start) * 1000
                app_wait = lag.app_wait_ms() - waited if lag.app is not None else None
                busy = app_wait is not None and rule.machine_busy(100 * app_wait / max(wall_ms, 1e-6))
                if (clean >= rule.min_samples and not busy) or retakes >= MAX_RETAKES \
                        or ctx.client.requests_made + needed > ctx.limits.max_requests:
                    break
                retakes += 1
            levels.append({**_level(clients, samples, len(failures), wall_ms, rule, retakes, app_wait),
                           "lag_p95_ms": lag.lag_p95_between(start, time.perf_counter())})
            base = max(levels[0]["p95_ms"], 1.0)
            if len(levels) > 1 and levels[-1]["p95_ms"] > max(th.get("abs_ok_ms", 300),
                                                              base * th.get("max_growth", 3) * 2):
                break  # already far beyond the limit: more load proves nothing more
    if len(levels) < 2:
        return Observation.skip(Status.ERROR, "assessment.reason.budget_exhausted", limit=ctx.limits.max_requests)
    seen = ctx.cache.pop("load:slowest", [])
    slowest = sorted(seen, key=lambda r: -r.elapsed_ms)[:2]
    errors = [r for r in seen if r.server_error][:2]
    stats = lag.stats()
    return Observation(data={"levels": levels, "path": path, "hub_lag": stats}, evidence=[*errors, *slowest],
                       extra_evidence=[{"title": "hub lag", "data": stats}])
