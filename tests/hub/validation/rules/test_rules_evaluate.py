"""evaluate(): what a vendor sees for realistic documents, context from the registry, robustness."""

from __future__ import annotations

import pytest

from hub.validation.rules import RuleContext, Violation, evaluate
from hub.validation.rules.checks import CHECKS, ikm_grade
from hub.validation.rules.model import RuleContext as ModelContext

PEGAWAI = {
    "nip": "198503152010012014", "jenis_asn": "PNS", "nama": "Dewi Rahmawati", "tanggal_lahir": "1985-03-15",
    "jenis_kelamin": "P", "nik": "3572035503850002", "golongan_ruang": "III/c", "kode_pemda": "35.72",
}


def ids(violations: list[Violation]) -> list[str]:
    return [v.rule_id for v in violations]


def test_consistent_pegawai_has_no_violation():
    assert evaluate("kepegawaian/pegawai", PEGAWAI) == []


def test_spaced_nip_is_read_like_the_joined_one():
    assert evaluate("kepegawaian/pegawai", {**PEGAWAI, "nip": "19850315 201001 2 014"}) == []


def test_pppk_nip_in_a_pns_record_names_the_form_and_masks_the_nip():
    found = evaluate("kepegawaian/pegawai", {**PEGAWAI, "nip": "198503152023212014"})
    assert ids(found) == ["PEG-003"]
    violation = found[0]
    assert violation.pointer == "/nip" and violation.severity == "error"
    assert "PPPK" in violation.message["en"] and "PPPK" in violation.message["id"]
    assert "198503152023212014" not in str(violation.value)


def test_nik_of_a_woman_without_plus_40_is_flagged_and_masked():
    found = evaluate("kepegawaian/pegawai", {**PEGAWAI, "nik": "3572031503850002"})
    assert ids(found) == ["PEG-006"]
    assert found[0].severity == "error"  # since schema 1.1 (ADR 0008)
    assert [v.severity for v in evaluate("kepegawaian/pegawai:1", {**PEGAWAI, "nik": "3572031503850002"})] == [
        "warning"]
    assert "3572031503850002" not in str(found[0].value) + found[0].message["id"] + found[0].message["en"]


def test_nik_year_is_compared_on_two_digits():
    assert evaluate("kepegawaian/pegawai", {**PEGAWAI, "tanggal_lahir": "1985-03-15"}) == []
    found = evaluate("kepegawaian/pegawai", {**PEGAWAI, "nik": "3572035503860002"})
    assert ids(found) == ["PEG-005"]


def test_level_comes_from_the_context_when_given():
    sub = {"kode_pemda": "35.72", "kode_sub_kegiatan": "1.02.02.2.01.0001", "kode_kegiatan": "1.02.02.2.01",
           "kode_program": "1.02.02"}
    assert evaluate("perencanaan/sub_kegiatan", sub) == []
    found = evaluate("perencanaan/sub_kegiatan", sub, RuleContext(pemda_level="provinsi"))
    assert ids(found) == ["REN-003"]
    assert "provinsi" in found[0].message["id"] and "province" in found[0].message["en"]
    no_pemda = {k: v for k, v in sub.items() if k != "kode_pemda"}
    assert ids(evaluate("perencanaan/sub_kegiatan", no_pemda, RuleContext(pemda_level="kota"))) == []
    assert ids(evaluate("perencanaan/sub_kegiatan", no_pemda, RuleContext(pemda_level="provinsi"))) == ["REN-003"]


def test_budget_line_message_explains_both_numbers():
    line = {"kode_rekening": "5.1.02.01.01.0024", "volume": 40, "harga_satuan": 58000, "total": 2230000}
    (violation,) = evaluate("penganggaran/rincian_belanja", line)
    assert violation.rule_id == "ANG-001"
    assert "Rp2.230.000" in violation.message["id"] and "Rp2.320.000" in violation.message["id"]
    assert "40 × Rp58,000" in violation.message["en"] and "Rp2,320,000" in violation.message["en"]


@pytest.mark.parametrize(("ikm", "grade"), [
    ("100", ("A", "Sangat Baik")), ("88.31", ("A", "Sangat Baik")), ("88.305", ("A", "Sangat Baik")),
    ("88.30", ("B", "Baik")), ("76.61", ("B", "Baik")), ("76.60", ("C", "Kurang Baik")),
    ("65.00", ("C", "Kurang Baik")), ("64.99", ("D", "Tidak Baik")), ("25", ("D", "Tidak Baik")),
])
def test_ikm_grading_follows_permenpanrb_14_2017(ikm: str, grade: tuple[str, str]):
    from decimal import Decimal

    assert ikm_grade(Decimal(ikm)) == grade


