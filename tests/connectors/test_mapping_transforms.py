"""The mapping features real feeds needed: substr, join, url_base/prefix, several separators, expressions
(simpleeval), code-conversion tables, and drafts with todo fields refused with the file's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import ConfigError, Mapper

NIP = "198503152010012001"  # born 1985-03-15, CPNS 2010-01, position 15 = 2 (perempuan), sequence 001


def mapped(fields: dict, record: dict) -> dict:
    result = Mapper({"schema": "kepegawaian/pegawai", "fields": fields}).map(record)
    assert result.ok, [e.message["en"] for e in result.errors]
    return result.document


def errors(fields: dict, record: dict) -> list[str]:
    result = Mapper({"schema": "kepegawaian/pegawai", "fields": fields}).map(record)
    assert not result.ok and result.document is None
    return [e.message["en"] for e in result.errors]


def refused(fields: dict | str, tmp_path: Path | None = None) -> str:
    if isinstance(fields, str):
        path = tmp_path / "pegawai.yaml"
        path.write_text(fields, encoding="utf-8")
        with pytest.raises(ConfigError) as info:
            Mapper.from_file(path)
    else:
        with pytest.raises(ConfigError) as info:
            Mapper({"schema": "kepegawaian/pegawai", "fields": fields})
    return info.value.messages()["en"]


def test_birth_date_and_sex_come_out_of_the_nip_positions():
    doc = mapped({"tanggal_lahir": {"from": "nip", "substr": "1-8", "date": "%Y%m%d"},
                  "jenis_kelamin": {"from": "nip", "substr": 15, "map": {"1": "L", "2": "P"}},
                  "tmt_cpns": {"from": "nip", "substr": {"start": 9, "length": 6}}}, {"nip": NIP})
    assert doc == {"tanggal_lahir": "1985-03-15", "jenis_kelamin": "P", "tmt_cpns": "201001"}
    assert mapped({"jk": {"from": "nip", "substr": [15, 15], "map": {"1": "L", "2": "P"}}},
                  {"nip": "199001012015031002"}) == {"jk": "L"}


def test_a_short_value_names_the_positions_it_lacks():
    [message] = errors({"tanggal_lahir": {"from": "nip", "substr": "1-8"}}, {"nip": "1985"})
    assert "tanggal_lahir" in message and "only 4 characters" in message and "1–8" in message


def test_relative_links_are_made_absolute_and_absolute_ones_kept():
    fields = {"url_file": {"from": "urlDownload", "url_base": "https://jdih.kota.example/"}}
    assert mapped(fields, {"urlDownload": "/storage/perda-3-2024.pdf"}) == {
        "url_file": "https://jdih.kota.example/storage/perda-3-2024.pdf"}
    assert mapped(fields, {"urlDownload": "https://cdn.kota.example/a.pdf"}) == {
        "url_file": "https://cdn.kota.example/a.pdf"}
    assert mapped({"kode_opd": {"from": "kode", "prefix": "1.02.", "suffix": ".0000"}}, {"kode": "0.00.01.01"}) == {
        "kode_opd": "1.02.0.00.01.01.0000"}


def test_join_concatenates_every_non_empty_source():
    fields = {"nama": {"from": ["gelar_depan", "nama", "gelar_belakang"], "join": " "}}
    assert mapped(fields, {"gelar_depan": "dr.", "nama": "Siti", "gelar_belakang": ""}) == {"nama": "dr. Siti"}
    assert "needs 'from'" in refused({"nama": {"const": "x", "join": " "}})


def test_several_split_separators():
    doc = mapped({"subjek": {"from": "tag", "split": [";", ",", " | "]}}, {"tag": "pajak; retribusi,parkir | pasar"})
    assert doc == {"subjek": ["pajak", "retribusi", "parkir", "pasar"]}


def test_arithmetic_on_numbers_after_indonesian_number_parsing():
    doc = mapped({"pagu": {"from": "pagu_ribuan", "type": "number", "expr": "value * 1000"},
                  "total": {"expr": "number(belanja_pegawai) + number(belanja_barang)"},
                  "persen": {"from": "realisasi", "type": "number", "expr": "round(value / field('pagu') * 100, 1)"}},
                 {"pagu_ribuan": "1.500", "belanja_pegawai": "Rp 2.000.000", "belanja_barang": "500.000,50",
                  "realisasi": 750, "pagu": 1000})
    assert doc == {"pagu": 1_500_000, "total": 2_500_000.5, "persen": 75.0}


def test_expression_failures_name_the_field_and_what_is_missing():
    [message] = errors({"total": {"expr": "a + b"}}, {"a": 1})
    assert "total" in message and "'b'" in message and "field('b')" in message
    [message] = errors({"rasio": {"from": "a", "expr": "value / 0"}}, {"a": 3})
    assert "rasio" in message and "division by zero" in message


def test_bad_expressions_are_refused_at_load_with_the_line(tmp_path: Path):
    text = ("schema: kepegawaian/pegawai\nfields:\n  nip: nipBaru\n"
            "  pagu: {from: pagu, expr: \"value *\"}\n"
            "  total: {expr: \"__import__('os').system('x')\"}\n"
            "  nama: {expr: \"nama.__class__\"}\n")
    message = refused(text, tmp_path)
    assert "pegawai.yaml:4 fields.pagu" in message and "syntax error" in message
    assert "pegawai.yaml:5 fields.total" in message and "unknown function __import__()" in message
    assert "pegawai.yaml:6 fields.nama" in message and "__class__" in message


def test_legacy_sub_kegiatan_codes_convert_through_the_bundled_table():
    fields = {"kode_sub_kegiatan": {"from": "kode", "convert": "sub_kegiatan_2digit"}}
    assert mapped(fields, {"kode": "1.02.01.2.01.01"}) == {"kode_sub_kegiatan": "1.02.01.2.01.0001"}
    assert mapped(fields, {"kode": "1.02.01.2.01.0001"}) == {"kode_sub_kegiatan": "1.02.01.2.01.0001"}  # current
    [message] = errors(fields, {"kode": "1.02.01.2.99.07"})
    assert "not in conversion table sub_kegiatan_2digit" in message
    keep = {"kode_sub_kegiatan": {"from": "kode", "convert": {"table": "sub_kegiatan_2digit", "unknown": "keep"}}}
    assert mapped(keep, {"kode": "9.99"}) == {"kode_sub_kegiatan": "9.99"}


def test_a_conversion_table_of_ones_own_next_to_the_mapping(tmp_path: Path):
    (tmp_path / "kode_lama.yaml").write_text("values:\n  - {from: '01', to: '2.16.01'}\n", encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text("schema: x/y\nfields:\n  kode: {from: k, convert: kode_lama.yaml}\n", encoding="utf-8")
    assert Mapper.from_file(path).map({"k": "01"}).document == {"kode": "2.16.01"}
    (tmp_path / "dua_arah.yaml").write_text("values:\n  - {from: a, to: b}\n  - {from: a, to: c}\n", encoding="utf-8")
    path.write_text("schema: x/y\nfields:\n  kode: {from: k, convert: dua_arah.yaml}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Mapper.from_file(path)
    assert "'a' converts two ways" in info.value.messages()["en"]
    assert "no conversion table 'nope'" in refused({"kode": {"from": "k", "convert": "nope"}})


def test_a_draft_with_todo_fields_is_refused_naming_each_with_its_line(tmp_path: Path):
    text = ("schema: kepegawaian/pegawai\nresource: pegawai\nfields:\n  nip: {from: nipBaru}\n"
            "  jenis_asn: {todo: no source field matched}\n  nama: namaLengkap\n"
            "  kode_pemda: {from: kd, todo: only 0 of 4 sample values become valid}\n")
    message = refused(text, tmp_path)
    assert "2 problem(s)" in message
    assert "pegawai.yaml:5 fields.jenis_asn: not mapped yet (no source field matched)" in message
    assert "pegawai.yaml:7 fields.kode_pemda" in message and "remove 'todo'" in message
    resolved = text.replace("{todo: no source field matched}", "{const: PNS}").replace(
        ", todo: only 0 of 4 sample values become valid", "")
    (tmp_path / "pegawai.yaml").write_text(resolved, encoding="utf-8")
    assert Mapper.from_file(tmp_path / "pegawai.yaml").map({"nipBaru": NIP, "namaLengkap": "Siti", "kd": "35.72"}
                                                           ).document["jenis_asn"] == "PNS"


def test_steps_run_in_the_documented_order():
    # trim → substr → map → ... → type → expr → prefix: the substring is taken before the map, the prefix last
    doc = mapped({"x": {"from": "v", "substr": "2-3", "map": {"12": "34"}, "type": "int", "expr": "value + 1",
                        "prefix": "n="}}, {"v": " 9123 "})
    assert doc == {"x": "n=35"}


def test_an_inline_mapping_of_a_spec_file_finds_its_table_next_to_the_spec(tmp_path: Path):
    from hub.services import connections

    (tmp_path / "kode_opd_lama.yaml").write_text("values:\n  - {from: DINKES, to: '1.02.0.00.0.00.01.0000'}\n",
                                                  encoding="utf-8")
    (tmp_path / "simpeg.yaml").write_text(
        "app: simpeg\nconnector: {type: spreadsheet, config: {folder: .}}\nresources:\n"
        "  pegawai:\n    file: pegawai.csv\n"
        "    mapping: {schema: kepegawaian/pegawai,\n"
        "              fields: {unit_kerja.kode_opd: {from: opd, convert: kode_opd_lama.yaml}}}\n",
        encoding="utf-8")
    spec = connections.load_spec(tmp_path / "simpeg.yaml")
    mapper = connections.mapper_for(spec, "pegawai")
    assert mapper.map({"opd": "dinkes"}).errors[0].key == "mapping.not_in_table"  # exact codes only
    assert mapper.map({"opd": "DINKES"}).document == {"unit_kerja": {"kode_opd": "1.02.0.00.0.00.01.0000"}}
