"""INT-001 on an application whose data is not canonical: the counts, the missing and mismatched canonical fields
with how many records each affects, and the command that starts a mapping (which must exist)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import yaml
from typer.testing import CliRunner

from hub.assessment import Status
from hub.cli import app as cli

from .apps import records_app, schema_examples
from .conftest import run_app, target

SAMPLE = Path(__file__).parents[1] / "mapping" / "simpeg_camel.json"


async def test_a_camel_case_feed_fails_int001_with_counts_fields_and_the_mapping_command():
    records = json.loads(SAMPLE.read_text("utf-8"))["data"]
    run = await run_app(records_app("/api/v1/pegawai", records), target=target(schemas=["kepegawaian/pegawai"]))
    result = run.result("INT-001")
    assert result.status is Status.FAIL
    en, id_ = result.message.en, result.message.id
    assert en.startswith("0 of 4 sampled records valid") and id_.startswith("0 dari 4 rekaman sampel valid")
    assert "Canonical fields missing: jabatan ×4, jenis_asn ×4, jenis_kelamin ×4, kode_pemda ×4, nip ×4," in en
    assert "tanggal_lahir ×4, unit_kerja ×4." in en and "Not matching" not in en
    assert "Field kanonis yang tidak ada: jabatan ×4" in id_
    missing = {m["field"]: m["records"] for m in result.measured["missing_fields"]}
    assert missing["nip"] == 4 and missing["kode_pemda"] == 4
    assert "id" not in missing and "nipBaru" not in missing  # unknown source fields are not canonical fields
    command = "simpul mapping suggest simpeg-uji pegawai --schema kepegawaian/pegawai"
    assert en.endswith(f"Start a mapping: {command}") and id_.endswith(f"Mulai pemetaan: {command}")
    parsed = CliRunner().invoke(cli, [*shlex.split(command)[1:], "--help"])
    assert parsed.exit_code == 0, parsed.output


async def test_mismatched_fields_are_counted_with_the_rule_that_failed():
    records = schema_examples("kepegawaian/pegawai")
    records[0] = {**records[0], "tanggal_lahir": "15-03-1985"}
    run = await run_app(records_app("/api/v1/pegawai", records), target=target(schemas=["kepegawaian/pegawai"]))
    result = run.result("INT-001")
    assert result.message.en.startswith(f"{len(records) - 1} of {len(records)} sampled records valid")
    assert "tanggal_lahir (format) ×1" in result.message.en
    assert result.measured["mismatched_fields"] == [{"field": "tanggal_lahir (format)", "records": 1}]


async def test_valid_data_gets_no_hint():
    records = schema_examples("kepegawaian/pegawai")
    run = await run_app(records_app("/api/v1/pegawai", records), target=target(schemas=["kepegawaian/pegawai"]))
    result = run.result("INT-001")
    assert result.status is Status.PASS
    assert result.message is None or "Start a mapping" not in result.message.en
    assert "missing_fields" not in result.measured


def test_the_named_command_drafts_a_mapping_through_the_applications_connector(serve, monkeypatch, tmp_path):
    """The command INT-001 names, run as is against a registry application served on loopback (JDIH-like feed
    with relative download links): the sample is read through its connector and links get its base URL."""
    from hub.services import connections

    records = [{"idData": f"perda-{n}-2024", "judul": f"Peraturan Daerah Nomor {n} Tahun 2024", "noPeraturan": str(n),
                "tahun": "2024", "tanggalPenetapan": f"0{n}-02-2024", "urlDownload": f"/storage/perda-{n}-2024.pdf",
                "status": "Berlaku"} for n in range(1, 4)]
    server = serve(records_app("/api/jdih", records))
    app_data = {"id": "jdih-uji", "integration": {"connector": {"type": "rest_json", "config": {
        "base_url": server.url, "record_path": "data",
        "pagination": {"type": "page", "page_param": "page", "size_param": "size", "page_size": 2},
        "resources": {"produk-hukum": {"path": "/api/jdih"}}}}}}
    monkeypatch.setattr(connections, "application_lookup", lambda app_id: app_data if app_id == "jdih-uji" else None)
    out = tmp_path / "produk-hukum.yaml"
    result = CliRunner().invoke(cli, ["--lang", "en", "mapping", "suggest", "jdih-uji", "produk-hukum", "--schema",
                                      "legislasi/produk_hukum", "--out", str(out)])
    assert result.exit_code == 1, result.output  # todo lines remain (kode_pemda, jenis, teu_badan...)
    text = out.read_text("utf-8")
    assert "(3 sample records)" in text
    fields = yaml.safe_load(text)["fields"]
    assert fields["id"] == {"from": "idData"} and fields["nomor"] == {"from": "noPeraturan"}
    assert fields["tanggal_penetapan"] == {"from": "tanggalPenetapan", "date": "%d-%m-%Y"}
    assert fields["url_file"] == {"from": "urlDownload", "url_base": server.url + "/"}
    assert fields["kode_pemda"] == {"todo": "no source field matched"}
