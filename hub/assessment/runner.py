"""``assess(target) -> AssessmentRun``: run the catalog against one application.

Each automated check runs its probe (once per run, shared by the checks that name it), then its evaluator. A probe
that cannot run because of Simpul itself (refused host, request or time budget used up, validator missing, a bug)
gives ``error`` — shown separately and never counted against the application. A timing check whose figures the
hub's own event-loop lag explains gives ``inconclusive`` (hub/assessment/lag.py), never counted either. Manual checks
take the auditors' answers or stay ``not_answered``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import ValidationError

from hub.assessment import files
from hub.assessment.bridges import expand_schemas, validate_records
from hub.assessment.catalog import Catalog, Check, load_catalog
from hub.assessment.client import BudgetExhausted, DeadlineExceeded, ProbeClient
from hub.assessment.evaluators import Verdict, evaluate
from hub.assessment.evidence import redact_text, redact_value
from hub.assessment.models import (
    AssessmentRun,
    AssessmentTarget,
    CheckResult,
    Evidence,
    ManualAnswer,
    ManualEvidence,
    ProbeLimits,
    Status,
    Text,
)
from hub.assessment.probes import MEASURES_REACHABILITY, PROBES, Observation, ProbeContext, Validate
from hub.assessment.probes.data import auth_refusal, not_authenticated
from hub.assessment.safety import HostPolicy, RefusedHost, Resolver
from hub.assessment.scoring import maturity, standard_scores
from hub.errors import BadRequest, NotFound, SimpulError
from hub.i18n import both
from hub.i18n import catalog as messages
from hub.logging import get_logger

log = get_logger("hub.assessment")
Progress = Callable[[int, int, str], None]


def _warn(event: str, **fields: Any) -> None:
    """Log, but never let a logging problem (e.g. a closed stream) turn into the application's result."""
    with contextlib.suppress(Exception):
        log.warning(event, **fields)


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_message(text: Text, params: dict[str, Any]) -> Text:
    """The message with its placeholders filled; a parameter ``{id, en}`` gives each language its own text."""
    def values(lang: str) -> _SafeDict:
        return _SafeDict({k: str(v[lang] if isinstance(v, dict) and set(v) == {"id", "en"} else v)
                          for k, v in params.items()})

    return Text(id=text.id.format_map(values("id")), en=text.en.format_map(values("en")))


def _reason(key: str, **params: Any) -> Text:
    return Text(**both(key, **params))


def refused_reason(exc: RefusedHost) -> Text:
    why = both(f"assessment.refused.{exc.reason}")
    return Text(id=both("assessment.reason.refused", host=exc.host, why=why["id"])["id"],
                en=both("assessment.reason.refused", host=exc.host, why=why["en"])["en"])


# Probes that read the application's data: when every data read got 401/403, their checks are Simpul's error
# ("not authenticated: set VAR"), never a pass on a refusal nor a failure of the application.
NEEDS_DATA = frozenset({"robustness", "read_sample", "canonical_records", "stable_ids", "pagination", "incremental",
                        "load", "partner_references"})


async def _run_probe(ctx: ProbeContext, name: str) -> Observation | BaseException:
    try:
        remaining = max(0.1, ctx.client.remaining() + 1.0)
        async with asyncio.timeout(remaining):
            if name in NEEDS_DATA and not ctx.target.files_only:
                refused = auth_refusal(ctx)
                if refused is not None:
                    return not_authenticated(ctx, *refused)
            found = await PROBES[name](ctx)
            refused = auth_refusal(ctx) if name in NEEDS_DATA and not ctx.target.files_only else None
            return found if refused is None or found.status is not None else not_authenticated(ctx, *refused)
    except (RefusedHost, BudgetExhausted, DeadlineExceeded, TimeoutError, SimpulError) as exc:
        return exc
    except Exception as exc:  # a bug in a probe: the application must not pay for it
        _warn("assessment_probe_crashed", probe=name, error=f"{type(exc).__name__}: {exc}"[:300])
        return exc


def _error_reason(exc: BaseException, ctx: ProbeContext) -> Text:
    if isinstance(exc, RefusedHost):
        return refused_reason(exc)
    if isinstance(exc, BudgetExhausted):
        return _reason("assessment.reason.budget_exhausted", limit=ctx.limits.max_requests)
    if isinstance(exc, DeadlineExceeded | TimeoutError):
        return _reason("assessment.reason.deadline", seconds=ctx.limits.total_timeout_s)
    if isinstance(exc, SimpulError):
        texts = exc.messages()
        return Text(id=both("assessment.reason.validator_failed", detail=texts["id"])["id"],
                    en=both("assessment.reason.validator_failed", detail=texts["en"])["en"])
    detail = redact_text(f"{type(exc).__name__}: {exc}"[:200], ctx.client.secrets)
    return _reason("assessment.reason.probe_failed", detail=detail)


