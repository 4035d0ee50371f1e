"""Probes of the API surface: transport, bad input, versioning, authentication, OpenAPI, export, notifications,
documentation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from hub.assessment.client import Response, join
from hub.assessment.discovery import EXPORT_GUESSES, openapi, resources
from hub.assessment.openapi_lint import operations, required_values
from hub.assessment.probes import Observation, ProbeContext, probe
from hub.assessment.probes.data import AUTH_REFUSED, not_authenticated
from hub.assessment.probes.scale import incremental_result
from hub.assessment.sampling import sample

FEED = re.compile(r"(webhook|subscri|langganan|changes|perubahan|events|feed|notif)", re.IGNORECASE)
EXPORT = re.compile(r"(export|ekspor|download|unduh|dump|bulk)", re.IGNORECASE)
DOCS_GUESSES = ("docs", "redoc", "api/docs", "swagger-ui", "swagger-ui.html", "api/v1/docs")
VERSION_HEADERS = ("api-version", "x-api-version", "x-version", "version")


@probe("transport")
async def transport(ctx: ProbeContext) -> Observation:
    url = ctx.target.base_url
    public = ctx.target.is_public or await ctx.policy.is_public(url)
    return Observation(data={"scheme": urlsplit(url).scheme, "public": public, "url": url})


def _case(name: str, expect: str, response: Response) -> dict[str, Any]:
    response.label = name
    return {"case": name, "expect": expect, "status": response.status, "error": response.error,
            "content_type": response.content_type, "body": response.text()[:8000]}


def _described_required(doc: Any, path: str) -> list[str]:
    """Query parameters the OpenAPI description marks required on ``GET path`` (a full URL or a path)."""
    wanted = (urlsplit(path).path if path.startswith("http") else path).rstrip("/") or "/"
    for method, described, op in operations(doc):
        if method == "GET" and (described.rstrip("/") or "/") == wanted:
            return sorted(required_values(doc, op, (doc.get("paths") or {}).get(described)))
    return []


@probe("robustness")
async def robustness(ctx: ProbeContext) -> Observation:
    found = await resources(ctx)
    res = next((r for r in found if r.kind == "json"), None)
    api = await openapi(ctx)
    cases: list[tuple[str, str, str, str, dict[str, Any], bytes | None]] = []
    if res is not None:
        page, size = res.page_param or "page", res.size_param or "size"
        # every bad-input call keeps the parameters the list needs (e.g. tahun=2025): without them a 422 answers
        # the missing parameter, not the bad input, and the check would pass for the wrong reason
        base = dict(res.params)
        cases += [
            (f"{page}=abc", "4xx", "GET", res.path, {**base, page: "abc"}, None),
            (f"{page}=-1", "4xx", "GET", res.path, {**base, page: -1}, None),
            (f"{size}=-5", "4xx", "GET", res.path, {**base, size: -5}, None),
            (f"{size}=100000000", "not_5xx", "GET", res.path, {**base, size: 100_000_000}, None),
            (f"{page}=99999999", "not_5xx", "GET", res.path, {**base, page: 99_999_999}, None),
            ("unknown parameter", "not_5xx", "GET", res.path, {**base, "zz_simpul_probe": "1"}, None),
            ("odd id", "not_5xx", "GET", res.path.rstrip("/") + "/%27%22%3E", {}, None),
        ]
        for name in _described_required(api.document, res.path):  # a required parameter left out must be a 4xx
            if name in base:
                cases.append((f"without {name}", "4xx", "GET", res.path,
                              {k: v for k, v in base.items() if k != name}, None))
    elif found:
        cases.append(("odd id", "not_5xx", "GET", found[0].path.rstrip("/") + "%27%22", {}, None))
    cases.append(("unknown path", "4xx", "GET", "__simpul_tidak_ada__", {}, None))
    post = next((p for m, p, _ in operations(api.document) if m == "POST" and "{" not in p), None)
    if post:
        cases.append(("malformed JSON body", "4xx", "POST", post, {}, b'{"data": [1, 2,'))
    observed: list[dict[str, Any]] = []
    evidence: list[Response] = []
    for name, expect, method, path, params, body in cases:
        headers = {"Content-Type": "application/json"} if body is not None else None
        response = await ctx.client.request(method, path, params=params, content=body, headers=headers, label=name)
        observed.append(_case(name, expect, response))
        evidence.append(response)
    on_data = [c for c, (_, _, _, path, _, _) in zip(observed, cases, strict=True) if res is not None
               and path == res.path]
    if on_data and all(c["status"] in AUTH_REFUSED for c in on_data):
        # a 401 to page=abc says nothing about how bad input is handled: not measured, never a pass
        return not_authenticated(ctx, res.path if res is not None else "", int(on_data[0]["status"]))
    return Observation(data={"cases": observed}, evidence=evidence)


@probe("api_surface")
async def api_surface(ctx: ProbeContext) -> Observation:
    found = await resources(ctx)
    api = await openapi(ctx)
    data = await sample(ctx)
    paths = [urlsplit(r.path).path if r.path.startswith("http") else r.path for r in found]
    paths += [p for _, p, _ in operations(api.document)][:20]
    headers: dict[str, str] = {}
    for page in data.pages[:3]:
        for name in VERSION_HEADERS:
            if page.response.headers.get(name):
                headers[name] = page.response.headers[name]
    api_less = api.document is None and not any(r.kind == "json" for r in found)
    base_path = urlsplit(ctx.target.base_url).path
    if base_path and base_path != "/":
        paths.insert(0, base_path)
    return Observation(data={"paths": list(dict.fromkeys(paths)), "version_headers": headers, "api_less": api_less},
                       evidence=[p.response for p in data.pages[:1]])


@probe("auth_surface")
async def auth_surface(ctx: ProbeContext) -> Observation:
    api = await openapi(ctx)
    doc = api.document or {}
    schemes = (doc.get("components") or {}).get("securitySchemes") or doc.get("securityDefinitions") or None
    basic = any(v.get_secret_value().lower().startswith("basic ") for v in ctx.target.auth.headers.values())
    public = ctx.target.is_public or await ctx.policy.is_public(ctx.target.base_url)
    return Observation(data={"scheme": urlsplit(ctx.target.base_url).scheme, "public": public,
                             "query_secrets": sorted(ctx.target.auth.query), "basic_auth": basic,
                             "security_schemes": schemes, "openapi_found": api.document is not None},
                       evidence=[r for r in api.responses if r.status == 200][:1])


@probe("openapi")
async def openapi_probe(ctx: ProbeContext) -> Observation:
    api = await openapi(ctx)
    evidence = [r for r in api.responses if r.status == 200][:1] or api.responses[:3]
    return Observation(data={"url": api.url, "document": api.document, "parse_error": api.error},
                       evidence=evidence)


@probe("export")
async def export(ctx: ProbeContext) -> Observation:
    api = await openapi(ctx)
    found = await resources(ctx)
    doc = api.document or {}
    described = {p: required_values(doc, op, (doc.get("paths") or {}).get(p))
                 for m, p, op in operations(api.document) if m == "GET" and EXPORT.search(p) and "{" not in p}
    paths = list(described)
    paths += [r.path for r in found if r.kind == "tabular"]
    names = [r.name.replace("_", "-") for r in found[:1]] or [s.split("/")[-1].replace("_", "-")
                                                             for s in ctx.schemas[:1]]
    paths += [g.format(name=n) for n in names for g in EXPORT_GUESSES[:3]] + ["export", "api/v1/export"]
    candidates: list[dict[str, Any]] = []
    evidence: list[Response] = []
    tried: list[str] = []
    for path in list(dict.fromkeys(paths))[:8]:
        tried.append(path if not path.startswith("http") else urlsplit(path).path)
        required = described.get(path) or {}
        params = {k: v for k, v in required.items() if v is not None}  # the description's example or enum value
        response = await ctx.client.request("GET", path, params=params, label="export")
        candidates.append({"path": tried[-1], "status": response.status, "content_type": response.content_type,
                           "disposition": response.headers.get("content-disposition", ""),
                           "declared": path in described, "required_params": sorted(required),
                           "params_without_value": sorted(k for k, v in required.items() if v is None)})
        evidence.append(response)
        if response.status == 200 and (response.headers.get("content-disposition") or not
                                       response.content_type.startswith(("application/json", "text/html"))):
            break
    else:
        refused = next((c for c in candidates if c["status"] in AUTH_REFUSED), None)
        if refused is not None:  # an export behind the credentials Simpul lacks is not a missing export
            return not_authenticated(ctx, refused["path"], int(refused["status"]))
    return Observation(data={"candidates": candidates, "tried": tried}, evidence=evidence[-3:])


@probe("change_notifications")
async def change_notifications(ctx: ProbeContext) -> Observation:
    api = await openapi(ctx)
    doc = api.document or {}
    webhooks = bool(doc.get("webhooks")) or any("callbacks" in op for _, _, op in operations(doc))
    feeds = [p for _, p, _ in operations(doc) if FEED.search(p)]
    inc = await incremental_result(ctx)
    return Observation(data={"webhooks": webhooks, "feed_paths": feeds[:10],
                             "incremental": bool(inc.data.get("param"))},
                       evidence=[r for r in api.responses if r.status == 200][:1])


@probe("docs")
async def docs(ctx: ProbeContext) -> Observation:
    api = await openapi(ctx)
    description = ((api.document or {}).get("info") or {}).get("description")
    pages: list[dict[str, Any]] = []
    evidence: list[Response] = []
    tried: list[str] = []
    for guess in DOCS_GUESSES:
        tried.append("/" + guess)
        response = await ctx.client.request("GET", join(ctx.target.base_url, guess), label="docs",
                                            headers={"Accept": "text/html"})
        pages.append({"path": "/" + guess, "status": response.status, "content_type": response.content_type})
        evidence.append(response)
        if response.status == 200 and "html" in response.content_type:
            break
    return Observation(data={"pages": pages, "description": description, "tried": tried}, evidence=evidence[-2:])
