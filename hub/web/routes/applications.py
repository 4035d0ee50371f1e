"""Aplikasi: the registry in the browser — list with the registry's filters, search and cursor pages; detail with
its change history; create; edit with the ETag precondition ("changed by X meanwhile" on a conflict); import of a
spreadsheet with a dry run that lists every bad cell; export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.errors import BadRequest, PreconditionFailed, SimpulError
from hub.services.registry import ApplicationFilter
from hub.web import backend, forms
from hub.web.context import WebDep, WebRoute
from registry.io import MEDIA_TYPES

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FILTERS = ("q", "area", "status", "kind", "hosting", "opd")
EXPORT_FORMATS = ("xlsx", "csv", "yaml")


def _filters(request: Request) -> tuple[ApplicationFilter, dict[str, str]]:
    raw = {k: (request.query_params.get(k) or "").strip()[:100] for k in FILTERS}
    known = {"area": "area", "status": "status", "kind": "kind", "hosting": "hosting"}
    for key, vocab_name in known.items():
        if raw[key] and raw[key] not in dict(forms.options(vocab_name, "id")):
            raw[key] = ""  # an unknown code filters nothing rather than failing the page
    opd = raw["opd"]
    kode_pemda, _, kode_opd = opd.partition("/") if "/" in opd else ("", "", "")
    return ApplicationFilter(
        q=raw["q"] or None, area=[raw["area"]] if raw["area"] else [], status=[raw["status"]] if raw["status"] else [],
        kind=[raw["kind"]] if raw["kind"] else [], hosting=[raw["hosting"]] if raw["hosting"] else [],
        kode_pemda=kode_pemda or None, kode_opd=kode_opd or None), raw


def _opd_options(web: Any) -> list[tuple[str, str]]:
    return [(f"{o.kode_pemda}/{o.kode}", o.short_name or o.name) for o in backend.opd_list(web.db, web.principal,
                                                                                           web.lang)]


def _choices(web: Any) -> dict[str, Any]:
    lang = web.lang
    return {
        "options": {name: forms.options(name, lang) for name in
                    ("status", "area", "kind", "national_app", "software_category", "developer", "hosting",
                     "environment")},
        "pemda": [(p.kode, f"{p.name} ({p.kode})") for p in backend.pemda_list(web.db, web.principal, lang)],
        "opd": [(o.kode, f"{o.short_name or o.name} ({o.kode})") for o in backend.opd_list(web.db, web.principal,
                                                                                            lang)],
        "fields": forms.APP_FORM,
    }


@router.get("/aplikasi")
async def list_page(web: WebDep, request: Request, cursor: str = "") -> Response:
    principal = web.require("registry:read")
    filters, raw = _filters(request)

    def load() -> dict[str, Any]:
        page = backend.list_applications(web.db, principal, web.lang, filters, cursor[:500] or None)
        latest = backend.latest_runs(web.db, principal, web.lang) if principal.can("assessment:read") else {}
        count = backend.registry(web.db, principal, web.lang).count_applications(filters)
        return {"page": page, "latest": latest, "count": count, "opds": _opd_options(web)}

    data = await run_in_threadpool(load)
    query = [(k, v) for k, v in raw.items() if v]
    next_url = f"/aplikasi?{urlencode([*query, ('cursor', data['page'].next_cursor)])}" \
        if data["page"].next_cursor else ""
    first_url = f"/aplikasi?{urlencode(query)}" if cursor else ""
    return web.page("applications/list.html", title=web.t("web.nav.applications"), raw=raw, next_url=next_url,
                    first_url=first_url, export_query=urlencode(query),
                    options={n: forms.options(n, web.lang) for n in ("area", "status", "kind", "hosting")},
                    export_formats=EXPORT_FORMATS, **data)


@router.get("/aplikasi/ekspor")
async def export(web: WebDep, request: Request, format: str = "xlsx") -> Response:
    principal = web.require("registry:export")
    if format not in EXPORT_FORMATS:
        raise BadRequest("web.export.format", fmt=format[:20], known=", ".join(EXPORT_FORMATS))
    filters, _raw = _filters(request)
    data = await run_in_threadpool(backend.export_registry, web.db, principal, web.lang, format, filters)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return web.finish(Response(data, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="simpul-registry-{stamp}.{format}"'}))


# --- create -----------------------------------------------------------------------------------------------------

@router.get("/aplikasi/baru")
async def new_page(web: WebDep) -> Response:
    web.require("registry:write")
    choices = await run_in_threadpool(_choices, web)
    values = forms.values_of(None)
    if web.principal.opd_scope:
        values["kode_pemda"], values["kode_opd"] = web.principal.opd_scope
    return web.page("applications/form.html", title=web.t("web.app.new"), mode="new", app=None, values=values,
                    errors=[], conflict=None, **choices)


@router.post("/aplikasi/baru")
async def new_submit(web: WebDep, request: Request) -> Response:
    principal = web.require("registry:write")
    form = await request.form()
    raw = forms.submitted(form)
    data, errors = forms.parse(raw, web.lang, with_id=True)
    if not errors:
        try:
            app_in = forms.validate_new(data, web.lang)
            app = await run_in_threadpool(backend.create_application, web.db, principal, web.lang, app_in)
            return web.redirect(f"/aplikasi/{app.id}", flash="web.app.created")
        except SimpulError as err:
            if err.status in (401, 403, 404):
                raise
            errors = forms.errors_of(err) or [{"field": "", "message": err.message(web.lang)}]
    choices = await run_in_threadpool(_choices, web)
    return web.page("applications/form.html", status=422, title=web.t("web.app.new"), mode="new", app=None,
                    values=raw, errors=_labelled(web, errors), conflict=None, **choices)


def _labelled(web: Any, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for e in errors:
        if e.get("field"):
            e["label"] = web.t(f"web.app.f.{e['field']}")
    return errors


# --- import -----------------------------------------------------------------------------------------------------

@router.get("/aplikasi/impor")
async def import_page(web: WebDep) -> Response:
    web.require("registry:import")
    return web.page("applications/import.html", title=web.t("web.import.title"), result=None, errors=[],
                    dry_run=True, problem=None, rows=[], filename="")


@router.post("/aplikasi/impor")
async def import_submit(web: WebDep, request: Request) -> Response:
    principal = web.require("registry:import")
    form = await request.form()
    upload = form.get("file")
    dry_run = form.get("dry_run") == "1"
    if upload is None or isinstance(upload, str) or not upload.filename:
        return web.page("applications/import.html", status=422, title=web.t("web.import.title"), result=None,
                        errors=[{"field": "file", "label": web.t("web.import.file"),
                                 "message": web.t("web.import.no_file")}], dry_run=dry_run, problem=None,
                        rows=[], filename="")
    content, name = await upload.read(), upload.filename
    try:
        result = await run_in_threadpool(backend.import_registry, web.db, principal, web.lang, content, name, dry_run)
    except SimpulError as err:
        rows = (err.extra or {}).get("errors") or []
        return web.page("applications/import.html", status=err.status, title=web.t("web.import.title"),
                        result=None, errors=[], dry_run=dry_run, problem=err.message(web.lang), rows=rows,
                        filename=name)
    if not dry_run:
        return web.redirect("/aplikasi", flash="web.import.stored")
    return web.page("applications/import.html", title=web.t("web.import.title"), result=result.report,
                    errors=[], dry_run=dry_run, problem=None, rows=result.errors, filename=name)


# --- detail and edit --------------------------------------------------------------------------------------------

@router.get("/aplikasi/{app_id}")
async def detail(web: WebDep, app_id: str) -> Response:
    principal = web.require("registry:read")

    def load() -> dict[str, Any]:
        app = backend.application(web.db, principal, web.lang, app_id[:80])
        changes = backend.history(web.db, principal, web.lang, app.id)
        runs = []
        if principal.can("assessment:read") and principal.opd_scope in (None, (app.kode_pemda, app.kode_opd)):
            runs = backend.runs_of(web.db, principal, web.lang, app.id, limit=5)
        return {"app": app, "changes": changes, "runs": runs}

    data = await run_in_threadpool(load)
    app = data["app"]
    return web.page("applications/detail.html", title=app.name, values=forms.values_of(app),
                    may_edit=principal.owns(app.kode_pemda, app.kode_opd), fields=forms.APP_FORM,
                    may_assess=principal.can("assessment:write")
                    and principal.opd_scope in (None, (app.kode_pemda, app.kode_opd)), **data)


@router.get("/aplikasi/{app_id}/ubah")
async def edit_page(web: WebDep, app_id: str) -> Response:
    principal = web.require("registry:write")
    app = await run_in_threadpool(backend.application, web.db, principal, web.lang, app_id[:80])
    choices = await run_in_threadpool(_choices, web)
    return web.page("applications/form.html", title=web.t("web.app.edit", name=app.name), mode="edit", app=app,
                    values=forms.values_of(app), errors=[], conflict=None, revision=app.revision, **choices)


@router.post("/aplikasi/{app_id}/ubah")
async def edit_submit(web: WebDep, request: Request, app_id: str) -> Response:
    principal = web.require("registry:write")
    form = await request.form()
    raw = forms.submitted(form)
    revision_text = str(form.get("revision") or "")
    revision = int(revision_text) if revision_text.isdigit() and len(revision_text) < 10 else 0
    data, errors = forms.parse(raw, web.lang, with_id=False)
    conflict = None
    if not errors:
        try:
            await run_in_threadpool(backend.patch_application, web.db, principal, web.lang, app_id[:80], data,
                                    revision)
            return web.redirect(f"/aplikasi/{app_id}", flash="web.form.saved")
        except PreconditionFailed:
            changes = await run_in_threadpool(backend.history, web.db, principal, web.lang, app_id[:80], 5)
            conflict = changes[0] if changes else None
        except SimpulError as err:
            if err.status in (401, 403, 404):
                raise
            errors = forms.errors_of(err) or [{"field": "", "message": err.message(web.lang)}]
    app = await run_in_threadpool(backend.application, web.db, principal, web.lang, app_id[:80])
    choices = await run_in_threadpool(_choices, web)
    return web.page("applications/form.html", status=409 if conflict else 422,
                    title=web.t("web.app.edit", name=app.name), mode="edit", app=app, values=raw,
                    errors=_labelled(web, errors), conflict=conflict, stored=forms.values_of(app),
                    revision=app.revision if conflict else revision, **choices)