def _evidence(ctx: ProbeContext, obs: Observation, verdict: Verdict | None) -> list[Evidence]:
    focus = (verdict.focus if verdict else []) or []
    unique = list({id(r): r for r in obs.evidence}.values())
    ordered = [r for _, r in sorted(enumerate(unique), key=lambda item: (item[1].label not in focus, item[0]))]
    out = [Evidence(kind="http", title=r.label or f"{r.method} {r.path}", http=ctx.client.exchange(r))
           for r in ordered[: ctx.limits.max_evidence_per_check]]
    out += [Evidence(kind="data", title=str(e.get("title", "data")), data=redact_value(e.get("data"), "",
                                                                                        ctx.client.secrets))
            for e in obs.extra_evidence[:3]]
    out += [Evidence(kind="note", title="note", note=redact_text(n, ctx.client.secrets)) for n in obs.notes[:3]]
    if not out and obs.data:
        text = json.dumps(redact_value(obs.data, "", ctx.client.secrets), ensure_ascii=False, default=str)
        out.append(Evidence(kind="note", title="observation", note=text[: ctx.limits.evidence_body_bytes]))
    return out


async def run_check(ctx: ProbeContext, check: Check) -> CheckResult:
    start = time.perf_counter()
    base = {"check_id": check.id, "standard": check.standard, "title": check.title, "weight": check.weight,
            "automated": True}
    name = str(check.probe)
    if name not in PROBES:
        return CheckResult(status=Status.ERROR, reason=_reason("assessment.reason.probe_failed",
                                                               detail=f"no probe {name}"), **base)
    obs = await ctx.once(f"probe:{name}", lambda: _run_probe(ctx, name))
    if isinstance(obs, BaseException):
        return CheckResult(status=Status.ERROR, reason=_error_reason(obs, ctx),
                           evidence=[Evidence(kind="note", title="error", note=_error_reason(obs, ctx).en)],
                           duration_ms=round((time.perf_counter() - start) * 1000, 1), **base)
    if obs.status is not None:
        reason = _reason(obs.reason or "assessment.reason.no_observation", **obs.reason_params)
        evidence = _evidence(ctx, obs, None) or [Evidence(kind="note", title="reason", note=reason.en)]
        return CheckResult(status=obs.status, reason=reason, evidence=evidence,
                           duration_ms=round((time.perf_counter() - start) * 1000, 1), **base)
    never_answered = ctx.client.requests_made > 0 and ctx.client.answered == 0
    if name not in MEASURES_REACHABILITY and (never_answered or (obs.evidence and all(
            r.status is None and (r.error or "").startswith("connect") for r in obs.evidence))):
        reason = _reason("assessment.reason.unreachable", url=ctx.target.base_url)
        return CheckResult(status=Status.ERROR, reason=reason, evidence=_evidence(ctx, obs, None),
                           duration_ms=round((time.perf_counter() - start) * 1000, 1), **base)
    try:
        verdict = evaluate(check, obs.data)
    except Exception as exc:  # an evaluator bug is Simpul's error, not the application's failure
        _warn("assessment_evaluator_crashed", check=check.id, error=f"{type(exc).__name__}: {exc}"[:300])
        return CheckResult(status=Status.ERROR, reason=_error_reason(exc, ctx), **base)
    judged = verdict.status in (Status.FAIL, Status.WARNING)
    message = fill_message(check.message, verdict.params) if judged else None
    reason = _reason(verdict.reason, **{"app": ctx.target.app_id, **verdict.reason_params}) if verdict.reason else None
    evidence = _evidence(ctx, obs, verdict) or [Evidence(kind="note", title="reason",
                                                         note=(reason or check.measure).en)]
    return CheckResult(status=verdict.status, message=message, reason=reason,
                       measured=redact_value(verdict.measured, "", ctx.client.secrets), evidence=evidence,
                       duration_ms=round((time.perf_counter() - start) * 1000, 1), **base)


def manual_result(check: Check, answer: ManualAnswer | None) -> CheckResult:
    base = {"check_id": check.id, "standard": check.standard, "title": check.title, "weight": check.weight,
            "automated": False}
    if answer is None:
        return CheckResult(status=Status.NOT_ANSWERED, reason=_reason("assessment.reason.not_answered"),
                           evidence=[Evidence(kind="note", title="what to check", note=check.measure.en)], **base)
    status = Status(answer.answer)
    evidence = [Evidence(kind="document", title=e.title, url=e.url, file_name=e.file_name, note=e.note)
                for e in answer.evidence]
    return CheckResult(status=status, message=check.message if status is Status.FAIL else None,
                       reason=_reason("assessment.reason.manual_na", by=answer.answered_by)
                       if status is Status.NOT_APPLICABLE else None,
                       evidence=evidence, answered_by=answer.answered_by, answered_at=answer.answered_at, **base)


