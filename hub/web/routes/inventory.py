"""Kesenjangan: readiness (Tabel II.3), the gaps (Tabel II.11), the roadmap with its quick wins, the score
heatmap, Monev between two dates, and the downloads of every report — with the browser's session, no token."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.errors import BadRequest
from hub.inventory import MEDIA_TYPES
from hub.inventory.render.svg import heatmap_svg, opd_svg
from hub.inventory.render.tables import (
    gaps_table,
    heatmap_table,
    monev_tables,
    opd_table,
    readiness_table,
    roadmap_table,
)
from hub.web import backend
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FORMATS = ("xlsx", "docx", "html", "md", "json")


def _pemda(web: Any, requested: str) -> tuple[str, list[Any]]:
    pemda = backend.pemda_list(web.db, web.principal, web.lang)
    codes = [p.kode for p in pemda]
    if requested and requested in codes:
        return requested, pemda
    return (codes[0] if codes else ""), pemda


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest("web.monev.bad_date", field=field, value=value[:20]) from None


@router.get("/kesenjangan")
async def inventory_page(web: WebDep, pemda: str = "") -> Response:
    principal = web.require("inventory:read")

    def load() -> dict[str, Any]:
        kode, all_pemda = _pemda(web, pemda[:5])
        if not kode:
            return {"inv": None, "pemda": all_pemda, "kode": ""}
        inv = backend.inventory(web.db, principal, web.lang, kode)
        lang = web.lang
        return {"inv": inv, "pemda": all_pemda, "kode": kode,
                "tables": [readiness_table(inv, lang), gaps_table(inv, lang), roadmap_table(inv, lang),
                           opd_table(inv, lang), heatmap_table(inv, lang)],
                "quick_wins": [i for i in inv.roadmap.items if i.quick_win],
                "charts": [heatmap_svg(inv.heatmap, lang), opd_svg(inv.opd_summary, lang)]}

    data = await run_in_threadpool(load)
    today = datetime.now(UTC).date()
    return web.page("inventory/inventory.html", title=web.t("web.inv.title"), formats=FORMATS,
                    default_a=date(today.year, 1, 1).isoformat(), default_b=today.isoformat(), **data)


@router.get("/kesenjangan/unduh")
async def inventory_download(web: WebDep, pemda: str = "", format: str = "xlsx") -> Response:
    principal = web.require("inventory:read")
    if format not in FORMATS:
        raise BadRequest("web.export.format", fmt=format[:20], known=", ".join(FORMATS))

    def load() -> tuple[bytes | str, str]:
        kode, _all = _pemda(web, pemda[:5])
        inv = backend.inventory(web.db, principal, web.lang, kode)
        return backend.render_inventory(inv, format, web.lang), kode

    content, kode = await run_in_threadpool(load)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return web.finish(Response(content, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="simpul-inventory-{kode}-{stamp}.{format}"'}))


@router.get("/kesenjangan/monev")
async def monev_page(web: WebDep, dari: str = "", sampai: str = "") -> Response:
    principal = web.require("inventory:read")
    if not dari or not sampai:
        return web.redirect("/kesenjangan#monev")
    day_a, day_b = _day(dari, "dari"), _day(sampai, "sampai")
    ws = await run_in_threadpool(backend.monev, web.db, principal, web.lang, day_a, day_b)
    return web.page("inventory/monev.html", title=web.t("web.monev.title", a=dari, b=sampai), ws=ws,
                    tables=monev_tables(ws, web.lang), dari=dari, sampai=sampai, formats=FORMATS)


@router.get("/kesenjangan/monev/unduh")
async def monev_download(web: WebDep, dari: str = "", sampai: str = "", format: str = "xlsx") -> Response:
    principal = web.require("inventory:read")
    if format not in FORMATS:
        raise BadRequest("web.export.format", fmt=format[:20], known=", ".join(FORMATS))
    day_a, day_b = _day(dari, "dari"), _day(sampai, "sampai")

    def load() -> bytes | str:
        return backend.render_monev(backend.monev(web.db, principal, web.lang, day_a, day_b), format, web.lang)

    content = await run_in_threadpool(load)
    return web.finish(Response(content, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="simpul-monev-{dari}-{sampai}.{format}"'}))
