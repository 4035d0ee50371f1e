"""The simulated data are deterministic, realistic and consistent across the five applications."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from examples.apps import APPS, create_app
from examples.apps.dataset import LazyDataset, clean
from examples.apps.refdata import WIB, deadline, opds
from tests.examples.examples_testkit import auth

SUB = re.compile(r"^([1-8]\.\d{2}|X\.XX)\.\d{2}\.2\.\d{2}\.\d{4}$")  # kota: level digit 2
OPD = re.compile(r"^\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4}$")
REKENING = re.compile(r"^[1-9]\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def everything(app: str, resource: str, profile: str = "good", **knobs) -> list[dict]:
    ds = create_app(app, profile, **knobs).state.example.spec.resources[resource].dataset
    return [clean(ds.record(i)) for i in range(len(ds))]


@pytest.fixture(scope="module")
def planning():
    return everything("e-planning", "sub-kegiatan")


@pytest.fixture(scope="module")
def pegawai():
    return everything("simpeg", "pegawai")


def test_same_seed_same_records_other_seed_other_records():
    for app, info in APPS.items():
        for res in info.resources:
            assert everything(app, res)[:20] == everything(app, res)[:20], res
    assert everything("simpeg", "pegawai", seed=1)[:20] != everything("simpeg", "pegawai")[:20]


def test_planning_codes_are_permendagri_90_for_a_kota(planning):
    assert len(planning) > 300
    assert all(SUB.match(s["kode_sub_kegiatan"]) and OPD.match(s["kode_opd"]) for s in planning)
    assert all(s["kode_sub_kegiatan"].startswith(s["kode_kegiatan"] + ".") for s in planning)
    assert any(s["kode_sub_kegiatan"].startswith("X.XX.01.2.02.") for s in planning)
    assert any(s["kode_sub_kegiatan"] == "1.02.02.2.02.0001" for s in planning)
    assert len({s["kode_sub_kegiatan"] for s in planning}) == len(planning)


def test_budget_lines_add_up_and_refer_to_planned_sub_kegiatan(planning):
    planned = {(s["tahun_anggaran"], s["kode_sub_kegiatan"]): s["kode_opd"] for s in planning}
    lines = everything("e-budgeting", "rincian-belanja")
    assert all(line["total"] == line["volume"] * line["harga_satuan"] for line in lines)
    assert all(REKENING.match(line["kode_rekening"]) for line in lines)
    assert all(planned[(line["tahun_anggaran"], line["kode_sub_kegiatan"])] == line["kode_opd"] for line in lines)
    assert any(line["kode_rekening"] == "5.1.02.01.01.0024" for line in lines)
    assert {line["kode_sub_kegiatan"] for line in lines} == {code for _, code in planned}


def test_work_units_and_services_refer_to_the_opds(pegawai):
    known = {o.kode for o in opds()}
    assert {p["unit_kerja"]["kode_opd"] for p in pegawai} <= known
    assert {s["kode_opd"] for s in everything("pelayanan", "layanan")} <= known
    assert {c["instansi_tujuan"] for c in everything("pelayanan", "pengaduan")} <= known


def test_nip_and_nik_agree_with_birth_date_and_gender(pegawai):
    assert len({p["nip"] for p in pegawai}) == len(pegawai)
    kinds = set()
    for p in pegawai:
        nip, born = p["nip"], date.fromisoformat(p["tanggal_lahir"])
        assert nip[:8] == born.strftime("%Y%m%d")
        if p["jenis_asn"] == "PNS":
            assert re.match(r"^\d{8}\d{6}[12]\d{3}$", nip) and 1 <= int(nip[12:14]) <= 12
            assert nip[14] == ("1" if p["jenis_kelamin"] == "L" else "2")
            assert p["golongan_ruang"] != "I/e"
        else:
            assert re.match(r"^\d{8}\d{4}2[1-9][12]\d{3}$", nip)
            assert nip[12] == "2" and nip[13] in "123456789"  # PPPK marker, then the round
            assert nip[14] == ("1" if p["jenis_kelamin"] == "L" else "2")
        nik = p["nik"]
        assert nik.startswith("99")  # synthetic: province 99 does not exist
        day = int(nik[6:8]) - (40 if p["jenis_kelamin"] == "P" else 0)
        assert (day, int(nik[8:10]), int(nik[10:12])) == (born.day, born.month, born.year % 100)
        kinds.add(p["jenis_asn"])
    assert kinds == {"PNS", "PPPK"}


def test_skm_index_and_grade_follow_permenpanrb_14_2017():
    grades = ((88.31, "A", "Sangat Baik"), (76.61, "B", "Baik"), (65.0, "C", "Kurang Baik"), (25.0, "D", "Tidak Baik"))
    for survey in everything("pelayanan", "skm"):
        nrr = [Decimal(str(v)) for v in survey["nrr"].values()]
        assert len(nrr) == 9 and all(1 <= v <= 4 for v in nrr)
        ikm = (sum(nrr) / 9 * 25).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(str(survey["ikm"])) == ikm
        expected = next((m, k) for low, m, k in grades if survey["ikm"] >= low)
        assert (survey["mutu"], survey["kinerja"]) == expected


def test_requests_have_sla_deadlines():
    for req in everything("pelayanan", "permohonan")[:200]:
        made, due = datetime.fromisoformat(req["tanggal_permohonan"]), datetime.fromisoformat(req["batas_waktu"])
        assert due > made
        if req["status"] in ("selesai", "ditolak"):
            assert datetime.fromisoformat(req["tanggal_selesai"]) >= made
    friday = datetime(2026, 3, 6, 10, tzinfo=WIB)
    assert deadline(friday, 5, "hari_kerja") == datetime(2026, 3, 13, 10, tzinfo=WIB)
    assert deadline(friday, 2, "jam") == datetime(2026, 3, 6, 12, tzinfo=WIB)


def test_legislation_numbering_and_relations():
    records = {r["id"]: r for r in everything("jdih", "produk-hukum")}
    assert records["perwal-2023-12"]["judul"].startswith("Peraturan Wali Kota Blitar Nomor 12 Tahun 2023 tentang")
    assert "Smart City" in records["perwal-2023-23"]["judul"]
    for r in records.values():
        if r.get("tanggal_pengundangan"):
            assert r["tanggal_pengundangan"] >= r["tanggal_penetapan"]
        for rel in r.get("relasi", []):
            other = records.get(f"{rel['jenis_peraturan'].lower()}-{rel['tahun']}-{rel['nomor']}")
            if other is not None:
                back = {"mencabut": "dicabut", "mengubah": "diubah", "dicabut": "mencabut", "diubah": "mengubah"}
                assert any(x["jenis"] == back[rel["jenis"]] for x in other["relasi"])
    revoked = [r for r in records.values() if any(x["jenis"] == "dicabut" for x in r.get("relasi", []))]
    assert revoked and all(r["status"] == "Tidak Berlaku" for r in revoked)


def test_wrong_codes_profile_contains_the_wrong_codes():
    subs = [s["kode_sub_kegiatan"] for s in everything("e-planning", "sub-kegiatan", "wrong-codes")]
    assert any(re.match(r"^\d\.\d{2}\.\d{2}\.0\d\.\d{2}\.\d{4}$", c) for c in subs)  # 1.01.01.02.01.0001
    assert any(re.match(r"^\d\.\d{2}\.\d{2}\.\d\.\d{2}\.\d{2}$", c) for c in subs)  # 1.02.02.2.01.01
    lines = everything("e-budgeting", "rincian-belanja", "wrong-codes")
    assert any(re.match(r"^5\.\d\.\d{2}\.\d{2}\.\d{3}\.\d{5}$", x["kode_rekening"]) for x in lines)
    assert any(x["total"] != x["volume"] * x["harga_satuan"] for x in lines)
    staff = everything("simpeg", "pegawai", "wrong-codes")
    assert any(p.get("golongan_ruang") == "I/e" for p in staff)
    assert any(p["nip"][:8] != p["tanggal_lahir"].replace("-", "") for p in staff)
    surveys = everything("pelayanan", "skm", "wrong-codes")
    assert any(abs(s["ikm"] - sum(s["nrr"].values()) / 9 * 25) > 0.01 for s in surveys)


def test_a_resource_scales_to_100000_records_lazily(fresh_client):
    client = fresh_client("e-budgeting", records="100000")
    ds = client.app.state.example.spec.resources["rincian-belanja"].dataset
    assert isinstance(ds, LazyDataset) and len(ds) == 100_000
    last = client.get("/api/v1/rincian-belanja?size=100&page=1000", headers=auth("e-budgeting")).json()
    assert last["total"] == 100_000 and last["next"] is None
    assert last["data"][-1]["id_rincian"] == "RB-2026-100000"
    assert client.get("/api/v1/rincian-belanja/RB-2026-100000", headers=auth("e-budgeting")).status_code == 200
    since = last["data"][0]["updated_at"]
    newer = client.get("/api/v1/rincian-belanja", params={"updated_since": since, "size": 1},
                       headers=auth("e-budgeting")).json()
    assert newer["total"] <= 101
    staff = fresh_client("simpeg", records="pegawai=20000").app.state.example.spec.resources["pegawai"].dataset
    nip = staff.record(15_000)["nip"]
    assert staff.locate(nip) == 15_000
