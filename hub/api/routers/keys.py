"""/v1/keys: API keys (admin only), and /v1/keys/me for any key to see who it is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, Principal, PrincipalDep, require_action
from hub.services.registry_keys import ApiKey, ApiKeyIn, KeyService, NewApiKey
from registry.vocab import roles

router = APIRouter(prefix="/v1/keys", tags=["keys"])

Admin = Annotated[Principal, require_action("keys:manage")]


@router.get("", response_model=list[ApiKey], summary="List API keys (tokens are never shown again)",
            responses=problem_responses(401, 403, 503))
def list_keys(principal: Admin, db: DatabaseDep, lang: LangDep,
              include_revoked: Annotated[bool, Query()] = True) -> list[ApiKey]:
    return KeyService(db, principal, lang).list(include_revoked=include_revoked)


@router.post("", response_model=NewApiKey, status_code=status.HTTP_201_CREATED,
             summary="Create an API key; the token is in this answer only",
             responses=problem_responses(401, 403, 422, 503))
def create_key(body: ApiKeyIn, principal: Admin, db: DatabaseDep, lang: LangDep) -> NewApiKey:
    return KeyService(db, principal, lang).create(body)


class Me(ApiKey):
    actions: list[str]


@router.get("/me", response_model=Me, summary="The key making this request and what it may do",
            responses=problem_responses(401, 503))
def whoami(principal: PrincipalDep, db: DatabaseDep, lang: LangDep) -> Me:
    key = KeyService(db, principal, lang).me()
    return Me(**key.model_dump(), actions=list(roles()[principal.role]["actions"]))


@router.delete("/{key_id:int}", response_model=ApiKey, summary="Revoke an API key (it stops working at once)",
               responses=problem_responses(401, 403, 404, 409, 503))
def revoke_key(key_id: Annotated[int, Path(ge=1, le=2_147_483_647)], principal: Admin, db: DatabaseDep,
               lang: LangDep) -> ApiKey:
    return KeyService(db, principal, lang).revoke(str(key_id))
