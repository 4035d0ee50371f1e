"""Canonical schemas and the validator: ``/v1/schemas``.

Thin: the work is done by :mod:`hub.validation.service`; this module parses the request and shapes the answer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from hub.api.deps import SettingsDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, _api_key, _bearer, get_principal, require
from hub.errors import PayloadTooLarge
from hub.exchange.scopes import require_manage
from hub.services import schema_versions
from hub.validation.diff import SchemaDiff
from hub.validation.report import Deprecation, ValidationReport
from hub.validation.service import (
    XLSX,
    SchemaDetail,
    SchemaSummary,
    describe_schema,
    list_schemas,
    media_format,
    validate_payload,
)
from hub.validation.store import get_store
from hub.validation.versions import VersionInfo

router = APIRouter(prefix="/v1/schemas", tags=["schemas"])

SchemaKey = Annotated[str, Path(
    description="Schema key `<domain>/<name>` (latest version), `<domain>/<name>:<version>` or the URN",
    openapi_examples={
        "pegawai": {"summary": "Civil servant", "value": "kepegawaian/pegawai"},
        "rincian_belanja": {"summary": "Budget line, version 1", "value": "penganggaran/rincian_belanja:1"},
    },
)]

_EXAMPLE_DOC = {"nip": "198501012010011001", "jenis_asn": "PNS", "nama": "Budi Santoso",
                "tanggal_lahir": "1985-01-01", "jenis_kelamin": "L"}
REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": (
        "The documents to check, in one of four forms. JSON: one object, or an array of documents. NDJSON: one "
        "JSON document per line. CSV and XLSX: row 1 holds the field names (dotted for nested fields: "
        "`jabatan.nama`, `indikator.0.target`), every later row is one document; cells are converted to the "
        "types the schema declares. Errors in a spreadsheet are reported with their sheet, row and column.\n\n"
        "NDJSON example:\n\n    {\"nip\": \"198501012010011001\", \"nama\": \"Budi\"}\n"
        "    {\"nip\": \"1985\", \"nama\": \"Sari\"}"
    ),
    "content": {
        "application/json": {
            "schema": {"anyOf": [{"type": "object"}, {"type": "array", "items": {}, "minItems": 1}]},
            "examples": {
                "one": {"summary": "One document", "value": _EXAMPLE_DOC},
                "batch": {"summary": "A batch", "value": [_EXAMPLE_DOC, {**_EXAMPLE_DOC, "tanggal_lahir": "1-1-85"}]},
            },
        },
        "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
        "text/csv": {
            "schema": {"type": "string"},
            "example": "nip,nama,jabatan.nama\n198501012010011001,Budi,Analis\n",
        },
        XLSX: {"schema": {"type": "string", "format": "binary"}},
    },
}


@router.get("", response_model=list[SchemaSummary], summary="List the canonical schemas (latest versions)")
def list_all() -> list[SchemaSummary]:
    """Every canonical schema with its key, version, bilingual title and description, hash and example counts."""
    return list_schemas()


@router.get("/{key:path}/versions", response_model=list[VersionInfo],
            summary="Every version of a schema: semantic version, latest, superseded, deprecation",
            responses=problem_responses(404))
def list_versions(key: SchemaKey) -> list[VersionInfo]:
    """Oldest first. A deprecated version carries its sunset date and successor."""
    return schema_versions.list_versions(key)


@router.get("/{key:path}/diff", response_model=SchemaDiff, response_model_by_alias=True,
            summary="What changed between two versions, breaking or not, and what it affects",
            responses=problem_responses(400, 404))
def diff(key: SchemaKey, db: DatabaseDep, request: Request,
         from_: Annotated[str, Query(alias="from", description="Old version, e.g. 1")],
         to: Annotated[str, Query(description="New version, e.g. 1.1")],
         bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
         api_key: Annotated[str | None, Depends(_api_key)],
         affected: Annotated[bool, Query(description="Also name the registered mappings and subscriptions the "
                                                     "breaking changes touch (needs an exchange:manage key)")] = False,
         ) -> Any:
    """Every change, classified ``breaking`` (a document valid before may be rejected now) or not.
    ``semver_ok`` is false when a minor or patch step carries a breaking change. With ``affected=true`` (an API
    key that may manage the exchange: subscription names are not public) ``affected`` lists the registered mappings
    (connector resources in the registry) and exchange subscriptions the breaking changes touch."""
    if affected:
        require_manage(get_principal(request, db, bearer, api_key))
    return schema_versions.schema_diff(key, from_, to, db=db, with_affected=affected)


@router.post("/{key:path}/deprecate", response_model=Deprecation,
             summary="Mark a schema version deprecated with a sunset date (admin)",
             responses=problem_responses(400, 401, 403, 404), dependencies=[require("admin")])
def deprecate(key: SchemaKey, body: DeprecateIn) -> Deprecation:
    """Recorded in ``versions.yaml`` beside the schemas; validating against the version then warns (report field
    ``deprecation``, HTTP headers ``Deprecation`` and ``Sunset``)."""
    return schema_versions.deprecate_version(key, body.version, body.sunset.isoformat(), successor=body.successor,
                                             note=body.note)


@router.get("/{key:path}", response_model=SchemaDetail, summary="One schema: the JSON Schema and its metadata",
            responses=problem_responses(404))
def show(key: SchemaKey) -> JSONResponse:
    """``key`` is ``<domain>/<name>`` (latest version), ``<domain>/<name>:<version>`` or the URN. An unknown
    key answers 404 naming the closest known keys. The ``ETag`` is the schema's content hash."""
    detail = describe_schema(key)
    return JSONResponse(detail.model_dump(mode="json", by_alias=True), headers={"ETag": f'"{detail.hash}"'})


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refusing more than ``limit`` bytes whatever Content-Length claims."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit=limit, extra={"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/{key:path}/validate",
    response_model=ValidationReport,
    summary="Validate documents against a schema",
    responses=problem_responses(400, 404, 413, 415),
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def validate(
    key: SchemaKey,
    request: Request,
    settings: SettingsDep,
    sheet: str | None = Query(None, description="XLSX: the sheet to read (default: the first)"),
    rules: bool = Query(True, description="Also check business rules and code lists"),
    include_valid: bool = Query(True, description="List valid documents too (false: only those with issues)"),
    normalise: bool = Query(False, description="Accept known display forms (spaced NIP, undotted codes, "
                                               "DD-MM-YYYY dates): validate their normal form and list per "
                                               "document what was changed under 'normalised'"),
) -> Response:
    """Always 200 with a ValidationReport when the input could be read: ``valid`` says whether every document
    passed. 400 malformed input (JSON errors name line, column and position), 404 unknown schema, 413 body
    over the byte limit or more documents than the batch limit, 415 unsupported content type."""
    get_store().get(key)
    content_type = request.headers.get("content-type")
    media_format(content_type)
    body = await _read_body(request, settings.max_body_bytes)
    report = await run_in_threadpool(validate_payload, key, body, content_type, sheet=sheet, rules=rules,
                                     include_valid=include_valid, normalise_=normalise, settings=settings)
    return Response(report.model_dump_json(by_alias=True), media_type="application/json",
                    headers=deprecation_headers(report.deprecation))


def deprecation_headers(found: Deprecation | None) -> dict[str, str]:
    """RFC 9745 ``Deprecation`` and RFC 8594 ``Sunset`` headers, plus a link to the successor version."""
    if found is None:
        return {}
    headers = {"Deprecation": "true",
               "Sunset": format_datetime(datetime.combine(found.sunset, time(23, 59, 59), UTC), usegmt=True)}
    if found.successor:
        headers["Link"] = f'</v1/schemas/{found.key}:{found.successor}>; rel="successor-version"'
    return headers


class DeprecateIn(BaseModel):
    version: str = Field(description="The version to deprecate, e.g. 1")
    sunset: date = Field(description="Last day it is supported")
    successor: str | None = Field(default=None, description="Version to move to (default: the latest)")
    note: str | None = Field(default=None, max_length=500)

    model_config = {"extra": "forbid"}

