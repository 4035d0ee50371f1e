"""/v1/applications: the application registry (CRUD, filters, cursor pages, ETags, history), and
/v1/registry/...: import, export, summary and code lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, Principal, require_action, require_any_action
from hub.errors import UnsupportedMediaType
from hub.services.registry import ApplicationFilter, RegistryService, etag
from registry.io import MEDIA_TYPES
from registry.models import (
    Application,
    ApplicationIn,
    Area,
    Change,
    HostingType,
    Kind,
    Page,
    SoftwareCategory,
    Status,
)
from registry.vocab import vocabularies

router = APIRouter(tags=["registry"])

AppId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$",
                            description="Application slug, e.g. e-planning")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='ETag from the last GET, e.g. "r3", or *')]
Reader = Annotated[Principal, require_action("registry:read")]
# the reads a provincial Simpul pulls (registry/data/roles.yaml, docs/federation.md)
Federated = Annotated[Principal, require_any_action("registry:read", "federation:read")]
Writer = Annotated[Principal, require_action("registry:write")]
READ_ERRORS = problem_responses(400, 401, 403, 404, 503)
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428, 503)
Text = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]


def app_filters(
    pemda: Annotated[str | None, Query(pattern=r"^\d{2}(?:\.\d{2})?$", description="Kode wilayah")] = None,
    opd: Annotated[str | None, Query(pattern=r"^\d{1,2}(?:\.\d{1,4}){1,9}$", description="SIPD unit code")] = None,
    area: Annotated[list[Area] | None, Query(description="Main or other area; repeat for any of")] = None,  # type: ignore[valid-type]
    status: Annotated[list[Status] | None, Query()] = None,  # type: ignore[valid-type]
    kind: Annotated[list[Kind] | None, Query(description="umum (national) or khusus (local)")] = None,  # type: ignore[valid-type]
    hosting: Annotated[list[HostingType] | None, Query()] = None,  # type: ignore[valid-type]
    category: Annotated[list[SoftwareCategory] | None, Query(description="Software category")] = None,  # type: ignore[valid-type]
    connector: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,39}$",
                                           description="A connector type, 'any' or 'none'")] = None,
    source_code_held: Annotated[bool | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00|]*$")] = None,
    q: Text = None,
) -> ApplicationFilter:
    return ApplicationFilter(
        kode_pemda=pemda, kode_opd=opd, area=[str(a) for a in area or []], status=[str(s) for s in status or []],
        kind=[str(k) for k in kind or []], hosting=[str(h) for h in hosting or []],
        software_category=[str(c) for c in category or []], connector=connector, source_code_held=source_code_held,
        tag=tag, q=q)


Filters = Annotated[ApplicationFilter, Depends(app_filters)]


@router.get("/v1/applications", response_model=Page[Application], summary="List and filter applications",
            responses=READ_ERRORS)
def list_applications(
    principal: Federated, db: DatabaseDep, lang: LangDep, request: Request, response: Response, filters: Filters,
    sort: Annotated[Literal["name", "-name", "id", "-id", "updated_at", "-updated_at"], Query()] = "name",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[Application]:
    page = RegistryService(db, principal, lang).list_applications(filters, sort=sort, limit=limit, cursor=cursor)
    if page.next_cursor:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        query = urlencode([*params, ("cursor", page.next_cursor)])
        response.headers["Link"] = f'</v1/applications?{query}>; rel="next"'
    return page


@router.post("/v1/applications", response_model=Application, status_code=status.HTTP_201_CREATED,
             summary="Register an application", responses=problem_responses(400, 401, 403, 409, 422, 503))
def create_application(body: ApplicationIn, principal: Writer, db: DatabaseDep, lang: LangDep,
                       response: Response) -> Application:
    app = RegistryService(db, principal, lang).create_application(body)
    response.headers["ETag"] = etag(app.revision)
    response.headers["Location"] = f"/v1/applications/{app.id}"
    return app


@router.get("/v1/applications/{app_id}", response_model=Application, summary="One application (with ETag)",
            responses=READ_ERRORS)
def get_application(app_id: AppId, principal: Federated, db: DatabaseDep, lang: LangDep,
                    response: Response) -> Application:
    app = RegistryService(db, principal, lang).get_application(app_id)
    response.headers["ETag"] = etag(app.revision)
    return app


@router.put("/v1/applications/{app_id}", response_model=Application, responses=WRITE_ERRORS,
            summary="Replace an application (If-Match required)")
def replace_application(app_id: AppId, body: ApplicationIn, principal: Writer, db: DatabaseDep, lang: LangDep,
                        response: Response, if_match: IfMatch = None) -> Application:
    app = RegistryService(db, principal, lang).replace_application(app_id, body, if_match)
    response.headers["ETag"] = etag(app.revision)
    return app


@router.patch("/v1/applications/{app_id}", response_model=Application, responses=WRITE_ERRORS,
              summary="Change some fields (JSON merge patch, If-Match required)")
def patch_application(
    app_id: AppId, principal: Writer, db: DatabaseDep, lang: LangDep, response: Response,
    body: Annotated[dict[str, Any], Body(media_type="application/merge-patch+json",
                                         examples=[{"status": "retired", "contact": {"name": "Budi"}}])],
    if_match: IfMatch = None,
) -> Application:
    app = RegistryService(db, principal, lang).patch_application(app_id, body, if_match)
    response.headers["ETag"] = etag(app.revision)
    return app


@router.delete("/v1/applications/{app_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete an application (its history stays)", responses=WRITE_ERRORS)
def delete_application(app_id: AppId, principal: Writer, db: DatabaseDep, lang: LangDep,
                       if_match: IfMatch = None) -> Response:
    RegistryService(db, principal, lang).delete_application(app_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/applications/{app_id}/history", response_model=list[Change], responses=READ_ERRORS,
            summary="Change history: who changed which field, when (newest first)")
def application_history(
    app_id: AppId, principal: Reader, db: DatabaseDep, lang: LangDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Only entries older than this id")] = None,
) -> list[Change]:
    return RegistryService(db, principal, lang).history("application", app_id, limit=limit, before=before)


# --- import / export / summary / code lists -------------------------------------------------------------------


class RowError(BaseModel):
    pointer: str
    field: str
    code: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None


class Counts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportReportOut(BaseModel):
    dry_run: bool
    valid: bool
    rows: int = Field(description="Data rows read from the file")
    counts: dict[str, Counts] = Field(description="Per entity (pemda, opd, applications)")
    errors: list[RowError] = Field(description="Every bad row: row, column, message (empty when valid)")


IMPORT_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json",
                "text/csv", "text/plain", "application/octet-stream", MEDIA_TYPES["xlsx"]}
IMPORT_BODY = {"requestBody": {"required": True, "content": {
    "application/yaml": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
}}}


@router.post("/v1/registry/import", response_model=ImportReportOut, openapi_extra=IMPORT_BODY,
             summary="Import YAML, CSV or XLSX (dry_run=true: report only); all rows valid or nothing stored",
             responses=problem_responses(400, 401, 403, 413, 415, 422, 503))
async def import_registry(
    request: Request, principal: Annotated[Principal, require_action("registry:import")], db: DatabaseDep,
    lang: LangDep,
    dry_run: Annotated[bool, Query(description="Validate and report, store nothing")] = False,
    format: Annotated[Literal["yaml", "csv", "xlsx"] | None, Query(description="Default: detected")] = None,
) -> ImportReportOut:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    filename = ""
    if ctype == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            content = (upload or "").encode() if isinstance(upload, str) else b""
        else:
            content, filename = await upload.read(), upload.filename or ""
    elif ctype and ctype not in IMPORT_TYPES:
        raise UnsupportedMediaType(content_type=ctype, supported="application/yaml, text/csv, xlsx, multipart")
    else:
        content = await request.body()
    service = RegistryService(db, principal, lang)
    result = await run_in_threadpool(service.import_file, content, filename=filename, content_type=ctype,
                                     fmt=format, dry_run=dry_run)
    report = result.report
    return ImportReportOut(dry_run=report.dry_run, valid=report.valid, rows=report.rows,
                           counts={k: Counts(**v) for k, v in report.counts.items()},
                           errors=[RowError(**e) for e in result.errors])


@router.get("/v1/registry/export", response_class=Response, summary="Export the registry (round-trips on import)",
            responses={200: {"description": "The registry file", "content": {
                MEDIA_TYPES["yaml"]: {"schema": {"type": "object", "required": ["simpul_registry"], "properties": {
                    "simpul_registry": {"type": "integer"}, "exported_at": {"type": "string"},
                    "pemda": {"type": "array"}, "opd": {"type": "array"}, "applications": {"type": "array"}}}},
                "text/csv": {"schema": {"type": "string"}},
                MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}},
                **problem_responses(400, 401, 403, 503)})
def export_registry(
    principal: Annotated[Principal, require_action("registry:export")], db: DatabaseDep, lang: LangDep,
    filters: Filters,
    format: Literal["yaml", "csv", "xlsx"] = "yaml",
    entity: Annotated[Literal["applications", "opd", "pemda"], Query(description="CSV: which table")] = "applications",
) -> Response:
    data = RegistryService(db, principal, lang).export(format, entity, filters)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    name = f"simpul-registry-{stamp}.{format}" if format != "csv" else f"simpul-{entity}-{stamp}.csv"
    return Response(content=data, media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class Summary(BaseModel):
    total: int = Field(description="Number of information systems (Tabel II.3 item 8)")
    by_area: dict[str, int] = Field(description="Main or other area; zero = no application (a gap)")
    by_status: dict[str, int]
    by_kind: dict[str, int]
    by_hosting: dict[str, int]
    by_connector: dict[str, int]
    by_source_code_held: dict[str, int]


@router.get("/v1/registry/summary", response_model=Summary, summary="Counts per area, status, kind, hosting",
            responses=READ_ERRORS)
def registry_summary(
    principal: Reader, db: DatabaseDep, lang: LangDep,
    pemda: Annotated[str | None, Query(pattern=r"^\d{2}(?:\.\d{2})?$")] = None,
) -> Summary:
    return Summary(**RegistryService(db, principal, lang).summary(pemda))


class Term(BaseModel):
    code: str
    label_id: str
    label_en: str
    aliases: list[str] = []
    extra: dict[str, Any] = {}


@router.get("/v1/registry/vocabularies", response_model=dict[str, list[Term]],
            summary="Code lists of the registry with labels (areas with Tabel II.3 items, SPBE indicators, ...)")
def registry_vocabularies() -> dict[str, list[Term]]:
    return {name: [Term(code=t.code, label_id=t.label_id, label_en=t.label_en, aliases=list(t.aliases),
                        extra=dict(t.extra)) for t in v.terms] for name, v in vocabularies().items()}
