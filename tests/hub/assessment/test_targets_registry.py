"""One assessment target from everything the registry knows: an OpenAPI file, resources declared without a path,
required query parameters, file-drop applications (issue 10.1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI, Query

from hub.assessment import Status, assess
from hub.errors import BadRequest
from hub.services.assessment_targets import openapi_fields, plan_target
from hub.services.registry import anchor_openapi_files
from registry.io.formats import Batch, RawRecord
from registry.models import ApplicationIn

from .conftest import FAST

ROOT = Path(__file__).resolve().parents[3]
KEGIATAN = [json.loads(p.read_text("utf-8"))
            for p in sorted((ROOT / "schemas/perencanaan/kegiatan/examples/valid").glob("*.json"))]


def application(**integration: Any) -> ApplicationIn:
    return ApplicationIn.model_validate({
        "id": "e-monev-uji", "name": "E-Monev uji", "status": "production", "kode_pemda": "35.72",
        "kode_opd": "5.01.5.05.0.00.01.0000", "area": "perencanaan", "kind": "khusus",
        "integration": {"provides": ["perencanaan/kegiatan"], **integration}})


def described_app() -> FastAPI:
    """Lists under /api/kegiatan need ``tahun``; the app has no OpenAPI of its own (the registry holds it)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/api/kegiatan")
    def kegiatan(tahun: int = Query(...), page: int = 1, limit: int = 10) -> dict[str, Any]:
        rows = [r for r in KEGIATAN if r["tahun_anggaran"] == tahun]
        return {"data": rows[(page - 1) * limit: page * limit], "meta": {"totalPages": 1, "total": len(rows)}}

    @app.get("/api/export/kegiatan.xlsx")
    def export(tanggal: str = Query(..., pattern=r"^\d{4}-\d{2}-\d{2}$")) -> Any:
        from fastapi.responses import Response

        return Response(b"PK\x03\x04xlsx", media_type="application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet", headers={"Content-Disposition": f"attachment; filename={tanggal}.xlsx"})

    return app


def document() -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "E-Monev", "version": "1", "description": "API e-monev uji."},
            "paths": {"/api/kegiatan": {"get": {"responses": {"200": {"description": "ok"}}, "parameters": [
                {"name": "tahun", "in": "query", "required": True, "schema": {"type": "integer", "enum": [2025]}},
                {"name": "page", "in": "query", "schema": {"type": "integer"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}}]}},
                      "/api/export/kegiatan.xlsx": {"get": {"responses": {"200": {"description": "xlsx"}},
                                                            "parameters": [{"name": "tanggal", "in": "query",
                                                                            "required": True, "example": "2025-01-31",
                                                                            "schema": {"type": "string"}}]}}}}


def test_a_file_url_is_refused_naming_the_value(tmp_path: Path):
    with pytest.raises(BadRequest) as caught:
        openapi_fields("file:///srv/openapi.yaml", tmp_path)
    assert "file:///srv/openapi.yaml" in caught.value.message("en")
    plan = plan_target(application(connector={"type": "rest_json", "config": {
        "base_url": "http://127.0.0.1:9", "openapi_file": "file:///srv/openapi.yaml"}}))
    assert plan.problem is not None and "file:///srv/openapi.yaml" in plan.problem.en


def test_a_relative_openapi_file_is_anchored_at_the_registry_files_folder(tmp_path: Path):
    record = RawRecord(entity="applications", sheet="applications", row=1, data={"integration": {"connector": {
        "type": "rest_json", "config": {"openapi_file": "docs/openapi.yaml"}}}})
    anchor_openapi_files(Batch(records=[record]), tmp_path)
    config = record.data["integration"]["connector"]["config"]
    assert config["openapi_file"] == str((tmp_path / "docs/openapi.yaml").resolve())


