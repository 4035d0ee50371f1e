"""/v1/opd: the agencies (OPD) of each Pemda, identified by kode Pemda and SIPD unit code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, Principal, require_action, require_any_action
from hub.services.registry import RegistryService, etag
from registry.models import Change, Opd, OpdIn, Page

router = APIRouter(prefix="/v1/opd", tags=["registry"])

PemdaPath = Annotated[str, Path(pattern=r"^\d{2}(?:\.\d{2})?$", description="Kode wilayah, e.g. 35.72")]
KodePath = Annotated[str, Path(pattern=r"^\d{1,2}(?:\.\d{1,4}){1,9}$", description="SIPD unit code")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='ETag from the last GET, e.g. "r3", or *')]
Reader = Annotated[Principal, require_action("registry:read")]
Federated = Annotated[Principal, require_any_action("registry:read", "federation:read")]  # docs/federation.md
Admin = Annotated[Principal, require_action("registry:admin")]
READ_ERRORS = problem_responses(400, 401, 403, 404, 503)
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428, 503)


@router.get("", response_model=Page[Opd], summary="List OPD", responses=READ_ERRORS)
def list_opd(
    principal: Federated, db: DatabaseDep, lang: LangDep, response: Response,
    pemda: Annotated[str | None, Query(pattern=r"^\d{2}(?:\.\d{2})?$", description="Kode wilayah")] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$", description="Text in name or code")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[Opd]:
    page = RegistryService(db, principal, lang).list_opd(kode_pemda=pemda, q=q, limit=limit, cursor=cursor)
    if page.next_cursor:
        response.headers["Link"] = f'</v1/opd?cursor={page.next_cursor}>; rel="next"'
    return page


@router.post("", response_model=Opd, status_code=status.HTTP_201_CREATED, summary="Register an OPD",
             responses=problem_responses(400, 401, 403, 409, 422, 503))
def create_opd(body: OpdIn, principal: Admin, db: DatabaseDep, lang: LangDep, response: Response) -> Opd:
    opd = RegistryService(db, principal, lang).create_opd(body)
    response.headers["ETag"] = etag(opd.revision)
    response.headers["Location"] = f"/v1/opd/{opd.kode_pemda}/{opd.kode}"
    return opd


@router.get("/{kode_pemda}/{kode}", response_model=Opd, summary="One OPD (with ETag)", responses=READ_ERRORS)
def get_opd(kode_pemda: PemdaPath, kode: KodePath, principal: Reader, db: DatabaseDep, lang: LangDep,
            response: Response) -> Opd:
    opd = RegistryService(db, principal, lang).get_opd(kode_pemda, kode)
    response.headers["ETag"] = etag(opd.revision)
    return opd


@router.put("/{kode_pemda}/{kode}", response_model=Opd, summary="Change an OPD (If-Match required)",
            responses=WRITE_ERRORS)
def update_opd(kode_pemda: PemdaPath, kode: KodePath, body: OpdIn, principal: Admin, db: DatabaseDep,
               lang: LangDep, response: Response, if_match: IfMatch = None) -> Opd:
    opd = RegistryService(db, principal, lang).update_opd(kode_pemda, kode, body, if_match)
    response.headers["ETag"] = etag(opd.revision)
    return opd


@router.delete("/{kode_pemda}/{kode}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete an OPD without applications", responses=WRITE_ERRORS)
def delete_opd(kode_pemda: PemdaPath, kode: KodePath, principal: Admin, db: DatabaseDep, lang: LangDep,
               if_match: IfMatch = None) -> Response:
    RegistryService(db, principal, lang).delete_opd(kode_pemda, kode, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{kode_pemda}/{kode}/history", response_model=list[Change], summary="Change history of an OPD",
            responses=READ_ERRORS)
def opd_history(kode_pemda: PemdaPath, kode: KodePath, principal: Reader, db: DatabaseDep, lang: LangDep,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[Change]:
    svc = RegistryService(db, principal, lang)
    return svc.history("opd", f"{kode_pemda}/{kode}", limit=limit)
