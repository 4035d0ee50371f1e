"""/v1/subscriptions: consumer applications subscribe to a canonical schema (webhook or pull).

Needs the action ``exchange:manage`` (role admin). The webhook secret is in the creation answer only.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field

from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, PrincipalDep
from hub.exchange import subscriptions as service
from hub.exchange.scopes import require_manage
from hub.exchange.subscriptions import NewSubscription, Subscription, SubscriptionIn

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])
SubId = Annotated[str, Path(max_length=40)]


class SubscriptionPatch(BaseModel):
    active: bool | None = None
    url: str | None = Field(default=None, max_length=1000)
    batch_size: int | None = Field(default=None, description="Deliveries per signed POST (1 = one per POST)")

    model_config = {"extra": "forbid"}


@router.post("", response_model=NewSubscription, response_model_by_alias=True,
             status_code=status.HTTP_201_CREATED, summary="Subscribe a consumer to a canonical schema",
             responses=problem_responses(400, 401, 403, 404, 422, 503))
async def create(body: SubscriptionIn, principal: PrincipalDep, db: DatabaseDep) -> Any:
    require_manage(principal)
    return await asyncio.to_thread(service.create, body, principal.actor, db=db)


@router.get("", response_model=list[Subscription], response_model_by_alias=True, summary="List subscriptions",
            responses=problem_responses(401, 403, 503))
async def list_subscriptions(principal: PrincipalDep, db: DatabaseDep,
                             schema: Annotated[str | None, Query(max_length=80)] = None) -> Any:
    require_manage(principal)
    return await asyncio.to_thread(service.list_all, db=db, schema=schema)


@router.get("/{sub_id}", response_model=Subscription, response_model_by_alias=True,
            summary="One subscription with its outbox counts", responses=problem_responses(401, 403, 404, 503))
async def get_one(sub_id: SubId, principal: PrincipalDep, db: DatabaseDep) -> Any:
    require_manage(principal)
    return await asyncio.to_thread(service.get, sub_id, db=db)


@router.patch("/{sub_id}", response_model=Subscription, response_model_by_alias=True,
              summary="Pause/resume a subscription, change its URL or its batch size",
              responses=problem_responses(400, 401, 403, 404, 422, 503))
async def patch(sub_id: SubId, body: SubscriptionPatch, principal: PrincipalDep, db: DatabaseDep) -> Any:
    require_manage(principal)
    result = None
    if body.url is not None:
        result = await asyncio.to_thread(service.update_url, sub_id, body.url, principal.actor, db=db)
    if body.batch_size is not None:
        result = await asyncio.to_thread(service.set_batch_size, sub_id, body.batch_size, principal.actor, db=db)
    if body.active is not None:
        result = await asyncio.to_thread(service.set_active, sub_id, body.active, principal.actor, db=db)
    return result or await asyncio.to_thread(service.get, sub_id, db=db)


@router.post("/{sub_id}/rotate-secret", summary="New webhook secret (shown once); the old one stops at once",
             responses=problem_responses(400, 401, 403, 404, 503))
async def rotate(sub_id: SubId, principal: PrincipalDep, db: DatabaseDep) -> dict[str, str]:
    require_manage(principal)
    secret = await asyncio.to_thread(service.rotate_secret, sub_id, principal.actor, db=db)
    return {"id": sub_id, "secret": secret}


@router.delete("/{sub_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a subscription (its undelivered deliveries become dead)",
               responses=problem_responses(401, 403, 404, 503))
async def delete(sub_id: SubId, principal: PrincipalDep, db: DatabaseDep) -> None:
    require_manage(principal)
    await asyncio.to_thread(service.delete, sub_id, principal.actor, db=db)
