"""The API answers in one language: problem titles and details follow Accept-Language (the type URN never does)."""

from __future__ import annotations

import pytest

LANG = {"id": {"Accept-Language": "id"}, "en": {"Accept-Language": "en"}}


@pytest.mark.parametrize(("lang", "title"), [("id", "Tidak ditemukan"), ("en", "Not found")])
def test_unknown_route(registry_api, lang: str, title: str):
    body = registry_api.get("/v1/nowhere", headers=LANG[lang]).json()
    assert body["title"] == title and body["type"] == "urn:simpul:problem:not-found"


@pytest.mark.parametrize(("lang", "title"), [("id", "Belum terautentikasi"), ("en", "Unauthenticated")])
def test_missing_key(registry_api, lang: str, title: str):
    response = registry_api.post("/v1/keys", json={"name": "x", "role": "admin"}, headers=LANG[lang])
    assert response.status_code == 401
    assert response.json()["title"] == title


def test_method_not_allowed_title_in_indonesian(registry_api):
    response = registry_api.delete("/healthz")
    assert response.status_code == 405
    assert response.json()["title"] == "Metode tidak diizinkan"


def test_malformed_json_body_names_line_column_and_reason(registry_api, registry_key):
    headers = {**registry_key("admin"), "Content-Type": "application/json"}
    response = registry_api.post("/v1/keys", content=b'{"name": "x",\n "role": }', headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "JSON tidak valid"
    assert (body["line"], body["column"]) == (2, 10)
    assert "baris 2 kolom 10" in body["detail"] and "seharusnya ada nilai" in body["detail"]
    assert "Expecting" not in body["detail"]
    english = registry_api.post("/v1/keys", content=b'{"name": "x",\n "role": }',
                                headers={**headers, **LANG["en"]}).json()
    assert english["title"] == "Malformed JSON" and "expecting a value" in english["detail"]


def test_field_errors_of_a_422_are_in_the_asked_language(registry_api, registry_key):
    headers = registry_key("admin")
    body = registry_api.post("/v1/keys", json={"name": "x", "role": "admin", "extra": 1}, headers=headers).json()
    assert body["status"] == 422 and body["title"] == "Isian permintaan tidak valid"
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["extra"] == "isian tidak dikenal"
    english = registry_api.post("/v1/keys", json={"name": "x", "role": "admin", "extra": 1},
                                headers={**headers, **LANG["en"]}).json()
    assert {e["field"]: e["message"] for e in english["errors"]}["extra"] == "unknown field"
