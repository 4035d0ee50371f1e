"""/v1/assessments: assess registered applications in the background, read stored runs and their reports,
compare runs; /v1/applications/{app_id}/manual-answers: auditors' answers to the manual checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, Principal, require_action, require_any_action
from hub.assessment import AssessmentRun, RunComparison, load_catalog
from hub.queue import submit_job
from hub.queue.serving import ensure_running
from hub.services.assessments import MEDIA_TYPES, AssessmentService, ProbeOptions
from registry.assessments import AnswerRecord, JobRecord, RunRecord

APP_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"
RUN_PATTERN = r"^[0-9a-fA-F]{6,40}$"
_CONTROL = frozenset(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))


def _clean(value: str) -> str:
    if any(ch in _CONTROL or "\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must not contain control characters")
    return value


AppSlug = Annotated[str, StringConstraints(pattern=APP_PATTERN)]
AppId = Annotated[str, Path(pattern=APP_PATTERN, description="Application slug, e.g. e-planning")]
RunId = Annotated[str, Path(pattern=RUN_PATTERN, description="Run id (or a unique prefix of 6+ characters)")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                  AfterValidator(_clean)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_clean)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://[^\s]+$"),
                AfterValidator(_clean)]
ManualCheck = StrEnum("ManualCheck", {c.id: c.id for c in load_catalog().checks if not c.automated})
Reader = Annotated[Principal, require_action("assessment:read")]
Federated = Annotated[Principal, require_any_action("assessment:read", "federation:read")]  # docs/federation.md
Writer = Annotated[Principal, require_action("assessment:write")]
READ_ERRORS = problem_responses(400, 401, 403, 404, 503)


router = APIRouter(tags=["assessments"])


def probe_options() -> ProbeOptions:
    """Seams of the probes (tests override this dependency with small limits and an in-process transport)."""
    return ProbeOptions()


Options = Annotated[ProbeOptions, Depends(probe_options)]


# -- models -------------------------------------------------------------------------------------------------------
class AssessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"app_ids": ["e-planning"]},
                                                                              {"all": True}]})
    app_ids: list[AppSlug] | None = Field(default=None, min_length=1, max_length=500,
                                          description="Registered applications to assess")
    all: bool = Field(default=False, description="Assess every registered application that is not retired")
    openapi: str | dict[str, Any] | None = Field(
        default=None, description="For one application, this run only (the CLI's --openapi): an http(s) URL of "
                                  "an OpenAPI description, or the OpenAPI document itself as a JSON object. A file "
                                  "path is refused (400): callers of the API name no file on the Simpul server.")

    @model_validator(mode="after")
    def _one_of(self) -> AssessRequest:
        if bool(self.app_ids) == self.all:
            raise ValueError("give app_ids or all: true (one of them)")
        return self


class JobProgressOut(BaseModel):
    done: int = Field(description="Checks finished, over all applications of the job")
    total: int
    percent: float


class NotMeasuredOut(BaseModel):
    app_id: str
    reason: str = Field(description="Why nothing was measured, in the language asked for")


class JobOut(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    app_ids: list[str]
    progress: JobProgressOut
    current_check: str | None = Field(default=None, description="Application and check being run, e.g. "
                                                                "'simpeg REL-003'")
    run_ids: list[str] = Field(description="Stored runs so far (GET /v1/assessments/runs/{run_id})")
    error: str | None = Field(default=None, description="Why the job failed")
    not_measured: list[NotMeasuredOut] = Field(default_factory=list, description="Applications in which nothing "
                                               "could be measured ('belum diukur'): no run is stored for them")
    created_at: datetime
    updated_at: datetime
    actor: str


class RunSummary(BaseModel):
    run_id: str
    app_id: str
    app_name: str
    started_at: datetime
    finished_at: datetime
    created_at: datetime = Field(description="When the run was stored")
    catalog_version: str
    overall_score: float | None
    level: int
    level_name: str = Field(description="SPBE service level name (PermenPANRB 59/2020)")
    scores: dict[str, float | None] = Field(description="0-100 per standard; null when nothing was measured")
    counts: dict[str, int] = Field(description="Checks per status")
    trigger: str = Field(description="cli | api | demo | conformance | manual (re-scored after an answer)")
    actor: str
    based_on: str | None = Field(default=None, description="The run a manual answer re-scored")


class RunList(BaseModel):
    items: list[RunSummary]
    next_cursor: str | None = None


class RunDetail(RunSummary):
    run: AssessmentRun = Field(description="The whole run: every check with its status, message and evidence")


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Short
    url: Url | None = None
    file_name: Short | None = None
    note: Note | None = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "answer": "pass", "evidence": [{"title": "BAST kode sumber", "url": "https://arsip.example.go.id/bast.pdf"}],
        "note": "Diperiksa Inspektorat"}]})
    answer: Literal["pass", "fail", "not_applicable"]
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20,
                                       description="pass/fail: at least one url or file name; not_applicable: a note")
    note: Note | None = None


class AnswerOut(BaseModel):
    answer: AnswerRecord
    previous: RunSummary | None = Field(default=None, description="The latest run before the answer")
    run: RunSummary | None = Field(default=None, description="The latest run re-scored with the answer (a new "
                                                             "stored run); null when never assessed")
    comparison: RunComparison | None = None


class ManualAnswersOut(BaseModel):
    app_id: str
    answers: list[AnswerRecord]
    pending: list[str]
    history: list[AnswerRecord] = Field(default_factory=list)


def _summary(record: RunRecord, lang: str) -> RunSummary:
    names = {lv.level: lv.name.get(lang) for lv in load_catalog().levels}
    return RunSummary(**record.model_dump(exclude={"result"}), level_name=names.get(record.level, ""))


def _job(job: JobRecord, lang: str) -> JobOut:
    total = max(job.progress_total, 0)
    percent = round(100 * job.progress_done / total, 1) if total else (100.0 if job.status == "done" else 0.0)
    error = (job.error.get(lang) or job.error.get("id")) if job.error else None
    return JobOut(job_id=job.job_id, status=job.status, app_ids=job.app_ids,  # type: ignore[arg-type]
                  progress=JobProgressOut(done=job.progress_done, total=total, percent=min(percent, 100.0)),
                  current_check=job.current_check, run_ids=job.run_ids, error=error,
                  not_measured=[NotMeasuredOut(app_id=k, reason=v.get(lang) or v.get("id") or "-")
                                for k, v in job.not_measured.items()], created_at=job.created_at,
                  updated_at=job.updated_at, actor=job.actor)


# -- jobs ---------------------------------------------------------------------------------------------------------
@router.post("/v1/assessments", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             summary="Assess applications in the background (a job; poll its Location)",
             responses={202: {"description": "The job, queued", "headers": {"Location": {
                 "description": "Where to follow the job", "schema": {"type": "string"}}}},
                 **problem_responses(400, 401, 403, 404, 409, 422, 503)})
async def start_assessment(body: AssessRequest, principal: Writer, db: DatabaseDep, lang: LangDep, request: Request,
                           response: Response, options: Options) -> JobOut:
    service = AssessmentService(db, principal, lang, options=replace(options))  # the override is this job's
    service.use_openapi(None if body.all else body.app_ids, body.openapi)
    job, _apps = await run_in_threadpool(service.create_job, None if body.all else body.app_ids)
    runtime = await ensure_running(request.app)
    runtime.probe_options[job.job_id] = service.options
    await submit_job(runtime, job.job_id, trigger="api")
    response.headers["Location"] = f"/v1/assessments/jobs/{job.job_id}"
    return _job(job, lang)


@router.get("/v1/assessments/jobs", response_model=list[JobOut], responses=READ_ERRORS,
            summary="The latest assessment jobs with their progress (from any API process or worker)")
def list_jobs(principal: Reader, db: DatabaseDep, lang: LangDep,
              limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[JobOut]:
    return [_job(job, lang) for job in AssessmentService(db, principal, lang).recent_jobs(limit)]


@router.get("/v1/assessments/jobs/{job_id}", response_model=JobOut, responses=READ_ERRORS,
            summary="Status and progress of an assessment job, with the ids of its stored runs")
def get_job(job_id: Annotated[str, Path(pattern=RUN_PATTERN)], principal: Reader, db: DatabaseDep, lang: LangDep,
            response: Response) -> JobOut:
    job = AssessmentService(db, principal, lang).get_job(job_id)
    if job.status in ("queued", "running"):
        response.headers["Retry-After"] = "1"
    return _job(job, lang)


# -- runs ---------------------------------------------------------------------------------------------------------
@router.get("/v1/assessments/runs", response_model=RunList, responses=READ_ERRORS,
            summary="Stored runs, newest first (an OPD key sees its own applications only)")
def list_runs(
    principal: Federated, db: DatabaseDep, lang: LangDep, request: Request, response: Response,
    app_id: Annotated[str | None, Query(pattern=APP_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]*$")] = None,
    latest: Annotated[bool, Query(description="Only the newest run of each application (what a provincial "
                                              "Simpul pulls)")] = False,
) -> RunList:
    page = AssessmentService(db, principal, lang).list_runs(app_id, limit=limit, cursor=cursor, latest=latest)
    if page.next_cursor:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        response.headers["Link"] = f'</v1/assessments/runs?{urlencode([*params, ("cursor", page.next_cursor)])}>; ' \
                                   'rel="next"'
    return RunList(items=[_summary(r, lang) for r in page.items], next_cursor=page.next_cursor)


@router.get("/v1/assessments/runs/{run_id}", response_model=RunDetail, responses=READ_ERRORS,
            summary="One stored run: every check with its status, message and evidence")
def get_run(run_id: RunId, principal: Federated, db: DatabaseDep, lang: LangDep) -> RunDetail:
    record = AssessmentService(db, principal, lang).get_run(run_id.lower(), federated=True)
    return RunDetail(**_summary(record, lang).model_dump(), run=AssessmentRun.model_validate(record.result or {}))


REPORT_CONTENT = {
    MEDIA_TYPES["json"]: {"schema": {"type": "object"}},
    "text/html": {"schema": {"type": "string"}},
    MEDIA_TYPES["junit"]: {"schema": {"type": "string"}},
    MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


@router.get("/v1/assessments/runs/{run_id}/report", response_class=Response, summary="A run as a report",
            responses={200: {"description": "The report (json, html, junit XML or xlsx)", "content": REPORT_CONTENT},
                       **READ_ERRORS})
def run_report(
    run_id: RunId, principal: Reader, db: DatabaseDep, lang: LangDep,
    format: Annotated[Literal["json", "html", "junit", "xlsx"], Query(description="Report format")] = "html",
) -> Response:
    report = AssessmentService(db, principal, lang).report(run_id.lower(), format, lang)
    disposition = "inline" if format in ("html", "json") else "attachment"
    return Response(content=report.content, media_type=report.media_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{report.filename}"'})


@router.get("/v1/assessments/compare", response_model=RunComparison, responses=READ_ERRORS,
            summary="What changed between two runs: statuses, scores per standard, level")
def compare_runs(
    principal: Reader, db: DatabaseDep, lang: LangDep,
    run_a: Annotated[str, Query(pattern=RUN_PATTERN, description="The earlier run")],
    run_b: Annotated[str, Query(pattern=RUN_PATTERN, description="The later run")],
) -> RunComparison:
    return AssessmentService(db, principal, lang).compare_runs(run_a.lower(), run_b.lower())


# -- manual answers -----------------------------------------------------------------------------------------------
@router.get("/v1/applications/{app_id}/manual-answers", response_model=ManualAnswersOut, responses=READ_ERRORS,
            summary="Answers to the manual checks (the one that counts per check) and the checks still pending")
def manual_answers(
    app_id: AppId, principal: Reader, db: DatabaseDep, lang: LangDep,
    history: Annotated[bool, Query(description="Also every earlier answer, newest first")] = False,
) -> ManualAnswersOut:
    found = AssessmentService(db, principal, lang).manual_answers(app_id, history=history)
    return ManualAnswersOut(**found.model_dump())


@router.put("/v1/applications/{app_id}/manual-answers/{check_id}", response_model=AnswerOut,
            summary="Answer a manual check; the latest run is re-scored into a new stored run",
            responses=problem_responses(400, 401, 403, 404, 422, 503))
def answer_manual_check(
    app_id: AppId, check_id: Annotated[ManualCheck, Path(description="A manual check of the catalog")],  # type: ignore[valid-type]
    body: AnswerIn, principal: Writer, db: DatabaseDep, lang: LangDep,
) -> AnswerOut:
    outcome = AssessmentService(db, principal, lang).answer(
        app_id, str(check_id), body.answer, [e.model_dump(exclude_none=True) for e in body.evidence], note=body.note)
    return AnswerOut(answer=outcome.answer, comparison=outcome.comparison,
                     previous=_summary(outcome.previous, lang) if outcome.previous else None,
                     run=_summary(outcome.run, lang) if outcome.run else None)
