"""Provinsi: the kabupaten/kota Simpuls of a provincial Simpul, the freshness of each copy and the comparison across
Pemdas; admins pull them now. The same functions as /v1/federation and ``simpul federation``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.assessment.models import STANDARDS
from hub.errors import BadRequest
from hub.inventory import MEDIA_TYPES
from hub.inventory.context import standard_names
from hub.web import backend
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FORMATS = ("xlsx", "docx", "html", "md", "json")


@router.get("/provinsi")
async def province_page(web: WebDep) -> Response:
    principal = web.require("inventory:read")
    data = await run_in_threadpool(backend.federation_view, web.db, principal, web.lang)
    names = standard_names()
    return web.page("province.html", title=web.t("web.nav.federation"), standards=STANDARDS,
                    standard_names={s: names[s].get(web.lang) for s in STANDARDS},
                    may_pull=web.can("federation:manage"), formats=FORMATS, **data)


@router.post("/provinsi/tarik")
async def province_pull(web: WebDep) -> Response:
    principal = web.require("federation:manage")
    results = await backend.federation_pull(web.db, principal, web.lang)
    failed = sum(1 for r in results if not r.ok)
    return web.redirect("/provinsi", flash="web.fed.pulled_some_failed" if failed else "web.fed.pulled")


@router.get("/provinsi/unduh")
async def province_download(web: WebDep, format: str = "xlsx") -> Response:
    principal = web.require("inventory:read")
    if format not in FORMATS:
        raise BadRequest("web.export.format", fmt=format[:20], known=", ".join(FORMATS))

    def load() -> bytes | str:
        return backend.render_inventory(backend.province_inventory(web.db, principal, web.lang), format, web.lang)

    content = await run_in_threadpool(load)
    return web.finish(Response(content, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="simpul-inventory-provinsi.{format}"'}))
