"""Evaluators of the Reliable standard (REL-*)."""

from __future__ import annotations

from hub.assessment.catalog import Check
from hub.assessment.detect import find_leaks, percentile
from hub.assessment.evaluators import (
    Observation,
    Verdict,
    by_ratio,
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


@evaluator("availability")
def availability(obs: Observation, check: Check) -> Verdict:
    attempts = int(obs.get("attempts") or 0)
    if attempts == 0:
        return error("assessment.reason.no_observation")
    successes = int(obs.get("successes") or 0)
    th = check.thresholds
    ratio = successes / attempts
    status = by_ratio(ratio, th["min_ratio"], th.get("warn_ratio"))
    busy = int(obs.get("disturbed_failures") or 0)
    measured = {"attempts": attempts, "successes": successes, "availability_pct": pct(ratio),
                "failure_rate_pct": pct(1 - ratio), "retries": int(obs.get("retries") or 0),
                "endpoint": obs.get("path"), "uncounted": int(obs.get("uncounted") or 0)}
    if busy:
        measured["disturbed_failures"] = busy
    if status is not Status.PASS and busy and attempts > busy:
        # a timeout while the hub's own loop stood still for a tenth of the read timeout is not the application's
        judged = by_ratio(successes / (attempts - busy), th["min_ratio"], th.get("warn_ratio"))
        if judged is not status:
            rule = TimingRule.of({**th, "read_timeout_ms": obs.get("read_timeout_ms")}, "read_timeout_ms")
            return inconclusive(rule, {**measured, **hub_lag(obs, rule)}, busy, attempts)
    return Verdict(status, params={**measured, "ratio_pct": pct(ratio), "min_pct": pct(th["min_ratio"])},
                   measured=measured, focus=["unavailable"])


@evaluator("latency")
def latency(obs: Observation, check: Check) -> Verdict:
    """p95 against the limits × (1 + tolerance). Judged over the samples the hub's own lag did not disturb when
    the whole set does not pass; too few of those, or a hub busy throughout, makes a slow result inconclusive."""
    values = [float(v) for v in obs.get("latencies_ms") or []]
    lags = [float(v) for v in obs.get("lags_ms") or []] or [0.0] * len(values)
    th = check.thresholds
    rule = TimingRule.of(th, "p95_warn_ms" if "p95_warn_ms" in th else "p95_max_ms")
    if len(values) < rule.min_samples:
        return error("assessment.reason.too_few_samples", samples=len(values), needed=rule.min_samples)
    clean = [v for v, lag in zip(values, lags, strict=False) if not rule.disturbed(v, lag)]

    def judge(p95: float) -> Status:
        if rule.above(p95, th["p95_max_ms"]):
            return Status.FAIL
        if rule.above(p95, th.get("p95_warn_ms", th["p95_max_ms"])):
            return Status.WARNING
        return Status.PASS

    raw_p95 = percentile(values, 0.95)
    judged = values if judge(raw_p95) is Status.PASS or len(clean) < rule.min_samples else clean
    p50, p95 = round(percentile(judged, 0.50)), round(percentile(judged, 0.95))
    measured = {"p50_ms": p50, "p95_ms": p95, "raw_p95_ms": round(raw_p95), "samples": len(values),
                "disturbed": len(values) - len(clean), "tolerance_pct": pct(rule.tolerance), **hub_lag(obs, rule)}
    slowest = sorted(zip(values, lags, strict=False), key=lambda pair: -pair[0])[:3]
    measured["slowest"] = [{"ms": round(ms, 1), "lag_ms": round(lag, 1)} for ms, lag in slowest]
    app_wait = obs.get("app_cpu_wait_pct")
    if app_wait is not None:
        measured["app_cpu_wait_pct"] = app_wait
    status = judge(p95)
    if status is not Status.PASS and (len(clean) < rule.min_samples
                                      or explained(status, judge, p95, rule, measured, app_wait)):
        return inconclusive(rule, measured, len(values) - len(clean), len(values), app_wait)
    limit = th["p95_max_ms"] if status is Status.FAIL else th.get("p95_warn_ms", th["p95_max_ms"])
    return Verdict(status, params={**measured, "max_ms": limit, "tolerance_ms": rule.with_tolerance(limit)},
                   measured=measured)


def _is_server_error(case: Observation) -> bool:
    status = case.get("status")
    return (status is not None and int(status) >= 500) or case.get("error") in ("reset", "timeout")


@evaluator("robustness")
def robustness(obs: Observation, check: Check) -> Verdict:
    cases = [c for c in obs.get("cases") or [] if c.get("status") is not None
             or str(c.get("error") or "") in ("reset", "timeout")]
    if not cases:
        return error("assessment.reason.no_observation")
    crashed = [c["case"] for c in cases if _is_server_error(c)]
    accepted = [c["case"] for c in cases if c.get("expect") == "4xx" and c.get("status") is not None
                and 200 <= int(c["status"]) < 400]
    th = check.thresholds
    status = Status.PASS
    if len(crashed) > th.get("max_server_errors", 0):
        status = Status.FAIL
    elif len(accepted) > th.get("max_silently_accepted", 0):
        status = Status.WARNING
    measured = {"cases": len(cases), "server_errors": len(crashed), "silently_accepted": len(accepted)}
    return Verdict(status, params={"server_errors": len(crashed), "accepted": len(accepted),
                                   "cases": listing(crashed + accepted)},
                   measured={**measured, "crashed_cases": crashed, "accepted_cases": accepted},
                   focus=crashed + accepted)


@evaluator("no_internal_detail")
def no_internal_detail(obs: Observation, check: Check) -> Verdict:
    cases = [c for c in obs.get("cases") or [] if c.get("status") is not None]
    if not cases:
        return error("assessment.reason.no_observation")
    leaking: dict[str, list[str]] = {}
    for case in cases:
        for kind in find_leaks(str(case.get("body") or "")):
            leaking.setdefault(case["case"], []).append(kind)
    kinds = sorted({k for found in leaking.values() for k in found})
    status = Status.FAIL if len(leaking) > check.thresholds.get("max_leaks", 0) else Status.PASS
    return Verdict(status, params={"kinds": listing(kinds), "cases": listing(list(leaking))},
                   measured={"responses_scanned": len(cases), "leaking": leaking}, focus=list(leaking))


@evaluator("error_rate")
def error_rate(obs: Observation, check: Check) -> Verdict:
    requests = int(obs.get("requests") or 0)
    th = check.thresholds
    if requests < int(th.get("min_requests", 1)):
        return error("assessment.reason.no_resource")
    errors = int(obs.get("errors") or 0)
    rate = errors / requests
    status = Status.PASS
    if rate > th["max_error_rate"] + 1e-9:
        status = Status.WARNING if rate <= th.get("warn_error_rate", th["max_error_rate"]) + 1e-9 else Status.FAIL
    limit = th["max_error_rate"] if status is not Status.FAIL else th.get("warn_error_rate", th["max_error_rate"])
    measured = {"requests": requests, "errors": errors, "error_rate_pct": pct(rate)}
    return Verdict(status, params={**measured, "rate_pct": pct(rate), "max_pct": pct(limit)}, measured=measured,
                   focus=["read-error"])


@evaluator("tls_public")
def tls_public(obs: Observation, check: Check) -> Verdict:
    if not obs.get("public"):
        return not_applicable("assessment.reason.not_public", url=obs.get("url", ""))
    scheme = str(obs.get("scheme") or "")
    measured = {"scheme": scheme, "public": True}
    if scheme != "https" or obs.get("tls_error"):
        return Verdict(Status.FAIL, params={"url": obs.get("url", "")}, measured=measured)
    return Verdict(Status.PASS, measured=measured)
