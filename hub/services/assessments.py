"""Assessing the applications of the registry against the five standards, storing every run, answering manual
checks. The API (/v1/assessments), the CLI (``simpul assess``) and background jobs all go through it.

    service = AssessmentService(get_database(), principal, lang="en")
    records = await service.assess_applications(["e-planning", "e-budgeting"], trigger="cli")
    outcome = service.answer("e-planning", "SCA-005", "pass", [{"title": "BAST", "url": "https://..."}])
    outcome.previous.overall_score, outcome.run.overall_score          # the score change, both runs stored

Roles (``registry/data/roles.yaml``): ``assessment:write`` (auditor, admin) assesses and answers;
``assessment:read`` reads runs (an OPD key only those of its own OPD's applications); a vendor key does neither.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel, Field

from hub.assessment import (
    AssessmentRun,
    AssessmentTarget,
    Catalog,
    CheckResult,
    Evidence,
    ManualAnswer,
    ProbeLimits,
    RunComparison,
    Status,
    answer_manual,
    assess,
    compare,
    load_catalog,
    rescore,
)
from hub.assessment.models import Text
from hub.assessment.render import FORMATS, render
from hub.assessment.runner import manual_result
from hub.assessment.safety import Resolver
from hub.assessment.scoring import maturity, standard_scores
from hub.assessment.scoring import measured as measured_any
from hub.errors import BadRequest, Conflict, Forbidden, NotFound, RequestInvalid
from hub.i18n import both, t
from hub.logging import get_logger
from hub.services import jobs
from hub.services.assessment_targets import (  # the target section lives there; re-exported for callers
    NO_ADDRESS,
    PRIVATE_SUFFIXES,
    PUBLIC_HOSTING,
    TargetPlan,
    auth_from_config,
    fetch_partner_records,
    plan_target,
    provider_of,
    public_address,
    reference_rules,
    schema_key,
    target_from_application,
)
from hub.services.registry_access import FEDERATION_READ, Principal
from hub.services.registry_errors import mapped
from hub.settings import Settings, get_settings
from registry import assessments as store
from registry import repository as repo
from registry.assessments import AnswerRecord, JobRecord, RunPage, RunRecord
from registry.db import Database
from registry.models import Application

__all__ = ["NO_ADDRESS", "PRIVATE_SUFFIXES", "PUBLIC_HOSTING", "AnswerOutcome", "AssessmentService", "BatchProgress",
           "ManualAnswers", "ProbeOptions", "Report", "TargetPlan", "auth_from_config", "fetch_partner_records",
           "plan_target", "provider_of", "public_address", "reference_rules", "schema_key",
           "target_from_application"]

log = get_logger("hub.services.assessments")
BatchProgress = Callable[[str, int, int, str], None]  # (app_id, done, total, check_id)
MEDIA_TYPES = {"json": "application/json", "html": "text/html; charset=utf-8", "junit": "application/xml",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXTENSIONS = {"json": "json", "html": "html", "junit": "junit.xml", "xlsx": "xlsx"}


@dataclass
class ProbeOptions:
    """Seams and bounds of the probes (tests pass a transport and small limits; None = from settings)."""

    limits: ProbeLimits | None = None
    transport: httpx.AsyncBaseTransport | None = None
    resolver: Resolver | None = None
    environ: Mapping[str, str] | None = None
    openapi: dict[str, str] | None = None  # app id → OpenAPI URL or local file given for this run (--openapi)
    openapi_documents: dict[str, dict[str, Any]] | None = None  # app id → an OpenAPI document sent to the API


class ManualAnswers(BaseModel):
    app_id: str
    answers: list[AnswerRecord] = Field(description="The answer that counts, per manual check")
    pending: list[str] = Field(description="Manual checks nobody has answered yet")
    history: list[AnswerRecord] = Field(default_factory=list, description="Every answer, newest first (?history)")


class AnswerOutcome(BaseModel):
    answer: AnswerRecord
    previous: RunRecord | None = Field(default=None, description="The latest run before the answer")
    run: RunRecord | None = Field(default=None, description="The new run: the previous one re-scored (trigger "
                                                            "manual); None when the application was never assessed")
    comparison: RunComparison | None = None


@dataclass
class Report:
    content: bytes
    media_type: str
    filename: str


def limits_from_settings(settings: Settings) -> ProbeLimits:
    return ProbeLimits(max_requests=settings.assess_max_requests, total_timeout_s=settings.assess_total_timeout_s,
                       availability_probes=settings.assess_availability_probes)


def unmeasured_run(target: AssessmentTarget, reason: Text, answers: Iterable[ManualAnswer], catalog: Catalog,
                   limits: ProbeLimits) -> AssessmentRun:
    """A run whose automated checks are all ``error`` with ``reason`` (never counted against the application);
    manual checks take the stored answers."""
    now = datetime.now(UTC)
    by_check = {a.check_id: a for a in answers}
    results: list[CheckResult] = []
    for check in catalog.checks:
        if check.automated:
            results.append(CheckResult(check_id=check.id, standard=check.standard, title=check.title,
                                       weight=check.weight, automated=True, status=Status.ERROR, reason=reason,
                                       evidence=[Evidence(kind="note", title="reason", note=reason.en)]))
        else:
            results.append(manual_result(check, by_check.get(check.id)))
    scores = standard_scores(results, catalog)
    return AssessmentRun(run_id=uuid.uuid4().hex, started_at=now, finished_at=now, target=target,
                         catalog_version=catalog.label, limits=limits, results=results, scores=scores,
                         maturity=maturity(results, scores, catalog))


MAX_OPENAPI_UPLOAD = 2_000_000  # bytes: the largest Pemda descriptions seen are a few hundred KB


def openapi_from_upload(name: str, content: bytes) -> dict[str, Any]:
    """An uploaded OpenAPI description (JSON or YAML) as a document, refusing what is too large, unreadable, an
    alias bomb, or no OpenAPI document at all (BadRequest with a bilingual message)."""
    import yaml

    from registry.io.formats import _too_many_nodes

    if len(content) > MAX_OPENAPI_UPLOAD:
        raise BadRequest("assessment_service.openapi_too_large", name=name[:80], limit=MAX_OPENAPI_UPLOAD)
    try:
        text = content.decode("utf-8-sig")
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError):
        raise BadRequest("assessment_service.openapi_not_document", name=name[:80]) from None
    if not isinstance(document, dict) or _too_many_nodes(document, 200_000):
        raise BadRequest("assessment_service.openapi_not_document", name=name[:80])
    return document


def run_of(record: RunRecord) -> AssessmentRun:
    """The stored run. A run stored before runs recorded what they measured (no ``maturity.measured`` in its
    JSON) got level 1 even when nothing was measured; its results still tell: if no automated check ended pass,
    warning or fail it is shown as "belum diukur" (level 0, no score) with that reason, never as a level 1."""
    data = record.result or {}
    run = AssessmentRun.model_validate(data)
    if "measured" in (data.get("maturity") or {}) or measured_any(run.results):
        return run
    reason = Text(**both("assessment_service.reason.legacy_unmeasured"))
    maturity = run.maturity.model_copy(update={"level": 0, "measured": False, "overall_score": None,
                                               "not_measured_reason": reason, "provisional": False,
                                               "name": Text(**both("assessment.level.not_measured"))})
    scores = [s.model_copy(update={"score": None, "measured": False}) for s in run.scores]
    return run.model_copy(update={"maturity": maturity, "scores": scores})



class AssessmentService:
    def __init__(self, db: Database, principal: Principal, lang: str = "id", *, options: ProbeOptions | None = None,
                 catalog: Catalog | None = None, settings: Settings | None = None) -> None:
        self.db, self.principal, self.lang = db, principal, lang
        self.options = options or ProbeOptions()
        self.catalog = catalog or load_catalog()
        self.settings = settings or get_settings()
        self.limits = self.options.limits or limits_from_settings(self.settings)

    # -- access -----------------------------------------------------------------------------------------------
    def _visible(self, app_ids: Iterable[str], *, federated: bool = False) -> None:
        """403 unless the principal may read the runs of every application in ``app_ids`` (``federated``: a
        provincial Simpul's key with ``federation:read`` may too)."""
        if federated:
            self.principal.require_any("assessment:read", FEDERATION_READ)
        else:
            self.principal.require("assessment:read")
        scope = self.principal.opd_scope
        if scope is None:
            return
        with mapped(self.lang), self.db.session() as s:
            for app_id in set(app_ids):
                owner = repo.owner_of(s, app_id)
                if owner != scope:
                    raise Forbidden("assessment_service.forbidden_app", opd=scope[1], app=app_id,
                                    owner=owner[1] if owner else "-", extra={"app_id": app_id})

    def _own_app_ids(self) -> list[str] | None:
        scope = self.principal.opd_scope
        if scope is None:
            return None
        with mapped(self.lang), self.db.session() as s:
            return [a.id for a in repo.iter_applications(s, repo.ApplicationFilter(kode_pemda=scope[0],
                                                                                   kode_opd=scope[1]))]

    def _applications(self, app_ids: list[str] | None) -> list[Application]:
        """The applications to assess: ``app_ids`` (404 naming an unknown one) or every one not retired."""
        with mapped(self.lang), self.db.session() as s:
            if app_ids is None:
                return [a for a in repo.iter_applications(s) if a.status != "retired"]
            return [repo.get_application(s, app_id) for app_id in dict.fromkeys(app_ids)]

    def _assessable(self, app_ids: list[str] | None) -> list[Application]:
        """What the principal may assess: a principal bound to one OPD assesses only that OPD's applications
        (``None`` = all of its own); others any application (``None`` = every one not retired)."""
        if self.principal.opd_scope is None:
            return self._applications(app_ids)
        if app_ids is None:
            own = self._own_app_ids() or []
            return [a for a in self._applications(own) if a.status != "retired"] if own else []
        apps = self._applications(app_ids)
        self._visible([a.id for a in apps])
        return apps

    # -- assessing --------------------------------------------------------------------------------------------
    async def assess_applications(self, app_ids: list[str] | None = None, *, trigger: str = "cli",
                                  progress: BatchProgress | None = None,
                                  on_run: Callable[[RunRecord], None] | None = None) -> list[RunRecord]:
        """Assess ``app_ids`` (None = every application not retired), up to ``assess_concurrency`` at once, and
        store each run as soon as it is finished. Returns the stored runs (with their results) in input order."""
        self.principal.require("assessment:write")
        apps = await asyncio.to_thread(self._assessable, app_ids)
        return await self.assess_loaded(apps, trigger=trigger, progress=progress, on_run=on_run)

    async def assess_loaded(self, apps: list[Application], *, trigger: str, progress: BatchProgress | None = None,
                            on_run: Callable[[RunRecord], None] | None = None) -> list[RunRecord]:
        self.principal.require("assessment:write")
        plans = [self._plan(app) for app in apps]
        partners = await self._partner_data(plans)
        gate = asyncio.Semaphore(self.settings.assess_concurrency)

        async def one(plan: TargetPlan) -> RunRecord:
            async with gate:
                run = await self._assess_one(plan, partners.get(plan.app_id), progress)
                if not run.measured:  # "belum diukur": reported with its reason, never stored as a level
                    record = store.unsaved_record(json.loads(run.model_dump_json()), trigger=trigger,
                                                  actor=self.principal.actor)
                else:
                    record = await asyncio.to_thread(self._store, run, trigger, None)
                if on_run is not None:
                    on_run(record)
                return record

        tasks = [asyncio.ensure_future(one(p)) for p in plans]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:  # one failed (or the job was cancelled): stop the others too
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def measure(self, app: Application, progress: BatchProgress | None = None) -> AssessmentRun:
        """Assess one application without storing the run (a queued job stores it with its job item)."""
        self.principal.require("assessment:write")
        plan = self._plan(app)
        partners = await self._partner_data([plan])
        return await self._assess_one(plan, partners.get(plan.app_id), progress)

    def _plan(self, app: Application) -> TargetPlan:
        return plan_target(app, allowed_hosts=self.settings.assess_allowed_hosts, environ=self.options.environ,
                           openapi_override=(self.options.openapi or {}).get(app.id),
                           openapi_document=(self.options.openapi_documents or {}).get(app.id))

    def use_openapi(self, app_ids: list[str] | None, value: str | Mapping[str, Any] | None, *,
                    name: str = "openapi") -> None:
        """The API's and the web's ``--openapi``: an http(s) URL or a whole OpenAPI document (sent inline or
        uploaded) for one application, for this run only. A path is refused: a caller of the API names no file on
        the Simpul server (that would read any file it can). ``name`` is the uploaded file's name, for messages."""
        if value is None or value == "":
            return
        if not app_ids or len(app_ids) != 1:
            raise BadRequest("assessment_service.openapi_one_app")
        if isinstance(value, str):
            text = value.strip()
            if not text.lower().startswith(("http://", "https://")) or any(c.isspace() for c in text):
                raise BadRequest("assessment_service.openapi_path_refused", value=text[:120])
            self.options.openapi = {**(self.options.openapi or {}), app_ids[0]: text}
            return
        if not isinstance(value, Mapping) or not ("openapi" in value or "swagger" in value):
            raise BadRequest("assessment_service.openapi_not_document", name=name[:80])
        self.options.openapi_documents = {**(self.options.openapi_documents or {}), app_ids[0]: dict(value)}

    async def _assess_one(self, plan: TargetPlan, partner: dict[str, list[dict[str, Any]]] | None,
                          progress: BatchProgress | None) -> AssessmentRun:
        answers = await asyncio.to_thread(self._answers, plan.app_id)
        total = len(self.catalog.checks)
        if plan.problem is not None:
            if progress is not None:
                progress(plan.app_id, total, total, "")
            return unmeasured_run(plan.target, plan.problem, answers, self.catalog, self.limits)

        def step(done: int, count: int, check_id: str) -> None:
            if progress is not None:
                progress(plan.app_id, done, count, check_id)

        try:
            return await assess(plan.target, catalog=self.catalog, manual_answers=answers, progress=step,
                                limits=self.limits, partner_records=partner, transport=self.options.transport,
                                resolver=self.options.resolver)
        except Exception as exc:  # a bug in Simpul: the application gets an unmeasured run, the batch goes on
            log.warning("assessment_crashed", app=plan.app_id, error=f"{type(exc).__name__}: {exc}"[:300])
            reason = Text(**both("assessment_service.reason.crashed", app=plan.app_id,
                                 detail=type(exc).__name__))
            if progress is not None:
                progress(plan.app_id, total, total, "")
            return unmeasured_run(plan.target, reason, answers, self.catalog, self.limits)

    async def _partner_data(self, plans: list[TargetPlan]) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Partner records for the cross-reference check (INT-005): for each application whose data refers to
        another schema (e.g. e-budgeting's rincian_belanja → perencanaan/sub_kegiatan), a bounded sample read from
        the registered application that provides that schema."""
        rules = reference_rules(self.catalog)
        wanted = {p.app_id: p.partner_schemas(rules, self.catalog) for p in plans if p.problem is None}
        needed = sorted({schema for schemas in wanted.values() for schema in schemas})
        if not needed:
            return {}
        all_apps = await asyncio.to_thread(self._applications, None)
        fetched: dict[tuple[str, str], list[dict[str, Any]]] = {}
        out: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for app_id, schemas in wanted.items():
            for schema in schemas:
                provider = provider_of(schema, all_apps, exclude=app_id)
                if provider is None:
                    continue
                key = (provider.id, schema)
                if key not in fetched:
                    fetched[key] = await fetch_partner_records(
                        self._plan(provider), schema, self.settings.assess_partner_records, self.limits,
                        self.catalog, transport=self.options.transport, resolver=self.options.resolver)
                if fetched[key]:
                    out.setdefault(app_id, {})[schema] = fetched[key]
        return out

    def _answers(self, app_id: str) -> list[ManualAnswer]:
        manual = {c.id for c in self.catalog.checks if not c.automated}
        with self.db.session() as s:
            stored = store.latest_answers(s, app_id)
        out: list[ManualAnswer] = []
        for record in stored.values():
            if record.check_id not in manual:
                continue  # a check retired from the catalog, or no longer manual
            try:
                out.append(ManualAnswer(check_id=record.check_id, answer=record.answer, evidence=record.evidence,
                                        answered_by=record.answered_by, answered_at=record.answered_at))
            except ValueError:
                log.warning("assessment_answer_unusable", app=app_id, check=record.check_id)
        return out

    def _store(self, run: AssessmentRun, trigger: str, based_on: str | None) -> RunRecord:
        with mapped(self.lang), self.db.session() as s:
            data = json.loads(run.model_dump_json())  # NaN/inf → null: PostgreSQL's JSON refuses them
            return store.save_run(s, data, trigger=trigger, actor=self.principal.actor, based_on=based_on)

    # -- manual answers ---------------------------------------------------------------------------------------
    def manual_check_ids(self) -> list[str]:
        return [c.id for c in self.catalog.checks if not c.automated]

    def answer(self, app_id: str, check_id: str, answer: str, evidence: Iterable[Mapping[str, Any]], *,
               answered_by: str | None = None, note: str | None = None) -> AnswerOutcome:
        """Store an auditor's answer and re-score the application's latest run into a new stored run."""
        self.principal.require("assessment:write")
        manual = self.manual_check_ids()
        if check_id not in manual:
            raise RequestInvalid("assessment_service.not_manual", check_id=check_id, manual=", ".join(manual),
                                 extra={"errors": [{"pointer": "/check_id", "field": "check_id",
                                                    "message": t("assessment_service.not_manual_field", self.lang,
                                                                 manual=", ".join(manual))}],
                                        "manual_checks": manual})
        self._applications([app_id])  # 404 with suggestions for an unknown application
        items = [dict(e) for e in evidence]
        if answer == "not_applicable" and note and not any(e.get("note") for e in items):
            items.append({"title": "Catatan / note", "note": note})
        try:
            checked = answer_manual(check_id, answer, items, answered_by or self.principal.name,
                                    catalog=self.catalog)
        except BadRequest as exc:
            detail = str(exc.params.get("detail") or exc.message(self.lang))
            raise RequestInvalid("assessment_service.answer_invalid", check_id=check_id, detail=detail,
                                 extra={"errors": [{"pointer": "/evidence", "field": "evidence",
                                                    "message": detail}]}) from None
        with mapped(self.lang), self.db.session() as s:
            saved = store.save_answer(s, app_id, check_id, checked.answer,
                                      [e.model_dump(exclude_none=True) for e in checked.evidence],
                                      answered_by=checked.answered_by, actor=self.principal.actor,
                                      answered_at=checked.answered_at, note=note)
            latest = store.latest_run(s, app_id)
        if latest is None:
            return AnswerOutcome(answer=saved)
        before = run_of(latest)
        after = rescore(before, self._answers(app_id), self.catalog).model_copy(update={"run_id": uuid.uuid4().hex})
        record = self._store(after, "manual", latest.run_id)
        summary = latest.model_copy(update={"result": None})
        return AnswerOutcome(answer=saved, previous=summary, run=record.model_copy(update={"result": None}),
                             comparison=compare(before, after))

    def manual_answers(self, app_id: str, *, history: bool = False) -> ManualAnswers:
        self.principal.require("assessment:read")
        self._applications([app_id])
        self._visible([app_id])
        with mapped(self.lang), self.db.session() as s:
            latest = store.latest_answers(s, app_id)
            past = store.answer_history(s, app_id) if history else []
        manual = self.manual_check_ids()
        answers = [latest[c] for c in manual if c in latest]
        return ManualAnswers(app_id=app_id, answers=answers, pending=[c for c in manual if c not in latest],
                             history=past)

    # -- reading ----------------------------------------------------------------------------------------------
    def list_runs(self, app_id: str | None = None, *, limit: int | None = None,
                  cursor: str | None = None, latest: bool = False) -> RunPage:
        self.principal.require_any("assessment:read", FEDERATION_READ)
        if app_id is not None:
            self._visible([app_id], federated=True)
        own = self._own_app_ids()
        with mapped(self.lang), self.db.session() as s:
            return store.list_runs(s, app_id, limit=limit, cursor=cursor, app_ids=own, latest=latest)

    def latest_runs(self) -> dict[str, RunRecord]:
        self.principal.require("assessment:read")
        own = self._own_app_ids()
        with mapped(self.lang), self.db.session() as s:
            return store.latest_runs(s, own, with_result=False)

    def snapshot(self, as_of: datetime | None = None) -> dict[str, AssessmentRun]:
        """``app_id -> AssessmentRun``: the latest stored run of each visible application, or the latest at or
        before ``as_of`` (what the inventory and the Monev worksheet read)."""
        self.principal.require("assessment:read")
        own = self._own_app_ids()
        with mapped(self.lang), self.db.session() as s:
            records = store.latest_runs(s, own, with_result=True, as_of=as_of)
        return {app_id: run_of(record) for app_id, record in records.items()}

    def get_run(self, run_id: str, *, federated: bool = False) -> RunRecord:
        """A stored run with its whole result; a unique prefix of at least 6 characters is accepted
        (``federated``: the read of a provincial Simpul, GET /v1/assessments/runs/{id})."""
        self._visible([], federated=federated)
        with mapped(self.lang), self.db.session() as s:
            record = store.get_run(s, run_id)
            if record is None and len(run_id) >= 6:
                found = store.find_run_ids(s, run_id)
                if len(found) > 1:
                    raise BadRequest("assessment_service.run_ambiguous", prefix=run_id)
                record = store.get_run(s, found[0]) if found else None
        if record is None:
            raise NotFound.with_suggestions("assessment_service.what.run", run_id, [])
        self._visible([record.app_id], federated=federated)
        return record

    def run(self, run_id: str) -> AssessmentRun:
        return run_of(self.get_run(run_id))

    def compare_runs(self, run_a: str, run_b: str) -> RunComparison:
        return compare(self.run(run_a), self.run(run_b))

    def report(self, run_id: str, fmt: str = "html", lang: str | None = None) -> Report:
        if fmt not in FORMATS:
            raise BadRequest("assessment_service.report_format", fmt=fmt, known=", ".join(FORMATS))
        run = self.run(run_id)
        content = render(run, fmt, lang or self.lang)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        name = f"penilaian-{run.target.app_id}-{run.run_id[:8]}.{EXTENSIONS[fmt]}"
        return Report(content=data, media_type=MEDIA_TYPES[fmt], filename=name)

    # -- jobs -------------------------------------------------------------------------------------------------
    def create_job(self, app_ids: list[str] | None, *, trigger: str = "api") -> tuple[JobRecord, list[Application]]:
        """A queued job for ``app_ids`` (None = all); returns it with the applications it will assess."""
        self.principal.require("assessment:write")
        apps = self._assessable(app_ids)
        limit = self.settings.assess_max_pending_jobs
        with mapped(self.lang), self.db.session() as s:
            pending = store.count_jobs(s)
            if pending >= limit:
                raise Conflict("assessment_service.too_many_jobs", count=pending, limit=limit)
            job = store.create_job(s, uuid.uuid4().hex, [a.id for a in apps], actor=self.principal.actor,
                                   total=len(apps) * len(self.catalog.checks), trigger=trigger,
                                   openapi=self.openapi_for_job())
            jobs.create_items(s, job.job_id, job.app_ids, checks_per_app=len(self.catalog.checks))
        return job, apps

    def openapi_for_job(self) -> dict[str, Any]:
        """This service's ``--openapi`` overrides as stored with a job, so a worker in another process uses them."""
        found: dict[str, Any] = {app_id: {"url": url} for app_id, url in (self.options.openapi or {}).items()}
        found.update({app_id: {"document": doc} for app_id, doc in (self.options.openapi_documents or {}).items()})
        return found

    @staticmethod
    def options_for_job(openapi: Mapping[str, Any]) -> ProbeOptions:
        """The probe options a queue worker uses for a job whose overrides were stored (see :meth:`openapi_for_job`)."""
        urls = {k: v["url"] for k, v in openapi.items() if isinstance(v, dict) and isinstance(v.get("url"), str)}
        docs = {k: v["document"] for k, v in openapi.items()
                if isinstance(v, dict) and isinstance(v.get("document"), dict)}
        return ProbeOptions(openapi=urls or None, openapi_documents=docs or None)

    def recent_jobs(self, limit: int = 20) -> list[JobRecord]:
        """The latest jobs (an OPD key sees those of its own applications only)."""
        self.principal.require("assessment:read")
        own = self._own_app_ids()
        found = jobs.recent_jobs(self.db, limit if own is None else limit * 5)
        if own is not None:
            found = [j for j in found if set(j.app_ids) <= set(own)][:limit]
        return found

    def get_job(self, job_id: str) -> JobRecord:
        self.principal.require("assessment:read")
        with mapped(self.lang), self.db.session() as s:
            job = jobs.read_job(s, job_id)
        if job is None:
            raise NotFound.with_suggestions("assessment_service.what.job", job_id, [])
        if self.principal.opd_scope is not None:
            self._visible(job.app_ids)
        return job

