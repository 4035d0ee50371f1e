"""Schemas 1.1 (issue 13): every point of "Why", as a vendor sees it, and version 1 keeping its contract."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from hub.settings import PROJECT_ROOT
from hub.validation.rules import codelists, rules_for
from hub.validation.store import SchemaStore
from hub.validation.validator import validate_documents

STORE = SchemaStore(PROJECT_ROOT / "schemas")
SCHEMAS = PROJECT_ROOT / "schemas"


def example(key: str, name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / key / "examples" / "valid" / name).read_text(encoding="utf-8"))


def found(key: str, document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(rule, pointer, severity) of every issue reported for ``document`` against schema ``key``."""
    report = validate_documents(key, [document], store=STORE)
    return {(i.rule, i.pointer, i.severity) for i in report.documents[0].issues}


def errors(key: str, document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(rule, pointer) for rule, pointer, severity in found(key, document) if severity == "error"}


PEGAWAI = example("kepegawaian/pegawai", "jatim_pns_struktural.json")
PPPK = example("kepegawaian/pegawai", "banyuwangi_pppk_guru.json")
PERMOHONAN = example("pelayanan_publik/permohonan", "kota_blitar_sip_selesai.json")
PENGADUAN = example("pelayanan_publik/pengaduan", "kota_blitar_jalan_berlubang.json")


def with_(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(document)
    out.update(changes)
    return out


def test_both_versions_are_published_and_the_key_alone_means_1_1():
    for entry in STORE.entries():
        if entry.domain == "common":
            continue
        assert STORE.get(f"{entry.key}:1").version == "1"
        assert entry.version == "1.1", entry.key
        assert entry.schema["$id"] == f"urn:simpul:schema:{entry.key}:1.1"


def test_version_1_files_are_unchanged_by_1_1():
    """1 stays byte-for-byte what vendors built against: its hash is the one published before 1.1."""
    pegawai_1 = STORE.get("kepegawaian/pegawai:1")
    assert "V.a" not in pegawai_1.schema["properties"]["jabatan"]["properties"]["eselon"]["enum"]
    assert "definitions:1#" in json.dumps(pegawai_1.schema) and "definitions:1.1#" not in json.dumps(pegawai_1.schema)


# --- NIK, wherever a NIK appears ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "document", "at"), [
    ("kepegawaian/pegawai", PEGAWAI, ""),
    ("pelayanan_publik/permohonan", PERMOHONAN, "/pemohon"),
    ("pelayanan_publik/pengaduan", PENGADUAN, "/pelapor"),
])
@pytest.mark.parametrize("nik", ["3572037208850002", "3572030003850002", "3572033503850002", "3572034003850002",
                                 "3572037903850002", "3572031513850002"])
def test_a_nik_with_an_impossible_day_or_month_is_rejected_everywhere(key, document, at, nik):
    doc = copy.deepcopy(document)
    if at:
        doc[at[1:]] = {**doc.get(at[1:], {}), "nik": nik}
    else:
        doc["nik"] = nik
    assert ("schema:pattern", f"{at}/nik") in errors(key, doc)


@pytest.mark.parametrize(("key", "document", "at"), [
    ("pelayanan_publik/permohonan", PERMOHONAN, "pemohon"),
    ("pelayanan_publik/pengaduan", PENGADUAN, "pelapor"),
])
def test_nik_date_rule_runs_on_pemohon_and_pelapor_from_1_1(key, document, at):
    doc = copy.deepcopy(document)
    doc[at] = {**doc.get(at, {}), "nik": "3572037102850002"}  # day 71 − 40 = 31 February
    assert ("PEG-007", f"/{at}/nik") in errors(key, doc)
    assert ("PEG-007", f"/{at}/nik") not in errors(f"{key}:1", doc)  # 1 keeps its rules


def test_nik_day_boundaries_41_and_71_are_accepted():
    for nik, born, sex in (("3578014104720005", "1972-04-01", "P"), ("3578017101720005", "1972-01-31", "P"),
                           ("3578010101720005", "1972-01-01", "L"), ("3578013101720005", "1972-01-31", "L")):
        doc = with_(PEGAWAI, nik=nik, tanggal_lahir=born, jenis_kelamin=sex)
        doc["nip"] = born.replace("-", "") + PEGAWAI["nip"][8:14] + ("2" if sex == "P" else "1") + "003"
        assert not any(p == "/nik" for _, p in errors("kepegawaian/pegawai", doc)), nik


