"""Probes that read the application's data: availability, the sample, canonical conformance, references,
stable identifiers."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from hub.assessment.client import BudgetExhausted, DeadlineExceeded
from hub.assessment.discovery import resources
from hub.assessment.lag import TimingRule
from hub.assessment.models import Status
from hub.assessment.probes import Observation, ProbeContext, lag_monitor, probe
from hub.assessment.sampling import fetch_steady, sample

HEALTH = re.compile(r"(^|/)(health|healthz|status|ping|ready|readyz|live|livez)/?$", re.IGNORECASE)
AUTH_REFUSED = (401, 403)


def auth_variables(ctx: ProbeContext) -> str:
    """What to set when the application refuses the probes' credentials (named in the message)."""
    return ", ".join(ctx.target.auth_env) or "integration.connector.config.auth"


def not_authenticated(ctx: ProbeContext, path: str, status: int) -> Observation:
    return Observation.skip(Status.ERROR, "assessment.reason.not_authenticated", path=path, http_status=status,
                            env=auth_variables(ctx))


async def _known_endpoints(ctx: ProbeContext) -> list[tuple[str, dict[str, Any], str]]:
    """Endpoints known to exist, best first: a declared health endpoint (connector ``health_path``, or a health
    path of the OpenAPI description), then the data resources (declared, described, or found answering 2xx).
    Never the bare base URL: a 404 there says nothing about the service."""
    from hub.assessment.discovery import openapi
    from hub.assessment.openapi_lint import operations

    out: list[tuple[str, dict[str, Any], str]] = []
    config = ((ctx.target.connector or {}).get("connector") or {}).get("config") or {}
    if isinstance(config.get("health_path"), str) and config["health_path"]:
        out.append((config["health_path"], {}, "health"))
    api = await openapi(ctx)
    out += [(p, {}, "health") for m, p, _ in operations(api.document) if m == "GET" and HEALTH.search(p)][:1]
    for res in await resources(ctx):
        params = dict(res.params)
        if res.kind == "json" and res.size_param:
            params[res.size_param] = 1
        out.append((res.path, params, "data"))
    return out


def auth_refusal(ctx: ProbeContext) -> tuple[str, int] | None:
    """``(path, status)`` when the application refused the probes' credentials with 401/403 — on the data
    endpoint the availability probe used, or on every page of the sample once it is read (no request of its own):
    the checks that read data are then Simpul's error, never the application's pass or fail."""
    if ctx.cache.get("auth_refusal"):
        return ctx.cache["auth_refusal"]
    data = ctx.cache.get("sample")
    answered = [p for p in data.pages if p.response.status is not None] if data is not None else []
    if answered and all(p.response.status in AUTH_REFUSED for p in answered):
        return answered[0].response.path, int(answered[0].response.status or 0)
    return None


def _timing_rule(ctx: ProbeContext, evaluator: str, limit_key: str) -> TimingRule | None:
    check = next((c for c in ctx.catalog.checks if c.evaluator == evaluator), None)
    return TimingRule.of(check.thresholds, limit_key) if check is not None else None


def _ok(response: Any, kind: str) -> bool:
    return response.status is not None and 200 <= response.status < 300 and (bool(response.content)
                                                                              or kind == "health")


