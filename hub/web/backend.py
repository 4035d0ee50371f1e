"""The one place where the web workspace calls Simpul's services (the same ones the API and the CLI call).

Pages never touch the database or the domain logic themselves: they call these functions with the signed-in
account's :class:`~hub.services.registry_access.Principal`, so roles, OPD scope, ETags, validation messages and
the audit log behave exactly as through the API. When a service changes shape, this module is where the web adapts.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from fastapi import Request

from hub.assessment.models import AssessmentRun, RunComparison
from hub.errors import BadRequest, Forbidden, NotFound
from hub.services.assessments import MAX_OPENAPI_UPLOAD, AssessmentService, ProbeOptions, Report, openapi_from_upload
from hub.services.registry import ApplicationFilter, ImportResult, RegistryService, etag
from hub.services.registry_access import Principal
from hub.settings import get_settings
from registry.assessments import JobRecord, RunRecord
from registry.db import Database
from registry.models import Application, Change, Page

PAGE_SIZE = 25


# --- registry --------------------------------------------------------------------------------------------------

def registry(db: Database, principal: Principal, lang: str) -> RegistryService:
    return RegistryService(db, principal, lang)


def list_applications(db: Database, principal: Principal, lang: str, filters: ApplicationFilter,
                      cursor: str | None, sort: str = "name") -> Page[Application]:
    return registry(db, principal, lang).list_applications(filters, sort=sort, limit=PAGE_SIZE, cursor=cursor)


def all_applications(db: Database, principal: Principal, lang: str) -> list[Application]:
    service, items, cursor = registry(db, principal, lang), [], None
    while True:
        page = service.list_applications(None, sort="name", limit=500, cursor=cursor)
        items.extend(page.items)
        if not page.next_cursor:
            return items
        cursor = page.next_cursor


def application(db: Database, principal: Principal, lang: str, app_id: str) -> Application:
    return registry(db, principal, lang).get_application(app_id)


def history(db: Database, principal: Principal, lang: str, app_id: str, limit: int = 50) -> list[Change]:
    return registry(db, principal, lang).history("application", app_id, limit=limit)


def create_application(db: Database, principal: Principal, lang: str, data: Any) -> Application:
    return registry(db, principal, lang).create_application(data)


def patch_application(db: Database, principal: Principal, lang: str, app_id: str, patch: dict[str, Any],
                      revision: int) -> Application:
    return registry(db, principal, lang).patch_application(app_id, patch, etag(revision))


def import_registry(db: Database, principal: Principal, lang: str, content: bytes, filename: str,
                    dry_run: bool) -> ImportResult:
    return registry(db, principal, lang).import_file(content, filename=filename, dry_run=dry_run)


def export_registry(db: Database, principal: Principal, lang: str, fmt: str, filters: ApplicationFilter) -> bytes:
    return registry(db, principal, lang).export(fmt, "applications", filters)


def summary(db: Database, principal: Principal, lang: str) -> dict[str, Any]:
    return registry(db, principal, lang).summary()


def pemda_list(db: Database, principal: Principal, lang: str) -> list[Any]:
    return list(registry(db, principal, lang).list_pemda(limit=500).items)


def opd_list(db: Database, principal: Principal, lang: str) -> list[Any]:
    service, items, cursor = registry(db, principal, lang), [], None
    while True:
        page = service.list_opd(limit=500, cursor=cursor)
        items.extend(page.items)
        if not page.next_cursor:
            return items
        cursor = page.next_cursor


# --- assessments -----------------------------------------------------------------------------------------------

def _options(request: Request) -> ProbeOptions:
    """The probe seams the API uses (tests override the API's ``probe_options`` dependency; the web follows)."""
    from hub.api.routers.assessments import probe_options

    return request.app.dependency_overrides.get(probe_options, probe_options)()


def assessments(db: Database, principal: Principal, lang: str, request: Request | None = None) -> AssessmentService:
    return AssessmentService(db, principal, lang, options=_options(request) if request is not None else None)


def latest_runs(db: Database, principal: Principal, lang: str) -> dict[str, RunRecord]:
    return assessments(db, principal, lang).latest_runs()


def openapi_upload(name: str, content: bytes) -> dict[str, Any]:
    """The OpenAPI file uploaded with the assess form, parsed (too large, unreadable or no OpenAPI: BadRequest)."""
    return openapi_from_upload(name, content[:MAX_OPENAPI_UPLOAD + 1])


async def start_assessment(request: Request, db: Database, principal: Principal, lang: str,
                           app_ids: list[str] | None, *, openapi: Any = None) -> JobRecord:
    """Queue a job exactly like ``POST /v1/assessments`` (the same queue, the same progress); ``openapi`` a URL
    or an uploaded document for one application (AssessmentService.use_openapi)."""
    from dataclasses import replace

    from fastapi.concurrency import run_in_threadpool

    from hub.queue import submit_job
    from hub.queue.serving import ensure_running

    service = AssessmentService(db, principal, lang, options=replace(_options(request)))
    service.use_openapi(app_ids, openapi)
    job, _apps = await run_in_threadpool(service.create_job, app_ids, trigger="web")
    runtime = await ensure_running(request.app)
    runtime.probe_options[job.job_id] = service.options
    await submit_job(runtime, job.job_id, trigger="web")
    return job


def job(db: Database, principal: Principal, lang: str, job_id: str) -> JobRecord:
    if not re.fullmatch(r"[0-9a-f]{6,40}", job_id):
        raise NotFound.with_suggestions("assessment_service.what.job", job_id[:40], [])
    return assessments(db, principal, lang).get_job(job_id)


def job_status(record: JobRecord, lang: str) -> dict[str, Any]:
    from hub.api.routers.assessments import _job

    return _job(record, lang).model_dump(mode="json")


def runs_of(db: Database, principal: Principal, lang: str, app_id: str, limit: int = 50) -> list[RunRecord]:
    return list(assessments(db, principal, lang).list_runs(app_id, limit=limit).items)


def run(db: Database, principal: Principal, lang: str, run_id: str) -> tuple[RunRecord, AssessmentRun]:
    if not re.fullmatch(r"[0-9a-fA-F]{6,40}", run_id):
        raise NotFound.with_suggestions("assessment_service.what.run", run_id[:40], [])
    service = assessments(db, principal, lang)
    record = service.get_run(run_id.lower())
    return record, AssessmentRun.model_validate(record.result or {})


def compare(db: Database, principal: Principal, lang: str, run_a: str, run_b: str) -> RunComparison:
    for value in (run_a, run_b):
        if not re.fullmatch(r"[0-9a-fA-F]{6,40}", value):
            raise BadRequest("web.compare.pick_two")
    return assessments(db, principal, lang).compare_runs(run_a.lower(), run_b.lower())


def report(db: Database, principal: Principal, lang: str, run_id: str, fmt: str) -> Report:
    return assessments(db, principal, lang).report(run_id.lower(), fmt, lang)


def manual(db: Database, principal: Principal, lang: str, app_id: str) -> Any:
    return assessments(db, principal, lang).manual_answers(app_id, history=True)


def manual_check(check_id: str) -> Any:
    from hub.assessment import load_catalog

    check = next((c for c in load_catalog().checks if c.id == check_id and not c.automated), None)
    if check is None:
        manual_ids = [c.id for c in load_catalog().checks if not c.automated]
        raise NotFound.with_suggestions("web.what.manual_check", check_id[:20], manual_ids)
    return check


def catalog() -> Any:
    from hub.assessment import load_catalog

    return load_catalog()


def answer(db: Database, principal: Principal, lang: str, app_id: str, check_id: str, value: str,
           evidence: list[dict[str, Any]], note: str | None) -> Any:
    return assessments(db, principal, lang).answer(app_id, check_id, value, evidence, note=note)


def evidence_dir(app_id: str) -> Path:
    return (get_settings().output_dir / "evidence" / app_id).resolve()


def store_evidence_file(app_id: str, filename: str, content: bytes) -> str:
    """Keep an uploaded evidence file under ``<output>/evidence/<app>/``; returns the stored name (content hash
    first, so two different files never overwrite each other and the answer names exactly this content)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename or "bukti").name).strip("._") or "bukti"
    name = f"{hashlib.sha256(content).hexdigest()[:12]}-{safe[-80:]}"
    folder = evidence_dir(app_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return name


def evidence_file(db: Database, principal: Principal, lang: str, app_id: str, name: str) -> Path:
    assessments(db, principal, lang)._visible([app_id])  # the same rule as reading the application's runs
    folder = evidence_dir(app_id)
    path = (folder / name.replace("\x00", "_")).resolve()  # a NUL byte is no file name (and would crash realpath)
    if path.parent != folder or not path.is_file():
        raise NotFound.with_suggestions("web.what.evidence", name[:80], [])
    return path


# --- inventory -------------------------------------------------------------------------------------------------

def inventory(db: Database, principal: Principal, lang: str, kode_pemda: str, as_of: date | None = None) -> Any:
    from hub.inventory import build_inventory, load_inputs

    principal.require("inventory:read")
    inputs = load_inputs(registry(db, principal, lang), kode_pemda)
    runs = assessments(db, principal, lang).snapshot()
    return build_inventory(inputs.pemda, inputs.opds, inputs.apps, runs, lang, as_of=as_of)


def render_inventory(inv: Any, fmt: str, lang: str) -> bytes | str:
    from hub.inventory import render_inventory as render

    return render(inv, fmt, lang)


def monev(db: Database, principal: Principal, lang: str, day_a: date, day_b: date) -> Any:
    from hub.inventory import monev as build
    from hub.inventory.monev import check_period

    principal.require("inventory:read")
    check_period(day_a, day_b)
    service = assessments(db, principal, lang)
    end_a = datetime.combine(day_a, time.max, tzinfo=UTC)
    end_b = datetime.combine(day_b, time.max, tzinfo=UTC)
    return build(service.snapshot(as_of=end_a), service.snapshot(as_of=end_b), label_a=day_a.isoformat(),
                 label_b=day_b.isoformat())


def render_monev(ws: Any, fmt: str, lang: str) -> bytes | str:
    from hub.inventory import render_monev as render

    return render(ws, fmt, lang)


# --- exchange and audit ----------------------------------------------------------------------------------------

def _manage(principal: Principal) -> None:
    from hub.exchange.scopes import require_manage

    require_manage(principal)


def subscriptions(db: Database, principal: Principal) -> list[Any]:
    from hub.exchange import subscriptions as service

    _manage(principal)
    return service.list_all(db=db)


def set_subscription_active(db: Database, principal: Principal, sub_id: str, active: bool) -> Any:
    from hub.exchange import subscriptions as service

    _manage(principal)
    return service.set_active(sub_id[:40], active, principal.actor, db=db)


def deliveries(db: Database, principal: Principal, status: str | None, before: int | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
    from hub.exchange import delivery

    _manage(principal)
    rows = delivery.list_deliveries(db, status=status, limit=limit, before=before)
    return [delivery.as_dict(r) for r in rows]


def outbox_counts(db: Database, principal: Principal) -> dict[str, dict[str, int]]:
    from hub.exchange import delivery

    _manage(principal)
    return delivery.outbox_counts(db)


def replay(db: Database, principal: Principal, delivery_ids: list[str] | None, subscription: str | None) -> list[str]:
    from hub.exchange import delivery

    _manage(principal)
    return delivery.replay(principal.actor, db=db, delivery_ids=delivery_ids, subscription=subscription,
                           status="dead")


def audit_entries(db: Database, principal: Principal, action: str | None, limit: int = 100) -> list[Any]:
    from hub.exchange import audit

    principal.require("audit:read")
    return audit.entries(db, limit=limit, action=action or None)


def audit_verify(db: Database, principal: Principal) -> Any:
    from hub.exchange import audit

    principal.require("audit:read")
    return audit.verify(db)


def require(principal: Principal, action: str) -> None:
    if not principal.can(action):
        raise Forbidden(role=principal.role, action=action, extra={"role": principal.role, "action": action})


# -- schema versions and certificates (hub/services/schema_versions.py, hub/services/certificates.py) ----------
def schema_versions(key: str) -> list[Any]:
    from hub.services.schema_versions import list_versions

    return list_versions(key)


def verify_certificate(data: bytes) -> Any:
    """Checked with this hub's public key (created on first use, as the well-known address serves it)."""
    from hub.services import certificates

    return certificates.verify(data, certificates.private_key().public_key())


# --- province federation ---------------------------------------------------------------------------------------

def federation(db: Database, principal: Principal, lang: str) -> Any:
    from hub.services.federation import FederationService

    return FederationService(db, principal, lang)


def federation_view(db: Database, principal: Principal, lang: str) -> dict[str, Any]:
    """The members with the freshness of their copies, and the comparison across Pemdas (GET
    /v1/federation/members and /v1/federation/comparison)."""
    service = federation(db, principal, lang)
    return {"members": service.list(), "comparison": service.comparison()}


async def federation_pull(db: Database, principal: Principal, lang: str) -> list[Any]:
    """Pull every member now, exactly like ``POST /v1/federation/pull``."""
    return list(await federation(db, principal, lang).pull())


def province_inventory(db: Database, principal: Principal, lang: str) -> Any:
    """The inventory over every member's copy (GET /v1/federation/inventory)."""
    return federation(db, principal, lang).inventory()
