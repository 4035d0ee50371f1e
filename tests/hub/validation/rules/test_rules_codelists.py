"""Code lists: shipped lists are well-formed, x-codelist properties are checked, operators can override."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest

from hub.validation.rules import CodeList, CodeListInvalid, codelists, evaluate
from hub.validation.rules.codelists_in_schema import codelist_slots

ROOT = Path(__file__).resolve().parents[4]
SCHEMAS = {json.loads(p.read_text(encoding="utf-8"))["$id"]: json.loads(p.read_text(encoding="utf-8"))
           for p in (ROOT / "schemas").glob("*/*/*.json")}
PRODUK_HUKUM = SCHEMAS["urn:simpul:schema:legislasi/produk_hukum:1"]
QANUN = """\
name: jenis_produk_hukum
title: {id: Jenis produk hukum (Aceh), en: Types of legal product (Aceh)}
source: Operator Diskominfo Aceh
confidence: S
values:
  - {code: Qanun, label: {id: Qanun, en: Qanun}, pemda: [provinsi, kabupaten, kota]}
  - {code: Pergub, label: {id: Peraturan Gubernur, en: Governor regulation}, pemda: [provinsi]}
"""


def resolved(urn: str) -> dict:
    registry = jsonschema_rs.Registry(list(SCHEMAS.items()))
    return jsonschema_rs.dereference(SCHEMAS[urn], registry=registry, base_uri=urn)


def test_shipped_lists_are_well_formed_and_m_lists_are_warnings():
    lists = codelists()
    for name in ("jenis_produk_hukum", "sumber_dana", "status_kepegawaian", "jenis_jabatan", "eselon",
                 "golongan_ruang", "kanal_layanan", "klasifikasi_pengaduan", "kategori_pengaduan", "urusan", "akun"):
        codes = lists[name]
        assert isinstance(codes, CodeList) and codes.name == name and codes.values
        assert codes.title["id"] and codes.title["en"] and codes.source
        assert all(v["label"]["id"] and v["label"]["en"] for v in codes.values)
        if codes.confidence == "M":
            assert codes.severity == "warning", name
    assert {v["code"]: v["bkn_id"] for v in lists["jenis_jabatan"].values}["fungsional_umum"] == "4"
    assert lists["eselon"].get("III.a")["bkn_id"] == "31"
    assert lists["golongan_ruang"].get("IV/e")["bkn_id"] == "45" and "I/e" not in lists["golongan_ruang"]
    assert lists["akun"].get("5.2")["confidence"] == "S" and lists["akun"].get("4.1")["confidence"] == "M"


@pytest.mark.parametrize("schema", [PRODUK_HUKUM, resolved(PRODUK_HUKUM["$id"])], ids=["as-written", "resolved"])
def test_unknown_code_is_reported_with_a_suggestion(schema):
    doc = {"jenis": "Perbub", "kode_pemda": "35.10"}
    (violation,) = [v for v in evaluate("legislasi/produk_hukum", doc, schema=schema)
                    if v.rule_id.startswith("codelist:")]
    assert violation.rule_id == "codelist:jenis_produk_hukum"
    assert violation.severity == "warning" and violation.pointer == "/jenis" and violation.value == "Perbub"
    assert "Perbup" in violation.message["id"] and "Perbup" in violation.message["en"]
    assert violation.title["en"]


def test_array_items_and_nested_paths_are_checked():
    layanan = SCHEMAS["urn:simpul:schema:pelayanan_publik/layanan:1"]
    slots = {(s.path, s.codelist) for s in codelist_slots(layanan)}
    assert slots == {(("kanal", "*"), "kanal_layanan")}
    found = evaluate("pelayanan_publik/layanan", {"kanal": ["online", "Loket", 3]}, schema=layanan)
    assert [(v.pointer, v.rule_id) for v in found] == [("/kanal/1", "codelist:kanal_layanan")]
    assert "loket" in found[0].message["en"]


def test_error_severity_list_makes_the_value_an_error():
    pengaduan = SCHEMAS["urn:simpul:schema:pelayanan_publik/pengaduan:1"]
    found = evaluate("pelayanan_publik/pengaduan", {"klasifikasi": "Keluhan", "kategori": "banjir"},
                     schema=pengaduan)
    assert {(v.pointer, v.severity) for v in found} == {("/klasifikasi", "error"), ("/kategori", "warning")}


def test_without_a_schema_only_business_rules_run():
    assert evaluate("legislasi/produk_hukum", {"jenis": "Perbub"}) == []


def test_operator_override_replaces_a_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    doc = {"jenis": "Qanun", "kode_pemda": "11.71"}
    before = evaluate("legislasi/produk_hukum", doc, schema=PRODUK_HUKUM)
    assert [v.rule_id for v in before] == ["codelist:jenis_produk_hukum"]

    (tmp_path / "jenis_produk_hukum.yaml").write_text(QANUN, encoding="utf-8")
    monkeypatch.setenv("SIMPUL_CODELISTS_DIR", str(tmp_path))
    lists = codelists()
    assert lists["jenis_produk_hukum"].overridden and lists["jenis_produk_hukum"].codes == ("Qanun", "Pergub")
    assert lists["jenis_produk_hukum"].severity == "error"  # confidence S: error unless the file says otherwise
    assert not lists["sumber_dana"].overridden
    assert evaluate("legislasi/produk_hukum", doc, schema=PRODUK_HUKUM) == []
    perda = evaluate("legislasi/produk_hukum", {**doc, "jenis": "Perda"}, schema=PRODUK_HUKUM)
    assert [(v.rule_id, v.severity) for v in perda] == [("codelist:jenis_produk_hukum", "error")]

    monkeypatch.delenv("SIMPUL_CODELISTS_DIR")
    assert not codelists()["jenis_produk_hukum"].overridden


def test_override_drives_the_rules_that_read_a_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "akun.yaml").write_text(
        "name: akun\ntitle: {id: Akun, en: Accounts}\nconfidence: M\nvalues:\n"
        "  - {code: '5.1', label: {id: Belanja Operasi, en: Operating}}\n", encoding="utf-8")
    line = {"kode_rekening": "5.2.02.05.01.0001"}
    assert evaluate("penganggaran/rincian_belanja", line) == []
    monkeypatch.setenv("SIMPUL_CODELISTS_DIR", str(tmp_path))
    assert [v.rule_id for v in evaluate("penganggaran/rincian_belanja", line)] == ["ANG-004"]


@pytest.mark.parametrize(("content", "problem"), [
    ("name: lain\ntitle: {id: a, en: b}\nvalues: [{code: x, label: {id: x, en: x}}]\n", "file is named"),
    ("name: akun\ntitle: {id: a, en: b}\nvalues: [{code: 4.1, label: {id: x, en: x}}]\n", "quote numbers"),
    ("name: akun\ntitle: {id: a, en: b}\nvalues: []\n", "non-empty"),
    ("name: akun\ntitle: {id: a}\nvalues: [{code: x, label: {id: x, en: x}}]\n", "'title'"),
    ("name: akun\ntitle: {id: a, en: b}\nseverity: fatal\nvalues: [{code: x}]\n", "'severity'"),
    ("name: akun\ntitle: {id: a, en: b}\nvalues: [{code: x}, {code: x}]\n", "twice"),
    ("name: [akun\n", "akun.yaml"),
])
def test_malformed_override_is_refused_with_the_file_and_the_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, problem: str):
    (tmp_path / "akun.yaml").write_text(content, encoding="utf-8")
    monkeypatch.setenv("SIMPUL_CODELISTS_DIR", str(tmp_path))
    with pytest.raises(CodeListInvalid) as caught:
        codelists()
    assert problem in caught.value.message("en") and "akun.yaml" in caught.value.message("en")
    assert "SIMPUL_CODELISTS_DIR" in caught.value.message("id")


def test_override_folder_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIMPUL_CODELISTS_DIR", str(tmp_path / "tidak-ada"))
    with pytest.raises(CodeListInvalid):
        codelists()
