"""Shared helpers of the example-application tests (imported as ``tests.examples.examples_testkit``)."""

from __future__ import annotations

from pathlib import Path

from examples.apps import APPS
from examples.apps.config import default_token

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_OF = {
    "program": "perencanaan/program", "kegiatan": "perencanaan/kegiatan", "sub-kegiatan": "perencanaan/sub_kegiatan",
    "rincian-belanja": "penganggaran/rincian_belanja", "pendapatan": "penganggaran/pendapatan",
    "pegawai": "kepegawaian/pegawai", "produk-hukum": "legislasi/produk_hukum", "layanan": "pelayanan_publik/layanan",
    "permohonan": "pelayanan_publik/permohonan", "pengaduan": "pelayanan_publik/pengaduan",
    "skm": "pelayanan_publik/skm",
}
RESOURCES = [(app, res) for app, info in APPS.items() for res in info.resources]


def auth(app: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {default_token(app)}"}


