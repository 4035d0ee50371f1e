"""Reference data of the simulated Pemda (``examples/data/*.yaml``) and small helpers every generator shares.

Everything here is deterministic: :func:`rng` gives a ``random.Random`` seeded from text (SHA-512 based in CPython,
so the same across runs and machines), dates are fixed, nothing reads the clock.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WIB = timezone(timedelta(hours=7), "WIB")


@lru_cache
def load(name: str) -> Any:
    """The parsed ``examples/data/<name>.yaml``."""
    return yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def rng(*parts: object) -> random.Random:
    """A generator seeded from ``parts`` (e.g. seed, resource, index): the same parts give the same numbers."""
    return random.Random(":".join(str(p) for p in parts))


def chance(*parts: object) -> float:
    """A deterministic number in [0, 1) for ``parts``: much cheaper than seeding a generator for one draw."""
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True)
class Opd:
    kode: str
    nama: str
    singkatan: str
    bidang: tuple[str, ...]
    penunjang: str
    bobot: int

    @property
    def ref(self) -> dict[str, str]:
        return {"kode_opd": self.kode, "nama": self.nama}


@lru_cache
def pemda() -> dict[str, str]:
    return load("pemda")["pemda"]


@lru_cache
def opds() -> tuple[Opd, ...]:
    rows = load("pemda")["opd"]
    return tuple(
        Opd(kode=r["kode"], nama=r["nama"], singkatan=r["singkatan"], bidang=tuple(r["bidang"]),
            penunjang=r.get("penunjang") or r["bidang"][0], bobot=int(r.get("bobot", 1)))
        for r in rows
    )


@lru_cache
def opd(singkatan: str) -> Opd:
    for o in opds():
        if o.singkatan == singkatan:
            return o
    raise KeyError(f"unknown OPD short name {singkatan!r} in examples/data")


@dataclass(frozen=True)
class Kelurahan:
    kode: str
    nama: str
    kecamatan: str


@lru_cache
def kelurahan() -> tuple[Kelurahan, ...]:
    out = []
    for kec in load("pemda")["wilayah"]:
        for n, nama in enumerate(kec["kelurahan"], start=1):
            out.append(Kelurahan(kode=f"{kec['kode']}.{1000 + n}", nama=nama, kecamatan=kec["nama"]))
    return tuple(out)


def jalan(r: random.Random) -> str:
    return r.choice(load("pemda")["jalan"])


# --- time -----------------------------------------------------------------------------------------------------


def at(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def iso(value: datetime | date) -> str:
    """RFC 3339 for timestamps (seconds precision, +07:00), ISO 8601 for dates."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def linear(start: datetime, end: datetime, n: int):
    """``i → timestamp``: ``n`` instants spread evenly (whole seconds, non-decreasing) from ``start`` to ``end``."""
    span = int((end - start).total_seconds())

    def updated_at(i: int) -> datetime:
        return start + timedelta(seconds=span * i // max(n - 1, 1))

    return updated_at


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday–Friday; national holidays are not modelled)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def deadline(start: datetime, nilai: int, satuan: str) -> datetime:
    """The SLA deadline of a request made at ``start`` for a service taking ``nilai`` ``satuan``."""
    if satuan == "jam":
        return start + timedelta(hours=nilai)
    if satuan == "hari":
        return start + timedelta(days=nilai)
    return add_working_days(start, nilai)


# --- people (synthetic) ---------------------------------------------------------------------------------------


def person_name(r: random.Random, gender: str) -> str:
    people = load("orang")
    first = r.choice(people["nama_depan"][gender])
    if r.random() < 0.35:
        return first + " " + r.choice(people["nama_depan"][gender])
    return first + " " + r.choice(people["nama_belakang"])


def fake_nik(birth: date, gender: str, kecamatan: int, sequence: int) -> str:
    """A NIK-shaped number that can never be real: province code 99 does not exist (there are 38 provinces).

    Region 99.72.<kecamatan>, then the birth date (day + 40 for women), then a 4-digit sequence.
    """
    day = birth.day + (40 if gender == "P" else 0)
    return f"9972{kecamatan:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{sequence % 10000:04d}"


def fake_phone(i: int) -> str:
    """A phone-shaped number in the 0800 range, never a real mobile number."""
    return f"0800{(i * 7919) % 10**8:08d}"


def email_for(name: str, i: int, domain: str) -> str:
    local = ".".join(part.lower() for part in name.split()[:2] if part.isalpha()) or "warga"
    return f"{local}{i % 97}@{domain}"
