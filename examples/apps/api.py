"""The JSON API of an example application under ``/api/v1`` (every profile except ``legacy``).

Per resource: ``GET /api/v1/<resource>`` (paginated, ``?updated_since=``, filters), ``GET /api/v1/<resource>/<id>``,
``GET /api/v1/export/<resource>.ndjson|.csv``, and for writable resources ``POST`` and ``PUT``. Per application:
``GET /api/v1/changes?since=`` (change feed over every resource) and ``/api/v1/webhooks``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from examples.apps import export
from examples.apps.dataset import Resource, clean, select
from examples.apps.errors import AppError, invalid_body, parse_json
from examples.apps.query import MAX_PAGE, MAX_SIZE, check_known, int_param, list_query, timestamp_param
from examples.apps.refdata import iso
from examples.apps.state import SECURITY, AppState, require_token
from examples.apps.webhooks import add_webhook_routes

PROBLEMS = {str(code): {"description": text, "content": {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}}
    for code, text in ((400, "Masukan tidak valid / bad input"), (401, "Token salah / bad token"),
                       (404, "Tidak ditemukan / not found"), (409, "Sudah ada / already exists"),
                       (415, "Bukan JSON / not JSON"), (422, "Isian tidak valid / invalid fields"),
                       (503, "Sibuk / busy"))}
ERRORS = {code: PROBLEMS[code] for code in ("400", "401", "404", "503")}
WRITE_ERRORS = {**ERRORS, **{code: PROBLEMS[code] for code in ("409", "415", "422")}}
EXTRA = {"security": SECURITY, "responses": ERRORS}


def schema_name(resource: Resource) -> str:
    return "".join(part.capitalize() for part in resource.name.split("-"))


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}}


def _parameters(resource: Resource, paginated: bool) -> list[dict[str, Any]]:
    params = []
    if paginated:
        params += [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                                        "default": 1},
             "description": "Halaman, mulai 1 / page number, from 1"},
            {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE,
                                                        "default": 50},
             "description": f"Jumlah per halaman, maksimal {MAX_SIZE} / page size, at most {MAX_SIZE}"},
        ]
    params.append({"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"},
                   "description": "Hanya data yang berubah pada/sesudah waktu ini (ISO 8601; tanpa zona = WIB) / "
                                  "only records changed at or after this time"})
    params += [{"name": f, "in": "query", "schema": {"type": "string"}, "description": f"Filter: {f} sama dengan"}
               for f in resource.filters]
    return params


def _page_url(request: Request, page: int, size: int) -> str:
    return str(request.url.include_query_params(page=page, size=size))


def _selected(request: Request, res: Resource, ignored: tuple[str, ...] = ()) -> Sequence[int]:
    """Indices chosen by ``updated_since`` and the resource's filters (for unpaginated answers and exports)."""
    params = request.query_params
    check_known(params, {"updated_since", "lang", *ignored, *res.filters})
    return select(res.dataset, timestamp_param(params, "updated_since"),
                  {k: params[k] for k in res.filters if k in params})


def add_resource_routes(app: FastAPI, state: AppState, res: Resource) -> None:
    ds, profile, deps = res.dataset, state.config.profile, [Depends(require_token)]
    name, ref = res.name, schema_name(res)

    async def list_records(request: Request) -> Response:
        if not profile.pagination:  # page and size are accepted and ignored
            indices = _selected(request, res, ("page", "size"))
            return StreamingResponse(export.json_array(ds, indices), media_type="application/json")
        q = list_query(request.query_params, res.filters)
        indices = select(ds, q.since, q.filters)
        total, start = len(indices), (q.page - 1) * q.size
        pages = math.ceil(total / q.size)
        data = [clean(ds.record(i)) for i in indices[start:start + q.size]]
        nxt = _page_url(request, q.page + 1, q.size) if q.page < pages else None
        prev = _page_url(request, q.page - 1, q.size) if 1 < q.page <= pages + 1 else None
        links = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in ((nxt, "next"), (prev, "prev")) if url)
        body = {"data": data, "page": q.page, "size": q.size, "total": total, "pages": pages,
                "next": nxt, "prev": prev}
        return JSONResponse(body, headers={"Link": links} if links else None)

    async def get_record(record_id: str) -> dict[str, Any]:
        i = ds.locate(record_id)
        if i is None:
            raise AppError(404, "not_found", resource=name, id=record_id)
        return clean(ds.record(i))

    def exporter(kind: str) -> Callable[..., Any]:
        async def run(request: Request) -> StreamingResponse:
            indices = _selected(request, res)
            if kind == "ndjson":
                stream, media = export.ndjson(ds, indices), "application/x-ndjson"
            else:
                stream = export.csv_stream(ds, indices, lambda r: export.flatten(clean(r)))
                media = "text/csv; charset=utf-8"
            return StreamingResponse(stream, media_type=media, headers={
                "Content-Disposition": f'attachment; filename="{name}.{kind}"'})
        return run

    paged = {"parameters": _parameters(res, profile.pagination), "responses": {**ERRORS, **_json(
        f"{ref}Page" if profile.pagination else f"{ref}List", f"Daftar {res.title}")}}
    app.add_api_route(f"/api/v1/{name}", list_records, methods=["GET"], dependencies=deps, tags=[name],
                      summary=f"Daftar {res.title} / list", openapi_extra={**EXTRA, **paged})
    app.add_api_route(f"/api/v1/{name}/{{record_id}}", get_record, methods=["GET"], dependencies=deps,
                      tags=[name], summary=f"Satu {res.title} menurut id ({res.id_field}) / one record",
                      openapi_extra={**EXTRA, "responses": {**ERRORS, **_json(ref, res.title)}})
    for kind, media in (("ndjson", "application/x-ndjson"), ("csv", "text/csv")):
        app.add_api_route(f"/api/v1/export/{name}.{kind}", exporter(kind), methods=["GET"], dependencies=deps,
                          tags=["ekspor"], summary=f"Ekspor {res.title} ({kind.upper()}) / bulk export",
                          openapi_extra={**EXTRA, "responses": {**ERRORS, "200": {
                              "description": "Semua data / every record", "content": {media: {
                                  "schema": {"type": "string"}}}}}})
    if res.body_model is not None:
        add_write_routes(app, state, res)


