"""Reading an OpenAPI 3 document: which operations are resources, their record path, paging and schema."""

from __future__ import annotations

from pathlib import Path

import respx
import yaml

from connectors import build_connector
from connectors.openapi import discover_operations

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "SIMPATIK", "version": "2"},
    "servers": [{"url": "https://simpatik.test/api"}],
    "components": {
        "parameters": {"Page": {"name": "page", "in": "query", "schema": {"type": "integer"}},
                       "PerPage": {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 200}}},
        "schemas": {
            "Layanan": {"type": "object", "required": ["kode"], "properties": {
                "kode": {"type": "string"}, "nama": {"type": "string"},
                "biaya": {"type": "object", "properties": {"gratis": {"type": "boolean"}}}}},
            "LayananPage": {"type": "object", "properties": {
                "data": {"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Layanan"}}}},
                "meta": {"type": "object", "properties": {"total_pages": {"type": "integer"}}}}},
        },
    },
    "paths": {
        "/layanan": {"get": {
            "parameters": [{"$ref": "#/components/parameters/Page"}, {"$ref": "#/components/parameters/PerPage"},
                           {"name": "modified_since", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/LayananPage"}}}}}}},
        "/v2/aduan": {"get": {
            "x-simpul-schema": "pelayanan_publik/pengaduan",
            "parameters": [{"name": "offset", "in": "query"}, {"name": "limit", "in": "query"}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"results": {"type": "array", "items": {
                    "type": "object", "properties": {"tiket": {"type": "string"}}}}}}}}}}}},
        "/layanan/{kode}": {"get": {"responses": {"200": {"description": "one"}}}},
        "/layanan/export": {"post": {"responses": {"200": {"description": "not a read"}}}},
    },
}


def test_list_operations_become_resources() -> None:
    found = discover_operations(DOC)
    assert set(found) == {"layanan", "aduan"}
    layanan, fields, _ = found["layanan"]
    assert layanan.record_path == "data.items"
    assert layanan.pagination.type == "page" and layanan.pagination.size_param == "per_page"
    assert layanan.pagination.page_size == 100 and layanan.pagination.total_pages_path == "meta.total_pages"
    assert layanan.since_param == "modified_since"
    assert layanan.schema_key == "pelayanan_publik/layanan"  # guessed from the name
    assert [(f.name, f.type, f.required) for f in fields] == [
        ("kode", "string", True), ("nama", "string", False), ("biaya.gratis", "boolean", False)]
    aduan = found["aduan"][0]
    assert aduan.path == "/v2/aduan" and aduan.record_path == "results"
    assert aduan.pagination.type == "offset" and aduan.schema_key == "pelayanan_publik/pengaduan"


def test_include_limits_the_resources() -> None:
    assert set(discover_operations(DOC, include=["aduan"])) == {"aduan"}


async def test_a_local_document_and_declared_overrides(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(DOC), encoding="utf-8")
    connector = build_connector({"connector": {"type": "openapi", "config": {"openapi_file": str(path)}},
                                 "resources": {"layanan": {"pagination": {"type": "page", "page_size": 2,
                                                                          "size_param": "per_page"}}}})
    infos = {i.name: i for i in await connector.discover()}
    assert infos["layanan"].location == "/layanan" and infos["layanan"].supports_since
    with respx.mock(assert_all_called=True) as mock:
        mock.get("https://simpatik.test/api/layanan", params__eq={"page": "1", "per_page": "2"}).respond(
            json={"data": {"items": [{"kode": "A"}, {"kode": "B"}]}})
        mock.get("https://simpatik.test/api/layanan", params__eq={"page": "2", "per_page": "2"}).respond(
            json={"data": {"items": [{"kode": "C"}]}})
        assert [r["kode"] async for r in connector.read("layanan")] == ["A", "B", "C"]


async def test_a_document_that_is_not_openapi_3_fails_the_check(tmp_path: Path) -> None:
    path = tmp_path / "swagger.json"
    path.write_text('{"swagger": "2.0", "paths": {}}', encoding="utf-8")
    result = await build_connector({"connector": {"type": "openapi", "config": {"openapi_file": str(path)}}}).check()
    assert result.status == "failed" and "OpenAPI" in result.message["en"]
