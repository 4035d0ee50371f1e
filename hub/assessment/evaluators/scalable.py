"""Evaluators of the Scalable standard (SCA-*)."""

from __future__ import annotations

import re

from hub.assessment.catalog import Check
from hub.assessment.evaluators import (
    Observation,
    Verdict,
    error,
    evaluator,
    explained,
    hub_lag,
    inconclusive,
    listing,
    not_applicable,
    pct,
)
from hub.assessment.lag import TimingRule
from hub.assessment.models import Status

VERSION_SEGMENT = re.compile(r"/v\d+(\.\d+)?(/|$)", re.IGNORECASE)


@evaluator("pagination")
def pagination(obs: Observation, check: Check) -> Verdict:
    if obs.get("default_count") is None and obs.get("huge_status") is None:
        return error("assessment.reason.no_resource")
    signals = list(obs.get("signals") or [])
    limit = int(check.thresholds["max_page_size"])
    huge_status = obs.get("huge_status")
    huge_count = obs.get("huge_count")
    reported = obs.get("huge_reported_size")  # the page size the answer says it used
    refused = huge_status is not None and 400 <= int(huge_status) < 500
    capped = refused or (huge_count is not None and int(huge_count) <= limit and huge_status is not None
                         and int(huge_status) < 400 and not (reported is not None and int(reported) > limit))
    status = Status.PASS if signals and capped else Status.FAIL
    measured = {"signals": signals, "size_param": obs.get("size_param"), "huge_status": huge_status,
                "huge_count": huge_count, "default_count": obs.get("default_count")}
    if reported is not None:
        measured["huge_reported_size"] = reported
    return Verdict(status, params={"signals": listing(signals), "size_param": obs.get("size_param") or "size",
                                   "huge_status": huge_status if huge_status is not None else "-",
                                   "huge_count": huge_count if huge_count is not None else "-",
                                   "max_page_size": limit},
                   measured=measured, focus=["huge-page"])


@evaluator("incremental")
def incremental(obs: Observation, check: Check) -> Verdict:
    baseline = obs.get("baseline_count")
    if not baseline:
        return error("assessment.reason.no_records")
    future, past = obs.get("future_count"), obs.get("past_count")
    works = bool(obs.get("param")) and future == 0 and bool(past)  # past > 0: the filter is not 'return nothing'
    measured = {"param": obs.get("param"), "baseline_count": baseline, "future_count": future, "past_count": past}
    return Verdict(Status.PASS if works else Status.FAIL,
                   params={"tried": listing(list(obs.get("tried") or []), 6), "baseline_count": baseline,
                           "future_count": future if future is not None else "-"},
                   measured=measured)


@evaluator("load_growth")
def load_growth(obs: Observation, check: Check) -> Verdict:
    """p95 growth from one client to the heaviest step, compared with the thresholds × (1 + tolerance). Each step's
    p95 is over the samples the hub's own lag did not disturb; a slow result with too few of those in a step, or
    with the hub busy throughout, is inconclusive. Server errors fail whatever the lag."""
    levels = sorted(obs.get("levels") or [], key=lambda lv: lv["concurrency"])
    if len(levels) < 2:
        return error("assessment.reason.no_observation")
    th = check.thresholds
    rule = TimingRule.of(th, "abs_ok_ms")
    first = levels[0]
    base = max(float(first["p95_ms"]), 1.0)
    worst = max(levels[1:], key=lambda lv: float(lv["p95_ms"]))
    growth = round(float(worst["p95_ms"]) / base, 2)
    requests = sum(int(lv.get("requests") or 0) for lv in levels)
    errors = sum(int(lv.get("errors") or 0) for lv in levels)
    err_rate = errors / requests if requests else 0.0

    def judge(worst_ms: float) -> Status:
        if err_rate > th["max_error_rate"]:
            return Status.FAIL
        if not rule.above(worst_ms, th["abs_ok_ms"]) or not rule.above(round(worst_ms / base, 2), th["warn_growth"]):
            return Status.PASS
        if not rule.above(round(worst_ms / base, 2), th["max_growth"]):
            return Status.WARNING
        return Status.FAIL

    status = judge(float(worst["p95_ms"]))
    short = [lv["concurrency"] for lv in levels if lv.get("samples") is not None
             and int(lv["samples"]) < rule.min_samples]
    measured = {"levels": levels, "growth": growth, "error_rate_pct": pct(err_rate),
                "min_samples": rule.min_samples, "tolerance_pct": pct(rule.tolerance), **hub_lag(obs, rule)}
    app_wait = worst.get("app_cpu_wait_pct")
    if status is not Status.PASS and err_rate <= th["max_error_rate"] and (
            short or explained(status, judge, float(worst["p95_ms"]), rule,
                               {"lag_p95_ms": worst.get("lag_p95_ms", measured["lag_p95_ms"])}, app_wait)):
        disturbed = sum(int(lv.get("disturbed") or 0) for lv in levels)
        return inconclusive(rule, measured, disturbed, requests, app_wait)
    return Verdict(status, params={"growth": growth, "p95_first_ms": round(float(first["p95_ms"])),
                                   "p95_last_ms": round(float(worst["p95_ms"])), "clients": worst["concurrency"],
                                   "error_pct": pct(err_rate), "tolerance_pct": pct(rule.tolerance),
                                   "lag_p95_ms": measured["lag_p95_ms"], "lag_limit_ms": rule.lag_limit_ms},
                   measured=measured)


@evaluator("versioning")
def versioning(obs: Observation, check: Check) -> Verdict:
    paths = [str(p) for p in obs.get("paths") or []]
    headers = dict(obs.get("version_headers") or {})
    if not paths and not headers:
        return error("assessment.reason.no_resource")
    versioned = [p for p in paths if VERSION_SEGMENT.search(p)]
    if versioned or headers:
        return Verdict(Status.PASS, measured={"versioned_paths": versioned[:5], "version_headers": headers})
    if obs.get("api_less"):
        return not_applicable("assessment.reason.no_api")
    return Verdict(Status.FAIL, params={"paths_sample": listing(paths, 3)}, measured={"paths": paths[:10]})
