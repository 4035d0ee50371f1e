"""Evaluators of the Scalable standard (SCA-*)."""

from __future__ import annotations

import re

from hub.assessment.catalog import Check
from hub.assessment.evaluators import Observation, Verdict, error, evaluator, listing, not_applicable, pct
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
    levels = sorted(obs.get("levels") or [], key=lambda lv: lv["concurrency"])
    if len(levels) < 2:
        return error("assessment.reason.no_observation")
    th = check.thresholds
    first = levels[0]
    base = max(float(first["p95_ms"]), 1.0)
    worst = max(levels[1:], key=lambda lv: float(lv["p95_ms"]))
    growth = round(float(worst["p95_ms"]) / base, 2)
    requests = sum(int(lv.get("requests") or 0) for lv in levels)
    errors = sum(int(lv.get("errors") or 0) for lv in levels)
    err_rate = errors / requests if requests else 0.0
    if err_rate > th["max_error_rate"]:
        status = Status.FAIL
    elif float(worst["p95_ms"]) <= th["abs_ok_ms"] or growth <= th["warn_growth"]:
        status = Status.PASS
    elif growth <= th["max_growth"]:
        status = Status.WARNING
    else:
        status = Status.FAIL
    measured = {"levels": levels, "growth": growth, "error_rate_pct": pct(err_rate)}
    return Verdict(status, params={"growth": growth, "p95_first_ms": round(float(first["p95_ms"])),
                                   "p95_last_ms": round(float(worst["p95_ms"])), "clients": worst["concurrency"],
                                   "error_pct": pct(err_rate)},
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
