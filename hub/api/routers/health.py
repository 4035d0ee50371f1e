"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import hub
from hub.api.deps import LangDep
from hub.health import readiness_checks
from hub.i18n import t

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    message: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]
    message: str


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
def healthz(lang: LangDep) -> Health:
    return Health(status="ok", version=hub.__version__, message=t("health.ok", lang))


@router.get("/readyz", response_model=Readiness, summary="Readiness: schemas and storage are usable",
            responses={503: {"model": Readiness, "description": "Not ready"}})
def readyz(lang: LangDep) -> JSONResponse:
    checks = readiness_checks()
    failed = {k: v for k, v in checks.items() if v != "ok"}
    if failed:
        detail = "; ".join(f"{k}: {v}" for k, v in failed.items())
        body = Readiness(status="not_ready", checks=checks, message=t("health.not_ready", lang, detail=detail))
        return JSONResponse(body.model_dump(), status_code=503)
    return JSONResponse(Readiness(status="ok", checks=checks, message=t("health.ok", lang)).model_dump())
