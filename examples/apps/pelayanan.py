"""Pelayanan publik (DPMPTSP / Mal Pelayanan Publik): service catalogue, requests, complaints and SKM.

- ``layanan``: the catalogue of ``layanan.yaml`` with the 14 Standar Pelayanan components.
- ``permohonan``: requests with the SLA deadline (``batas_waktu``) computed from the service's jangka waktu
  (working days skip weekends); some finished requests are late, as in life.
- ``pengaduan``: SP4N-LAPOR!-style complaints (Pengaduan / Aspirasi / Permintaan Informasi).
- ``skm``: quarterly Survei Kepuasan Masyarakat per service. NRR per element = total score / respondents, with
  respondent counts that divide 10,000, so the published 4-decimal NRR are exact; IKM = mean NRR × 25 rounded half
  up to 2 decimals; mutu and kinerja from the IKM (PermenPANRB 14/2017).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from examples.apps.config import AppConfig
from examples.apps.dataset import AppSpec, LazyDataset, ListDataset, Record, Resource, index_locator
from examples.apps.refdata import (
    at,
    deadline,
    email_for,
    fake_nik,
    fake_phone,
    iso,
    jalan,
    kelurahan,
    linear,
    load,
    opd,
    pemda,
    person_name,
    rng,
)

DEFAULT_PERMOHONAN, DEFAULT_PENGADUAN, SKM_PERIODS = 500, 300, 7
GRADES = ((Decimal("88.31"), "A", "Sangat Baik"), (Decimal("76.61"), "B", "Baik"),
          (Decimal("65.00"), "C", "Kurang Baik"), (Decimal("25.00"), "D", "Tidak Baik"))
RESPONDENTS = (40, 50, 80, 100, 125, 200, 250, 400)  # divisors of 10,000: S/n has at most 4 decimals
SITE = "https://lapor.blitarkota.example"
PERDA_PDRD = "Peraturan Daerah Kota Blitar Nomor 1 Tahun 2024 tentang Pajak Daerah dan Retribusi Daerah"


def grade(ikm: Decimal) -> tuple[str, str]:
    for low, mutu, kinerja in GRADES:
        if ikm >= low:
            return mutu, kinerja
    return "D", "Tidak Baik"


def wrong_opd_code(code: str) -> str:
    """A unit number written with one digit: 2.18.0.00.0.00.01.0000 → 2.18.0.00.0.00.1.0000."""
    parts = code.split(".")
    return ".".join([*parts[:6], str(int(parts[6])), parts[7]])


@lru_cache(maxsize=4)
def catalogue(tahun: int) -> tuple[Record, ...]:
    data = load("layanan")
    common = data["umum"]
    rows = data["layanan"]
    stamp = linear(at(tahun - 1, 1, 13), at(tahun - 1, 3, 27, 15), len(rows))
    out = []
    for i, (kode, nama, owner, paket, (nilai, satuan), tarif, produk, pelaksana) in enumerate(rows):
        pk = data["paket"][paket]
        biaya: dict[str, Any] = {"gratis": tarif == 0}
        if tarif > 0:
            biaya.update(tarif=tarif, dasar_hukum=PERDA_PDRD)
        out.append({
            "kode_layanan": kode, "nama_layanan": nama, "kode_opd": opd(owner).kode,
            "kode_pemda": pemda()["kode_pemda"],
            "deskripsi": f"Layanan {nama} pada Mal Pelayanan Publik Kota Blitar.",
            "persyaratan": list(pk["persyaratan"]), "prosedur": list(pk["prosedur"]),
            "jangka_waktu": {"nilai": nilai, "satuan": satuan}, "biaya": biaya, "produk_layanan": produk,
            "penanganan_pengaduan": common["penanganan_pengaduan"], "dasar_hukum": list(pk["dasar_hukum"]),
            "sarana_prasarana": common["sarana_prasarana"], "kompetensi_pelaksana": common["kompetensi_pelaksana"],
            "pengawasan_internal": common["pengawasan_internal"], "jumlah_pelaksana": pelaksana,
            "jaminan_pelayanan": common["jaminan_pelayanan"], "jaminan_keamanan": common["jaminan_keamanan"],
            "evaluasi_kinerja": common["evaluasi_kinerja"], "kanal": list(common["kanal"]),
            "updated_at": iso(stamp(i)),
        })
    return tuple(out)


def _sla_hours(nilai: int, satuan: str) -> float:
    return {"jam": 1.0, "hari": 24.0}.get(satuan, 24 * 7 / 5) * nilai


def permohonan_dataset(config: AppConfig) -> LazyDataset:
    services = catalogue(config.tahun)
    weights = [4 if s["kode_opd"] == opd("Dispendukcapil").kode else 1 for s in services]
    n = config.count("permohonan", "permohonan", DEFAULT_PERMOHONAN)
    prefix = f"PMH-{config.tahun}-"

    def make(i: int, updated: datetime) -> Record:
        r = rng(config.seed, "permohonan", i)
        s = r.choices(services, weights)[0]
        nilai, satuan = s["jangka_waktu"]["nilai"], s["jangka_waktu"]["satuan"]
        status = r.choices(["selesai", "diproses", "diverifikasi", "diajukan", "ditolak", "dibatalkan"],
                           [60, 12, 8, 8, 7, 5])[0]
        factor = {"selesai": r.uniform(0.3, 1.25), "diproses": r.uniform(0.2, 0.8), "ditolak": r.uniform(0.2, 0.9),
                  "diverifikasi": r.uniform(0.02, 0.15), "diajukan": 0.0, "dibatalkan": r.uniform(0.05, 0.5)}[status]
        made = (updated - timedelta(hours=_sla_hours(nilai, satuan) * factor)).replace(second=0)
        gender = r.choice("LP")
        nama = person_name(r, gender)
        born = at(1960, 1, 1).date() + timedelta(days=r.randint(0, 16000))
        row = {
            "nomor_permohonan": f"{prefix}{i + 1:06d}", "kode_layanan": s["kode_layanan"],
            "kode_opd": s["kode_opd"], "tanggal_permohonan": iso(made), "status": status,
            "batas_waktu": iso(deadline(made, nilai, satuan)),
            "tanggal_selesai": iso(updated) if status in ("selesai", "ditolak") else None,
            "pemohon": {"nama": nama, "nik": fake_nik(born, gender, r.randint(1, 3), 5000 + i),
                        "email": email_for(nama, i, "contoh.example"), "telepon": fake_phone(10**6 + i)},
            "kanal": r.choice(s["kanal"]), "updated_at": iso(updated),
        }
        if config.profile.wrong_codes and i % 10 == 4:
            row["kode_opd"] = wrong_opd_code(row["kode_opd"])
        return row

    stamp = linear(at(config.tahun, 1, 5), at(config.tahun, 11, 13, 15), n)
    return LazyDataset(n, make, stamp, "nomor_permohonan", index_locator(prefix))


def pengaduan_dataset(config: AppConfig) -> LazyDataset:
    templates = load("layanan")["pengaduan"]
    n = config.count("pengaduan", "permohonan", DEFAULT_PENGADUAN)
    prefix = f"LPR-{config.tahun}-"
    days = {"menunggu": (0, 1), "diverifikasi": (1, 3), "ditindaklanjuti": (2, 10), "selesai": (3, 20),
            "ditutup": (5, 25)}

    def make(i: int, updated: datetime) -> Record:
        r = rng(config.seed, "pengaduan", i)
        klasifikasi, kategori, owner, judul, isi = r.choice(templates)
        kel = r.choice(kelurahan())
        where = {"jalan": jalan(r), "kelurahan": kel.nama, "kecamatan": kel.kecamatan}
        status = r.choices(list(days), [10, 15, 20, 45, 10])[0]
        lo, hi = days[status]
        reported = (updated - timedelta(days=r.randint(lo, hi), hours=r.randint(0, 8))).replace(second=0)
        anonim = r.random() < 0.15
        nomor = f"{prefix}{i + 1:06d}"
        row = {
            "nomor_tiket": nomor, "klasifikasi": klasifikasi, "judul": judul.format(**where),
            "isi": isi.format(**where), "tanggal_laporan": iso(reported),
            "tanggal_kejadian": (reported - timedelta(days=r.randint(0, 7))).date().isoformat(),
            "lokasi": {"kode_wilayah": kel.kode, "alamat": f"{where['jalan']} No. {r.randint(1, 150)}, Kelurahan "
                       f"{kel.nama}, Kecamatan {kel.kecamatan}, Kota Blitar"},
            "instansi_tujuan": opd(owner).kode, "kategori": kategori,
            "lampiran": [f"{SITE}/lampiran/{nomor}/foto-1.jpg"] if r.random() < 0.3 else None,
            "anonim": anonim, "rahasia": anonim or r.random() < 0.1, "status": status, "pelapor": None,
            "updated_at": iso(updated),
        }
        if not anonim:
            gender = r.choice("LP")
            nama = person_name(r, gender)
            row["pelapor"] = {"nama": nama, "email": email_for(nama, i, "contoh.example"),
                              "telepon": fake_phone(2 * 10**6 + i)}
        if config.profile.wrong_codes and i % 10 == 5:
            row["instansi_tujuan"] = wrong_opd_code(row["instansi_tujuan"])
        return row

    stamp = linear(at(config.tahun, 1, 3, 9), at(config.tahun, 11, 14, 16), n)
    return LazyDataset(n, make, stamp, "nomor_tiket", index_locator(prefix))


def skm_dataset(config: AppConfig) -> LazyDataset:
    services = catalogue(config.tahun)
    size = len(services)
    first_year = config.tahun - 1
    n = config.count("skm", "permohonan", size * SKM_PERIODS)

    def period(i: int) -> tuple[int, int]:
        p = i // size
        return first_year + p // 4, p % 4 + 1

    def updated_at(i: int) -> datetime:
        year, quarter = period(i)
        end = at(year + (quarter == 4), 1 if quarter == 4 else quarter * 3 + 1, 1, 9)
        return end + timedelta(days=9, minutes=7 * (i % size))

    def make(i: int, updated: datetime) -> Record:
        year, quarter = period(i)
        s = services[i % size]
        r = rng(config.seed, "skm", i)
        level = rng(config.seed, "skm-layanan", s["kode_layanan"]).uniform(2.85, 3.72)
        respondents = r.choice(RESPONDENTS)
        scores = [min(4 * respondents, max(respondents, round((level + r.uniform(-0.3, 0.3)) * respondents)))
                  for _ in range(9)]
        ikm = (Decimal(sum(scores) * 25) / Decimal(9 * respondents)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        mutu, kinerja = grade(ikm)
        row = {
            "id_survei": f"SKM-{year}-T{quarter}-{s['kode_layanan']}", "kode_layanan": s["kode_layanan"],
            "kode_opd": s["kode_opd"], "tahun": year, "periode": f"T{quarter}", "jumlah_responden": respondents,
            "nrr": {f"u{k + 1}": round(score / respondents, 4) for k, score in enumerate(scores)},
            "ikm": float(ikm), "mutu": mutu, "kinerja": kinerja, "updated_at": iso(updated),
        }
        if config.profile.wrong_codes and i % 10 == 2:
            row["mutu"] = "B" if mutu == "A" else "A"
        elif config.profile.wrong_codes and i % 10 == 6:
            row["ikm"] = float(min(ikm + Decimal("2.50"), Decimal(100)))
        return row

    def locate(rid: str) -> int | None:
        parts = rid.split("-", 3)
        if len(parts) != 4 or parts[0] != "SKM" or not parts[1].isdigit() or parts[2] not in ("T1", "T2", "T3", "T4"):
            return None
        kode = next((k for k, s in enumerate(services) if s["kode_layanan"] == parts[3]), None)
        if kode is None:
            return None
        return ((int(parts[1]) - first_year) * 4 + int(parts[2][1]) - 1) * size + kode

    return LazyDataset(n, make, updated_at, "id_survei", locate)


def build(config: AppConfig) -> AppSpec:
    return AppSpec(
        key="pelayanan",
        title="Sistem Pelayanan Publik Terpadu Kota Blitar",
        owner="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu (DPMPTSP) / Mal Pelayanan Publik",
        summary="Katalog layanan dengan Standar Pelayanan, permohonan dengan batas waktu, pengaduan, dan SKM.",
        primary="permohonan",
        resources={
            "layanan": Resource("layanan", "Layanan", "pelayanan_publik/layanan",
                                ListDataset([dict(s) for s in catalogue(config.tahun)], "kode_layanan"),
                                ("kode_opd",)),
            "permohonan": Resource("permohonan", "Permohonan", "pelayanan_publik/permohonan",
                                   permohonan_dataset(config), ("kode_layanan", "kode_opd", "status", "kanal")),
            "pengaduan": Resource("pengaduan", "Pengaduan", "pelayanan_publik/pengaduan",
                                  pengaduan_dataset(config), ("klasifikasi", "instansi_tujuan", "status", "kategori")),
            "skm": Resource("skm", "Survei Kepuasan Masyarakat", "pelayanan_publik/skm", skm_dataset(config),
                            ("kode_layanan", "kode_opd", "tahun", "periode", "mutu")),
        },
    )