async def test_an_openapi_file_and_pathless_resources_give_the_data_checks(tmp_path: Path):
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document()), "utf-8")
    plan = plan_target(application(connector={"type": "rest_json", "config": {
        "base_url": "http://127.0.0.1:9", "openapi_file": str(spec), "record_path": "data",
        "resources": {"kegiatan": {"schema": "perencanaan/kegiatan"}}}}))  # declared without a path
    assert plan.problem is None and plan.target.openapi_file == str(spec.resolve())
    transport = httpx.ASGITransport(app=described_app(), raise_app_exceptions=False)
    run = await assess(plan.target, limits=FAST, transport=transport)
    assert run.result("ITG-001").status is Status.PASS  # read from the file, not looked for on the server
    int1 = run.result("INT-001")
    assert int1.status is Status.PASS, int1
    assert int1.measured["checked"] == len(KEGIATAN)  # read with the enum value of the required `tahun` (422 without)
    itg3 = run.result("ITG-003")  # the XLSX export needs `tanggal`: called with the description's example
    assert itg3.status is Status.PASS and itg3.measured["exports"][0].startswith("/api/export/kegiatan.xlsx")


async def test_a_file_drop_application_gets_data_checks_and_no_network_checks(tmp_path: Path):
    folder = tmp_path / "drop"
    folder.mkdir()
    header = sorted({k for r in KEGIATAN for k in r})
    lines = [",".join(header)] + [",".join(str(r.get(k, "")) for k in header) for r in KEGIATAN]
    (folder / "kegiatan.csv").write_text("\n".join(lines) + "\n", "utf-8")
    plan = plan_target(application(connector={"type": "csv", "config": {
        "folder": str(folder), "resources": {"kegiatan": {"file": "kegiatan.csv", "schema": "perencanaan/kegiatan"}}}}))
    assert plan.problem is None and plan.target.files_only
    run = await assess(plan.target, limits=FAST)
    assert run.requests_made == 0
    assert run.result("REL-001").status is Status.NOT_APPLICABLE
    assert "network address" in run.result("REL-001").reason.en
    int1 = run.result("INT-001")
    assert int1.status in (Status.PASS, Status.WARNING, Status.FAIL), int1  # measured, whatever the verdict
    assert int1.measured["checked"] == len(KEGIATAN)
    assert run.result("ITG-005").status is Status.PASS


def guarded_app() -> FastAPI:
    """Answers 401 to every call without the right bearer token, 404 on its bare base URL."""
    from fastapi import Request
    from fastapi.responses import JSONResponse

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def bearer(request: Request, call_next: Any) -> Any:
        if request.headers.get("authorization") != "Bearer benar":
            return JSONResponse({"message": "Unauthenticated."}, status_code=401)
        return await call_next(request)

    @app.get("/api/kegiatan")
    def kegiatan() -> dict[str, Any]:
        return {"data": KEGIATAN}

    return app


async def test_refused_credentials_are_an_error_naming_the_variable_never_a_pass():
    plan = plan_target(application(connector={"type": "rest_json", "config": {
        "base_url": "http://127.0.0.1:9", "auth": {"type": "bearer", "token": {"env": "SIMPUL_EMONEV_TOKEN"}},
        "resources": {"kegiatan": {"path": "/api/kegiatan", "schema": "perencanaan/kegiatan"}}}}),
        environ={"SIMPUL_EMONEV_TOKEN": "salah"})
    transport = httpx.ASGITransport(app=guarded_app(), raise_app_exceptions=False)
    run = await assess(plan.target, limits=FAST, transport=transport)
    rel1 = run.result("REL-001")
    assert rel1.status is Status.ERROR and "SIMPUL_EMONEV_TOKEN" in rel1.reason.en and "--token" in rel1.reason.en
    assert "SIMPUL_EMONEV_TOKEN" in rel1.reason.id
    for check in ("REL-003", "REL-005", "INT-001", "SCA-001", "ITG-005"):
        assert run.result(check).status is Status.ERROR, check  # a refusal is no verdict on the application
    assert run.score("reliable") is None
