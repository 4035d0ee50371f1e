"""``GET /v1/network/policy``: where this Simpul may connect (admin only: the entries describe the Pemda's network)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.api.security import DatabaseDep, Principal, require_action
from hub.services import network

router = APIRouter(tags=["network"])


class PolicyEntry(BaseModel):
    entry: str = Field(description="A host, a *.domain or a network (CIDR)")
    source: str = Field(description="SIMPUL_PROBE_ALLOW, registry:probe_allow or SIMPUL_ASSESS_ALLOWED_HOSTS")


class NetworkPolicy(BaseModel):
    loopback: bool = Field(description="Loopback is always allowed")
    setting: str
    registry_field: str
    always_refused: list[str] = Field(description="Refused whatever is allowed")
    entries: list[PolicyEntry]


@router.get("/v1/network/policy", response_model=NetworkPolicy,
            summary="Where Simpul may connect besides loopback (probes, connectors, webhooks)")
def get_policy(principal: Annotated[Principal, require_action("registry:admin")], db: DatabaseDep) -> NetworkPolicy:
    return NetworkPolicy(**network.describe(db))