@probe("availability")
async def availability(ctx: ProbeContext) -> Observation:
    """Availability and latency on an endpoint known to exist. A 2xx with content is a success; 404, 5xx and no
    answer are failures (the endpoint is known, so they are the application's); 401/403 stop the check (not
    authenticated); other answers (3xx, 400, 422) are not counted either way. No retries: the raw rate.

    The hub's event-loop lag is measured throughout (hub/assessment/lag.py). Latency (REL-002) needs
    ``min_samples`` answers taken while the hub was not busy: when the spaced availability probes give fewer,
    back-to-back requests labelled ``latency`` top them up (they do not count for availability)."""
    endpoints = await _known_endpoints(ctx)
    if not endpoints:
        return Observation.skip(Status.ERROR, "assessment.reason.no_known_endpoint")
    path, params, kind = endpoints[0]
    latency_rule = _timing_rule(ctx, "latency", "p95_warn_ms")
    obs = Observation()
    samples: list[dict[str, float]] = []
    successes = failures = uncounted = disturbed_failures = 0
    app_wait = timed = 0.0  # the loopback application's CPU wait during the requests, and their time
    avail = next((c for c in ctx.catalog.checks if c.evaluator == "availability"), None)
    read_timeout_ms = ctx.limits.read_timeout_s * 1000
    # an attempt that got no answer while the hub itself stood still this long is not the application's failure
    timeout_lag_ms = float((avail.thresholds if avail else {}).get("lag_fraction", 1.0)) * read_timeout_ms
    async with lag_monitor(ctx) as lag:
        for index in range(ctx.limits.availability_probes):
            if index:
                await asyncio.sleep(ctx.limits.availability_interval_s)
            waited = lag.app_wait_ms()
            response = await ctx.client.request("GET", path, params=params, label="probe")
            if index == 0:
                obs.evidence.insert(0, response)
                if response.status in AUTH_REFUSED:
                    if kind == "data":
                        ctx.cache["auth_refusal"] = (response.path, int(response.status or 0))
                    return not_authenticated(ctx, response.path, int(response.status or 0))
            hub_lag = lag.sample_lag(response.started, response.finished)
            app_wait += lag.app_wait_ms() - waited
            timed += response.elapsed_ms
            if _ok(response, kind):
                successes += 1
                samples.append({"ms": round(response.elapsed_ms, 1), "lag_ms": hub_lag})
            elif response.status is None or response.status >= 500 or response.status == 404:
                failures += 1
                if response.status is None and hub_lag > timeout_lag_ms:
                    disturbed_failures += 1
                response.label = "unavailable"
                obs.evidence.append(response)
            else:
                uncounted += 1
        extra = 0
        if latency_rule is not None and successes:
            def clean() -> int:
                return sum(1 for s in samples if not latency_rule.disturbed(s["ms"], s["lag_ms"]))

            while clean() < latency_rule.min_samples and extra < 2 * latency_rule.min_samples \
                    and ctx.client.requests_made < ctx.limits.max_requests - 5 and ctx.client.remaining() > 5:
                extra += 1
                waited = lag.app_wait_ms()
                try:
                    response = await ctx.client.request("GET", path, params=params, label="latency")
                except (BudgetExhausted, DeadlineExceeded):
                    break  # the top-up never costs REL-001 its measurement; REL-002 says "too few samples"
                if _ok(response, kind):
                    samples.append({"ms": round(response.elapsed_ms, 1),
                                    "lag_ms": lag.sample_lag(response.started, response.finished)})
                app_wait += lag.app_wait_ms() - waited
                timed += response.elapsed_ms
    attempts = successes + failures
    if successes == 0 and failures == 0:
        return Observation.skip(Status.ERROR, "assessment.reason.no_known_endpoint")
    obs.data = {"attempts": attempts, "successes": successes, "failures": failures, "uncounted": uncounted,
                "latencies_ms": [s["ms"] for s in samples], "lags_ms": [s["lag_ms"] for s in samples],
                "latency_extra_requests": extra, "disturbed_failures": disturbed_failures,
                "app_cpu_wait_pct": round(100 * max(0.0, app_wait) / timed, 1) if lag.app and timed else None,
                "hub_lag": lag.stats(), "read_timeout_ms": read_timeout_ms, "path": path, "endpoint": kind,
                "retries": 0, "failure_rate_pct": round(100 * failures / attempts, 1) if attempts else None}
    obs.extra_evidence.append({"title": "hub lag", "data": obs.data["hub_lag"]})
    return obs


@probe("read_sample")
async def read_sample(ctx: ProbeContext) -> Observation:
    data = await sample(ctx)
    if ctx.target.files_only:  # records read through the connector: no HTTP answers to judge
        return Observation(data={"requests": 0, "errors": 0, "responses": [], "records": data.all_records(300)})
    if not data.pages:
        return Observation.skip(Status.ERROR, "assessment.reason.no_resource")
    answered = [p for p in data.pages if p.response.status == 200]
    responses = []
    for page in answered:
        body = page.response.content
        try:
            body.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        responses.append({"path": page.response.path, "content_type": page.response.content_type,
                          "utf8": utf8, "json": page.payload is not None})
    for page in data.errors:
        page.response.label = "read-error"
    evidence = [p.response for p in data.errors[:3]] + [p.response for p in answered[:2]]
    return Observation(data={"requests": data.requests, "errors": len(data.errors), "responses": responses,
                             "records": data.all_records(300)}, evidence=evidence)


async def canonical(ctx: ProbeContext) -> Observation:
    return await ctx.once("canonical", lambda: _canonical(ctx))