def test_ikm_from_the_reference_example():
    nrr = {f"u{i}": 3.659 for i in range(1, 10)}
    doc = {"nrr": nrr, "ikm": 91.48, "mutu": "A", "kinerja": "Sangat Baik"}
    assert evaluate("pelayanan_publik/skm", doc) == []
    assert ids(evaluate("pelayanan_publik/skm", {**doc, "ikm": 91.40})) == ["PLY-001"]


def test_anonymous_report_lists_each_identity_field():
    doc = {"anonim": True, "pelapor": {"nama": "Siti Aminah", "email": "siti@contoh.id", "nik": None}}
    found = evaluate("pelayanan_publik/pengaduan", doc)
    assert [v.pointer for v in found] == ["/pelapor/nama", "/pelapor/email"]
    assert [v.value for v in found] == ["Si*******ah", "s***@contoh.id"]


@pytest.mark.parametrize("document", [
    None, [], "teks", 42, {},
    {"nip": 198503152010012014, "tanggal_lahir": 19850315, "jenis_kelamin": ["P"], "nik": {"x": 1},
     "jenis_asn": ["PNS"], "golongan_ruang": None},
    {"kode_sub_kegiatan": ["1.02"], "kode_kegiatan": 1.02, "kode_program": {}, "kode_pemda": 35,
     "lokasi": "35.72", "kode_bidang_urusan": True},
    {"lokasi": [None, 1, {"kode_wilayah": 3572}], "kode_pemda": "35.72"},
    {"volume": "40", "harga_satuan": None, "total": True, "kode_rekening": 5},
    {"volume": float("nan"), "harga_satuan": float("inf"), "total": 1},
    {"tanggal_penetapan": "18-03-2024", "tanggal_pengundangan": 2024, "tahun": True, "relasi": [None, "x"],
     "status": "Berlaku", "jenis": ["Perwal"]},
    {"nrr": {"u1": "3.5"}, "ikm": "91", "mutu": 1, "kinerja": None},
    {"nrr": [3.5] * 9, "ikm": 1e308},
    {"tanggal_permohonan": "2025-03-10T08:42:11", "tanggal_selesai": "kemarin", "batas_waktu": 5,
     "status": ["selesai"]},
    {"anonim": "ya", "pelapor": ["Siti"]},
    {"anonim": True, "pelapor": "Siti"},
    {"biaya": "gratis"}, {"biaya": {"gratis": "false", "tarif": "85000"}},
])
def test_no_check_crashes_on_missing_or_wrongly_typed_fields(document):
    context = RuleContext()
    for check in CHECKS.values():
        if isinstance(document, dict):
            check(document, context)  # a crash here is a bug in that check
    for key in ("kepegawaian/pegawai", "perencanaan/sub_kegiatan", "penganggaran/rincian_belanja",
                "legislasi/produk_hukum", "pelayanan_publik/skm", "pelayanan_publik/permohonan",
                "pelayanan_publik/pengaduan", "pelayanan_publik/layanan"):
        evaluate(key, document, context)


def test_public_types_are_the_documented_ones():
    assert RuleContext is ModelContext
    assert RuleContext().pemda_level is None
    with pytest.raises(AttributeError):
        RuleContext().pemda_level = "kota"  # type: ignore[misc]


FIELDS = ["nip", "nik", "tanggal_lahir", "jenis_kelamin", "jenis_asn", "golongan_ruang", "golongan_pppk",
          "kode_pemda", "kode_program", "kode_kegiatan", "kode_sub_kegiatan", "kode_bidang_urusan", "lokasi",
          "volume", "harga_satuan", "total", "kode_rekening", "tanggal_penetapan", "tanggal_pengundangan", "tahun",
          "status", "relasi", "jenis", "nrr", "ikm", "mutu", "kinerja", "tanggal_permohonan", "tanggal_selesai",
          "batas_waktu", "anonim", "pelapor", "biaya", "kode_wilayah", "gratis", "tarif", "u1"]


def _json_values():
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                        st.sampled_from(["", "P", "PNS", "selesai", "Berlaku", "dicabut", "35.72", "1.02.02.2.01",
                                         "5.1.02.01.01.0024", "2025-03-10T08:42:11+07:00", "2024-02-30",
                                         "198503152010012014", "3572035503850002"]),
                        st.text(max_size=20))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5)), max_leaves=12)


def test_checks_never_crash_on_generated_documents():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(st.sampled_from(FIELDS), _json_values(), max_size=10))
    def run(document):
        for check in CHECKS.values():
            check(document, RuleContext(pemda_level="kota"))

    run()


def test_rule_code_shapes_equal_the_schema_patterns():
    import json
    from pathlib import Path

    from hub.validation.rules.values import CODE_PATTERNS

    root = Path(__file__).resolve().parents[4]
    defs = json.loads((root / "schemas/common/definitions/1.1.json").read_text(encoding="utf-8"))["$defs"]
    assert {kind: defs[kind]["pattern"] for kind in CODE_PATTERNS} == CODE_PATTERNS