def add_write_routes(app: FastAPI, state: AppState, res: Resource) -> None:
    ds, name, model = res.dataset, res.name, res.body_model
    deps = [Depends(require_token)]

    async def read_body(request: Request) -> Any:
        if "json" not in request.headers.get("content-type", "application/json"):
            raise AppError(415, "unsupported_media", bad_input=True)
        try:
            return model.model_validate(parse_json(await request.body()))
        except ValidationError as err:
            raise invalid_body(err) from err

    def store(record: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        created = ds.upsert(record)  # type: ignore[attr-defined]
        rid = str(record[res.id_field])
        saved = clean(ds.record(ds.locate(rid)))
        state.hooks.publish(name, rid, saved, created)
        return saved, created

    async def create(request: Request) -> JSONResponse:
        record = (await read_body(request)).to_record()
        rid = str(record[res.id_field])
        if ds.locate(rid) is not None:
            raise AppError(409, "conflict", resource=name, id=rid, path=f"/api/v1/{name}/{rid}")
        saved, _ = store(record)
        return JSONResponse(saved, 201, headers={"Location": f"/api/v1/{name}/{rid}"})

    async def replace(record_id: str, request: Request) -> JSONResponse:
        record = (await read_body(request)).to_record()
        if str(record[res.id_field]) != record_id:
            raise AppError(422, "id_mismatch", bad_input=True, path_id=record_id, body_id=record[res.id_field])
        saved, created = store(record)
        return JSONResponse(saved, 201 if created else 200)

    body = {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.model_config.get('title', model.__name__)}"}}}}}
    ref = schema_name(res)
    app.add_api_route(f"/api/v1/{name}", create, methods=["POST"], dependencies=deps, tags=[name],
                      status_code=201, summary=f"Tambah {res.title} / create",
                      openapi_extra={**EXTRA, **body, "responses": {**WRITE_ERRORS, **_json(ref, "Tersimpan")}})
    app.add_api_route(f"/api/v1/{name}/{{record_id}}", replace, methods=["PUT"], dependencies=deps, tags=[name],
                      summary=f"Ubah atau tambah {res.title} / update or create",
                      openapi_extra={**EXTRA, **body, "responses": {**WRITE_ERRORS, **_json(ref, "Tersimpan")}})


def _timeline(res: Resource, indices: Sequence[int]) -> Iterator[tuple[datetime, str, int]]:
    return ((res.dataset.updated_at(i), res.name, i) for i in indices)


def add_changes_route(app: FastAPI, state: AppState) -> None:
    resources = state.spec.resources

    async def changes(request: Request) -> JSONResponse:
        params = request.query_params
        check_known(params, {"since", "page", "size", "resource", "lang"})
        since = timestamp_param(params, "since")
        page, size = int_param(params, "page", 1, 1, MAX_PAGE), int_param(params, "size", 50, 1, MAX_SIZE)
        wanted = params.get("resource")
        if wanted is not None and wanted not in resources:
            raise AppError(400, "unknown_resource", bad_input=True, name=wanted, allowed=", ".join(resources))
        chosen = [r for r in resources.values() if wanted in (None, r.name)]
        selections = [(r, select(r.dataset, since, {})) for r in chosen]
        streams = [_timeline(r, idx) for r, idx in selections]
        total = sum(len(idx) for _, idx in selections)
        rows = []
        for stamp, rname, i in islice(heapq.merge(*streams), (page - 1) * size, page * size):
            res = resources[rname]
            rid = str(res.dataset.record(i)[res.id_field])
            rows.append({"resource": rname, "id": rid, "operasi": "upsert", "updated_at": iso(stamp),
                         "url": f"/api/v1/{rname}/{rid}"})
        nxt = _page_url(request, page + 1, size) if page * size < total else None
        return JSONResponse({"data": rows, "page": page, "size": size, "total": total, "next": nxt})

    params = [{"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"},
               "description": "Perubahan pada/sesudah waktu ini / changes at or after this time"},
              {"name": "resource", "in": "query", "schema": {"type": "string", "enum": list(resources)}},
              {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
              {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE}}]
    app.add_api_route("/api/v1/changes", changes, methods=["GET"], dependencies=[Depends(require_token)],
                      tags=["perubahan"], summary="Umpan perubahan / change feed",
                      openapi_extra={**EXTRA, "parameters": params, "responses": {
                          **ERRORS, **_json("ChangePage", "Perubahan, urut waktu / changes in time order")}})


def add_api(app: FastAPI, state: AppState) -> None:
    for res in state.spec.resources.values():
        add_resource_routes(app, state, res)
    add_changes_route(app, state)
    add_webhook_routes(app, state, require_token, EXTRA)
    for extra in state.spec.extras:
        extra(app, state, require_token, EXTRA)