def test_nik_disagreeing_with_sex_or_birth_date_is_an_error_in_1_1_and_a_warning_in_1():
    wrong_sex = with_(PEGAWAI, nik="3578015204720005")
    wrong_date = with_(PEGAWAI, nik="3578011204730005")
    assert ("PEG-006", "/nik", "error") in found("kepegawaian/pegawai", wrong_sex)
    assert ("PEG-005", "/nik", "error") in found("kepegawaian/pegawai", wrong_date)
    assert ("PEG-006", "/nik", "warning") in found("kepegawaian/pegawai:1", wrong_sex)
    assert ("PEG-005", "/nik", "warning") in found("kepegawaian/pegawai:1", wrong_date)


# --- NIP TMT ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("document", "nip", "rule"), [
    (PEGAWAI, "197204122099031003", "PEG-009"),   # TMT CPNS March 2099
    (PPPK, "199607222097211005", "PEG-009"),      # PPPK TMT year 2097
    (PEGAWAI, "197204121972051003", "PEG-010"),   # CPNS at age 0
    (PEGAWAI, "197204121990031003", "PEG-010"),   # 17 years 11 months
])
def test_nip_start_date_in_the_future_or_before_18_is_an_error(document, nip, rule):
    born = f"{nip[:4]}-{nip[4:6]}-{nip[6:8]}"
    doc = with_(document, nip=nip, tanggal_lahir=born)
    assert (rule, "/nip") in errors("kepegawaian/pegawai", doc)
    assert (rule, "/nip") not in errors("kepegawaian/pegawai:1", doc)


@pytest.mark.parametrize(("nip", "flagged"), [
    ("199607222016211005", False),   # TMT year 2016, born July 1996: 20 by 31 December 2016
    ("199607222015211005", True),    # 19 at the end of 2015: a PNS could start at 19, a PPPK not
    ("199607222014211005", True),    # 18: PEG-010 also for a PPPK who would be old enough as a PNS
])
def test_pppk_minimum_age_at_start_is_20(nip, flagged):
    doc = with_(PPPK, nip=nip, tanggal_lahir="1996-07-22")
    assert (("PEG-010", "/nip") in errors("kepegawaian/pegawai", doc)) is flagged


def test_pppk_age_message_names_the_pppk_minimum():
    doc = with_(PPPK, nip="199607222015211005", tanggal_lahir="1996-07-22")
    report = validate_documents("kepegawaian/pegawai", [doc], store=STORE)
    [issue] = [i for d in report.documents for i in d.issues if i.rule == "PEG-010"]
    assert "19 tahun" in issue.message.id and "20 tahun" in issue.message.id
    assert "only 19" in issue.message.en and "is 20" in issue.message.en


def test_nip_start_date_exactly_at_18_passes():
    doc = with_(PEGAWAI, nip="197204011990041003", tanggal_lahir="1972-04-01")  # TMT 1 April 1990: 18 that day
    assert not any(rule in ("PEG-009", "PEG-010") for rule, _ in errors("kepegawaian/pegawai", doc))
    younger = with_(PEGAWAI, nip="197204121990041003", tanggal_lahir="1972-04-12")  # 18 only on the 12th
    assert ("PEG-010", "/nip") in errors("kepegawaian/pegawai", younger)


# --- spaced NIP: one answer ------------------------------------------------------------------------------------------
def test_spaced_nip_gets_one_answer_from_schema_and_rules():
    doc = with_(PEGAWAI, nip="19720412 199803 1 003", tanggal_lahir="1972-04-13")
    report = validate_documents("kepegawaian/pegawai", [doc], store=STORE)
    issues = report.documents[0].issues
    assert [(i.rule, i.pointer) for i in issues if i.pointer == "/nip"] == [("schema:pattern", "/nip")]


# --- jabatan, status ------------------------------------------------------------------------------------------------
def test_pppk_cannot_be_cpns():
    assert ("PEG-012", "/status_kepegawaian") in errors("kepegawaian/pegawai", with_(PPPK, status_kepegawaian="cpns"))
    assert not errors("kepegawaian/pegawai", with_(PEGAWAI, status_kepegawaian="cpns"))


def test_no_echelon_on_a_functional_position():
    doc = with_(PEGAWAI, jabatan={"nama": "Perencana Ahli Madya", "jenis_jabatan": "fungsional_tertentu",
                                  "eselon": "III.a"})
    assert ("PEG-011", "/jabatan/eselon") in errors("kepegawaian/pegawai", doc)
    doc["jabatan"]["eselon"] = "non_eselon"
    assert not errors("kepegawaian/pegawai", doc)


def test_echelon_v_a_is_accepted_from_1_1_and_listed_in_the_code_list():
    doc = with_(PEGAWAI, jabatan={"nama": "Kepala Sub Bagian Tata Usaha", "jenis_jabatan": "struktural",
                                  "eselon": "V.a"})
    assert not errors("kepegawaian/pegawai", doc)
    assert ("schema:enum", "/jabatan/eselon") in errors("kepegawaian/pegawai:1", doc)
    assert codelists()["eselon"].get("V.a")["bkn_id"] == "51"


