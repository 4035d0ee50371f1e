"""/v1/inventory: the gap inventory of a Pemda (Buku II IV.c) and /v1/inventory/monev: the Monev worksheet.

Those whose role has the action ``inventory:read`` (admin, auditor, operator, viewer) read them. The inventory is
built from the registry and the latest
stored assessment run of each application (:func:`stored_runs`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, Principal, require_action
from hub.assessment.models import AssessmentRun
from hub.inventory import MEDIA_TYPES, build_inventory, load_inputs, monev, render_inventory, render_monev
from hub.inventory.models import Inventory, MonevWorksheet
from hub.services.registry import RegistryService

router = APIRouter(tags=["inventory"])

Reader = Annotated[Principal, require_action("inventory:read")]  # the same action the web workspace checks
Format = Literal["json", "md", "html", "xlsx", "docx", "pdf"]
PemdaCode = Annotated[str, Query(pattern=r"^\d{2}(?:\.\d{2})?$", description="Kode wilayah, e.g. 35.72")]
CONTENT = {
    MEDIA_TYPES["md"]: {"schema": {"type": "string"}},
    MEDIA_TYPES["html"]: {"schema": {"type": "string"}},
    MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
    MEDIA_TYPES["docx"]: {"schema": {"type": "string", "format": "binary"}},
    MEDIA_TYPES["pdf"]: {"schema": {"type": "string", "format": "binary"}},
}


def stored_runs(principal: Reader, db: DatabaseDep, lang: LangDep) -> dict[str, AssessmentRun]:
    """``app_id -> latest stored assessment run`` (an application never assessed reads "not assessed")."""
    from hub.services.assessments import AssessmentService

    return AssessmentService(db, principal, lang).snapshot()


def _response(data: bytes | str, fmt: str, name: str) -> Response:
    disposition = "inline" if fmt in ("json", "html") else "attachment"
    return Response(content=data, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{name}.{fmt}"'})


@router.get("/v1/inventory", response_class=Response, summary="Gap inventory of a Pemda (readiness, Tabel II.11 "
            "gaps with evidence, roadmap, quick wins)",
            responses={200: {"model": Inventory, "description": "The inventory in the requested format",
                             "content": CONTENT}, **problem_responses(400, 401, 403, 404, 422, 503)})
def get_inventory(
    request: Request, principal: Reader, db: DatabaseDep, lang: LangDep, pemda: PemdaCode,
    runs: Annotated[dict[str, AssessmentRun], Depends(stored_runs)],
    format: Format = "json",
    as_of: Annotated[date | None, Query(description="Reference date of the roadmap deadlines (default today)")] = None,
) -> Response:
    inputs = load_inputs(RegistryService(db, principal, lang), pemda)
    inv = build_inventory(inputs.pemda, inputs.opds, inputs.apps, runs, lang, as_of=as_of)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return _response(render_inventory(inv, format, lang, run_link=_run_link(request)), format,
                     f"simpul-inventory-{pemda}-{stamp}")


def _run_link(request: Request) -> str:
    """Evidence links to the run's report: at SIMPUL_PUBLIC_URL when set, else where this request came in."""
    from hub.settings import get_settings

    base = (get_settings().public_url or str(request.base_url)).rstrip("/")
    return base + "/v1/assessments/runs/{run_id}/report"


class MonevRequest(BaseModel):
    before: list[AssessmentRun] = Field(description="Runs of the earlier period (the latest per application counts)")
    after: list[AssessmentRun] = Field(description="Runs of this period")
    label_before: str = Field(default="A", max_length=60, examples=["TW I 2025"])
    label_after: str = Field(default="B", max_length=60, examples=["TW II 2025"])


def _latest(runs: list[AssessmentRun]) -> dict[str, AssessmentRun]:
    out: dict[str, AssessmentRun] = {}
    for run in sorted(runs, key=lambda r: r.finished_at):
        out[run.target.app_id] = run
    return out


@router.post("/v1/inventory/monev", response_class=Response, summary="Monev worksheet: what works, what doesn't "
             "work, what should be improved, between two sets of assessment runs",
             responses={200: {"model": MonevWorksheet, "description": "The worksheet", "content": CONTENT},
                        **problem_responses(400, 401, 403, 413, 422)})
def post_monev(principal: Reader, lang: LangDep, body: MonevRequest, format: Format = "json") -> Response:
    ws = monev(_latest(body.before), _latest(body.after), label_a=body.label_before, label_b=body.label_after)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return _response(render_monev(ws, format, lang), format, f"simpul-monev-{stamp}")
