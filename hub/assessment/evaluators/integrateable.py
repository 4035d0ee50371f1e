"""Evaluators of the Integrateable standard (ITG-*)."""

from __future__ import annotations

import json

from hub.assessment.catalog import Check
from hub.assessment.detect import id_candidates
from hub.assessment.evaluators import Observation, Verdict, bi, bilist, error, evaluator, listing, pct
from hub.assessment.models import Status
from hub.assessment.openapi_lint import lint

EXPORT_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
                "text/csv", "application/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-excel", "application/zip", "application/json-seq")
STANDARD_HTTP_SCHEMES = {"bearer", "basic", "digest"}


@evaluator("openapi_valid")
def openapi_valid(obs: Observation, check: Check) -> Verdict:
    document = obs.get("document")
    url = obs.get("url") or "-"
    if document is None:
        problem = bi("tidak ditemukan", "not found")
        if obs.get("parse_error"):
            problem = bi(f"tidak ditemukan ({obs['parse_error']})", f"not found ({obs['parse_error']})")
        return Verdict(Status.FAIL, params={"url": url, "problems": problem}, measured={"found": False})
    kind, problems = lint(document)
    measured = {"found": True, "kind": kind, "problems": problems,
                "operations": sum(len([m for m in item if m in ("get", "post", "put", "patch", "delete")])
                                  for item in (document.get("paths") or {}).values() if isinstance(item, dict))
                if isinstance(document, dict) else 0}
    if kind == "openapi3" and not problems:
        return Verdict(Status.PASS, measured=measured)
    status = Status.WARNING if kind == "swagger2" and not problems else Status.FAIL
    if kind == "swagger2" and not problems:
        return Verdict(status, params={"url": url, "problems": bi("Swagger 2.0, bukan OpenAPI 3",
                                                                  "Swagger 2.0, not OpenAPI 3")}, measured=measured)
    return Verdict(status, params={"url": url, "problems": listing(problems, 3)}, measured=measured)


@evaluator("standard_auth")
def standard_auth(obs: Observation, check: Check) -> Verdict:
    problems: list[dict[str, str]] = []
    fatal = False
    for name in obs.get("query_secrets") or []:
        problems.append(bi(f"kredensial di query URL ({name})", f"credential in the URL query ({name})"))
        fatal = True
    if obs.get("basic_auth") and obs.get("scheme") == "http" and obs.get("public"):
        problems.append(bi("basic auth lewat HTTP biasa ke host publik", "basic auth over plain HTTP to a public host"))
        fatal = True
    schemes = obs.get("security_schemes") or {}
    kinds: list[str] = []
    for name, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        stype = str(scheme.get("type", ""))
        if stype == "apiKey" and scheme.get("in") == "query":
            problems.append(bi(f"securityScheme {name}: apiKey di query", f"securityScheme {name}: apiKey in query"))
            fatal = True
        elif stype == "http" and str(scheme.get("scheme", "")).lower() not in STANDARD_HTTP_SCHEMES:
            problems.append(bi(f"securityScheme {name}: skema http {scheme.get('scheme')!r} tidak baku",
                               f"securityScheme {name}: non-standard http scheme {scheme.get('scheme')!r}"))
        kinds.append(stype if stype != "http" else f"http {str(scheme.get('scheme', '')).lower()}")
    measured = {"security_schemes": kinds, "query_secrets": list(obs.get("query_secrets") or []),
                "problems": [p["en"] for p in problems]}
    if fatal:
        return Verdict(Status.FAIL, params={"problems": bilist(problems)}, measured=measured)
    if not kinds:
        problems.append(bi("tidak ada securitySchemes yang dinyatakan", "no securitySchemes declared"))
        measured["problems"] = [p["en"] for p in problems]
    if problems:
        return Verdict(Status.WARNING, params={"problems": bilist(problems)}, measured=measured)
    return Verdict(Status.PASS, measured=measured)


def _is_export(candidate: Observation) -> bool:
    if candidate.get("status") != 200:
        return False
    ctype = str(candidate.get("content_type") or "").split(";")[0].strip().lower()
    attachment = "attachment" in str(candidate.get("disposition") or "").lower()
    return ctype in EXPORT_TYPES or (attachment and ctype in ("application/json", "application/octet-stream"))


@evaluator("bulk_export")
def bulk_export(obs: Observation, check: Check) -> Verdict:
    candidates = list(obs.get("candidates") or [])
    found = [c for c in candidates if _is_export(c)]
    measured = {"exports": [f"{c['path']} ({c.get('content_type')})" for c in found],
                "tried": list(obs.get("tried") or [])}
    if found:
        return Verdict(Status.PASS, measured=measured)
    # A described export that needs a parameter Simpul could not fill (no example/enum) and refused the call
    # without it (400/422) is present: the application offers it, the call was incomplete.
    needing = [c for c in candidates if c.get("declared") and c.get("params_without_value")
               and c.get("status") in (400, 422)]
    if needing:
        measured["exports"] = [f"{c['path']} (requires {', '.join(c['params_without_value'])})" for c in needing]
        return Verdict(Status.PASS, measured=measured)
    return Verdict(Status.FAIL, params={"tried": listing(list(obs.get("tried") or []), 5)}, measured=measured)


@evaluator("change_notifications")
def change_notifications(obs: Observation, check: Check) -> Verdict:
    feeds = list(obs.get("feed_paths") or [])
    measured = {"webhooks": bool(obs.get("webhooks")), "feed_paths": feeds, "incremental": bool(obs.get("incremental"))}
    if obs.get("webhooks") or feeds:
        return Verdict(Status.PASS, measured=measured)
    found = bi("hanya filter sejak", "since filter only") if obs.get("incremental") else "-"
    status = Status.WARNING if obs.get("incremental") else Status.FAIL
    return Verdict(status, params={"found": found}, measured=measured)


def _values(records: list, field: str) -> set[str]:
    return {json.dumps(r.get(field), sort_keys=True) for r in records if isinstance(r, dict)}


@evaluator("stable_ids")
def stable_ids(obs: Observation, check: Check) -> Verdict:
    first = [r for r in obs.get("first") or [] if isinstance(r, dict)]
    second = [r for r in obs.get("second") or [] if isinstance(r, dict)]
    if not first or not second:
        return error("assessment.reason.no_records")
    minimum = float(check.thresholds.get("min_overlap", 1.0))
    best: tuple[str, float] | None = None
    for field in id_candidates(first, list(obs.get("declared_keys") or [])):
        a, b = _values(first, field), _values(second, field)
        overlap = len(a & b) / max(len(a | b), 1)
        if best is None or overlap > best[1]:
            best = (field, overlap)
        if overlap >= minimum:
            break
    if best is None:
        return Verdict(Status.FAIL, params={"id_field": "-", "overlap_pct": 0},
                       measured={"id_field": None, "records": len(first)})
    field, overlap = best
    measured = {"id_field": field, "overlap_pct": pct(overlap), "records": len(first)}
    if overlap >= minimum:
        return Verdict(Status.PASS, measured=measured)
    return Verdict(Status.FAIL, params={"id_field": field, "overlap_pct": pct(overlap)}, measured=measured)
