"""/v1/federation: a provincial Simpul over its kabupaten/kota Simpuls (docs/federation.md).

Members (add, list, remove) and pulls need ``federation:manage`` (admin); the freshness list, the comparison
across Pemdas and the province inventory need ``inventory:read``. The kota side needs nothing new: its existing
read endpoints accept a key of role ``federation``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.routers.inventory import CONTENT, Format, _response
from hub.api.security import DatabaseDep, Principal, require_action
from hub.federation.view import Comparison
from hub.inventory import render_inventory
from hub.inventory.models import Inventory
from hub.services.federation import FederationService, MemberIn, MemberOut, PullResult

router = APIRouter(prefix="/v1/federation", tags=["federation"])

Reader = Annotated[Principal, require_action("inventory:read")]
Manager = Annotated[Principal, require_action("federation:manage")]
MemberRef = Annotated[str, Path(max_length=200, pattern=r"^[^\x00/]+$", description="Kode wilayah or name")]
READ_ERRORS = problem_responses(400, 401, 403, 404, 503)


class PullRequest(BaseModel):
    members: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=600, description="Kode wilayah or names; none = every member")


@router.get("/members", response_model=list[MemberOut], responses=READ_ERRORS,
            summary="Members with the freshness of their copies")
def list_members(principal: Reader, db: DatabaseDep, lang: LangDep) -> list[MemberOut]:
    return FederationService(db, principal, lang).list()


@router.post("/members", response_model=MemberOut, status_code=status.HTTP_201_CREATED,
             responses=problem_responses(400, 401, 403, 409, 422, 503), summary="Add a kabupaten/kota Simpul")
def add_member(body: MemberIn, principal: Manager, db: DatabaseDep, lang: LangDep, response: Response) -> MemberOut:
    member = FederationService(db, principal, lang).add(body)
    response.headers["Location"] = f"/v1/federation/members/{member.kode_pemda}"
    return member


@router.get("/members/{ref}", response_model=MemberOut, responses=READ_ERRORS, summary="One member")
def get_member(ref: MemberRef, principal: Reader, db: DatabaseDep, lang: LangDep) -> MemberOut:
    return FederationService(db, principal, lang).get(ref)


@router.delete("/members/{ref}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=READ_ERRORS, summary="Remove a member and its copies (its Simpul is not touched)")
def remove_member(ref: MemberRef, principal: Manager, db: DatabaseDep, lang: LangDep) -> Response:
    FederationService(db, principal, lang).remove(ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/pull", response_model=list[PullResult], responses=READ_ERRORS,
             summary="Pull members now (a failed member keeps its last copy; see each result's error)")
async def pull(principal: Manager, db: DatabaseDep, lang: LangDep,
               body: Annotated[PullRequest | None, Body()] = None) -> list[PullResult]:
    return await FederationService(db, principal, lang).pull(body.members if body else None)


@router.get("/comparison", response_model=Comparison, responses=READ_ERRORS,
            summary="Comparison across Pemdas: applications, measured, levels, standards, open gaps, freshness")
def get_comparison(principal: Reader, db: DatabaseDep, lang: LangDep,
                   as_of: Annotated[date | None, Query()] = None) -> Comparison:
    return FederationService(db, principal, lang).comparison(as_of=as_of)


@router.get("/inventory", response_class=Response, summary="The province gap inventory over every member's copy",
            responses={200: {"model": Inventory, "description": "The inventory in the requested format",
                             "content": CONTENT}, **problem_responses(400, 401, 403, 404, 422, 503)})
async def get_inventory(
    principal: Reader, db: DatabaseDep, lang: LangDep, format: Format = "json",
    pemda: Annotated[str | None, Query(pattern=r"^\d{2}$", description="This registry's provinsi, e.g. 35")] = None,
    as_of: Annotated[date | None, Query()] = None,
) -> Response:
    def build() -> bytes | str:
        inv = FederationService(db, principal, lang).inventory(pemda, as_of=as_of)
        return render_inventory(inv, format, lang)

    data = await run_in_threadpool(build)
    return _response(data, format, f"simpul-inventory-provinsi-{datetime.now(UTC):%Y%m%d}")