def answer_manual(check_id: str, answer: str, evidence: Iterable[ManualEvidence | dict[str, Any]],
                  answered_by: str, answered_at: datetime | None = None,
                  catalog: Catalog | None = None) -> ManualAnswer:
    """An auditor's answer to a manual check, validated against the catalog."""
    cat = catalog or load_catalog()
    try:
        check = cat.get(check_id)
    except KeyError:
        raise NotFound.with_suggestions("assessment.what.check", check_id,
                                        [c.id for c in cat.checks if not c.automated]) from None
    if check.automated:
        raise BadRequest("assessment.manual.not_manual", check_id=check_id)
    try:
        return ManualAnswer(check_id=check_id, answer=answer, evidence=list(evidence), answered_by=answered_by,
                            answered_at=answered_at or datetime.now(UTC))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if errors and f"assessment.manual.{errors[0]['type']}" in messages():  # a rule of ours: say it in words
            raise BadRequest(f"assessment.manual.{errors[0]['type']}", check_id=check_id) from None
        detail = "; ".join(e["msg"] for e in errors)
        raise BadRequest("assessment.manual.invalid", check_id=check_id, detail=detail) from None


def _finish(run: dict[str, Any], results: list[CheckResult], catalog: Catalog) -> AssessmentRun:
    scores = standard_scores(results, catalog)
    return AssessmentRun(**run, results=results, scores=scores, maturity=maturity(results, scores, catalog))


def rescore(run: AssessmentRun, manual_answers: Iterable[ManualAnswer],
            catalog: Catalog | None = None) -> AssessmentRun:
    """``run`` with (new) manual answers applied and the scores and level recomputed."""
    cat = catalog or load_catalog()
    answers = {a.check_id: a for a in manual_answers}
    results = [manual_result(cat.get(r.check_id), answers[r.check_id]) if r.check_id in answers and not r.automated
               else r for r in run.results]
    data = {k: getattr(run, k) for k in ("run_id", "started_at", "finished_at", "target", "catalog_version",
                                          "limits", "requests_made", "refused")}
    return _finish(data, results, cat)


async def assess(
    target: AssessmentTarget,
    *,
    catalog: Catalog | None = None,
    manual_answers: Iterable[ManualAnswer] | None = None,
    progress: Progress | None = None,
    limits: ProbeLimits | None = None,
    partner_records: dict[str, list[dict[str, Any]]] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    resolver: Resolver | None = None,
    validate: Validate | None = None,
) -> AssessmentRun:
    """Assess one application against the catalog. Never raises for the application's behaviour.

    ``partner_records`` maps a schema key to a partner application's records (INT-005). ``transport``,
    ``resolver`` and ``validate`` are seams for tests and benchmarks.
    """
    cat = catalog or load_catalog()
    limits = limits or ProbeLimits()
    started = datetime.now(UTC)
    answers = {a.check_id: a for a in manual_answers or []}
    schemas = expand_schemas(list(target.schemas) or cat.schemas_for_area(target.area))
    policy = HostPolicy(target.base_url, [*target.allowed_hosts, *limits.allowed_hosts], resolver=resolver)
    client = ProbeClient(target, limits, policy, transport=transport)
    ctx = ProbeContext(target=target, limits=limits, catalog=cat, client=client, policy=policy, schemas=schemas,
                       validate=validate or validate_records, partner_records=partner_records)
    refused: Text | None = None
    files_failed: Text | None = None
    if target.files_only:  # no address to probe: the data checks read through the connector
        try:
            await files.prepare(ctx)
        except Exception as exc:  # the connector could not read the files: Simpul could not measure
            files_failed = _error_reason(exc, ctx)
    else:
        try:
            await policy.check(target.base_url)
        except RefusedHost as exc:
            refused = refused_reason(exc)
    results: list[CheckResult] = []
    try:
        for done, check in enumerate(cat.checks, start=1):
            if not check.automated:
                results.append(manual_result(check, answers.get(check.id)))
            elif target.files_only and not files.applies_to_files(check.probe, check.evaluator):
                reason = _reason("assessment.reason.file_drop", type=files.connector_type(ctx))
                results.append(CheckResult(check_id=check.id, standard=check.standard, title=check.title,
                                           weight=check.weight, automated=True, status=Status.NOT_APPLICABLE,
                                           reason=reason, evidence=[Evidence(kind="note", title="reason",
                                                                             note=reason.en)]))
            elif files_failed is not None:
                results.append(CheckResult(check_id=check.id, standard=check.standard, title=check.title,
                                           weight=check.weight, automated=True, status=Status.ERROR,
                                           reason=files_failed, evidence=[Evidence(kind="note", title="error",
                                                                                   note=files_failed.en)]))
            elif refused is not None:
                results.append(CheckResult(check_id=check.id, standard=check.standard, title=check.title,
                                           weight=check.weight, automated=True, status=Status.ERROR,
                                           reason=refused, evidence=[Evidence(kind="note", title="refused",
                                                                              note=refused.en)]))
            else:
                results.append(await run_check(ctx, check))
            if progress is not None:
                progress(done, len(cat.checks), check.id)
    finally:
        await client.aclose()
    run = {"run_id": uuid.uuid4().hex, "started_at": started, "finished_at": datetime.now(UTC), "target": target,
           "catalog_version": cat.label, "limits": limits, "requests_made": client.requests_made, "refused": refused}
    return _finish(run, results, cat)
