"""/v1/deliveries: the outbox — states (pending, retrying, delivered, dead), reasons, single and bulk replay."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, PrincipalDep
from hub.errors import NotFound
from hub.exchange import delivery
from hub.exchange.scopes import require_manage

router = APIRouter(prefix="/v1/deliveries", tags=["deliveries"])


class BulkReplay(BaseModel):
    subscription: str | None = Field(default=None, max_length=40)
    status: Literal["dead", "delivered"] = "dead"
    delivery_ids: list[str] | None = Field(default=None, max_length=10_000)

    model_config = {"extra": "forbid"}


@router.get("", summary="Deliveries, newest first", responses=problem_responses(401, 403, 503))
async def list_deliveries(
    principal: PrincipalDep, db: DatabaseDep,
    status: Annotated[Literal["pending", "retrying", "delivered", "dead"] | None, Query()] = None,
    subscription: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,  # a row id: a 64-bit integer in every database
) -> list[dict[str, Any]]:
    require_manage(principal)
    rows = await asyncio.to_thread(delivery.list_deliveries, db, status=status, subscription=subscription,
                                   limit=limit, before=before)
    return [delivery.as_dict(r) for r in rows]


@router.get("/{delivery_id}", summary="One delivery", responses=problem_responses(401, 403, 404, 503))
async def get_delivery(delivery_id: Annotated[str, Path(max_length=40)], principal: PrincipalDep,
                       db: DatabaseDep) -> dict[str, Any]:
    require_manage(principal)
    row = await asyncio.to_thread(delivery.get_delivery, delivery_id, db)
    if row is None:
        raise NotFound("exchange.delivery_not_found", id=delivery_id)
    return delivery.as_dict(row)


@router.post("/{delivery_id}/replay", summary="Queue one delivery again (same delivery id)",
             responses=problem_responses(401, 403, 404, 503))
async def replay_one(delivery_id: Annotated[str, Path(max_length=40)], principal: PrincipalDep,
                     db: DatabaseDep) -> dict[str, Any]:
    require_manage(principal)
    done = await asyncio.to_thread(delivery.replay, principal.actor, db=db, delivery_ids=[delivery_id])
    return {"replayed": done}


@router.post("/replay", summary="Bulk replay: every dead (or delivered) delivery, optionally of one subscription",
             responses=problem_responses(400, 401, 403, 404, 422, 503))
async def replay_bulk(body: BulkReplay, principal: PrincipalDep, db: DatabaseDep) -> dict[str, Any]:
    require_manage(principal)
    done = await asyncio.to_thread(delivery.replay, principal.actor, db=db, delivery_ids=body.delivery_ids,
                                   subscription=body.subscription, status=body.status)
    return {"replayed": done, "count": len(done)}
