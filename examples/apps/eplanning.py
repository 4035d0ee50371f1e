"""e-Planning (SIPD-like, Bappeda): program, kegiatan and sub-kegiatan of the RKPD, and writes to sub-kegiatan.

The data are the Permendagri 90 nomenclature of ``examples/data/nomenklatur.yaml`` applied to the OPDs of
``pemda.yaml``: every OPD has the Program Penunjang (``<bidang>.01``, Sekretariat Daerah as ``X.XX.01``) plus the
substantive programs of its bidang urusan. :func:`planning` is shared with e-budgeting, whose budget lines refer to
these sub-kegiatan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from examples.apps.config import AppConfig
from examples.apps.dataset import AppSpec, ListDataset, Record, Resource
from examples.apps.refdata import at, iso, kelurahan, linear, load, opds, pemda, rng

KODE_OPD = r"^\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4}$"
KODE_PROGRAM = r"^([1-8]|X)\.(\d{2}|XX)\.\d{2}$"
KODE_KEGIATAN = r"^([1-8]|X)\.(\d{2}|XX)\.\d{2}\.[12]\.\d{2}$"
KODE_SUB_KEGIATAN = r"^([1-8]|X)\.(\d{2}|XX)\.\d{2}\.[12]\.\d{2}\.\d{4}$"

# Indicative ceiling of a sub-kegiatan by spending group, in rupiah.
PAGU = {
    "gaji": (1_500_000_000, 14_000_000_000), "kantor": (60_000_000, 450_000_000),
    "rapat": (25_000_000, 220_000_000), "pelatihan": (40_000_000, 350_000_000),
    "jasa": (80_000_000, 900_000_000), "utilitas": (90_000_000, 650_000_000),
    "pemeliharaan": (75_000_000, 1_200_000_000), "modal_kantor": (90_000_000, 800_000_000),
    "modal_gedung": (650_000_000, 4_500_000_000), "modal_jalan": (900_000_000, 7_500_000_000),
    "tik": (150_000_000, 2_500_000_000), "layanan_publik": (120_000_000, 1_100_000_000),
    "layanan_kesehatan": (150_000_000, 1_800_000_000), "patroli": (80_000_000, 600_000_000),
    "bantuan": (400_000_000, 1_600_000_000),
}
LOCAL_GROUPS = {"modal_jalan", "modal_gedung", "bantuan", "pemeliharaan"}


@dataclass(frozen=True)
class Planning:
    programs: list[Record]
    kegiatan: list[Record]
    subs: list[Record]
    group: dict[str, str]  # kode_sub_kegiatan → spending group (rekening.yaml)


def _target(r: Any, low: float, high: float, satuan: str) -> float | int:
    """A plausible target: ``low``–``high`` for counts, fixed ranges for percentages, indices and levels."""
    if satuan == "Persen":
        return round(r.uniform(70, 98), 2)
    if satuan == "Indeks":
        return round(r.uniform(2.5, 4.0), 2)
    if satuan == "Level":
        return 3
    return r.randint(int(low), int(high))


@lru_cache(maxsize=8)
def planning(seed: int, tahun: int) -> Planning:
    """The canonical planning data of ``tahun`` (deterministic for ``seed``)."""
    nomen, p = load("nomenklatur"), pemda()
    level, kode_pemda = p["level_digit"], p["kode_pemda"]
    sumber = load("rekening")["sumber_dana"]
    programs: list[Record] = []
    kegiatan: list[Record] = []
    subs: list[Record] = []
    group: dict[str, str] = {}
    wilayah = kelurahan()

    def add_program(o: Any, bidang: str, prefix: str, prog: dict[str, Any]) -> None:
        kode_program = f"{prefix}.{prog['kode']}"
        r = rng(seed, "program", kode_program)
        uraian, satuan = prog["indikator"]
        keg_start = len(kegiatan)
        for keg in prog["kegiatan"]:
            kode_kegiatan = f"{kode_program}.{level}.{keg['kode']}"
            sub_start = len(subs)
            for code, nama, indikator, sat, (lo, hi), grp in keg["sub"]:
                kode_sub = f"{kode_kegiatan}.{code}"
                rs = rng(seed, "sub-kegiatan", kode_sub)
                low, high = PAGU[grp]
                lokasi = [{"kode_wilayah": kode_pemda, "nama": p["nama"]}]
                if grp in LOCAL_GROUPS:
                    lokasi = [{"kode_wilayah": k.kode, "nama": f"Kelurahan {k.nama}"}
                              for k in rs.sample(wilayah, rs.randint(1, 2))]
                subs.append({
                    "tahun_anggaran": tahun, "kode_pemda": kode_pemda, "kode_sub_kegiatan": kode_sub,
                    "nama_sub_kegiatan": nama, "kode_kegiatan": kode_kegiatan, "kode_program": kode_program,
                    "kode_opd": o.kode, "nama_opd": o.nama,
                    "indikator": [{"uraian": indikator, "target": _target(rs, lo, hi, sat), "satuan": sat}],
                    "pagu_indikatif": rs.randint(low // 1000, high // 1000) * 1000,
                    "lokasi": lokasi, "sumber_dana": (sumber.get(grp) or sumber["default"])[0],
                })
                group[kode_sub] = grp
            kegiatan.append({
                "tahun_anggaran": tahun, "kode_pemda": kode_pemda, "kode_kegiatan": kode_kegiatan,
                "nama_kegiatan": keg["nama"], "kode_program": kode_program, "kode_opd": o.kode,
                "pagu_indikatif": sum(s["pagu_indikatif"] for s in subs[sub_start:]),
            })
        program = {
            "tahun_anggaran": tahun, "kode_pemda": kode_pemda, "kode_program": kode_program,
            "nama_program": prog["nama"], "kode_bidang_urusan": bidang if prefix != "X.XX" else None,
            "kode_opd": o.kode,
            "indikator": [{"uraian": uraian, "target": _target(r, 5000, 250000, satuan), "satuan": satuan}],
            "pagu_indikatif": sum(k["pagu_indikatif"] for k in kegiatan[keg_start:]),
        }
        programs.append(program)

    for o in opds():
        add_program(o, o.bidang[0], o.penunjang, nomen["penunjang"])
        for bidang in o.bidang:
            for prog in nomen["program"].get(bidang, []):
                add_program(o, bidang, bidang, prog)

    year = tahun - 1  # the RKPD of a year is drafted in the previous one
    for rows, start, end in ((programs, at(year, 6, 2), at(year, 8, 29, 16)),
                             (kegiatan, at(year, 6, 9), at(year, 9, 30, 16)),
                             (subs, at(year, 6, 16), at(year, 12, 19, 16))):
        stamp = linear(start, end, len(rows))
        for i, row in enumerate(rows):
            row["updated_at"] = iso(stamp(i))
    return Planning(programs, kegiatan, subs, group)


def wrong_sub_code(code: str, i: int) -> str:
    """The kinds of wrong sub-kegiatan code seen in the wild, picked by ``i``."""
    parts = code.split(".")
    kind = i % 3
    if kind == 0:  # wrong widths: level digit written as 2 digits → 1.01.01.02.01.0001
        return ".".join([*parts[:3], parts[3].zfill(2), *parts[4:]])
    if kind == 1:  # old 2-digit sub-kegiatan number → 1.02.02.2.01.01
        return ".".join([*parts[:5], parts[5][-2:]])
    return ".".join([*parts[:3], "1", *parts[4:]])  # provincial level digit in a kota's code


def _corrupted(subs: list[Record]) -> list[Record]:
    out = []
    for i, s in enumerate(subs):
        if i % 9 == 4:
            s = {**s, "kode_sub_kegiatan": wrong_sub_code(s["kode_sub_kegiatan"], i // 9)}
        out.append(s)
    return out


# --- writes ---------------------------------------------------------------------------------------------------


class Indikator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uraian: str = Field(min_length=1, max_length=500)
    target: float = Field(strict=True)
    satuan: str = Field(min_length=1, max_length=100)


class Lokasi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kode_wilayah: str = Field(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
    nama: str | None = Field(default=None, max_length=200)


class SubKegiatanIn(BaseModel):
    """A sub-kegiatan sent to e-planning (POST or PUT); ``updated_at`` is set by the application.

    Codes must nest: kode_sub_kegiatan starts with kode_kegiatan + ".", kode_kegiatan with kode_program + ".".
    """

    model_config = ConfigDict(extra="forbid", title="SubKegiatanInput")
    tahun_anggaran: int = Field(strict=True, ge=2000, le=2100)
    kode_pemda: str = Field(pattern=r"^\d{2}\.\d{2}$")
    kode_sub_kegiatan: str = Field(pattern=KODE_SUB_KEGIATAN, examples=["1.02.02.2.02.0001"])
    nama_sub_kegiatan: str = Field(min_length=3, max_length=500)
    kode_kegiatan: str = Field(pattern=KODE_KEGIATAN)
    kode_program: str = Field(pattern=KODE_PROGRAM)
    kode_opd: str = Field(pattern=KODE_OPD)
    nama_opd: str | None = Field(default=None, max_length=300)
    indikator: list[Indikator] = Field(min_length=1)
    pagu_indikatif: int = Field(strict=True, ge=0)
    lokasi: list[Lokasi] | None = None
    sumber_dana: str | None = Field(default=None, max_length=50)
    updated_at: str | None = Field(default=None, description="Ignored: the application sets it.")

    @model_validator(mode="after")
    def _codes_nest(self) -> SubKegiatanIn:
        for child, parent in (("kode_sub_kegiatan", "kode_kegiatan"), ("kode_kegiatan", "kode_program")):
            if not getattr(self, child).startswith(getattr(self, parent) + "."):
                raise PydanticCustomError("kode_tidak_sesuai", "{child} must start with {parent}",
                                          {"child": child, "parent": parent})
        return self

    def to_record(self) -> Record:
        data = self.model_dump(exclude={"updated_at"})
        if not data.get("nama_opd"):
            data["nama_opd"] = next((o.nama for o in opds() if o.kode == self.kode_opd), None)
        return data


def build(config: AppConfig) -> AppSpec:
    plan = planning(config.seed, config.tahun)
    subs = [dict(s) for s in plan.subs]
    if config.profile.wrong_codes:
        subs = _corrupted(subs)
    year_filters = ("tahun_anggaran", "kode_opd")
    return AppSpec(
        key="e-planning",
        title="e-Planning Kota Blitar",
        owner="Badan Perencanaan Pembangunan Daerah (Bappeda)",
        summary="Perencanaan pembangunan daerah (RKPD): program, kegiatan dan sub-kegiatan sesuai Permendagri 90/2019.",
        primary="sub-kegiatan",
        resources={
            "program": Resource("program", "Program", "perencanaan/program",
                                ListDataset([dict(p) for p in plan.programs], "kode_program"), year_filters),
            "kegiatan": Resource("kegiatan", "Kegiatan", "perencanaan/kegiatan",
                                 ListDataset([dict(k) for k in plan.kegiatan], "kode_kegiatan"),
                                 (*year_filters, "kode_program")),
            "sub-kegiatan": Resource("sub-kegiatan", "Sub Kegiatan", "perencanaan/sub_kegiatan",
                                     ListDataset(subs, "kode_sub_kegiatan"),
                                     (*year_filters, "kode_program", "kode_kegiatan", "sumber_dana"),
                                     body_model=SubKegiatanIn),
        },
    )
