"""Beranda: the counts that matter (applications, measured, levels, open gaps, failed deliveries) and what needs
attention now. A vendor account sees its tools (validator, schemas) only."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.errors import SimpulError
from hub.web import backend
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _numbers(web) -> dict:  # type: ignore[no-untyped-def]
    principal = web.principal
    out: dict = {"attention": []}
    if not principal.can("registry:read"):
        return out
    summary = backend.summary(web.db, principal, web.lang)
    apps = backend.all_applications(web.db, principal, web.lang)
    out["total"] = summary["total"]
    out["production"] = summary["by_status"].get("production", 0)
    if principal.can("assessment:read"):
        latest = backend.latest_runs(web.db, principal, web.lang)
        live = [a for a in apps if a.status != "retired"]
        measured = [r for r in latest.values() if (r.overall_score is not None)]
        out["measured"] = len(measured)
        out["levels"] = sorted(Counter(r.level for r in measured).items())
        never = [a for a in live if a.id not in latest]
        low = sorted((r for r in measured if r.level <= 2), key=lambda r: (r.level, r.overall_score or 0))
        pending = sum(r.counts.get("not_answered", 0) for r in latest.values())
        unsure = sorted(r.app_name for r in latest.values() if r.counts.get("inconclusive", 0))
        if never:
            out["attention"].append(("web.home.attention.never", {"count": len(never)},
                                     "/penilaian", [a.name for a in never[:5]]))
        if low:
            out["attention"].append(("web.home.attention.low", {"count": len(low)}, "/penilaian",
                                     [f"{r.app_name} ({r.level})" for r in low[:5]]))
        if pending:
            out["attention"].append(("web.home.attention.manual", {"count": pending}, "/penilaian", []))
        if unsure:  # a timing check was inconclusive (Simpul was busy): assess these again
            out["attention"].append(("web.home.attention.inconclusive", {"count": len(unsure)}, "/penilaian",
                                     unsure[:5]))
    if principal.can("inventory:read"):
        pemda = backend.pemda_list(web.db, principal, web.lang)
        gaps = quick = 0
        for p in pemda[:5]:
            inv = backend.inventory(web.db, principal, web.lang, p.kode)
            gaps, quick = gaps + inv.totals.gaps, quick + inv.totals.quick_wins
        out["gaps"], out["quick_wins"] = gaps, quick
    if principal.can("exchange:manage"):
        try:
            counts = backend.outbox_counts(web.db, principal)
        except SimpulError:
            counts = {}
        dead = sum(c.get("dead", 0) for c in counts.values())
        out["dead"] = dead
        if dead:
            out["attention"].append(("web.home.attention.dead", {"count": dead}, "/pertukaran?status=dead", []))
    return out


@router.get("/")
async def home(web: WebDep) -> Response:
    web.principal  # noqa: B018 - sign-in required
    numbers = await run_in_threadpool(_numbers, web)
    return web.page("home.html", title=web.t("web.nav.home"), n=numbers)
