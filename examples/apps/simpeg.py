"""SIMPEG (BKPSDM): the ASN (PNS and PPPK) of the Pemda, one lazy resource ``pegawai``.

The first records are the structural posts of every OPD (Kepala, Sekretaris, Kepala Bidang, Kepala Sub Bagian),
then functional staff. A NIP is built from the tanggal_lahir, the TMT and the jenis_kelamin exactly as BKN does,
and the (synthetic, province 99) NIK carries the same birth date and gender. Birth dates of non-structural staff
are a permutation of the index, which makes NIPs unique and lets ``GET /pegawai/{nip}`` find a record without a
scan.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from examples.apps.config import AppConfig
from examples.apps.dataset import AppSpec, LazyDataset, Record, Resource
from examples.apps.refdata import (
    at,
    email_for,
    fake_nik,
    fake_phone,
    iso,
    linear,
    load,
    opds,
    pemda,
    person_name,
    rng,
)

DEFAULT_PEGAWAI = 400
PERM, SPAN, BASE = 7919, 12000, date(1966, 1, 1)  # birth day = BASE + (i * PERM) % SPAN days
STRUCT_PERM, STRUCT_SPAN, STRUCT_BASE = 7919, 5500, date(1968, 1, 1)
INVERSE = pow(PERM, -1, SPAN)
MIN_AGE = {"SMA": 19, "D3": 22, "S1": 23, "S2": 26, "Profesi": 26}
CAP = {"SMA": 10, "D3": 10, "S1": 12, "S2": 13, "Profesi": 13}  # highest golongan index reachable
ESELON_MIN = {"II.a": 13, "II.b": 13, "III.a": 12, "III.b": 11, "IV.a": 10}
JENIS_JABATAN = ("struktural", "fungsional_tertentu", "fungsional_umum")


def _posts() -> list[tuple[Any, dict[str, str]]]:
    people = load("orang")
    out = []
    for o in opds():
        for post in people["struktural_khusus"].get(o.singkatan, people["struktural"]):
            out.append((o, post))
    return out


def _gelar(r: Any, pendidikan: str, jabatan: str) -> tuple[str | None, str | None]:
    options = load("orang")["pendidikan"]
    if pendidikan == "SMA":
        return None, None
    if pendidikan == "Profesi":
        front = "apt." if "Apoteker" in jabatan else ("drg." if r.random() < 0.2 else "dr.")
        return front, None
    if pendidikan == "S2":
        return None, f"{r.choice(options['S1']['gelar'])}, {r.choice(options['S2']['gelar'])}"
    return None, r.choice(options[pendidikan]["gelar"])


def pegawai_dataset(config: AppConfig) -> LazyDataset:
    people, posts = load("orang"), _posts()
    units = list(opds())
    weights = [o.bobot for o in units]
    n = config.count("pegawai", "pegawai", DEFAULT_PEGAWAI)
    last_year = config.tahun - 1
    wrong = config.profile.wrong_codes

    def make(i: int, updated: Any) -> Record:
        r = rng(config.seed, "pegawai", i)
        if i < len(posts):
            o, post = posts[i]
            jabatan = {"nama": post["nama"].format(opd=o.nama, bidang=r.choice(people["bidang_struktural"])),
                       "jenis_jabatan": "struktural", "eselon": post["eselon"]}
            jenis_asn, pendidikan = "PNS", post["pendidikan"]
            birth = STRUCT_BASE + timedelta(days=(i * STRUCT_PERM) % STRUCT_SPAN)
            gender = "L" if r.random() < 0.7 else "P"
        else:
            o = r.choices(units, weights)[0]
            jenis_asn = "PPPK" if r.random() < 0.25 else "PNS"
            pendidikan = r.choices(["SMA", "D3", "S1", "S2", "Profesi"],
                                   [12, 18, 52, 12, 6 if o.singkatan == "Dinkes" else 0])[0]
            if r.random() < 0.5 or pendidikan == "Profesi":
                names = people["fungsional_tertentu"]
                jabatan = {"nama": r.choice(names.get(o.singkatan, names["default"])),
                           "jenis_jabatan": "fungsional_tertentu", "eselon": "non_eselon"}
            else:
                jabatan = {"nama": r.choice(people["fungsional_umum"]), "jenis_jabatan": "fungsional_umum",
                           "eselon": "non_eselon"}
            birth = BASE + timedelta(days=(i * PERM) % SPAN)
            gender = r.choice("LP")
        gender_digit = "1" if gender == "L" else "2"
        seq = 1 + (i // SPAN) * 3 + r.randint(0, 2)
        row: Record = {"nip": "", "jenis_asn": jenis_asn, "nama": person_name(r, gender)}
        row["gelar_depan"], row["gelar_belakang"] = _gelar(r, pendidikan, jabatan["nama"])
        row.update({"tempat_lahir": r.choice(people["tempat_lahir"]), "tanggal_lahir": birth.isoformat(),
                    "jenis_kelamin": gender, "nik": fake_nik(birth, gender, r.randint(1, 3), i + 1)})
        if jenis_asn == "PNS":
            tmt_year = min(birth.year + MIN_AGE[pendidikan] + r.randint(0, 8), last_year)
            tmt_month = r.choice([1, 2, 3, 4, 12])
            row["nip"] = f"{birth:%Y%m%d}{tmt_year}{tmt_month:02d}{gender_digit}{seq:03d}"
            entry = people["pendidikan"][pendidikan]["golongan"]
            steps = (config.tahun - tmt_year) // r.choice([4, 5, 6, 8])
            index = min(max(entry + steps, ESELON_MIN.get(jabatan["eselon"], 0)), 16)
            index = min(index, max(CAP[pendidikan], ESELON_MIN.get(jabatan["eselon"], 0)))
            row["golongan_ruang"] = people["golongan_ruang"][index]
            promoted = min(tmt_year + 4 * max(index - entry, 0), last_year - r.randint(0, 3))
            row["tmt_golongan"] = date(promoted, r.choice([4, 10]) if index > entry else tmt_month, 1).isoformat()
            if birth.year < 1967:
                status = "pensiun"
            elif (tmt_year, tmt_month) >= (last_year, 6):
                status = "cpns"
            else:
                status = r.choices(["aktif", "cuti", "tugas_belajar"], [95, 3, 2])[0]
        else:
            tmt_year = r.randint(config.tahun - 4, last_year)
            row["nip"] = f"{birth:%Y%m%d}{tmt_year}2{r.randint(1, 2)}{gender_digit}{seq:03d}"
            row["golongan_pppk"] = people["pendidikan"][pendidikan]["pppk"]
            row["tmt_golongan"] = date(tmt_year, r.choice([3, 4, 7]), 1).isoformat()
            status = "aktif"
        row.update({
            "jabatan": jabatan, "unit_kerja": o.ref, "status_kepegawaian": status,
            "email": email_for(row["nama"], i, "mail.blitarkota.example"), "telepon": fake_phone(i),
            "kode_pemda": pemda()["kode_pemda"], "updated_at": iso(updated),
        })
        if wrong and i % 10 == 3:
            if jenis_asn == "PNS":
                row["golongan_ruang"] = "I/e"
            else:
                row["golongan_pppk"] = "XVIII"
        elif wrong and i % 10 == 7:
            row["tanggal_lahir"] = (birth + timedelta(days=362)).isoformat()
        return row

    def locate(nip: str) -> int | None:
        if len(nip) != 18 or not nip.isdigit():
            return None
        try:
            birth = date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
        except ValueError:
            return None
        day = (birth - BASE).days
        block = (int(nip[15:]) - 1) // 3
        candidate = block * SPAN + (day * INVERSE) % SPAN
        if 0 <= day < SPAN and len(posts) <= candidate < n and ds.record(candidate)["nip"] == nip:
            return candidate
        return next((i for i in range(min(len(posts), n)) if ds.record(i)["nip"] == nip), None)

    ds = LazyDataset(n, make, linear(at(last_year, 1, 6), at(config.tahun, 10, 30, 16), n), "nip", locate)
    return ds


def build(config: AppConfig) -> AppSpec:
    return AppSpec(
        key="simpeg",
        title="SIMPEG Kota Blitar",
        owner="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)",
        summary="Sistem informasi manajemen kepegawaian: data ASN (PNS dan PPPK) per unit kerja.",
        primary="pegawai",
        resources={
            "pegawai": Resource("pegawai", "Pegawai", "kepegawaian/pegawai", pegawai_dataset(config),
                                ("jenis_asn", "status_kepegawaian", "jenis_kelamin", "unit_kerja.kode_opd")),
        },
    )
