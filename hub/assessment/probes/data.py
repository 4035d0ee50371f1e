"""Probes that read the application's data: availability, the sample, canonical conformance, references,
stable identifiers."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from hub.assessment.discovery import resources
from hub.assessment.models import Status
from hub.assessment.probes import Observation, ProbeContext, probe
from hub.assessment.sampling import fetch_steady, sample


async def _probe_path(ctx: ProbeContext) -> tuple[str, dict[str, Any]]:
    """A data endpoint (small page) when one is known, else the base URL."""
    for res in await resources(ctx):
        params = dict(res.params)
        if res.kind == "json" and res.size_param:
            params[res.size_param] = 1
        return res.path, params
    return "/", {}


@probe("availability")
async def availability(ctx: ProbeContext) -> Observation:
    path, params = await _probe_path(ctx)
    obs = Observation()
    latencies: list[float] = []
    successes = 0
    for index in range(ctx.limits.availability_probes):
        if index:
            await asyncio.sleep(ctx.limits.availability_interval_s)
        response = await ctx.client.request("GET", path, params=params, label="probe")
        if response.status is not None and response.status < 500:
            successes += 1
            latencies.append(response.elapsed_ms)
        else:
            response.label = "unavailable"
            obs.evidence.append(response)
        if index == 0:
            obs.evidence.insert(0, response)
    obs.data = {"attempts": ctx.limits.availability_probes, "successes": successes,
                "latencies_ms": [round(v, 1) for v in latencies], "path": path}
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
        slot = per_schema.setdefault(key, {"checked": 0, "valid": 0, "top_issues": []})
        slot["checked"] += int(summary.get("checked") or 0)
        slot["valid"] += int(summary.get("valid") or 0)
        slot["top_issues"] += list(summary.get("top_issues") or [])[:5]
        extra.append({"title": f"validation {res.name} → {key}", "data": summary})
    data_obs = {"schemas": per_schema, "records": records[:500], "no_schema": not ctx.schemas}
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


@probe("stable_ids")
async def stable_ids(ctx: ProbeContext) -> Observation:
    data = await sample(ctx)
    if ctx.target.files_only:  # the same files read a second time through the connector
        from hub.assessment.files import read_records

        _, again = await read_records(ctx)
        for name, records in data.records.items():
            if records:
                return Observation(data={"first": records, "second": again.records.get(name) or []})
        return Observation.skip(Status.ERROR, "assessment.reason.no_records")
    for res in await resources(ctx):
        first = data.first(res)
        if first is None or not first.records:
            continue
        params = {k: v for k, v in parse_qsl(urlsplit(first.response.url).query) if k not in ctx.target.auth.query}
        again = await fetch_steady(ctx, res, params, label="second-read")
        first.response.label = "first-read"
        return Observation(data={"first": first.records, "second": again.records or []},
                           evidence=[first.response, again.response])
    return Observation.skip(Status.ERROR, "assessment.reason.no_records")
