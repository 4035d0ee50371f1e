"""``simpul mapping suggest`` on a SIMPEG-like camelCase feed: names through synonyms, types and sample values;
the draft validates once its todo lines are resolved, and until then the loader refuses it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from connectors import ConfigError, Mapper
from hub.cli import app
from hub.mapping import normalise
from hub.services import mappings

SAMPLE = Path(__file__).with_name("simpeg_camel.json")
runner = CliRunner()


def draft_of(records: list[dict] | None = None, schema: str = "kepegawaian/pegawai", **kw):
    records = records if records is not None else mappings.read_sample(SAMPLE)
    return asyncio.run(mappings.suggest("simpeg", "pegawai", schema, records=records, lang="en", **kw))


def fields_of(text: str) -> dict:
    return yaml.safe_load(text)["fields"]


def test_names_are_normalised_before_matching():
    assert [normalise(n) for n in ("nipBaru", "NIP_BARU", "Nip Baru", "golRuangAkhir", "URLDownload")] == [
        "nip_baru", "nip_baru", "nip_baru", "gol_ruang_akhir", "url_download"]


def test_a_simpeg_camel_case_feed_gets_a_draft_with_transforms_proven_on_the_sample():
    draft, text = draft_of()
    fields = fields_of(text)
    assert fields["nip"] == {"from": "nipBaru"}
    assert fields["nama"] == {"from": "nama"} and fields["gelar_belakang"] == {"from": "gelarBelakang"}
    assert fields["tanggal_lahir"] == {"from": "tglLahir", "date": "%d-%m-%Y"}
    assert fields["tmt_golongan"] == {"from": "tmtGolAkhir", "date": "%d-%m-%Y"}
    assert fields["jenis_kelamin"] == {"from": "jenisKelamin", "map": {"Perempuan": "P", "Laki-laki": "L"}}
    assert fields["golongan_ruang"] == {"from": "golRuangAkhir"} and fields["jenis_asn"] == {"from": "jenisPegawai"}
    assert fields["telepon"] == {"from": "noHp"} and fields["unit_kerja.nama"] == {"from": "unorNama"}
    assert fields["updated_at"] == {"from": "updatedAt", "datetime": {"from": "%Y-%m-%d %H:%M:%S", "tz": "WIB"}}
    # what the feed does not have is a todo, and said so on its line
    assert {"status_kepegawaian", "kode_pemda", "unit_kerja.kode_opd", "jabatan.jenis_jabatan"} <= set(
        draft.to_dict("en")["unresolved"])
    assert "kode_pemda: {todo: no source field matched}  # required; not found in the sample" in text
    assert "# Source fields not used: id" in text
    assert "synonym (tglLahir); 4/4 sample values valid" in text
    assert text.startswith("# Draft mapping from simpul mapping suggest simpeg pegawai --schema kepegawaian/pegawai")


def test_the_draft_is_refused_until_resolved_and_then_maps_the_feed_to_valid_records(tmp_path: Path):
    from hub.services.connections import record_validator

    _, text = draft_of()
    path = tmp_path / "pegawai.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Mapper.from_file(path)
    message = info.value.messages()["en"]
    assert "4 problem(s)" in message and "fields.kode_pemda: not mapped yet (no source field matched)" in message
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  kode_pemda:"))
    assert f"pegawai.yaml:{line} fields.kode_pemda" in message
    resolved = (text.replace("kode_pemda: {todo: no source field matched}", 'kode_pemda: {const: "35.72"}')
                .replace("status_kepegawaian: {todo: no source field matched}", "status_kepegawaian: {const: aktif}")
                .replace("unit_kerja.kode_opd: {todo: no source field matched}",
                         'unit_kerja.kode_opd: {const: "1.02.0.00.0.00.01.0000"}')
                .replace("jabatan.jenis_jabatan: {todo: no source field matched}",
                         "jabatan.jenis_jabatan: {const: fungsional_tertentu}"))
    path.write_text(resolved, encoding="utf-8")
    mapper = Mapper.from_file(path)
    check = record_validator("kepegawaian/pegawai")
    for record in mappings.read_sample(SAMPLE):
        result = mapper.map(record)
        assert result.ok, result.errors
        report = check(result.document)
        assert report.valid, [(i.pointer, i.message.en) for i in report.issues]


def test_birth_date_and_sex_are_read_from_the_nip_when_the_feed_lacks_them():
    records = mappings.read_sample(SAMPLE)
    for r in records:
        del r["tglLahir"], r["jenisKelamin"]
    _, text = draft_of(records)
    fields = fields_of(text)
    assert fields["tanggal_lahir"] == {"from": "nipBaru", "substr": "1-8", "date": "%Y%m%d"}
    assert fields["jenis_kelamin"] == {"from": "nipBaru", "substr": 15, "map": {"1": "L", "2": "P"}}
    doc = Mapper({"schema": "kepegawaian/pegawai", "fields": {k: fields[k] for k in ("tanggal_lahir", "jenis_kelamin")}}
                 ).map(records[1]).document
    assert doc == {"tanggal_lahir": "1990-01-01", "jenis_kelamin": "L"}


def test_identifiers_are_recognised_by_their_values_alone():
    records = [{"idAsn": "198503152010012001", "ktpNo2": "3572015503850002", "x": "Siti"},
               {"idAsn": "199001012015031002", "ktpNo2": "3572010101900001", "x": "Budi"}]
    fields = fields_of(draft_of(records)[1])
    assert fields["nip"] == {"from": "idAsn"}  # 18 digits
    assert fields["nik"] == {"from": "ktpNo2"}  # 16 digits, NIK structure
    assert "from sample values only (idAsn); 2/2 valid — check" in draft_of(records)[1]


def test_a_name_match_whose_values_do_not_fit_stays_a_todo():
    records = [{"nip": "12345", "nama": "Siti"}, {"nip": "67890", "nama": "Budi"}]
    fields = fields_of(draft_of(records)[1])
    assert fields["nip"]["from"] == "nip" and "only 0 of 2 sample values become valid" in fields["nip"]["todo"]


def test_relative_links_get_the_base_url_and_lists_are_split():
    records = [{"idData": "perda-3-2024", "judul": "Pajak Daerah", "urlDownload": "/storage/perda-3-2024.pdf",
                "subjek": "pajak; retribusi", "tahun": "2024"}]
    _, text = draft_of(records, schema="legislasi/produk_hukum")
    fields = fields_of(text)
    assert fields["id"] == {"from": "idData"} and fields["tahun"] == {"from": "tahun", "type": "int"}
    assert fields["subjek"] == {"from": "subjek", "split": ";"}
    assert fields["url_file"]["from"] == "urlDownload"


def test_cli_writes_the_draft_and_never_overwrites_a_mapping(tmp_path: Path):
    out = tmp_path / "pegawai.yaml"
    result = runner.invoke(app, ["--lang", "en", "mapping", "suggest", "simpeg", "pegawai", "--schema",
                                 "kepegawaian/pegawai", "--sample", str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 1  # todo lines remain
    assert "Draft mapping written to" in result.stdout and "4 still todo" in result.stdout
    assert fields_of(out.read_text())["nip"] == {"from": "nipBaru"}
    out.write_text("schema: kepegawaian/pegawai\nfields: {nip: nip}\n")
    again = runner.invoke(app, ["--lang", "en", "mapping", "suggest", "simpeg", "pegawai", "--schema",
                                "kepegawaian/pegawai", "--sample", str(SAMPLE), "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert out.read_text() == "schema: kepegawaian/pegawai\nfields: {nip: nip}\n"
    check = runner.invoke(app, ["--lang", "en", "mapping", "check", str(out)])
    assert check.exit_code == 0 and "can be used: schema kepegawaian/pegawai, 1 fields" in check.stdout


def test_cli_refuses_a_draft_and_an_unknown_schema_in_one_line(tmp_path: Path):
    out = tmp_path / "d.yaml"
    runner.invoke(app, ["mapping", "suggest", "simpeg", "pegawai", "--schema", "kepegawaian/pegawai", "--sample",
                        str(SAMPLE), "--out", str(out)])
    check = runner.invoke(app, ["mapping", "check", str(out)])
    assert check.exit_code == 2 and "belum dipetakan" in check.stderr and "d.yaml:" in check.stderr
    bad = runner.invoke(app, ["mapping", "suggest", "simpeg", "pegawai", "--schema", "kepegawaian/pegawaii",
                              "--sample", str(SAMPLE)])
    assert bad.exit_code == 2 and "kepegawaian/pegawai" in bad.stderr


def test_cli_reads_the_sample_through_the_connector(tmp_path: Path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "pegawai.csv").write_text(
        "NIP Baru;Nama Lengkap;Tgl. Lahir;JK\n198503152010012001;Siti Rahayu;15/03/1985;P\n"
        "199001012015031002;Budi Santoso;01/01/1990;L\n", encoding="utf-8")
    spec = tmp_path / "simpeg.yaml"
    spec.write_text("app: simpeg\nconnector: {type: spreadsheet, config: {folder: exports}}\n"
                    "resources:\n  pegawai: {file: pegawai.csv}\n", encoding="utf-8")
    result = runner.invoke(app, ["--lang", "en", "mapping", "suggest", str(spec), "pegawai", "--schema",
                                 "kepegawaian/pegawai", "--json"])
    data = json.loads(result.stdout)
    assert data["records"] == 2
    by_target = {f["target"]: f["spec"] for f in data["fields"]}
    assert by_target["nip"] == {"from": "nip_baru"} and by_target["nama"] == {"from": "nama_lengkap"}
    assert by_target["tanggal_lahir"] == {"from": "tgl_lahir", "date": "%d/%m/%Y"}
    assert by_target["jenis_kelamin"] == {"from": "jk"}


def test_api_suggests_from_given_records(registry_api, registry_key: Callable[..., dict[str, str]]):
    records = mappings.read_sample(SAMPLE)
    body = {"app": "simpeg", "resource": "pegawai", "schema": "kepegawaian/pegawai", "records": records}
    r = registry_api.post("/v1/mappings/suggest", json=body, headers={**registry_key("operator"),
                                                                      "Accept-Language": "en"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["schema"] == "kepegawaian/pegawai" and data["records"] == 4
    assert "kode_pemda" in data["unresolved"] and "nip: {from: nipBaru}" in data["yaml"]
    assert registry_api.post("/v1/mappings/suggest", json=body, headers=registry_key("vendor")).status_code == 403
    r = registry_api.post("/v1/mappings/suggest", json={**body, "records": []}, headers=registry_key("admin"))
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert "Tidak ada rekaman contoh" in r.json()["detail"]


def test_legacy_planning_export_gets_code_shapes_and_the_sub_kegiatan_table():
    records = mappings.read_sample(SAMPLE.with_name("eplanning_legacy.json"))
    draft, text = draft_of(records, schema="perencanaan/sub_kegiatan")
    fields = fields_of(text)
    assert fields["kode_sub_kegiatan"] == {"from": "kode_sub_giat", "convert": "sub_kegiatan_2digit"}
    assert fields["kode_kegiatan"] == {"from": "kode_giat", "code": "#.##.##.#.##"}
    assert fields["kode_program"] == {"from": "kode_program", "code": "#.##.##"}
    assert fields["kode_opd"] == {"from": "kode_skpd", "code": "#.##.#.##.#.##.##.####"}
    assert fields["kode_pemda"] == {"from": "kode_pemda", "code": "##.##"}
    assert fields["pagu_indikatif"] == {"from": "pagu", "type": "int"}  # "Rp 150.000.000"
    assert fields["nama_sub_kegiatan"] == {"from": "nama_sub_giat"}
    assert draft.to_dict("en")["unresolved"] == ["indikator"]
    mapper = Mapper({"schema": "perencanaan/sub_kegiatan", "fields": {k: v for k, v in fields.items()
                                                                      if k != "indikator"}})
    assert mapper.map(records[0]).document["kode_sub_kegiatan"] == "1.02.02.2.02.0001"
    assert mapper.map(records[1]).document["kode_opd"] == "1.02.0.00.0.01.00.0000"


def _with_indicators(drop: str | None = None) -> list[dict]:
    """The legacy planning export, each sub kegiatan with its performance indicators as a nested list."""
    records = mappings.read_sample(SAMPLE.with_name("eplanning_legacy.json"))
    lists = [[{"tolokUkur": "Jumlah ibu hamil yang mendapatkan pelayanan", "nilaiTarget": "1.200", "satuanTarget":
               "orang"}, {"tolokUkur": "Persentase ibu hamil K4", "nilaiTarget": "95,5", "satuanTarget": "%"}],
             [{"tolokUkur": "Dokumen perencanaan yang tersusun", "nilaiTarget": "3", "satuanTarget": "dokumen"}]]
    for record, items in zip(records, lists, strict=True):
        record["indikatorKinerja"] = [{"idIndikator": n, **{k: v for k, v in item.items() if k != drop}}
                                      for n, item in enumerate(items, 1)]
    return records


def test_a_nested_list_of_objects_gets_each_with_its_item_fields_proven_on_the_sample(tmp_path: Path):
    from hub.services.connections import record_validator

    records = _with_indicators()
    draft, text = draft_of(records, schema="perencanaan/sub_kegiatan")
    fields = fields_of(text)
    assert fields["indikator"] == {"from": "indikatorKinerja", "each": {
        "uraian": {"from": "tolokUkur"}, "target": {"from": "nilaiTarget", "type": "number"},
        "satuan": {"from": "satuanTarget"}}}
    assert draft.to_dict("en")["unresolved"] == []
    assert "a list of objects (indikatorKinerja), each item mapped with 'each'; 2/2 sample values valid" in text
    assert draft.to_dict("en")["unused_sources"] == ["indikatorKinerja[].idIndikator"]
    assert "# Source fields not used: indikatorKinerja[].idIndikator" in text
    # the draft, as written, maps the records to valid canonical ones, items and Indonesian numbers included
    path = tmp_path / "sub_kegiatan.yaml"
    path.write_text(text, encoding="utf-8")
    mapper = Mapper.from_file(path)
    check = record_validator("perencanaan/sub_kegiatan")
    first = mapper.map(records[0])
    assert first.ok, first.errors
    assert first.document["indikator"] == [
        {"uraian": "Jumlah ibu hamil yang mendapatkan pelayanan", "target": 1200, "satuan": "orang"},
        {"uraian": "Persentase ibu hamil K4", "target": 95.5, "satuan": "%"}]
    for record in records:
        report = check(mapper.map(record).document)
        assert report.valid, [(i.pointer, i.message.en) for i in report.issues]


def test_an_item_field_the_sample_lacks_is_a_todo_inside_each_and_refused_where_it_stands(tmp_path: Path):
    draft, text = draft_of(_with_indicators(drop="satuanTarget"), schema="perencanaan/sub_kegiatan")
    spec = fields_of(text)["indikator"]
    assert spec["from"] == "indikatorKinerja" and spec["each"]["uraian"] == {"from": "tolokUkur"}
    assert spec["each"]["satuan"] == {"todo": "no source field matched"}
    assert draft.to_dict("en")["unresolved"] == ["indikator[].satuan"]
    assert "item fields not matched yet: satuan" in text
    path = tmp_path / "sub_kegiatan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Mapper.from_file(path)
    assert "indikator[].satuan: not mapped yet (no source field matched)" in info.value.messages()["en"]
    # the CLI counts it as unresolved: exit 1, like any draft with a todo
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps(_with_indicators(drop="satuanTarget")), encoding="utf-8")
    out = runner.invoke(app, ["--lang", "en", "mapping", "suggest", "e-planning", "sub-kegiatan", "--schema",
                              "perencanaan/sub_kegiatan", "--sample", str(sample), "--json"])
    assert out.exit_code == 1, out.output[-500:]
    assert json.loads(out.output)["unresolved"] == ["indikator[].satuan"]
