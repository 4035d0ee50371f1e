"""JDIH (Bagian Hukum Sekretariat Daerah): produk hukum daerah, and the JDIHN integration feed.

Records are in the order they were promulgated (2019 to October of the budget year). Within a year, positions
cycle through the ``pola`` of ``produk_hukum.yaml`` (Perda, six Perwal, one Keputusan), so the number of every
record follows from its index and ``GET /produk-hukum/perwal-2023-12`` is computed, not searched. Some regulations
revoke (``mencabut``) or amend (``mengubah``) one promulgated two cycles earlier; the older one then says
``dicabut`` / ``diubah`` and, when revoked, ``Tidak Berlaku``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from examples.apps.config import AppConfig
from examples.apps.dataset import AppSpec, LazyDataset, Record, Resource
from examples.apps.refdata import at, chance, iso, linear, load, opd, opds, pemda, rng

DEFAULT_PRODUK_HUKUM = 300
SITE = "https://jdih.blitarkota.example"
REVOKE, AMEND = (16, 0.08), (24, 0.06)  # (distance back in records, share of records doing it)


@dataclass(frozen=True)
class Base:
    i: int
    letter: str
    nomor: int
    tahun: int
    topic: str
    subjek: tuple[str, ...]
    bidang: str
    pemrakarsa: str
    pengundangan: date

    @property
    def meta(self) -> dict[str, Any]:
        return load("produk_hukum")["jenis"][self.letter]

    @property
    def id(self) -> str:
        return f"{self.meta['singkatan'].lower()}-{self.tahun}-{self.nomor}"

    @property
    def judul(self) -> str:
        return f"{self.meta['judul']} Nomor {self.nomor} Tahun {self.tahun} tentang {self.topic}"


class Numbering:
    """Index ↔ (jenis, nomor, tahun), from the even spread of records over the years."""

    def __init__(self, n: int, start: datetime, end: datetime):
        self.n, self.stamp = n, linear(start, end, n)
        self.pola = load("produk_hukum")["pola"]
        self._firsts: dict[int, int] = {}

    def year_first(self, year: int) -> int:
        if year not in self._firsts:
            self._firsts[year] = self._search(year)
        return self._firsts[year]

    def _search(self, year: int) -> int:
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if self.stamp(mid).year < year:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def position(self, i: int) -> tuple[str, int, int]:
        year = self.stamp(i).year
        p = i - self.year_first(year)
        letter = self.pola[p % len(self.pola)]
        per_cycle = self.pola.count(letter)
        nomor = (p // len(self.pola)) * per_cycle + self.pola[: p % len(self.pola)].count(letter) + 1
        return letter, nomor, year

    def index(self, letter: str, nomor: int, year: int) -> int | None:
        per_cycle = self.pola.count(letter)
        if per_cycle == 0 or nomor < 1:
            return None
        cycle, k = divmod(nomor - 1, per_cycle)
        slots = [pos for pos, ch in enumerate(self.pola) if ch == letter]
        return self.year_first(year) + cycle * len(self.pola) + slots[k]


def produk_hukum_dataset(config: AppConfig) -> LazyDataset:
    data = load("produk_hukum")
    fixed = {(row[0], row[1], row[2]): row[3:] for row in data["tetap"]}
    n = config.count("produk-hukum", "produk-hukum", DEFAULT_PRODUK_HUKUM)
    numbering = Numbering(n, at(2019, 1, 7), at(config.tahun, 10, 30, 16))
    seed, wrong = config.seed, config.profile.wrong_codes

    def does(kind: tuple[int, float], i: int) -> bool:
        distance, share = kind
        j = i - distance
        return (j >= 0 and chance(seed, "relasi", distance, i) < share
                and numbering.position(j)[0] == numbering.position(i)[0] != "K")

    def base(i: int) -> Base:
        letter, nomor, year = numbering.position(i)
        source = i
        for _ in range(10):  # a revoking regulation re-enacts the subject of the one it revokes
            if not does(REVOKE, source):
                break
            source -= REVOKE[0]
        r = rng(seed, "produk-hukum", source)
        row = fixed.get((letter, nomor, year))
        if row is None:
            template, subjek, bidang, owner = r.choice(data["judul"][letter])
            src_year = numbering.position(source)[2]
            topic = template.format(t=src_year, t1=src_year + 1, t0=src_year - 1, opd=r.choice(opds()).nama)
        else:
            topic, subjek, bidang, owner = row
        return Base(i, letter, nomor, year, topic, tuple(subjek), bidang, opd(owner).nama,
                    numbering.stamp(i).date())

    def relation(kind: str, other: Base) -> dict[str, Any]:
        return {"jenis": kind, "jenis_peraturan": other.meta["jenis"], "nomor": str(other.nomor),
                "tahun": other.tahun, "judul": other.judul}

    def make(i: int, updated: Any) -> Record:
        b = base(i)
        r = rng(seed, "produk-hukum-detail", i)
        meta = b.meta
        relasi = []
        status = "Berlaku"
        topic = b.topic
        if does(REVOKE, i):
            relasi.append(relation("mencabut", base(i - REVOKE[0])))
        elif does(AMEND, i):
            older = base(i - AMEND[0])
            topic = f"Perubahan atas {older.judul}"
            relasi.append(relation("mengubah", older))
        if i + REVOKE[0] < n and does(REVOKE, i + REVOKE[0]):
            relasi.append(relation("dicabut", base(i + REVOKE[0])))
            status = "Tidak Berlaku"
        if i + AMEND[0] < n and not does(REVOKE, i + AMEND[0]) and does(AMEND, i + AMEND[0]):
            relasi.append(relation("diubah", base(i + AMEND[0])))
        judul = f"{meta['judul']} Nomor {b.nomor} Tahun {b.tahun} tentang {topic}"
        diundangkan = b.pengundangan
        ditetapkan = max(diundangkan - timedelta(days=r.randint(0, 4)), date(b.tahun, 1, 1))
        rid = b.id
        row: Record = {
            "id": rid, "kode_pemda": pemda()["kode_pemda"], "jenis": meta["jenis"],
            "singkatan_jenis": meta["singkatan"], "nomor": str(b.nomor), "tahun": b.tahun, "judul": judul,
            "tempat_penetapan": "Blitar", "tanggal_penetapan": ditetapkan.isoformat(),
            "tanggal_pengundangan": diundangkan.isoformat() if meta["sumber"] else None,
            "status": status, "subjek": list(b.subjek), "teu_badan": "Kota Blitar",
            "sumber": f"{meta['sumber']} Tahun {b.tahun} Nomor {b.nomor}" if meta["sumber"] else None,
            "bahasa": "Indonesia", "bidang_hukum": b.bidang, "penandatangan": meta["penandatangan"],
            "pemrakarsa": b.pemrakarsa, "relasi": relasi or None,
            "url_file": f"{SITE}/storage/produk-hukum/{rid}.pdf", "url_detail": f"{SITE}/produk-hukum/{rid}",
            "abstrak": f"{meta['judul']} ini mengatur {topic} di Kota Blitar.",
            "updated_at": iso(updated),
        }
        if wrong and i % 10 == 3:
            row["tanggal_pengundangan"] = (ditetapkan - timedelta(days=5)).isoformat()
        elif wrong and i % 10 == 7:
            row["jenis"] = "Perwali"
        return row

    def locate(rid: str) -> int | None:
        parts = rid.split("-")
        letters = {meta["singkatan"].lower(): k for k, meta in data["jenis"].items()}
        if len(parts) != 3 or parts[0] not in letters or not (parts[1] + parts[2]).isdigit():
            return None
        return numbering.index(letters[parts[0]], int(parts[2]), int(parts[1]))

    return LazyDataset(n, make, numbering.stamp, "id", locate)


def jdihn(record: Record) -> dict[str, Any]:
    """One record in the JDIHN integration-feed format (field names of the national template)."""
    meta = next(m for m in load("produk_hukum")["jenis"].values() if m["singkatan"] == record["singkatan_jenis"])
    pages = 3 + int(record["nomor"]) % 17
    return {
        "idData": record["id"], "tahun_pengundangan": (record.get("tanggal_pengundangan") or "")[:4],
        "tanggal_penetapan": record["tanggal_penetapan"],
        "tanggal_pengundangan": record.get("tanggal_pengundangan") or "", "jenis": meta["jdihn"],
        "noPeraturan": record["nomor"], "judul": record["judul"], "noPanggil": "-",
        "penerbit": "Bagian Hukum Sekretariat Daerah Kota Blitar", "deskripsiFisik": f"{pages} hlm.",
        "isbn": "-", "nomorIndukBuku": "-", "singkatanJenis": record["singkatan_jenis"],
        "tempatTerbit": record["tempat_penetapan"], "sumber": record.get("sumber") or "-",
        "subjek": " - ".join(record["subjek"]), "status": record["status"], "bahasa": record["bahasa"],
        "bidangHukum": record["bidang_hukum"], "teuBadan": record["teu_badan"],
        "fileDownload": record["url_file"].rsplit("/", 1)[-1], "urlDownload": record["url_file"],
        "urlDetailPeraturan": record["url_detail"], "operasi": "4", "display": "1", "abstrak": record["abstrak"],
    }


def build(config: AppConfig) -> AppSpec:
    from examples.apps.feeds import add_jdihn_feed

    return AppSpec(
        key="jdih",
        title="JDIH Kota Blitar",
        owner="Bagian Hukum Sekretariat Daerah",
        summary="Jaringan Dokumentasi dan Informasi Hukum: Perda, Perwal dan Keputusan Wali Kota Blitar.",
        primary="produk-hukum",
        resources={
            "produk-hukum": Resource("produk-hukum", "Produk Hukum", "legislasi/produk_hukum",
                                     produk_hukum_dataset(config), ("jenis", "tahun", "status")),
        },
        extras=[add_jdihn_feed],
    )
