"""Evaluators of the Reliable standard (REL-*)."""

from __future__ import annotations

from hub.assessment.catalog import Check
from hub.assessment.detect import find_leaks, percentile
from hub.assessment.evaluators import Observation, Verdict, by_ratio, error, evaluator, listing, not_applicable, pct
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
    measured = {"attempts": attempts, "successes": successes, "availability_pct": pct(ratio),
                "failure_rate_pct": pct(1 - ratio), "retries": int(obs.get("retries") or 0),
                "endpoint": obs.get("path"), "uncounted": int(obs.get("uncounted") or 0)}
    return Verdict(status, params={**measured, "ratio_pct": pct(ratio), "min_pct": pct(th["min_ratio"])},
                   measured=measured, focus=["unavailable"])


@evaluator("latency")
def latency(obs: Observation, check: Check) -> Verdict:
    values = [float(v) for v in obs.get("latencies_ms") or []]
    th = check.thresholds
    if len(values) < int(th.get("min_samples", 1)):
        return error("assessment.reason.too_few_samples", samples=len(values), needed=th.get("min_samples", 1))
    p50, p95 = round(percentile(values, 0.50)), round(percentile(values, 0.95))
    status = Status.PASS
    if p95 > th["p95_max_ms"]:
        status = Status.FAIL
    elif p95 > th.get("p95_warn_ms", th["p95_max_ms"]):
        status = Status.WARNING
    measured = {"p50_ms": p50, "p95_ms": p95, "samples": len(values)}
    limit = th["p95_max_ms"] if status is Status.FAIL else th.get("p95_warn_ms", th["p95_max_ms"])
    return Verdict(status, params={**measured, "max_ms": limit}, measured=measured)


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