async def _canonical(ctx: ProbeContext) -> Observation:
    data = await sample(ctx)
    found = await resources(ctx)
    spec = ctx.target.connector or {}
    spec_resources = spec.get("resources") or ((spec.get("connector") or {}).get("config") or {}).get("resources") or {}
    per_schema: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    extra: list[dict[str, Any]] = []
    limit = ctx.limits.sample_page_size * ctx.limits.sample_pages
    for res in found:
        raw = data.records.get(res.name) or []
        mapped = isinstance(spec_resources.get(res.name), dict) and (
            spec_resources[res.name].get("mapping") or spec_resources[res.name].get("mapping_file"))
        if mapped:
            from hub.assessment.bridges import pull_mapped

            docs, summary = await pull_mapped(spec, res.name, res.schema_key, limit, ctx.policy)
            records.extend(docs)
        elif res.schema_key and raw:
            summary = await asyncio.to_thread(ctx.validate, res.schema_key, raw)
            records.extend(raw)
        else:
            records.extend(raw)
            continue
        key = str(summary.get("schema") or res.schema_key)
        slot = per_schema.setdefault(key, {"checked": 0, "valid": 0, "top_issues": [], "groups": [],
                                           "resources": []})
        slot["checked"] += int(summary.get("checked") or 0)
        slot["valid"] += int(summary.get("valid") or 0)
        slot["top_issues"] += list(summary.get("top_issues") or [])[:5]
        slot["groups"] += list(summary.get("groups") or [])  # INT-001: the fields that do not validate
        slot["resources"].append({"name": res.name, "mapped": bool(mapped)})
        extra.append({"title": f"validation {res.name} → {key}", "data": summary})
    data_obs = {"schemas": per_schema, "records": records[:500], "no_schema": not ctx.schemas,
                "app": ctx.target.app_id}
    return Observation(data=data_obs, extra_evidence=extra,
                       evidence=[p.response for p in data.pages if p.records][:2])


@probe("canonical_records")
async def canonical_records(ctx: ProbeContext) -> Observation:
    return await canonical(ctx)


def _records_for(schema_key: str, obs: Observation, ctx: ProbeContext) -> list[dict[str, Any]]:
    wanted = schema_key.split(":", 1)[0]
    return [r for r in obs.data.get("records", []) if isinstance(r, dict)] if any(
        s.split(":", 1)[0] == wanted for s in ctx.schemas) else []


@probe("partner_references")
async def partner_references(ctx: ProbeContext) -> Observation:
    rules = [r for c in ctx.catalog.checks if c.probe == "partner_references"
             for r in c.params.get("references", [])]
    relevant = [r for r in rules if any(s.split(":", 1)[0] == r["from_schema"] for s in ctx.schemas)]
    if not relevant:
        return Observation.skip(Status.NOT_APPLICABLE, "assessment.reason.no_references")
    partner = ctx.partner_records or {}
    missing = [r["to_schema"] for r in relevant if r["to_schema"] not in partner]
    if missing:
        return Observation.skip(Status.ERROR, "assessment.reason.no_partner_data", schemas=", ".join(missing))
    base = await canonical(ctx)
    pairs = []
    for rule in relevant:
        records = [r for r in _records_for(rule["from_schema"], base, ctx) if rule["field"] in r]
        pairs.append({"rule": rule["field"], "records": records, "partner": partner[rule["to_schema"]]})
    return Observation(data={"pairs": pairs}, evidence=list(base.evidence))


def declared_keys(ctx: ProbeContext, resource: str) -> list[str]:
    """The identifier fields the connector spec declares for a resource (``key``, ``id_field``, ``primary_key``)."""
    spec = ctx.target.connector or {}
    res = (spec.get("resources") or {}).get(resource) or {}
    out: list[str] = []
    for name in ("key", "id_field", "primary_key", "keys"):
        value = res.get(name) if isinstance(res, dict) else None
        out += [value] if isinstance(value, str) else [str(v) for v in value] if isinstance(value, list) else []
    return out


@probe("stable_ids")
async def stable_ids(ctx: ProbeContext) -> Observation:
    data = await sample(ctx)
    if ctx.target.files_only:  # the same files read a second time through the connector
        from hub.assessment.files import read_records

        _, again = await read_records(ctx)
        for name, records in data.records.items():
            if records:
                return Observation(data={"first": records, "second": again.records.get(name) or [],
                                         "declared_keys": declared_keys(ctx, name)})
        return Observation.skip(Status.ERROR, "assessment.reason.no_records")
    for res in await resources(ctx):
        first = data.first(res)
        if first is None or not first.records:
            continue
        params = {k: v for k, v in parse_qsl(urlsplit(first.response.url).query) if k not in ctx.target.auth.query}
        again = await fetch_steady(ctx, res, params, label="second-read")
        first.response.label = "first-read"
        return Observation(data={"first": first.records, "second": again.records or [],
                                 "declared_keys": declared_keys(ctx, res.name)},
                           evidence=[first.response, again.response])
    return Observation.skip(Status.ERROR, "assessment.reason.no_records")
