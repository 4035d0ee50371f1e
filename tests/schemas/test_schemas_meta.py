"""The canonical schemas themselves: valid 2020-12, named by their path, bilingual, strict, on contract."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from hub.validation.rules import codelists

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
FILES = sorted(SCHEMAS_DIR.glob("*/*/*.json"))
RECORD_FILES = [p for p in FILES if p.parent.parent.name != "common"]
BILINGUAL = ("title", "x-title-en", "description", "x-description-en")

# docs/canonical-fields.md: the agreed required fields (the contract with connectors and example applications).
REQUIRED = {
    "perencanaan/program": {"tahun_anggaran", "kode_pemda", "kode_program", "nama_program"},
    "perencanaan/kegiatan": {"tahun_anggaran", "kode_pemda", "kode_kegiatan", "nama_kegiatan", "kode_program"},
    "perencanaan/sub_kegiatan": {"tahun_anggaran", "kode_pemda", "kode_sub_kegiatan", "nama_sub_kegiatan",
                                 "kode_kegiatan", "kode_program", "kode_opd", "indikator", "pagu_indikatif"},
    "penganggaran/rincian_belanja": {"id_rincian", "tahun_anggaran", "kode_pemda", "kode_opd", "kode_sub_kegiatan",
                                     "kode_rekening", "uraian", "volume", "satuan", "harga_satuan", "total",
                                     "sumber_dana"},
    "penganggaran/pendapatan": {"id_pendapatan", "tahun_anggaran", "kode_pemda", "kode_opd", "kode_rekening",
                                "uraian", "target"},
    "kepegawaian/pegawai": {"nip", "jenis_asn", "nama", "tanggal_lahir", "jenis_kelamin", "jabatan", "unit_kerja",
                            "status_kepegawaian", "kode_pemda"},
    "legislasi/produk_hukum": {"id", "kode_pemda", "jenis", "nomor", "tahun", "judul", "tanggal_penetapan", "status",
                               "teu_badan"},
    "pelayanan_publik/layanan": {"kode_layanan", "nama_layanan", "kode_opd", "kode_pemda", "persyaratan",
                                 "prosedur", "jangka_waktu", "biaya", "produk_layanan", "penanganan_pengaduan"},
    "pelayanan_publik/permohonan": {"nomor_permohonan", "kode_layanan", "kode_opd", "tanggal_permohonan", "status",
                                    "batas_waktu", "pemohon"},
    "pelayanan_publik/pengaduan": {"nomor_tiket", "klasifikasi", "judul", "isi", "tanggal_laporan",
                                   "instansi_tujuan", "anonim", "rahasia", "status"},
    "pelayanan_publik/skm": {"id_survei", "kode_layanan", "kode_opd", "tahun", "periode", "jumlah_responden", "nrr",
                             "ikm", "mutu", "kinerja"},
}


def key_of(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def documented_nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property, array item object and $def (what generated docs show), with its location."""
    if not isinstance(node, dict):
        return
    for name, sub in (node.get("properties") or {}).items():
        yield f"{where}/{name}", sub
        yield from documented_nodes(sub, f"{where}/{name}")
    if isinstance(node.get("items"), dict):
        yield from documented_nodes(node["items"], f"{where}/*")
    for name, sub in (node.get("$defs") or {}).items():
        yield f"{where}#{name}", sub
        yield from documented_nodes(sub, f"{where}#{name}")


def all_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from all_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_nodes(value)


def test_every_record_schema_of_the_contract_exists():
    assert {key_of(p) for p in RECORD_FILES} == set(REQUIRED)


