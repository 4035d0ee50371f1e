"""/v1/schedules: re-assessment and sync on a cron schedule kept in the database (fired by the workers).

Reading needs ``assessment:read``; an assessment schedule is written with ``assessment:write`` (auditor, admin),
a sync schedule with ``exchange:manage`` (admin). A bad cron expression or time zone is a 422 naming the field,
in Bahasa Indonesia by default and in English with ``Accept-Language: en``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, PrincipalDep
from hub.services.schedules import ScheduleIn, ScheduleOut, ScheduleService, ScheduleUpdate

router = APIRouter(prefix="/v1/schedules", tags=["schedules"])
ScheduleId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Schedule id, e.g. sch_1a2b3c4d5e6f")]
ERRORS = problem_responses(400, 401, 403, 404, 422, 503)


class Preview(BaseModel):
    cron: str
    timezone: str
    next: list[datetime]


@router.get("", response_model=list[ScheduleOut], summary="Every schedule, with its next and last run",
            responses=problem_responses(401, 403, 503))
async def list_schedules(principal: PrincipalDep, db: DatabaseDep, lang: LangDep,
                         kind: Annotated[Literal["assess", "sync"] | None, Query()] = None) -> list[ScheduleOut]:
    return await asyncio.to_thread(ScheduleService(db, principal, lang).list, kind)


@router.get("/preview", response_model=Preview, summary="The next firings of a cron expression (nothing stored)",
            responses=problem_responses(401, 403, 422))
async def preview(principal: PrincipalDep, db: DatabaseDep, lang: LangDep,
                  cron: Annotated[str, Query(max_length=120, description="e.g. '0 2 * * 1'")],
                  timezone: Annotated[str | None, Query(max_length=60)] = None,
                  count: Annotated[int, Query(ge=1, le=50)] = 5) -> Preview:
    service = ScheduleService(db, principal, lang)
    principal.require("assessment:read")
    times = await asyncio.to_thread(service.preview, cron, timezone, count)
    return Preview(cron=" ".join(cron.split()), timezone=str(times[0].tzinfo) if times else "", next=times)


@router.post("", response_model=ScheduleOut, status_code=status.HTTP_201_CREATED, summary="Create a schedule",
             responses=ERRORS)
async def create_schedule(body: ScheduleIn, principal: PrincipalDep, db: DatabaseDep, lang: LangDep,
                          response: Response) -> ScheduleOut:
    created = await asyncio.to_thread(ScheduleService(db, principal, lang).create, body)
    response.headers["Location"] = f"/v1/schedules/{created.id}"
    return created


@router.get("/{schedule_id}", response_model=ScheduleOut, summary="One schedule", responses=ERRORS)
async def get_schedule(schedule_id: ScheduleId, principal: PrincipalDep, db: DatabaseDep,
                       lang: LangDep) -> ScheduleOut:
    return await asyncio.to_thread(ScheduleService(db, principal, lang).get, schedule_id)


@router.patch("/{schedule_id}", response_model=ScheduleOut, summary="Change the cron, time zone, note, or "
                                                                    "enable/disable", responses=ERRORS)
async def update_schedule(schedule_id: ScheduleId, body: ScheduleUpdate, principal: PrincipalDep,
                          db: DatabaseDep, lang: LangDep) -> ScheduleOut:
    return await asyncio.to_thread(ScheduleService(db, principal, lang).update, schedule_id, body)


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a schedule",
               responses=ERRORS)
async def delete_schedule(schedule_id: ScheduleId, principal: PrincipalDep, db: DatabaseDep,
                          lang: LangDep) -> Response:
    await asyncio.to_thread(ScheduleService(db, principal, lang).delete, schedule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