# --- kode_pemda -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["00", "10", "97", "99", "35.80", "35.85", "35.99", "35.70", "35.00"])
def test_kode_pemda_outside_the_kemendagri_ranges_is_rejected(code):
    assert ("schema:pattern", "/kode_pemda") in errors("kepegawaian/pegawai", with_(PEGAWAI, kode_pemda=code))


@pytest.mark.parametrize("code", ["11", "96", "35", "35.01", "35.69", "35.71", "35.79", "92.71"])
def test_kode_pemda_inside_the_ranges_is_accepted(code):
    assert ("schema:pattern", "/kode_pemda") not in errors("kepegawaian/pegawai", with_(PEGAWAI, kode_pemda=code))


def test_version_1_still_accepts_its_old_kode_pemda_range():
    assert ("schema:pattern", "/kode_pemda") not in errors("kepegawaian/pegawai:1", with_(PEGAWAI, kode_pemda="35.85"))


# --- SKM ------------------------------------------------------------------------------------------------------------
def test_skm_nrr_is_described_as_unweighted_and_u8_u9_follow_permenpanrb_14_2017():
    nrr = STORE.get("pelayanan_publik/skm").schema["properties"]["nrr"]
    assert "tertimbang" not in nrr["description"].replace("tidak tertimbang", "")
    assert "unweighted" in nrr["x-description-en"].lower()
    assert "PermenPANRB 14/2017" in nrr["x-source"]
    assert "pengaduan" in nrr["properties"]["u8"]["description"]
    assert "sarana" in nrr["properties"]["u9"]["description"]
    assert "huruf h" in nrr["properties"]["u8"]["x-source"] and "huruf i" in nrr["properties"]["u9"]["x-source"]


# --- legislasi, penganggaran ---------------------------------------------------------------------------------------
def test_a_perda_in_force_needs_its_promulgation_date():
    perda = example("legislasi/produk_hukum", "banyuwangi_perda_pdrd.json")
    without = {k: v for k, v in perda.items() if k != "tanggal_pengundangan"}
    assert ("LEG-005", "/tanggal_pengundangan") in errors("legislasi/produk_hukum", without)
    assert not errors("legislasi/produk_hukum", {**without, "status": "Tidak Berlaku"})
    assert ("LEG-005", "/tanggal_pengundangan") not in errors("legislasi/produk_hukum:1", without)


def test_a_kota_cannot_book_the_provincial_motor_vehicle_tax():
    kota = example("penganggaran/pendapatan", "kota_blitar_pajak_daerah.json")
    assert ("ANG-005", "/kode_rekening") in errors("penganggaran/pendapatan", {**kota, "kode_rekening": "4.1.01.01"})
    assert ("ANG-005", "/kode_rekening") in errors("penganggaran/pendapatan",
                                                  {**kota, "kode_pemda": "35.10", "kode_rekening": "4.1.01.01.01.0001"})
    assert not errors("penganggaran/pendapatan", {**kota, "kode_pemda": "35", "kode_rekening": "4.1.01.01"})


def test_every_rule_new_in_1_1_cites_a_regulation_and_is_absent_from_1():
    for rule_id, regulation in (("PEG-009", "PP 11/2017"), ("PEG-010", "PP 11/2017"), ("PEG-011", "PP 100/2000"),
                                ("PEG-012", "PP 49/2018"), ("LEG-005", "UU 12/2011"), ("ANG-005", "UU 1/2022")):
        rule = next(r for r in rules_for("kepegawaian/pegawai:1.1") + rules_for("legislasi/produk_hukum:1.1")
                    + rules_for("penganggaran/pendapatan:1.1") if r.id == rule_id)
        assert regulation in rule.source, rule_id
        assert rule_id not in [r.id for s in rule.schemas for r in rules_for(f"{s}:1")]


def test_tmt_in_the_current_month_is_not_the_future(monkeypatch):
    from datetime import date

    from hub.validation.rules import checks

    monkeypatch.setattr(checks, "today", lambda: date(2024, 3, 15))
    this_month = with_(PEGAWAI, nip="199807142024031001", tanggal_lahir="1998-07-14")
    next_month = with_(PEGAWAI, nip="199807142024041001", tanggal_lahir="1998-07-14")
    assert ("PEG-009", "/nip") not in errors("kepegawaian/pegawai", this_month)
    assert ("PEG-009", "/nip") in errors("kepegawaian/pegawai", next_month)


def test_a_start_before_birth_is_reported_once():
    doc = with_(PEGAWAI, nip="197204121960031003")
    nip_rules = [rule for rule, pointer in errors("kepegawaian/pegawai", doc) if pointer == "/nip"]
    assert nip_rules == ["PEG-004"]