@pytest.mark.parametrize("path", FILES, ids=key_of)
def test_schema_is_valid_2020_12_and_named_by_its_path(path: Path, all_schemas):
    schema = load(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:simpul:schema:{key_of(path)}:{path.stem}"
    # ECMA-262 patterns and every $ref compile in the fast engine too (offline, URN references only)
    registry = jsonschema_rs.Registry(list(all_schemas.items()))
    jsonschema_rs.Draft202012Validator(schema, registry=registry, validate_formats=True, base_uri=schema["$id"])


@pytest.mark.parametrize("path", FILES, ids=key_of)
def test_schema_and_every_property_have_bilingual_title_and_description(path: Path):
    schema = load(path)
    missing = [k for k in BILINGUAL if not str(schema.get(k, "")).strip()]
    assert not missing, f"schema lacks {missing}"
    for where, node in documented_nodes(schema, ""):
        missing = [k for k in BILINGUAL if not str(node.get(k, "")).strip()]
        assert not missing, f"{where} lacks {missing}"


@pytest.mark.parametrize("path", RECORD_FILES, ids=key_of)
def test_record_schema_is_strict_and_keeps_the_agreed_required_fields(path: Path):
    schema = load(path)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == REQUIRED[key_of(path)]
    for node in all_nodes(schema):
        if isinstance(node.get("properties"), dict) and node.get("type") == "object":
            assert node.get("additionalProperties") is False, node.get("title")
            assert set(node.get("required", [])) <= set(node["properties"]), node.get("title")


@pytest.mark.parametrize("path", FILES, ids=key_of)
def test_references_are_full_urns_of_existing_schemas(path: Path, all_schemas):
    for node in all_nodes(load(path)):
        ref = node.get("$ref")
        if ref is None:
            continue
        base, _, fragment = ref.partition("#")
        assert base in all_schemas, ref
        target: Any = all_schemas[base]
        for part in fragment.strip("/").split("/"):
            target = target[part]
        assert isinstance(target, dict)


@pytest.mark.parametrize("path", FILES, ids=key_of)
def test_codelist_references_exist_and_survive_dereferencing(path: Path):
    lists = codelists()
    for node in all_nodes(load(path)):
        name = node.get("x-codelist")
        if name is None:
            continue
        assert name in lists, f"x-codelist {name!r} has no schemas/codelists/{name}.yaml"
        assert node.get("type") == "string"
        assert "$ref" not in node, "a sibling of $ref is dropped when references are inlined"
        assert "enum" not in node, "a configurable list must not also be a hard enum"


def _resolved(key: str, all_schemas) -> dict[str, Any]:
    registry = jsonschema_rs.Registry(list(all_schemas.items()))
    urn = f"urn:simpul:schema:{key}:1"
    return jsonschema_rs.dereference(all_schemas[urn], registry=registry, base_uri=urn)


@pytest.mark.parametrize(("key", "path"), [
    ("kepegawaian/pegawai", ["nik"]), ("kepegawaian/pegawai", ["email"]), ("kepegawaian/pegawai", ["telepon"]),
    ("pelayanan_publik/permohonan", ["pemohon", "nik"]), ("pelayanan_publik/permohonan", ["pemohon"]),
    ("pelayanan_publik/pengaduan", ["pelapor"]), ("pelayanan_publik/pengaduan", ["pelapor", "nik"]),
    ("pelayanan_publik/pengaduan", ["pelapor", "email"]), ("pelayanan_publik/pengaduan", ["pelapor", "telepon"]),
])
def test_personal_data_is_marked_even_after_references_are_inlined(key: str, path: list[str], all_schemas):
    node = _resolved(key, all_schemas)
    for part in path:
        node = node["properties"][part]
    assert node.get("x-personal-data") is True


def test_golongan_ruang_has_17_values_and_no_i_e(all_schemas):
    pegawai = all_schemas["urn:simpul:schema:kepegawaian/pegawai:1"]
    values = pegawai["properties"]["golongan_ruang"]["enum"]
    assert len(values) == 17 and len(set(values)) == 17
    assert "I/e" not in values and "IV/e" in values
    assert [v["code"] for v in codelists()["golongan_ruang"].values] == values


def test_pns_and_pppk_nip_patterns_are_disjoint(all_schemas):
    defs = all_schemas["urn:simpul:schema:common/definitions:1"]["$defs"]
    pns, pppk = re.compile(defs["nip_pns"]["pattern"]), re.compile(defs["nip_pppk"]["pattern"])
    assert pns.match("196711101992031001") and not pppk.match("196711101992031001")
    assert pppk.match("200012312024211001") and not pns.match("200012312024211001")


@pytest.mark.parametrize(("code", "ok"), [
    ("1.02.02.2.01.0001", True), ("X.XX.01.2.02.0001", True), ("X.XX.01.1.02.0001", True),
    ("1.02.02.2.01.01", False), ("1.2.02.2.01.0001", False), ("X.02.01.2.02.0001", False),
    ("1.XX.01.2.02.0001", False), ("1.01.01.02.01.0001", False), ("9.02.02.2.01.0001", False),
])
def test_sub_kegiatan_pattern_accepts_penunjang_and_rejects_wrong_widths(code: str, ok: bool, all_schemas):
    pattern = all_schemas["urn:simpul:schema:common/definitions:1"]["$defs"]["kode_sub_kegiatan"]["pattern"]
    assert bool(re.match(pattern, code)) is ok


@pytest.mark.parametrize(("code", "ok"), [
    ("35", True), ("35.72", True), ("35.10", True), ("35.00", False), ("35.70", False), ("3572", False),
    ("35.72.01", False),
])
def test_kode_pemda_is_province_or_kabupaten_kota(code: str, ok: bool, all_schemas):
    pattern = all_schemas["urn:simpul:schema:common/definitions:1"]["$defs"]["kode_pemda"]["pattern"]
    assert bool(re.match(pattern, code)) is ok
