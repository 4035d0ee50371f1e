"""Hostile input at the API: every case is a clear 4xx problem+json in both languages, stays within a generous
memory bound, and stores nothing (every table holds the same rows before and after)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from registry.db import Database
from registry.tables import Base
from tests.security.conftest import alias_bomb, bounded, huge_shared_strings, zip_bomb

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VALIDATE = "/v1/schemas/kepegawaian/pegawai/validate"
BAPPEDA = "5.01.5.05.0.00.01.0000"
APP = {"id": "e-musrenbang", "name": "E-Musrenbang", "status": "development", "kode_pemda": "35.72",
       "kode_opd": BAPPEDA, "area": "perencanaan", "kind": "khusus"}


def rows(db: Database) -> dict[str, int]:
    """Rows per table, API keys and sessions aside (the test makes a key)."""
    with db.session() as s:
        return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables if "key" not in t.name and "session" not in t.name}


@pytest.fixture
def admin(registry_loaded, registry_key) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return registry_key("admin", "Diskominfo")


def send(api, method: str, url: str, headers: dict[str, str], **kw: Any) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    """The same request in Bahasa Indonesia and in English."""
    return (api.request(method, url, headers={**headers, "Accept-Language": "id"}, **kw),
            api.request(method, url, headers={**headers, "Accept-Language": "en"}, **kw))


def assert_problem(pair: tuple[Any, Any], status: int, problem: str | None = None) -> dict[str, Any]:
    r_id, r_en = pair
    for r in pair:
        assert r.status_code == status, r.text[:400]
        assert r.headers["content-type"].startswith("application/problem+json")
    body_id, body_en = r_id.json(), r_en.json()
    assert body_id["type"] == body_en["type"] != "about:blank"
    if problem:
        assert body_id["type"] == f"urn:simpul:problem:{problem}"
    assert body_id["detail"] != body_en["detail"], "the message is not translated"
    for text in (body_id["detail"], body_en["detail"]):
        assert "\n" not in text and len(text) < 600 and "Traceback" not in text and "sys.set_int" not in text
    return body_en


HOSTILE_JSON = {
    "deeply nested list": b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "deeply nested object": b'{"id": "x", "tags": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}",
    "6000-digit integer": b'{"id": 1' + b"0" * 6000 + b"}",
    "invalid UTF-8": b'{"id": "e-\xff\xfe", "name": "x"}',
}


@pytest.mark.parametrize("name", HOSTILE_JSON)
def test_hostile_json_bodies_on_a_write_endpoint(registry_api, registry_loaded, admin, name):
    before = rows(registry_loaded)
    with bounded(64):
        pair = send(registry_api, "POST", "/v1/applications", {**admin, "Content-Type": "application/json"},
                    content=HOSTILE_JSON[name])
    assert_problem(pair, 400, "bad-request")
    assert rows(registry_loaded) == before


@pytest.mark.parametrize(("body", "problem"), [
    (b"[" * 100_000 + b"]" * 100_000, "bad-request"),
    (b'{"nama": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}", "bad-request"),
    (b'{"nip": 1' + b"0" * 5000 + b"}", "malformed-json"),
    (b'{"nip": 1' + b"0" * 400 + b".5e999}", "malformed-json"),
    (b'{"nama": "\xc3\x28"}', "bad-request"),
    (b'{"nama": "a\x00b"}', "malformed-json"),  # a raw control character: not JSON
])
def test_hostile_documents_to_validate(registry_api, body, problem):
    with bounded(64):
        pair = send(registry_api, "POST", VALIDATE, {"Content-Type": "application/json"}, content=body)
    en = assert_problem(pair, 400, problem)
    if problem == "malformed-json" and b"000" in body:
        assert "…" in en["detail"] and len(en["detail"]) < 200  # the number is shown by its first digits only


def test_a_nul_character_inside_a_string_is_refused_before_storage(registry_api, registry_loaded, admin):
    before = rows(registry_loaded)
    for payload in ({**APP, "name": "E-\u0000Musrenbang"}, {**APP, "id": "e-\u0000x"}):
        assert_problem(send(registry_api, "POST", "/v1/applications", admin, json=payload), 422, "request-invalid")
    assert_problem(send(registry_api, "GET", "/v1/applications/e-%00planning", admin), 422)
    assert_problem(send(registry_api, "GET", "/v1/applications?q=a%00b", admin), 422)
    assert rows(registry_loaded) == before


def test_huge_numbers_in_queries_and_fields(registry_api, registry_loaded, admin):
    assert_problem(send(registry_api, "GET", "/v1/applications?limit=" + "9" * 40, admin), 422)
    assert_problem(send(registry_api, "GET", "/v1/applications?limit=" + "9" * 5000, admin), 422)
    before = rows(registry_loaded)
    assert_problem(send(registry_api, "POST", "/v1/applications", admin,
                        json={**APP, "users_count": 10 ** 40}), 422)
    assert rows(registry_loaded) == before


def test_bodies_over_the_size_limit(registry_db, registry_key, monkeypatch):
    from fastapi.testclient import TestClient

    from hub.api.app import create_app
    from hub.services.registry_db import get_database
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_MAX_BODY_BYTES", "4096")
    get_settings.cache_clear()
    app = create_app()
    app.dependency_overrides[get_database] = lambda: registry_db
    admin = registry_key("admin")
    body = b"applications:\n" + b"- id: e-x\n  name: " + b"x" * 8000 + b"\n"
    with TestClient(app) as api:
        before = rows(registry_db)
        for url, headers in (("/v1/registry/import", {**admin, "Content-Type": "application/yaml"}),
                             (VALIDATE, {"Content-Type": "application/json"}),
                             ("/v1/applications", {**admin, "Content-Type": "application/json"})):
            en = assert_problem(send(api, "POST", url, headers, content=body), 413, "payload-too-large")
            assert en["limit"] == 4096
            # the same without Content-Length (chunked): counted while read
            chunked = tuple(api.post(url, headers={**headers, "Accept-Language": lang},
                                     content=iter([body[:3000], body[3000:]])) for lang in ("id", "en"))
            assert "content-length" not in chunked[0].request.headers
            assert_problem(chunked, 413, "payload-too-large")
        assert rows(registry_db) == before


def test_yaml_alias_bomb_in_a_registry_import(registry_api, registry_loaded, admin):
    before = rows(registry_loaded)
    with bounded(64):
        pair = send(registry_api, "POST", "/v1/registry/import", {**admin, "Content-Type": "application/yaml"},
                    content=alias_bomb())
    assert_problem(pair, 422, "request-invalid")
    assert registry_api.get("/v1/applications/e-bom", headers=admin).status_code == 404
    assert rows(registry_loaded) == before


@pytest.mark.parametrize("make", [huge_shared_strings, zip_bomb], ids=["shared strings", "zip bomb"])
def test_xlsx_bombs_are_refused_before_unpacking(registry_api, registry_loaded, admin, make):
    book = make()
    assert len(book) < 1024 * 1024  # small on the wire
    before = rows(registry_loaded)
    with bounded(32) as peak:  # unpacking would take > 64 MiB
        imported = send(registry_api, "POST", "/v1/registry/import", {**admin, "Content-Type": XLSX}, content=book)
        validated = send(registry_api, "POST", VALIDATE, {"Content-Type": XLSX}, content=book)
        upload = send(registry_api, "POST", "/v1/registry/import?dry_run=true", admin,
                      files={"file": ("../../registri.xlsx", book, XLSX)})
    for pair in (imported, validated, upload):
        en = assert_problem(pair, 413, "payload-too-large")
        assert "unpacked" in en["detail"] and en["limit_kind"] == "unpacked_bytes"
    assert peak.mib < 32
    assert rows(registry_loaded) == before


def test_registry_import_of_invalid_utf8_and_nul_bytes(registry_api, registry_loaded, admin):
    before = rows(registry_loaded)
    for body, ctype in ((b"applications:\n- id: e-\x00x\n  name: a\n", "application/yaml"),
                        (b"id,kode_opd,name\ne-x," + BAPPEDA.encode() + b",a\x00b\n", "text/csv"),
                        (b"\xff\xfe\x00\x00garbage", "application/yaml")):
        assert_problem(send(registry_api, "POST", "/v1/registry/import", {**admin, "Content-Type": ctype},
                            content=body), 422)
    assert rows(registry_loaded) == before
