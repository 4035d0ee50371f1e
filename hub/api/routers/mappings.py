"""``POST /v1/mappings/suggest``: a draft mapping of one resource of a registry application to a canonical schema.

The sample is read through the application's connector (registry applications only: the API never reads spec
files from the server's disk), or given in the body as ``records``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import Principal, require_action
from hub.errors import BadRequest
from hub.services import connections, mappings

router = APIRouter(tags=["mappings"])


class SuggestRequest(BaseModel):
    app: str = Field(..., max_length=80, description="Registry application id (also named in the draft)")
    resource: str = Field(..., max_length=120, description="Resource name")
    schema_key: str = Field(..., alias="schema", max_length=120,
                            description="Canonical schema, e.g. kepegawaian/pegawai")
    records: list[dict[str, Any]] | None = Field(None, max_length=1000,
                                                 description="Sample records; omitted: read through the connector")
    limit: int = Field(mappings.DEFAULT_SAMPLE, ge=1, le=1000, description="Sample size")


class SuggestedField(BaseModel):
    target: str
    spec: dict[str, Any]
    todo: bool
    required: bool
    source: Any = None
    reason: str


class Suggestion(BaseModel):
    schema_key: str = Field(alias="schema", serialization_alias="schema")
    resource: str
    records: int = Field(description="Sample records used")
    fields: list[SuggestedField]
    unresolved: list[str] = Field(description="Canonical fields left as todo (the loader refuses them)")
    unused_sources: list[str]
    optional_not_found: list[str]
    yaml: str = Field(description="The draft mapping file")


@router.post("/v1/mappings/suggest", response_model=Suggestion, response_model_by_alias=True,
             summary="Draft a YAML mapping from sample records (names, synonyms, types, sample values)",
             responses=problem_responses(400, 401, 403, 404, 422, 502))
async def suggest(body: SuggestRequest, principal: Annotated[Principal, require_action("registry:write")],
                  lang: LangDep) -> Suggestion:
    spec = None
    if body.records is None:
        app = connections.application_lookup(body.app) if connections.application_lookup else None
        if app is None:
            raise BadRequest("connectors.unknown_target", target=body.app)
        spec = connections.spec_from_application(app)
    draft, text = await mappings.suggest(body.app, body.resource, body.schema_key, records=body.records, spec=spec,
                                         limit=body.limit, lang=lang)
    data = draft.to_dict(lang)
    data["yaml"] = text
    return Suggestion.model_validate(data)
