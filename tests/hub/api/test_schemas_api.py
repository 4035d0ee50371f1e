"""/v1/schemas: list, show and validate, with problem+json for everything that goes wrong."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from hub.api.app import create_app
from hub.settings import PROJECT_ROOT, get_settings

PEGAWAI = PROJECT_ROOT / "schemas/kepegawaian/pegawai/examples"
VALID_FILES = sorted((PEGAWAI / "valid").glob("*.json"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = "/v1/schemas/kepegawaian/pegawai/validate"


def valid_pegawai() -> dict:
    if not VALID_FILES:
        pytest.skip("no shipped pegawai examples")
    return json.loads(VALID_FILES[0].read_text(encoding="utf-8"))


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:simpul:problem:")
    return body


def test_list_has_bilingual_titles_versions_and_example_counts(client):
    items = client.get("/v1/schemas").json()
    pegawai = next(i for i in items if i["key"] == "kepegawaian/pegawai")
    assert pegawai["id"] == "urn:simpul:schema:kepegawaian/pegawai:1.1"  # the latest; 1 stays listed
    assert pegawai["versions"] == ["1", "1.1"]
    assert pegawai["title"]["id"] and pegawai["title"]["en"]
    assert pegawai["hash"].startswith("sha256:")
    assert pegawai["examples"]["valid"] >= 1


def test_show_returns_the_schema_with_metadata_and_etag(client):
    response = client.get("/v1/schemas/kepegawaian/pegawai:1")
    body = response.json()
    assert body["schema"]["$id"] == "urn:simpul:schema:kepegawaian/pegawai:1"
    assert response.headers["etag"] == f'"{body["hash"]}"'
    assert client.get("/v1/schemas/urn:simpul:schema:kepegawaian/pegawai:1").status_code == 200


def test_unknown_schema_is_404_naming_close_matches(client):
    body = assert_problem(client.get("/v1/schemas/kepegawaian/pegawi"), 404)
    assert "kepegawaian/pegawai" in body["suggestions"]
    body = assert_problem(client.post("/v1/schemas/kepegawaian/pegawi/validate", json={},
                                      headers={"Accept-Language": "en"}), 404)
    assert "Did you mean: kepegawaian/pegawai" in body["detail"]


def test_a_valid_document_gives_200_and_valid_true(client):
    response = client.post(URL, json=valid_pegawai())
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is True
    assert report["schema"]["key"] == "kepegawaian/pegawai"
    assert report["summary"] == {"documents": 1, "valid": 1, "invalid": 0, "errors": 0,
                                 "warnings": report["summary"]["warnings"]}


def test_an_invalid_batch_gives_200_valid_false_with_bilingual_messages_and_masked_nik(client):
    good = valid_pegawai()
    bad = {**good, "tanggal_lahir": "17-08-1985", "nik": "3572015708850001X"}
    report = client.post(URL, json=[good, bad]).json()
    assert report["valid"] is False
    assert report["summary"]["documents"] == 2 and report["summary"]["invalid"] == 1
    issues = {i["pointer"]: i for i in report["documents"][1]["issues"]}
    date = issues["/tanggal_lahir"]
    assert date["rule"] == "schema:format"
    assert "YYYY-MM-DD" in date["message"]["id"] and "YYYY-MM-DD" in date["message"]["en"]
    assert "3572015708850001" not in json.dumps(report)
    assert issues["/nik"]["value"].startswith("35") and "*" in issues["/nik"]["value"]


def test_ndjson_csv_and_xlsx_bodies(client):
    good = valid_pegawai()
    ndjson = (json.dumps(good) + "\n" + json.dumps({**good, "nama": ""}) + "\n").encode()
    report = client.post(URL, content=ndjson, headers={"Content-Type": "application/x-ndjson"}).json()
    assert report["documents"][1]["location"]["line"] == 2
    assert report["documents"][1]["issues"][0]["location"]["line"] == 2

    csv_body = "nip,nama,jenis_asn\n198501012010011001,Budi,pns\n"
    report = client.post(URL, content=csv_body.encode(), headers={"Content-Type": "text/csv; charset=utf-8"}).json()
    enum = next(i for i in report["documents"][0]["issues"] if i["pointer"] == "/jenis_asn")
    assert enum["location"] == {"file": None, "sheet": None, "row": 2, "column": "C", "field": "jenis_asn",
                                "line": None}

    book = Workbook()
    book.active.append(["nip", "nama", "jenis_asn"])
    book.active.append(["198501012010011001", "Budi", "PNS"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = client.post(URL, content=buffer.getvalue(), headers={"Content-Type": XLSX}).json()
    assert report["documents"][0]["location"]["sheet"] == "Sheet"
    assert report["valid"] is False


def test_malformed_json_is_400_with_line_column_and_position(client):
    body = assert_problem(client.post(URL, content=b'{"nip": "1",\n "nama": }',
                                      headers={"Content-Type": "application/json"}), 400)
    assert (body["line"], body["column"], body["position"]) == (2, 10, 22)
    assert "baris 2 kolom 10" in body["detail"]


def test_wrong_content_type_is_415_naming_supported_types(client):
    body = assert_problem(client.post(URL, content=b"<a/>", headers={"Content-Type": "application/xml"}), 415)
    assert "text/csv" in body["detail"] and XLSX in body["supported"]


def test_body_over_the_limit_is_413_even_without_content_length(monkeypatch):
    monkeypatch.setenv("SIMPUL_MAX_BODY_BYTES", "1000")
    get_settings.cache_clear()
    client = TestClient(create_app())
    big = json.dumps([{"nama": "x" * 100}] * 20).encode()
    assert "1000" in assert_problem(client.post(URL, content=big,
                                                headers={"Content-Type": "application/json"}), 413)["detail"]

    def chunks():  # no Content-Length: the limit must hold on the bytes actually read
        for i in range(0, len(big), 100):
            yield big[i:i + 100]

    body = assert_problem(client.post(URL, content=chunks(), headers={"Content-Type": "application/json"}), 413)
    assert body["limit"] == 1000


def test_more_documents_than_the_batch_limit_is_413(monkeypatch):
    monkeypatch.setenv("SIMPUL_MAX_BATCH_DOCUMENTS", "3")
    get_settings.cache_clear()
    body = assert_problem(TestClient(create_app()).post(URL, json=[{}] * 4, headers={"Accept-Language": "en"}), 413)
    assert "the limit is 3" in body["detail"]


def test_a_bare_json_value_is_400(client):
    assert_problem(client.post(URL, content=b'"teks"', headers={"Content-Type": "application/json"}), 400)


def test_openapi_documents_all_four_content_types_and_the_problems(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/schemas/{key}/validate"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "application/x-ndjson", "text/csv", XLSX}
    assert {"200", "400", "404", "413", "415"} <= set(operation["responses"])
    assert operation["tags"] == ["schemas"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/ValidationReport")
    assert "schema" in spec["components"]["schemas"]["ValidationReport"]["properties"]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
_bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(_json_values, max_size=3).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
    st.lists(st.lists(st.text(max_size=10), max_size=5), max_size=5).map(
        lambda rows: "\n".join(",".join(r) for r in rows).encode()),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=_bodies, content_type=st.sampled_from(
    ["application/json", "application/x-ndjson", "text/csv", XLSX, "text/csv; charset=latin-1"]))
def test_no_body_makes_the_validator_fail_with_a_server_error(client, body, content_type):
    response = client.post(URL, content=body, headers={"Content-Type": content_type})
    assert response.status_code in (200, 400, 413), response.text
    if response.status_code != 200:
        assert response.headers["content-type"].startswith("application/problem+json")
