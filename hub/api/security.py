"""Authentication and authorisation of API requests.

Send an API key as ``Authorization: Bearer smpl_...`` (or ``X-API-Key: smpl_...``). Missing, unknown or revoked
key → 401; a valid key whose role may not do the action (or that manages another OPD) → 403. The actions of each
role are data: ``registry/data/roles.yaml``.

    @router.get("/v1/applications")
    def list_apps(principal: Annotated[Principal, require_action("registry:read")]): ...
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from hub.errors import Forbidden, Unauthenticated
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from hub.services.registry_keys import authenticate
from registry.db import Database

__all__ = ["DatabaseDep", "Principal", "PrincipalDep", "get_principal", "require", "require_action",
           "require_any_action"]

_bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description="API key: `Bearer smpl_...`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey",
                        description="API key in the X-API-Key header")

DatabaseDep = Annotated[Database, Depends(get_database)]


def get_principal(
    request: Request,
    db: DatabaseDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    tokens = [t.strip() for t in (bearer.credentials if bearer else None, api_key) if t and t.strip()]
    for token in tokens:  # Authorization first, then X-API-Key
        principal = authenticate(db, token)
        if principal is not None:
            request.state.principal = principal
            return principal
    raise Unauthenticated()


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_action(action: str) -> Any:
    """A dependency giving the Principal if its role may do ``action`` (e.g. ``registry:write``), else 403."""

    def dependency(principal: PrincipalDep) -> Principal:
        principal.require(action)
        return principal

    dependency.__name__ = f"require_{action.replace(':', '_')}"
    return Depends(dependency)


def require_any_action(*actions: str) -> Any:
    """A dependency giving the Principal if its role may do one of ``actions``, else 403 naming them all (the
    read endpoints a provincial Simpul pulls accept ``registry:read`` or ``federation:read``)."""

    def dependency(principal: PrincipalDep) -> Principal:
        principal.require_any(*actions)
        return principal

    dependency.__name__ = "require_" + "_or_".join(a.replace(":", "_") for a in actions)
    return Depends(dependency)


def require(*roles: str) -> Any:
    """A dependency giving the Principal if it has one of ``roles``, else 403."""

    def dependency(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise Forbidden(role=principal.role, action=" | ".join(roles))
        return principal

    return Depends(dependency)
