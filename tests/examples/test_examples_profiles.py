"""Each quality profile behaves as promised (legacy, flaky, slow, fragile, no-openapi, no-pagination)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from dataclasses import replace

import httpx
import pytest
from openpyxl import load_workbook

from examples.apps import APPS
from examples.apps.behaviour import Behaviour
from examples.apps.config import AppConfig, profile, profiles
from tests.examples.examples_testkit import auth

DMY = re.compile(r"^\d{2}-\d{2}-\d{4}$")


def test_profiles_are_data_starting_from_good():
    table = profiles()
    assert set(table) == {"good", "legacy", "flaky", "slow", "fragile", "no-openapi", "no-pagination",
                          "wrong-codes", "oauth2"}
    assert table["oauth2"].auth == "oauth2" and table["good"].auth == "token"
    assert table["flaky"].failure_rate == 0.3 and table["flaky"].openapi
    assert table["slow"].latency == 1.5 and table["slow"].single_worker
    assert not table["legacy"].api and table["legacy"].fields == "legacy"
    with pytest.raises(ValueError, match="unknown profile"):
        profile("excellent")


@pytest.mark.parametrize("app", list(APPS))
def test_legacy_has_only_spreadsheet_exports(make_client, app):
    client = make_client(app, "legacy")
    res = APPS[app].resources[-1]
    assert client.get(f"/api/v1/{res}", headers=auth(app)).status_code == 404
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
    page = client.get("/").text
    assert "lang=" not in page and "viewport" not in page and "<label" not in page
    answer = client.get(f"/export/{res}.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text), delimiter=";"))
    canonical = client.app.state.example.spec.resources[res]
    assert len(rows) == len(canonical.dataset)
    assert canonical.id_field not in rows[0] or canonical.id_field in ("kode_layanan", "id_pendapatan")
    assert DMY.match(rows[0]["tgl_update"][:10])


def test_legacy_shapes_follow_old_conventions(make_client):
    pegawai = next(csv.DictReader(io.StringIO(make_client("simpeg", "legacy").get("/export/pegawai.csv").text),
                                  delimiter=";"))
    assert {"nipBaru", "tglLahir", "golRuangAkhir", "unorId", "jabatanNama"} <= set(pegawai)
    assert DMY.match(pegawai["tglLahir"]) and "nip" not in pegawai
    assert re.match(r"^I{1,3}V?/[A-E]$|^IV/[A-E]$", pegawai["golRuangAkhir"])
    assert pegawai["unorId"].isdigit()
    rincian = next(csv.DictReader(io.StringIO(
        make_client("e-budgeting", "legacy").get("/export/rincian-belanja.csv").text), delimiter=";"))
    assert re.match(r"^Rp \d{1,3}(\.\d{3})*$", rincian["total_harga"])
    assert rincian["kode_sub_giat"].isdigit() and rincian["kode_akun"].isdigit()
    sub = next(csv.DictReader(io.StringIO(
        make_client("e-planning", "legacy").get("/export/sub-kegiatan.csv").text), delimiter=";"))
    assert {"kode_sub_giat", "nama_sub_giat", "pagu", "tolok_ukur"} <= set(sub)


def test_legacy_xlsx_export(make_client):
    answer = make_client("jdih", "legacy").get("/export/produk-hukum.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    header, first = list(sheet.iter_rows(max_row=2, values_only=True))
    assert "tgl_penetapan" in header
    assert DMY.match(first[header.index("tgl_penetapan")])


def test_flaky_answers_503_for_a_deterministic_share(fresh_client):
    client = fresh_client("e-planning", "flaky")
    statuses, retry_after = [], []
    for _ in range(50):
        answer = client.get("/api/v1/program?size=1", headers=auth("e-planning"))
        statuses.append(answer.status_code)
        if answer.status_code == 503:
            retry_after.append(answer.headers.get("retry-after"))
            assert "coba lagi" in answer.json()["detail"]
    assert statuses.count(503) == 15 and set(statuses) == {200, 503}
    assert "1" in retry_after and None in retry_after
    assert client.get("/health").status_code == 200  # exempt: the launcher's readiness probe
    again = fresh_client("e-planning", "flaky")
    assert [again.get("/api/v1/program?size=1", headers=auth("e-planning")).status_code
            for _ in range(50)] == statuses


def test_failure_rate_is_configurable(fresh_client):
    client = fresh_client("jdih", "flaky", failure_rate=0.5)
    codes = [client.get("/api/v1/produk-hukum?size=1", headers=auth("jdih")).status_code for _ in range(20)]
    assert codes.count(503) == 10
    assert fresh_client("jdih", "good", failure_rate=0.5).get(
        "/api/v1/produk-hukum?size=1", headers=auth("jdih")).status_code == 200


def _max_concurrency(single_worker: bool) -> int:
    """Fire 5 requests at once through the middleware; return how many were inside it at the same time."""
    inside, peak = 0, 0

    async def handler(scope, receive, send):
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        for _ in range(100):  # give the other requests every chance to come in too
            if inside == 5:
                break
            await asyncio.sleep(0.001)
        inside -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    prof = replace(profile("slow"), latency=0.001, single_worker=single_worker)
    app = Behaviour(handler, prof)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            await asyncio.gather(*(client.get("/api/v1/x") for _ in range(5)))

    asyncio.run(run())
    return peak


def test_slow_profile_serves_one_request_at_a_time():
    assert _max_concurrency(single_worker=True) == 1
    assert _max_concurrency(single_worker=False) == 5


def test_slow_latency_is_configurable(fresh_client):
    config = AppConfig.create("simpeg", "slow", latency=0.01)
    assert config.profile.latency == 0.01 and config.profile.single_worker
    assert AppConfig.create("simpeg", "good", latency=0.01).profile.latency == 0
    assert fresh_client("simpeg", "slow", latency=0.01).get("/api/v1/pegawai?size=2",
                                                            headers=auth("simpeg")).status_code == 200


@pytest.mark.parametrize("query", ["page=abc", "size=-1", "warna=merah"])
def test_fragile_crashes_with_a_traceback_on_bad_input(make_client, query):
    answer = make_client("pelayanan", "fragile").get(f"/api/v1/permohonan?{query}", headers=auth("pelayanan"))
    assert answer.status_code == 500
    assert "Traceback (most recent call last)" in answer.text


def test_fragile_crashes_on_malformed_json_and_speaks_english(fresh_client):
    client = fresh_client("e-planning", "fragile")
    answer = client.post("/api/v1/sub-kegiatan", content=b"{kode:", headers={
        **auth("e-planning"), "Content-Type": "application/json"})
    assert answer.status_code == 500 and "JSONDecodeError" in answer.text
    unauthorized = client.get("/api/v1/program")
    assert unauthorized.status_code == 401 and "Missing or invalid token" in unauthorized.json()["error"]


def test_no_openapi_hides_the_document(make_client):
    client = make_client("simpeg", "no-openapi")
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
    assert client.get("/api/v1/pegawai?size=1", headers=auth("simpeg")).status_code == 200


def test_no_pagination_returns_everything_in_one_array(make_client):
    client = make_client("e-budgeting", "no-pagination")
    answer = client.get("/api/v1/rincian-belanja?page=2&size=3", headers=auth("e-budgeting")).json()
    assert isinstance(answer, list) and len(answer) == 800
    assert answer[0]["id_rincian"] == "RB-2026-000001"
