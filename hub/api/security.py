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

__all__ = ["Credentials", "CredentialsDep", "DatabaseDep", "Principal", "PrincipalDep", "authenticate_request",
           "get_credentials", "get_principal", "require", "require_action", "require_any_action"]

_bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description="API key: `Bearer smpl_...`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey",
                        description="API key in the X-API-Key header")

DatabaseDep = Annotated[Database, Depends(get_database)]


def _tokens(bearer: HTTPAuthorizationCredentials | None, api_key: str | None) -> list[str]:
    return [t.strip() for t in (bearer.credentials if bearer else None, api_key) if t and t.strip()]


def authenticate_request(request: Request, db: Database, tokens: list[str]) -> Principal:
    """The Principal of the first active key among ``tokens`` (Authorization first, then X-API-Key), kept on
    ``request.state``; else 401. Blocking (a key look-up): call it in a worker thread."""
    for token in tokens:
        principal = authenticate(db, token)
        if principal is not None:
            request.state.principal = principal
            return principal
    raise Unauthenticated()


def get_principal(
    request: Request,
    db: DatabaseDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    return authenticate_request(request, db, _tokens(bearer, api_key))


PrincipalDep = Annotated[Principal, Depends(get_principal)]


class Credentials:
    """The API keys a request presents, read from its headers without blocking (no thread hop). For endpoints that
    do their whole work in one worker-thread hop (the canonical read): :meth:`principal` then authenticates there,
    with exactly the checks of ``PrincipalDep`` (an active key, 401 otherwise; the role and scopes are checked by
    the caller as before). A request without any key is refused here already (401, before the thread hop)."""

    def __init__(self, request: Request, tokens: list[str]) -> None:
        self.request, self.tokens = request, tokens

    def database(self) -> Database:
        """The request's database, honouring ``app.dependency_overrides[get_database]`` (tests) like DatabaseDep."""
        return self.request.app.dependency_overrides.get(get_database, get_database)()

    def principal(self, db: Database) -> Principal:
        return authenticate_request(self.request, db, self.tokens)


async def get_credentials(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Credentials:
    tokens = _tokens(bearer, api_key)
    if not tokens:
        raise Unauthenticated()
    return Credentials(request, tokens)


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]


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
