"""Validator: pick a schema, paste JSON or upload JSON / NDJSON / CSV / XLSX; the errors grouped, each on its
field (JSON Pointer) or its sheet/row/column, in Bahasa Indonesia and English; SARIF / JUnit / JSON downloads.
The same service as ``POST /v1/schemas/{key}/validate`` and ``simpul validate``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from hub.errors import BadRequest, SimpulError
from hub.validation import inputs
from hub.validation.render import render
from hub.validation.report import ValidationReport
from hub.validation.service import MEDIA_TYPES, list_schemas, validate_payload
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
TYPE_OF = {fmt: media for media, fmt in MEDIA_TYPES.items()}
DOWNLOADS = {"sarif": ("application/sarif+json", "sarif"), "junit": ("application/xml", "junit.xml"),
             "json": ("application/json", "json")}


def _schemas(lang: str) -> list[tuple[str, str]]:
    return [(s.key, f"{s.title.text(lang)} ({s.key})") for s in list_schemas()]


@router.get("/validator")
async def validator_page(web: WebDep, schema: str = "") -> Response:
    web.require("validate:run")
    return web.page("validator.html", title=web.t("web.nav.validator"), schemas=_schemas(web.lang),
                    values={"schema": schema[:200], "payload": "", "sheet": "", "normalise": ""}, errors=[],
                    report=None, report_json="", other="en" if web.lang == "id" else "id")


@router.post("/validator")
async def validate(web: WebDep, request: Request) -> Response:
    web.require("validate:run")
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("schema", "payload", "sheet", "normalise")}
    upload = form.get("file")
    errors: list[dict[str, Any]] = []
    body, fmt = b"", ""
    if upload is not None and not isinstance(upload, str) and upload.filename:
        body = await upload.read()
        fmt = inputs.detect_format(upload.filename, body)
        field = "file"
    else:
        body = values["payload"].encode("utf-8")
        fmt = inputs.detect_format(None, body) if body.strip() else ""
        field = "payload"
    if not values["schema"]:
        errors.append({"field": "schema", "label": web.t("web.val.schema"), "message": web.t("web.form.missing")})
    if not body.strip():
        errors.append({"field": "payload", "label": web.t("web.val.payload"), "message": web.t("web.val.empty")})
    report = None
    if not errors:
        try:
            report = await run_in_threadpool(validate_payload, values["schema"], body, TYPE_OF.get(fmt, "x/unknown"),
                                             sheet=values["sheet"].strip() or None, include_valid=False,
                                             normalise_=bool(values["normalise"]))
        except SimpulError as err:
            errors.append({"field": "schema" if err.status == 404 else field,
                           "label": web.t("web.val.schema" if err.status == 404 else f"web.val.{field}"),
                           "message": err.message(web.lang)})
    return web.page("validator.html", status=200 if report else 422, title=web.t("web.nav.validator"),
                    schemas=_schemas(web.lang), values=values, errors=errors, report=report,
                    report_json=report.to_json(indent=None) if report else "",
                    other="en" if web.lang == "id" else "id")


@router.post("/validator/unduh")
async def download(web: WebDep, request: Request) -> Response:
    """The report just shown, as SARIF, JUnit or JSON (rendered from the report the page carried)."""
    web.require("validate:run")
    form = await request.form()
    fmt = str(form.get("format") or "")
    if fmt not in DOWNLOADS:
        raise BadRequest("web.export.format", fmt=fmt[:20], known=", ".join(DOWNLOADS))
    try:
        report = ValidationReport.model_validate_json(str(form.get("report") or ""))
    except ValidationError:
        raise BadRequest("web.val.report_unreadable") from None
    media, ext = DOWNLOADS[fmt]
    content = report.to_json() if fmt == "json" else render(report, fmt, web.lang)
    name = report.schema_.key.replace("/", "-")
    return web.finish(Response(content, media_type=media,
                               headers={"Content-Disposition": f'attachment; filename="validasi-{name}.{ext}"'}))
