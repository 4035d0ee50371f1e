"""Penilaian: start an assessment of one, several or all applications and watch its progress (the job status is
polled by a small script, or refreshed by hand with JavaScript off); the scorecard per standard with the evidence
of each check and its curl command; manual checks answered with an evidence link or an uploaded file; and the
comparison of two runs of one application."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from hub.assessment.models import STANDARDS
from hub.errors import BadRequest, SimpulError
from hub.web import backend
from hub.web.charts import score_bars
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
REPORT_FORMATS = ("html", "json", "junit", "xlsx")


@router.get("/penilaian")
async def overview(web: WebDep) -> Response:
    principal = web.require("assessment:read")

    def load() -> dict[str, Any]:
        apps = backend.all_applications(web.db, principal, web.lang)
        latest = backend.latest_runs(web.db, principal, web.lang)
        if principal.opd_scope:  # an OPD-bound account reads (and assesses) its own OPD's applications
            apps = [a for a in apps if (a.kode_pemda, a.kode_opd) == principal.opd_scope]
        return {"apps": [a for a in apps if a.status != "retired"], "latest": latest}

    data = await run_in_threadpool(load)
    return web.page("assessments/overview.html", title=web.t("web.nav.assessments"), standards=STANDARDS,
                    names=_standard_names(web.lang), **data)


def _standard_names(lang: str) -> dict[str, str]:
    return {key: std.name.get(lang) for key, std in backend.catalog().standards.items()}


@router.post("/penilaian/mulai")
async def start(web: WebDep, request: Request) -> Response:
    principal = web.require("assessment:write")
    form = await request.form()
    every = form.get("all") == "1"
    app_ids = [str(v)[:80] for v in form.getlist("app_ids") if str(v).strip()]
    if not every and not app_ids:
        raise BadRequest("web.assess.pick")
    openapi: Any = str(form.get("openapi_url") or "").strip() or None  # the CLI's --openapi, for one application
    upload = form.get("openapi_file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        openapi = backend.openapi_upload(upload.filename, await upload.read())
    job = await backend.start_assessment(request, web.db, principal, web.lang, None if every else app_ids,
                                         openapi=openapi)
    return web.redirect(f"/penilaian/tugas/{job.job_id}")


def _job_view(web: Any, job_id: str) -> dict[str, Any]:
    record = backend.job(web.db, web.principal, web.lang, job_id)
    status = backend.job_status(record, web.lang)
    status["status_label"] = web.t(f"web.status.{record.status}")
    status["text"] = web.t("web.job.progress", done=status["progress"]["done"], total=status["progress"]["total"],
                           current=status["current_check"] or "–")
    return status


@router.get("/penilaian/tugas/{job_id}/status")
async def job_json(web: WebDep, job_id: str) -> Response:
    web.require("assessment:read")
    status = await run_in_threadpool(_job_view, web, job_id)
    return web.finish(JSONResponse(status, headers={"Retry-After": "1"}))


@router.get("/penilaian/tugas/{job_id}")
async def job_page(web: WebDep, job_id: str) -> Response:
    principal = web.require("assessment:read")
    status = await run_in_threadpool(_job_view, web, job_id)
    runs = []
    if status["status"] in ("done", "failed") and status["run_ids"]:
        runs = [await run_in_threadpool(backend.run, web.db, principal, web.lang, rid) for rid in status["run_ids"]]
    return web.page("assessments/job.html", title=web.t("web.job.title"), job=status,
                    runs=[record for record, _run in runs])


@router.get("/penilaian/hasil/{run_id}")
async def run_page(web: WebDep, run_id: str) -> Response:
    principal = web.require("assessment:read")
    record, run = await run_in_threadpool(backend.run, web.db, principal, web.lang, run_id)
    names = {s.standard: s.name.get(web.lang) for s in run.scores}
    chart = score_bars([(names.get(s.standard, s.standard), s.score) for s in run.scores],
                       web.t("web.run.chart", app=run.target.name), web.t("web.status.error"))
    by_standard = {s: [r for r in run.results if r.standard == s] for s in STANDARDS}
    return web.page("assessments/run.html", title=web.t("web.run.title", app=run.target.name), record=record,
                    run=run, chart=chart, by_standard=by_standard, names=names, formats=REPORT_FORMATS,
                    may_answer=principal.can("assessment:write"))


@router.get("/penilaian/hasil/{run_id}/laporan")
async def run_report(web: WebDep, run_id: str, format: str = "html") -> Response:
    principal = web.require("assessment:read")
    if format not in REPORT_FORMATS:
        raise BadRequest("web.export.format", fmt=format[:20], known=", ".join(REPORT_FORMATS))
    report = await run_in_threadpool(backend.report, web.db, principal, web.lang, run_id[:40], format)
    disposition = "inline" if format in ("html", "json") else "attachment"
    return web.finish(Response(report.content, media_type=report.media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{report.filename}"'}))


@router.get("/penilaian/aplikasi/{app_id}")
async def app_runs(web: WebDep, app_id: str) -> Response:
    principal = web.require("assessment:read")

    def load() -> dict[str, Any]:
        app = backend.application(web.db, principal, web.lang, app_id[:80])
        return {"app": app, "runs": backend.runs_of(web.db, principal, web.lang, app.id),
                "manual": backend.manual(web.db, principal, web.lang, app.id)}

    data = await run_in_threadpool(load)
    checks = {c.id: c for c in backend.catalog().checks if not c.automated}
    return web.page("assessments/app.html", title=web.t("web.assess.runs_title", app=data["app"].name),
                    checks=checks, may_answer=principal.can("assessment:write"), **data)


@router.get("/penilaian/bandingkan")
async def compare_page(web: WebDep, run_a: str = "", run_b: str = "") -> Response:
    principal = web.require("assessment:read")

    def load() -> dict[str, Any]:
        comparison = backend.compare(web.db, principal, web.lang, run_a[:40], run_b[:40])
        record_a, _run_1 = backend.run(web.db, principal, web.lang, run_a[:40])
        record_b, run_2 = backend.run(web.db, principal, web.lang, run_b[:40])
        if record_a.app_id != record_b.app_id:
            raise BadRequest("web.compare.same_app")
        titles = {r.check_id: r.title for r in run_2.results}
        return {"cmp": comparison, "a": record_a, "b": record_b, "titles": titles,
                "names": {s.standard: s.name.get(web.lang) for s in run_2.scores}}

    data = await run_in_threadpool(load)
    return web.page("assessments/compare.html", title=web.t("web.compare.title"), **data)


# --- manual answers ---------------------------------------------------------------------------------------------

def _answer_context(web: Any, app_id: str, check_id: str) -> dict[str, Any]:
    app = backend.application(web.db, web.principal, web.lang, app_id[:80])
    check = backend.manual_check(check_id[:20])
    manual = backend.manual(web.db, web.principal, web.lang, app.id)
    current = next((a for a in manual.answers if a.check_id == check.id), None)
    return {"app": app, "check": check, "current": current}


@router.get("/penilaian/aplikasi/{app_id}/manual/{check_id}")
async def answer_page(web: WebDep, app_id: str, check_id: str) -> Response:
    web.require("assessment:write")
    data = await run_in_threadpool(_answer_context, web, app_id, check_id)
    return web.page("assessments/answer.html", title=web.t("web.answer.title", check=data["check"].id),
                    values={}, errors=[], **data)


@router.post("/penilaian/aplikasi/{app_id}/manual/{check_id}")
async def answer_submit(web: WebDep, request: Request, app_id: str, check_id: str) -> Response:
    principal = web.require("assessment:write")
    data = await run_in_threadpool(_answer_context, web, app_id, check_id)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("answer", "title", "url", "note")}
    upload = form.get("file")
    errors: list[dict[str, Any]] = []
    if values["answer"] not in ("pass", "fail", "not_applicable"):
        errors.append({"field": "answer", "label": web.t("web.answer.answer"), "message": web.t("web.form.missing")})
    evidence: dict[str, Any] = {"title": values["title"] or web.t("web.answer.default_title")}
    if values["url"]:
        evidence["url"] = values["url"]
    if upload is not None and not isinstance(upload, str) and upload.filename:
        content = await upload.read()
        if content:
            evidence["file_name"] = await run_in_threadpool(backend.store_evidence_file, data["app"].id,
                                                            upload.filename, content)
    if not errors:
        try:
            items = [evidence] if ("url" in evidence or "file_name" in evidence) else []
            await run_in_threadpool(backend.answer, web.db, principal, web.lang, data["app"].id, data["check"].id,
                                    values["answer"], items, values["note"] or None)
            return web.redirect(f"/penilaian/aplikasi/{data['app'].id}", flash="web.answer.saved")
        except SimpulError as err:
            errors = [{"field": "url", "label": web.t("web.answer.url"), "message": err.message(web.lang)}]
    return web.page("assessments/answer.html", status=422, title=web.t("web.answer.title", check=data["check"].id),
                    values=values, errors=errors, **data)


@router.get("/penilaian/bukti/{app_id}/{name}")
async def evidence_download(web: WebDep, app_id: str, name: str) -> Response:
    principal = web.require("assessment:read")
    path = await run_in_threadpool(backend.evidence_file, web.db, principal, web.lang, app_id[:80], name[:200])
    return web.finish(FileResponse(path, filename=path.name.split("-", 1)[-1],
                                   headers={"X-Content-Type-Options": "nosniff"},
                                   content_disposition_type="attachment"))
