"""Plain-language messages per keyword, in Bahasa Indonesia and English, with masking of personal data."""

from __future__ import annotations

import pytest

from hub.validation.report import Issue
from hub.validation.store import SchemaStore
from hub.validation.validator import validate_document
from tests.hub.validation.validation_testkit import VALID, write_schemas


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


def issues(store, **changes) -> list[Issue]:
    document = {**VALID, **changes}
    for key, value in changes.items():
        if value is ...:
            document.pop(key)
    report = validate_document("uji/pegawai", document, store=store, rules=False)
    return report.documents[0].issues


def one(store, **changes) -> Issue:
    found = issues(store, **changes)
    assert len(found) == 1, [(i.rule, i.pointer, i.message.en) for i in found]
    return found[0]


def test_required_names_the_missing_field_in_both_languages(store):
    issue = one(store, nama=...)
    assert issue.rule == "schema:required"
    assert issue.pointer == "/nama"
    assert issue.message.id == "Isian wajib 'nama' (Nama lengkap) tidak ada."
    assert issue.message.en == "Required field 'nama' (Full name) is missing."


def test_required_inside_an_object_names_the_parent(store):
    issue = one(store, jabatan={"jenis_jabatan": "struktural"})
    assert issue.pointer == "/jabatan/nama"
    assert "tidak ada di 'jabatan'" in issue.message.id
    assert "missing in 'jabatan'" in issue.message.en


def test_type_says_what_is_expected_and_how_to_write_a_rupiah_amount(store):
    issue = one(store, gaji="Rp 1.500.000")
    assert issue.rule == "schema:type"
    assert "harus berupa bilangan bulat, bukan teks '\"Rp 1.500.000\"'" in issue.message.id
    assert "1500000" in issue.message.id
    assert "must be a whole number, not text" in issue.message.en


def test_type_number_in_a_list_uses_a_readable_path(store):
    issue = one(store, indikator=[{"uraian": "a", "target": "10"}])
    assert issue.pointer == "/indikator/0/target"
    assert issue.message.id.startswith("Isian 'indikator[0].target' harus berupa angka, bukan teks '\"10\"'")
    assert "tanpa tanda kutip: 10" in issue.message.id


def test_date_format_explains_and_suggests_the_iso_date(store):
    issue = one(store, tanggal_lahir="17-08-1985")
    assert issue.rule == "schema:format"
    assert "harus tanggal dengan format YYYY-MM-DD" in issue.message.id
    assert "bukan '17-08-1985'" in issue.message.id
    assert "'1985-08-17'" in issue.message.id
    assert "Did you mean '1985-08-17'?" in issue.message.en


def test_impossible_date_is_called_so(store):
    assert "tidak ada di kalender" in one(store, tanggal_lahir="1985-02-30").message.id


def test_pattern_uses_the_schema_description_and_example(store):
    issue = one(store, kode_pemda="3572")
    assert issue.rule == "schema:pattern"
    assert "Kode wilayah Kemendagri bertitik" in issue.message.id
    assert "Dotted region code" in issue.message.en
    assert "Contoh yang benar: 35.72" in issue.message.id


def test_pattern_hints_at_removing_spaces(store):
    issue = one(store, nip="19850101 201001 1 001")
    assert "Hapus spasi" in issue.message.id


def test_enum_lists_allowed_values_and_catches_case_mistakes(store):
    issue = one(store, jenis_asn="pns")
    assert issue.message.id == ("Isian 'jenis_asn' harus salah satu dari: PNS atau PPPK; bukan 'pns'. "
                                "Mungkin maksud Anda 'PNS'?")
    assert "must be one of: PNS or PPPK" in issue.message.en


def test_unknown_field_suggests_the_closest_known_field(store):
    issue = one(store, namaa="Budi")
    assert issue.rule == "schema:additionalProperties"
    assert issue.pointer == "/namaa"
    assert "Isian 'namaa' tidak dikenal" in issue.message.id
    assert "Mungkin maksud Anda 'nama'?" in issue.message.id


def test_one_of_reports_the_most_useful_underlying_error_not_a_wall(store):
    found = issues(store, golongan="V/a", tmt="2020-01-01")
    assert [i.rule for i in found] == ["schema:pattern"]
    assert found[0].pointer == "/golongan"


def test_if_then_reports_the_then_error(store):
    issue = one(store, jenis_asn="PPPK", nip="198501011010011001")
    assert issue.rule == "schema:pattern" and issue.pointer == "/nip"


@pytest.mark.parametrize(("changes", "rule", "id_text", "en_text"), [
    ({"nama": ""}, "schema:minLength", "terlalu pendek: paling sedikit 1 karakter", "too short"),
    ({"nama": "x" * 61}, "schema:maxLength", "paling banyak 60 karakter", "at most 60"),
    ({"gaji": -5}, "schema:minimum", "paling kecil 0, bukan -5", "at least 0"),
    ({"indikator": []}, "schema:minItems", "paling sedikit 1 butir", "at least 1 item"),
    ({"tags": ["a", "a"]}, "schema:uniqueItems", "lebih dari sekali", "more than once"),
    ({"indikator": [{"uraian": "a", "target": 1, "bobot": 0.333}]}, "schema:multipleOf", "kelipatan 0.01",
     "multiple of"),
    ({"golongan": None, "tmt": ...}, "schema:dependentRequired", "Karena 'golongan' diisi", "Because"),
    ({"aktif": "true"}, "schema:type", "tanpa tanda kutip", "without quotes"),
    ({"url": "jdih.go.id/perda"}, "schema:format", "https://jdih.go.id/perda", "full URL"),
    ({"updated_at": "2024-08-17 09:30:00"}, "schema:format", "2024-08-17T09:30:00+07:00", "RFC 3339"),
    ({"x_kode": 5}, "schema:type", "harus berupa teks", "must be text"),
])
def test_keyword_messages(store, changes, rule, id_text, en_text):
    issue = one(store, **changes)
    assert issue.rule == rule
    assert id_text in issue.message.id
    assert en_text in issue.message.en


def test_personal_data_is_masked_in_value_and_message(store):
    nik = "3572014101850001"
    issue = one(store, nik=nik + "9")
    assert nik not in str(issue.value)
    assert issue.value == "35" + "*" * 13 + "19"
    assert nik not in issue.message.id and nik not in issue.message.en
    email = one(store, email="budi.santoso@")
    assert "budi.santoso" not in email.message.id
    assert email.value == "b***@"


def test_a_nik_typed_into_a_free_text_field_is_masked_too(store):
    issue = one(store, nama="Budi Santoso, NIK 3572014101850001, " + "x" * 40)
    assert issue.rule == "schema:maxLength"
    assert "3572014101850001" not in str(issue.value)
    assert "357201******0001" in str(issue.value)
