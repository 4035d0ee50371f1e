"""The declarative mapping: every feature, and errors that name the source field and the reason."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from connectors import ConfigError, Mapper


def mapped(fields: dict[str, Any], record: dict[str, Any], **spec: Any) -> dict[str, Any]:
    result = Mapper({"schema": "kepegawaian/pegawai", "fields": fields, **spec}).map(record)
    assert result.ok, [e.message["en"] for e in result.errors]
    return result.document


def errors(fields: dict[str, Any], record: dict[str, Any]) -> list[Any]:
    result = Mapper({"schema": "kepegawaian/pegawai", "fields": fields}).map(record)
    assert result.document is None
    return result.errors


def test_renames_and_the_string_shorthand() -> None:
    assert mapped({"nama": "nama_lengkap", "kode_pemda": {"from": "pemda"}},
                  {"nama_lengkap": "Budi", "pemda": "35.72", "other": 1}) == {"nama": "Budi", "kode_pemda": "35.72"}


def test_nested_source_and_target_paths() -> None:
    doc = mapped({"nip": "pegawai.data.nip_baru", "jabatan.nama": "jab.nama", "jabatan.jenis_jabatan":
                  {"const": "struktural"}, "unit_kerja.kode_opd": "unit.0.kode"},
                 {"pegawai": {"data": {"nip_baru": "1985"}}, "jab": {"nama": "Kasi"}, "unit": [{"kode": "1.01"}]})
    assert doc == {"nip": "1985", "jabatan": {"nama": "Kasi", "jenis_jabatan": "struktural"},
                   "unit_kerja": {"kode_opd": "1.01"}}


def test_the_first_non_empty_of_several_sources() -> None:
    assert mapped({"nip": {"from": ["nip_baru", "nip_lama"]}}, {"nip_baru": " ", "nip_lama": "123"}) == {"nip": "123"}


def test_constants() -> None:
    assert mapped({"kode_pemda": {"const": "35.72"}, "tahun": {"const": 2025}}, {}) == {
        "kode_pemda": "35.72", "tahun": 2025}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [("int", "2025", 2025), ("int", 2025.0, 2025), ("int", "1.500.000", 1500000), ("int", "Rp 2.500.000", 2500000),
     ("number", "12,5", 12.5), ("number", "1.234.567,89", 1234567.89), ("number", "1,500.25", 1500.25),
     ("number", 3, 3), ("bool", "ya", True), ("bool", "Tidak", False), ("bool", 1, True),
     ("string", 19850315, "19850315"), ("string", 12.0, "12")],
)
def test_type_coercion(kind: str, value: Any, expected: Any) -> None:
    assert mapped({"x": {"from": "v", "type": kind}}, {"v": value}) == {"x": expected}


def test_decimal_separator_can_be_forced() -> None:
    assert mapped({"x": {"from": "v", "type": "number", "decimal": "."}}, {"v": "1.500"}) == {"x": 1.5}


@pytest.mark.parametrize(("kind", "value", "key"), [("int", "dua", "mapping.not_number"),
                                                    ("int", "12,5", "mapping.not_int"),
                                                    ("bool", "mungkin", "mapping.not_bool")])
def test_coercion_errors_name_the_source_field(kind: str, value: Any, key: str) -> None:
    (err,) = errors({"tahun_anggaran": {"from": "thn", "type": kind}}, {"thn": value})
    assert (err.target, err.source, err.key) == ("tahun_anggaran", "thn", key)
    assert "thn" in err.message["id"] and "thn" in err.message["en"]


def test_dates_dd_mm_yyyy_to_iso() -> None:
    fields = {"tanggal_lahir": {"from": "tgl", "date": {"from": "%d-%m-%Y"}}}
    assert mapped(fields, {"tgl": "15-03-1985"}) == {"tanggal_lahir": "1985-03-15"}
    assert mapped(fields, {"tgl": "1985-03-15"}) == {"tanggal_lahir": "1985-03-15"}  # ISO is always understood
    assert mapped(fields, {"tgl": date(1985, 3, 15)}) == {"tanggal_lahir": "1985-03-15"}
    assert mapped({"d": {"from": "tgl", "date": ["%d/%m/%Y", "%d %B %Y"]}}, {"tgl": "15/03/1985"}) == {
        "d": "1985-03-15"}
    (err,) = errors(fields, {"tgl": "31-02-1985"})
    assert err.key == "mapping.bad_date" and "%d-%m-%Y" in err.message["en"]


def test_timestamps_get_a_time_zone() -> None:
    fields = {"updated_at": {"from": "ts", "datetime": {"from": "%d/%m/%Y %H:%M", "tz": "WIB"}}}
    assert mapped(fields, {"ts": "01/05/2024 10:30"}) == {"updated_at": "2024-05-01T10:30:00+07:00"}
    assert mapped({"u": {"from": "ts", "datetime": True}}, {"ts": datetime(2024, 5, 1, 10)}) == {
        "u": "2024-05-01T10:00:00+07:00"}
    assert mapped({"u": {"from": "ts", "datetime": True}}, {"ts": "2024-05-01T03:00:00Z"}) == {
        "u": "2024-05-01T03:00:00+00:00"}


def test_code_pattern_restores_the_dots() -> None:
    fields = {"kode_sub_kegiatan": {"from": "kode", "code": "#.##.##.#.##.####"}}
    assert mapped(fields, {"kode": "102022010001"}) == {"kode_sub_kegiatan": "1.02.02.2.01.0001"}
    assert mapped(fields, {"kode": "1.02.02.2.01.0001"}) == {"kode_sub_kegiatan": "1.02.02.2.01.0001"}
    (err,) = errors(fields, {"kode": "10202220010001"})
    assert err.key == "mapping.code_length" and err.params["length"] == 14 and err.params["expected"] == 12


def test_code_zero_padding_case_and_spaces() -> None:
    assert mapped({"k": {"from": "k", "code": {"zfill": 4}}}, {"k": 7}) == {"k": "0007"}
    assert mapped({"k": {"from": "k", "code": {"pattern": "#.##", "zfill": 3}}}, {"k": "12"}) == {"k": "0.12"}
    assert mapped({"k": {"from": "k", "code": {"case": "upper"}}}, {"k": "iii/b"}) == {"k": "III/B"}
    assert mapped({"nip": {"from": "nip", "code": {"remove_spaces": True, "digits_only": True}}},
                  {"nip": "19850315 201001 1 002"}) == {"nip": "198503152010011002"}
    assert mapped({"x": {"from": "x", "case": "lower"}}, {"x": "AKTIF"}) == {"x": "aktif"}


def test_value_maps() -> None:
    fields = {"jenis_kelamin": {"from": "jk", "map": {"Laki-laki": "L", "Perempuan": "P"}}}
    assert mapped(fields, {"jk": "Laki-laki"}) == {"jenis_kelamin": "L"}
    assert mapped(fields, {"jk": " perempuan "}) == {"jenis_kelamin": "P"}  # case and spaces do not matter
    (err,) = errors(fields, {"jk": "X"})
    assert err.key == "mapping.not_in_map" and "Laki-laki" in err.message["en"]
    assert mapped({"s": {"from": "s", "map": {"1": "aktif"}, "map_unknown": "keep"}}, {"s": "cuti"}) == {"s": "cuti"}
    assert mapped({"s": {"from": "s", "map": {1: "aktif"}}}, {"s": 1}) == {"s": "aktif"}


def test_lists_by_splitting() -> None:
    assert mapped({"subjek": {"from": "s", "split": ";"}}, {"s": "pajak; retribusi;;daerah"}) == {
        "subjek": ["pajak", "retribusi", "daerah"]}
    assert mapped({"n": {"from": "s", "split": ",", "type": "int"}}, {"s": "1, 2,3"}) == {"n": [1, 2, 3]}


def test_lists_of_objects_with_each() -> None:
    fields = {"indikator": {"from": "ind", "each": {"uraian": "nama", "target": {"from": "nilai", "type": "number"},
                                                    "satuan": "sat"}}}
    record = {"ind": [{"nama": "Cakupan", "nilai": "95,5", "sat": "%"}, {"nama": "Jumlah", "nilai": "12", "sat": "x"}]}
    assert mapped(fields, record) == {"indikator": [{"uraian": "Cakupan", "target": 95.5, "satuan": "%"},
                                                    {"uraian": "Jumlah", "target": 12, "satuan": "x"}]}
    (err,) = errors(fields, {"ind": [{"nama": "A", "nilai": "banyak", "sat": "%"}]})
    assert err.target == "indikator[0].target" and err.source == "ind[0].nilai"


def test_defaults_required_and_drop_if_empty() -> None:
    assert mapped({"status": {"from": "st", "default": "aktif"}}, {"st": ""}) == {"status": "aktif"}
    assert mapped({"gelar": "g"}, {"g": None}) == {}
    assert mapped({"gelar": {"from": "g", "drop_if_empty": False}}, {}) == {"gelar": None}
    assert mapped({"gelar": "g"}, {}, drop_empty=False) == {"gelar": None}
    (err,) = errors({"nama": {"from": "nm", "required": True}}, {"nm": "  "})
    assert (err.key, err.source) == ("mapping.missing", "nm")


def test_every_problem_of_a_record_is_reported() -> None:
    errs = errors({"a": {"from": "a", "type": "int"}, "b": {"from": "b", "required": True},
                   "c": {"from": "c", "date": "%d-%m-%Y"}}, {"a": "x", "c": "kemarin"})
    assert [e.target for e in errs] == ["a", "b", "c"]


def test_personal_data_is_masked_in_messages() -> None:
    (err,) = errors({"nik": {"from": "nik", "type": "bool"}}, {"nik": "3572011503850001"})
    assert "3572011503850001" not in err.message["id"]


def test_a_bad_mapping_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        Mapper({"schema": "kepegawaian/pegawai", "fields": {
            "a": {"from": "x", "type": "money"}, "b": {"frm": "y"}, "c": {}}})
    fields = " ".join(e.field for e in info.value.errors)
    assert "fields.a" in fields and "fields.b" in fields and "fields.c" in fields
    assert len(info.value.errors) >= 3


def test_mapping_files(tmp_path) -> None:
    path = tmp_path / "pegawai.yaml"
    path.write_text("schema: kepegawaian/pegawai\nresource: pegawai\nfields:\n  nama: nm\n"
                    "  jabatan.nama: {from: j.n}\n", encoding="utf-8")
    mapper = Mapper.from_file(path)
    assert mapper.schema_key == "kepegawaian/pegawai"
    assert mapper.source_fields() == ["nm", "j.n"]
    assert mapper.map({"nm": "A", "j": {"n": "B"}}).document == {"nama": "A", "jabatan": {"nama": "B"}}
    with pytest.raises(ConfigError):
        Mapper.from_file(tmp_path / "missing.yaml")
