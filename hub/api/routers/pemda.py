"""/v1/pemda: regional governments (provinsi, kabupaten, kota) of the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status

from hub.api.deps import LangDep
from hub.api.problems import problem_responses
from hub.api.security import DatabaseDep, Principal, require_action, require_any_action
from hub.services.registry import RegistryService, etag
from registry.models import Change, Page, Pemda, PemdaIn

router = APIRouter(prefix="/v1/pemda", tags=["registry"])

KodePath = Annotated[str, Path(pattern=r"^\d{2}(?:\.\d{2})?$", description="Kode wilayah, e.g. 35.72")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='ETag from the last GET, e.g. "r3", or *')]
Reader = Annotated[Principal, require_action("registry:read")]
Federated = Annotated[Principal, require_any_action("registry:read", "federation:read")]  # docs/federation.md
Admin = Annotated[Principal, require_action("registry:admin")]
READ_ERRORS = problem_responses(400, 401, 403, 404, 503)
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428, 503)


def _link(response: Response, path: str, cursor: str | None) -> None:
    if cursor:
        response.headers["Link"] = f'<{path}?cursor={cursor}>; rel="next"'


@router.get("", response_model=Page[Pemda], summary="List Pemda", responses=READ_ERRORS)
def list_pemda(
    principal: Federated, db: DatabaseDep, lang: LangDep, response: Response,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$", description="Text in name or code")] = None,
    level: Annotated[str | None, Query(pattern=r"^(provinsi|kabupaten|kota)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[Pemda]:
    page = RegistryService(db, principal, lang).list_pemda(q=q, level=level, limit=limit, cursor=cursor)
    _link(response, "/v1/pemda", page.next_cursor)
    return page


@router.post("", response_model=Pemda, status_code=status.HTTP_201_CREATED, summary="Register a Pemda",
             responses=problem_responses(400, 401, 403, 409, 422, 503))
def create_pemda(body: PemdaIn, principal: Admin, db: DatabaseDep, lang: LangDep, response: Response) -> Pemda:
    pemda = RegistryService(db, principal, lang).create_pemda(body)
    response.headers["ETag"] = etag(pemda.revision)
    response.headers["Location"] = f"/v1/pemda/{pemda.kode}"
    return pemda


@router.get("/{kode}", response_model=Pemda, summary="One Pemda (with ETag)", responses=READ_ERRORS)
def get_pemda(kode: KodePath, principal: Federated, db: DatabaseDep, lang: LangDep, response: Response) -> Pemda:
    pemda = RegistryService(db, principal, lang).get_pemda(kode)
    response.headers["ETag"] = etag(pemda.revision)
    return pemda


@router.put("/{kode}", response_model=Pemda, summary="Change a Pemda (If-Match required)", responses=WRITE_ERRORS)
def update_pemda(kode: KodePath, body: PemdaIn, principal: Admin, db: DatabaseDep, lang: LangDep,
                 response: Response, if_match: IfMatch = None) -> Pemda:
    pemda = RegistryService(db, principal, lang).update_pemda(kode, body, if_match)
    response.headers["ETag"] = etag(pemda.revision)
    return pemda


@router.delete("/{kode}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a Pemda without OPDs",
               responses=WRITE_ERRORS, response_class=Response)
def delete_pemda(kode: KodePath, principal: Admin, db: DatabaseDep, lang: LangDep,
                 if_match: IfMatch = None) -> Response:
    RegistryService(db, principal, lang).delete_pemda(kode, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{kode}/history", response_model=list[Change], summary="Change history of a Pemda",
            responses=READ_ERRORS)
def pemda_history(kode: KodePath, principal: Reader, db: DatabaseDep, lang: LangDep,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[Change]:
    return RegistryService(db, principal, lang).history("pemda", kode, limit=limit)
