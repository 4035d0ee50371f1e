"""/v1/data: the canonical API — current records of a canonical schema with provenance, one record with its
versions and cross-application reference findings, quarantine and sync status (docs/exchange.md).

Consumer keys need the scope ``data:read:<schema>`` (or a role allowing ``data:read``); personal data is masked
unless the key also has ``data:read_personal:<schema>``. Each key has a rate limit (429 + Retry-After), and
every read is written to the audit log (through the append buffer of hub/exchange/audit.py).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from hub.api.deps import LangDep
from hub.api.problems import problem_response, problem_responses
from hub.api.security import Credentials, CredentialsDep, DatabaseDep, PrincipalDep
from hub.errors import SimpulError
from hub.exchange import audit, canonical, metrics, ratelimit, scopes
from hub.exchange.sync import sync_app
from hub.services.registry_access import Principal
from hub.settings import get_settings
from registry.db import Database

router = APIRouter(prefix="/v1/data", tags=["data"])

Domain = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]*$", description="Schema domain, e.g. perencanaan")]
Name = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]*$", description="Schema name, e.g. sub_kegiatan")]


class RateLimited(SimpulError):
    status, code, title, message_key = 429, "rate-limited", "Too many requests", "exchange.rate_limited"


def _access(request: Request, principal: Principal, db: Database, schema: str) -> tuple[str, bool, JSONResponse | None]:
    schema = canonical.resolve_schema(schema)
    personal, grants = scopes.read_access(principal, schema, db)
    rate = grants.rate_per_minute or get_settings().exchange_rate_per_minute
    wait = ratelimit.take(db, principal.key_id if principal.key_id is not None else principal.actor, rate)
    if wait:
        metrics.api_requests.labels("429").inc()
        err = RateLimited(seconds=int(wait), extra={"retry_after": int(wait)})
        return schema, personal, problem_response(request, err, headers={"Retry-After": str(int(wait))})
    return schema, personal, None


def _principal(credentials: Credentials) -> tuple[Database, Principal]:
    """The database and the authenticated key of a read (in the read's worker thread): 401 as with PrincipalDep."""
    db = credentials.database()
    return db, credentials.principal(db)


async def _audit_read(db: Database, principal: Principal, schema: str, what: dict[str, Any]) -> None:
    details = {"key_id": principal.key_id, **what}
    if get_settings().exchange_audit_buffer > 0:
        # buffered: no write transaction per request; same chain, flushed by count/age/shutdown (docs/exchange.md)
        audit.record_buffered(principal.actor, "data.read", "schema", schema, details, db=db)
    else:
        await asyncio.to_thread(audit.record, principal.actor, "data.read", "schema", schema, details, db=db)


@router.get("/{domain}/{name}/records", summary="Current canonical records of a schema, with provenance",
            responses=problem_responses(400, 401, 403, 404, 429, 503))
async def list_records(
    request: Request, domain: Domain, name: Name, credentials: CredentialsDep, lang: LangDep,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    since: Annotated[str | None, Query(description="Only versions stored at/after this ISO time")] = None,
    kode_opd: Annotated[str | None, Query(max_length=40, description="Only records of this OPD")] = None,
    tahun: Annotated[int | None, Query(ge=2000, le=2100, description="Only records of this year")] = None,
    limit: Annotated[int, Query(ge=1, le=canonical.MAX_LIMIT)] = 100,
    findings: Annotated[bool, Query(description="Add cross-application reference findings")] = False,
) -> Any:
    def read() -> tuple[Database, Principal, str, bool, JSONResponse | None, str, int]:
        # ONE worker-thread hop for the key, scopes, rate limit and page (each sync dependency would be a hop)
        db, principal = _principal(credentials)
        schema, personal, limited = _access(request, principal, db, f"{domain}/{name}")
        if limited:
            return db, principal, schema, personal, limited, "", 0
        page, count = canonical.list_records_json(schema, db=db, cursor=cursor, since=since, kode_opd=kode_opd,
                                                  tahun=tahun, limit=limit, personal=personal,
                                                  with_findings=findings)
        return db, principal, schema, personal, None, page, count

    db, principal, schema, personal, limited, page, count = await asyncio.to_thread(read)
    if limited:
        return limited
    await _audit_read(db, principal, schema,
                     {"count": count, "personal": personal, "kode_opd": kode_opd, "tahun": tahun,
                      "cursor": cursor, "since": since})
    metrics.api_requests.labels("200").inc()
    # the page is JSON text already (stored documents passed through when nothing needs masking)
    return Response(content=page.encode("utf-8"), media_type="application/json")


@router.get("/{domain}/{name}/records/{key}", summary="One record: current version, provenance, versions, findings",
            responses=problem_responses(400, 401, 403, 404, 429, 503))
async def get_record(
    request: Request, domain: Domain, name: Name, key: Annotated[str, Path(max_length=300)],
    credentials: CredentialsDep, lang: LangDep,
    versions: Annotated[bool, Query(description="Include the data of every version")] = False,
) -> Any:
    def read() -> tuple[Database, Principal, str, bool, JSONResponse | None, dict[str, Any] | None]:
        db, principal = _principal(credentials)
        schema, personal, limited = _access(request, principal, db, f"{domain}/{name}")
        if limited:
            return db, principal, schema, personal, limited, None
        return db, principal, schema, personal, None, canonical.get_record(schema, key, db=db, personal=personal,
                                                                             versions=versions)

    db, principal, schema, personal, limited, record = await asyncio.to_thread(read)
    if limited or record is None:
        return limited
    await _audit_read(db, principal, schema,
                     {"key": record["key"], "personal": personal, "versions": versions})
    metrics.api_requests.labels("200").inc()
    return record


@router.get("/{domain}/{name}/findings", summary="Records whose references to other applications do not resolve",
            responses=problem_responses(400, 401, 403, 404, 429, 503))
async def get_findings(
    request: Request, domain: Domain, name: Name, credentials: CredentialsDep, lang: LangDep,
    tahun: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    kode_opd: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Any:
    def read() -> tuple[Database, Principal, str, bool, JSONResponse | None, dict[str, Any] | None]:
        db, principal = _principal(credentials)
        schema, personal, limited = _access(request, principal, db, f"{domain}/{name}")
        if limited:
            return db, principal, schema, personal, limited, None
        return db, principal, schema, personal, None, canonical.findings(schema, db=db, tahun=tahun,
                                                                           kode_opd=kode_opd, limit=limit,
                                                                           personal=personal)

    db, principal, schema, _personal, limited, result = await asyncio.to_thread(read)
    if limited or result is None:
        return limited
    await _audit_read(db, principal, schema, {"findings": result["with_findings"]})
    return result


@router.get("/quarantine", summary="Records held back: unmappable or invalid, with their validation report",
            responses=problem_responses(401, 403, 503))
async def list_quarantine(
    principal: PrincipalDep, db: DatabaseDep, lang: LangDep,
    app: Annotated[str | None, Query(max_length=80)] = None,
    schema: Annotated[str | None, Query(max_length=80)] = None,
    include_resolved: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    scopes.require_manage(principal)
    return await asyncio.to_thread(canonical.quarantine, db=db, app=app, schema=schema,
                                   include_resolved=include_resolved, limit=limit)


@router.get("/sync", summary="Sync cursors: where each application/resource continues, last run and counts",
            responses=problem_responses(401, 403, 503))
async def sync_status(principal: PrincipalDep, db: DatabaseDep) -> Any:
    scopes.require_manage(principal)
    from hub.exchange.store import list_cursors

    rows = await asyncio.to_thread(list_cursors, db)
    return [{"app": r.app, "resource": r.resource, "since": r.since, "last_run_at": r.last_run_at,
             "last_status": r.last_status, "last_counts": r.last_counts, "last_error": r.last_error} for r in rows]


@router.post("/sync/{app}", summary="Run the sync of one registry application now (all its resources)",
             responses=problem_responses(400, 401, 403, 404, 502, 503))
async def run_sync(app: Annotated[str, Path(max_length=80)], principal: PrincipalDep, db: DatabaseDep,
                   full: bool = False) -> Any:
    scopes.require_manage(principal)
    results = await sync_app(app, db=db, full=full, actor=principal.actor)
    return [r.as_dict() for r in results]
