"""Sertifikat: upload a conformance certificate and see whether this hub issued it, unaltered and unexpired, and
whether its schema versions are deprecated or superseded. The same service as ``POST /v1/certificates/verify`` and
``simpul certificate verify`` (ADR 0009)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.web import backend
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MAX_BYTES = 256 * 1024


@router.get("/sertifikat")
async def certificate_page(web: WebDep) -> Response:
    web.principal  # noqa: B018 - sign-in required (the API's verify endpoint is public)
    return web.page("certificate.html", title=web.t("schemaver.web.title"), errors=[], result=None)


@router.post("/sertifikat")
async def certificate_verify(web: WebDep, request: Request) -> Response:
    web.principal  # noqa: B018
    form = await request.form()
    upload = form.get("file")
    errors: list[dict[str, Any]] = []
    data = b""
    if upload is not None and not isinstance(upload, str) and upload.filename:
        data = await upload.read(MAX_BYTES + 1)
    if not data.strip():
        errors.append({"field": "file", "label": web.t("schemaver.web.file"), "message": web.t("web.form.missing")})
    elif len(data) > MAX_BYTES:
        errors.append({"field": "file", "label": web.t("schemaver.web.file"),
                       "message": web.t("error.body_too_large", limit=MAX_BYTES)})
    result = None if errors else await run_in_threadpool(backend.verify_certificate, data)
    return web.page("certificate.html", status=422 if errors else 200, title=web.t("schemaver.web.title"),
                    errors=errors, result=result)
