"""The ``good`` profile does what docs/examples.md promises, for every application and resource."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import pytest

from examples.apps import APPS
from tests.examples.examples_testkit import RESOURCES, auth


@pytest.mark.parametrize(("app", "res"), RESOURCES)
def test_list_is_paginated_with_total_and_next_link(make_client, app, res):
    client = make_client(app)
    first = client.get(f"/api/v1/{res}?size=5", headers=auth(app))
    assert first.status_code == 200
    body = first.json()
    assert len(body["data"]) == min(5, body["total"])
    assert body["total"] > 5
    assert body["next"].endswith("page=2&size=5") or "page=2" in body["next"]
    assert 'rel="next"' in first.headers["link"]
    second = client.get(body["next"], headers=auth(app)).json()
    assert second["page"] == 2 and second["prev"]
    assert not {json.dumps(r, sort_keys=True) for r in body["data"]} & {
        json.dumps(r, sort_keys=True) for r in second["data"]}
    last = client.get(f"/api/v1/{res}?size=100&page={body['pages']}", headers=auth(app)).json()
    assert last["next"] is None


@pytest.mark.parametrize(("app", "res"), RESOURCES)
def test_updated_since_returns_only_newer_records(make_client, app, res):
    client = make_client(app)
    everything = client.get(f"/api/v1/{res}?size=100", headers=auth(app)).json()
    middle = everything["data"][len(everything["data"]) // 2]["updated_at"]
    newer = client.get(f"/api/v1/{res}", params={"updated_since": middle, "size": 100}, headers=auth(app)).json()
    since = datetime.fromisoformat(middle)
    assert 0 < newer["total"] < everything["total"]
    assert all(datetime.fromisoformat(r["updated_at"]) >= since for r in newer["data"])


@pytest.mark.parametrize(("app", "res"), RESOURCES)
def test_records_have_stable_ids(make_client, app, res):
    client = make_client(app)
    record = client.get(f"/api/v1/{res}?size=3&page=2", headers=auth(app)).json()["data"][0]
    id_field = client.app.state.example.spec.resources[res].id_field
    again = client.get(f"/api/v1/{res}/{record[id_field]}", headers=auth(app))
    assert again.status_code == 200
    assert again.json() == record
    missing = client.get(f"/api/v1/{res}/TIDAK-ADA", headers=auth(app))
    assert missing.status_code == 404
    assert "tidak ditemukan" in missing.json()["detail"]


@pytest.mark.parametrize("app", list(APPS))
def test_wrong_or_missing_token_is_a_401_in_bahasa_indonesia(make_client, app):
    client = make_client(app)
    res = APPS[app].resources[0]
    for headers in ({}, {"Authorization": "Bearer salah"}, {"X-API-Key": "salah"}):
        answer = client.get(f"/api/v1/{res}", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "Token tidak ada atau tidak valid" in answer.json()["detail"]
        assert "Traceback" not in answer.text
    assert client.get(f"/api/v1/{res}", headers={"X-API-Key": f"demo-{app}-token"}).status_code == 200


@pytest.mark.parametrize("query", ["page=abc", "size=-1", "size=101", "page=0", "warna=merah",
                                   "updated_since=kemarin"])
def test_bad_input_is_a_400_with_a_human_message(make_client, query):
    answer = make_client("simpeg").get(f"/api/v1/pegawai?{query}", headers=auth("simpeg"))
    assert answer.status_code == 400
    body = answer.json()
    assert body["status"] == 400 and body["detail"].startswith("Parameter")
    assert "Traceback" not in answer.text


def test_errors_speak_english_on_request(make_client):
    answer = make_client("jdih").get("/api/v1/produk-hukum?size=500",
                                     headers={**auth("jdih"), "Accept-Language": "en"})
    assert answer.json()["detail"] == "Parameter 'size' must be between 1 and 100 (got 500)."


def test_unknown_address_is_a_json_404(make_client):
    answer = make_client("pelayanan").get("/api/v1/tidak-ada", headers=auth("pelayanan"))
    assert answer.status_code == 404 and "/api/v1/tidak-ada" in answer.json()["detail"]


def test_filters_select_matching_records(make_client):
    client = make_client("pelayanan")
    answer = client.get("/api/v1/pengaduan?klasifikasi=Aspirasi&size=100", headers=auth("pelayanan")).json()
    assert answer["total"] > 0
    assert {r["klasifikasi"] for r in answer["data"]} == {"Aspirasi"}
    nested = make_client("simpeg").get("/api/v1/pegawai", params={"unit_kerja.kode_opd": "1.02.0.00.0.00.01.0000"},
                                       headers=auth("simpeg")).json()
    assert nested["total"] > 0 and {r["unit_kerja"]["nama"] for r in nested["data"]} == {"Dinas Kesehatan"}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.mark.parametrize("app", list(APPS))
def test_openapi_document_is_valid(make_client, app):
    client = make_client(app)
    doc = client.get("/openapi.json").json()
    try:
        from openapi_spec_validator import validate
    except ImportError:
        validate = None
    if validate is not None:
        validate(doc)
    assert re.match(r"^3\.\d+\.\d+$", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    for res in APPS[app].resources:
        operation = doc["paths"][f"/api/v1/{res}"]["get"]
        assert operation["security"] == [{"bearerAuth": []}, {"apiKey": []}]
        assert {p["name"] for p in operation["parameters"]} >= {"page", "size", "updated_since"}
        assert f"/api/v1/{res}/{{record_id}}" in doc["paths"]
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "apiKey"}
    for path_item in doc["paths"].values():
        for operation in path_item.values():
            assert operation["responses"]
    for ref in set(_refs(doc)):
        assert ref.startswith("#/components/schemas/")
        assert ref.split("/")[-1] in doc["components"]["schemas"], ref
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(("app", "res"), [("e-budgeting", "rincian-belanja"), ("jdih", "produk-hukum")])
def test_bulk_export_as_ndjson_and_csv(make_client, app, res):
    client = make_client(app)
    total = client.get(f"/api/v1/{res}?size=1", headers=auth(app)).json()["total"]
    ndjson = client.get(f"/api/v1/export/{res}.ndjson", headers=auth(app))
    lines = ndjson.text.splitlines()
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    assert len(lines) == total and json.loads(lines[0])
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/export/{res}.csv", headers=auth(app)).text)))
    assert len(rows) == total
    assert client.get(f"/api/v1/export/{res}.csv").status_code == 401


def test_change_feed_lists_every_resource_in_time_order(make_client):
    client = make_client("pelayanan")
    feed = client.get("/api/v1/changes?size=100&page=3", headers=auth("pelayanan")).json()
    totals = sum(client.get(f"/api/v1/{r}?size=1", headers=auth("pelayanan")).json()["total"]
                 for r in APPS["pelayanan"].resources)
    assert feed["total"] == totals
    stamps = [datetime.fromisoformat(c["updated_at"]) for c in feed["data"]]
    assert stamps == sorted(stamps)
    assert len({(c["resource"], c["id"]) for c in feed["data"]}) == len(feed["data"])
    since = feed["data"][-1]["updated_at"]
    later = client.get("/api/v1/changes", params={"since": since}, headers=auth("pelayanan")).json()
    assert 0 < later["total"] < totals


@pytest.mark.parametrize("app", list(APPS))
def test_front_page_and_health(make_client, app):
    client = make_client(app)
    page = client.get("/").text
    assert '<html lang="id">' in page and "<title>" in page
    assert '<meta name="viewport"' in page
    assert '<label for="q">' in page and 'id="q"' in page
    assert all("alt=" in tag for tag in re.findall(r"<img[^>]*>", page))
    assert client.get("/health").json()["status"] == "ok"


def test_jdihn_feed_uses_the_national_field_names(make_client):
    feed = make_client("jdih").get("/integrasi/jdihn.json").json()
    assert len(feed) == 300
    assert {"idData", "tahun_pengundangan", "noPeraturan", "singkatanJenis", "teuBadan", "urlDetailPeraturan",
            "operasi", "display"} <= set(feed[0])
    assert feed[0]["operasi"] == "4" and feed[0]["display"] == "1"
