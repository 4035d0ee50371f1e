"""Pertukaran: subscriptions (pause / resume), deliveries by state, dead letters and their replay; Audit: the
hash-chained log and its verification. The same functions as /v1/subscriptions, /v1/deliveries and
``simpul audit verify``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.logging import mask_text
from hub.web import backend
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
STATUSES = ("pending", "retrying", "delivered", "dead")


@router.get("/pertukaran")
async def exchange_page(web: WebDep, status: str = "") -> Response:
    principal = web.principal
    state = status if status in STATUSES else ""

    def load() -> dict:
        subs = backend.subscriptions(web.db, principal)
        rows = backend.deliveries(web.db, principal, state or None)
        for row in rows:  # a record key may be a NIK or a NIP: masked like everywhere else
            row["record_key"] = mask_text(str(row["record_key"]))
        return {"subs": subs, "rows": rows, "counts": backend.outbox_counts(web.db, principal)}

    data = await run_in_threadpool(load)
    return web.page("exchange.html", title=web.t("web.nav.exchange"), statuses=STATUSES, state=state, **data)


@router.post("/pertukaran/langganan/{sub_id}")
async def toggle(web: WebDep, request: Request, sub_id: str) -> Response:
    form = await request.form()
    active = form.get("active") == "1"
    await run_in_threadpool(backend.set_subscription_active, web.db, web.principal, sub_id, active)
    return web.redirect("/pertukaran", flash="web.ex.resumed" if active else "web.ex.paused")


@router.post("/pertukaran/kirim-ulang")
async def replay(web: WebDep, request: Request) -> Response:
    form = await request.form()
    ids = [str(v)[:40] for v in form.getlist("delivery_id") if str(v).strip()]
    subscription = str(form.get("subscription") or "")[:40] or None
    await run_in_threadpool(backend.replay, web.db, web.principal, ids or None, subscription)
    return web.redirect("/pertukaran?status=dead", flash="web.ex.replayed")


@router.get("/audit")
async def audit_page(web: WebDep, action: str = "", verify: str = "") -> Response:
    principal = web.principal

    def load() -> dict:
        rows = backend.audit_entries(web.db, principal, action[:60])
        checked = backend.audit_verify(web.db, principal) if verify == "1" else None
        return {"rows": rows, "checked": checked}

    data = await run_in_threadpool(load)
    return web.page("audit.html", title=web.t("web.nav.audit"), action=action[:60], **data)
