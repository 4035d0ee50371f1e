"""Which canonical schema keys exist (``<domain>/<name>``), for guessing and checking what a resource maps to.

The ``schemas/`` folder is authoritative; it is read as data (never imported). Until it exists, the agreed list
of docs/canonical-fields.md is used.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

AGREED_KEYS: tuple[str, ...] = (
    "perencanaan/program",
    "perencanaan/kegiatan",
    "perencanaan/sub_kegiatan",
    "penganggaran/rincian_belanja",
    "penganggaran/pendapatan",
    "kepegawaian/pegawai",
    "legislasi/produk_hukum",
    "pelayanan_publik/layanan",
    "pelayanan_publik/permohonan",
    "pelayanan_publik/pengaduan",
    "pelayanan_publik/skm",
)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*(:[0-9]+)?$")


def schemas_dir() -> Path:
    return Path(os.environ.get("SIMPUL_SCHEMAS_DIR") or Path(__file__).resolve().parent.parent / "schemas")


@lru_cache
def _folder_keys(folder: str) -> tuple[str, ...]:
    root = Path(folder)
    keys = []
    if root.is_dir():
        for path in sorted(root.glob("*/*/*.json")):
            domain, name = path.parent.parent.name, path.parent.name
            if domain not in {"codelists", "examples"} and not path.parent.name.startswith("_"):
                keys.append(f"{domain}/{name}")
    return tuple(dict.fromkeys(keys))


def known_schema_keys() -> tuple[str, ...]:
    """Schema keys from ``schemas/`` when it has any, else the agreed list."""
    return _folder_keys(str(schemas_dir())) or AGREED_KEYS


def base_key(key: str) -> str:
    """``kepegawaian/pegawai:1`` or ``urn:simpul:schema:kepegawaian/pegawai:1`` → ``kepegawaian/pegawai``."""
    key = key.removeprefix("urn:simpul:schema:")
    return key.split(":", 1)[0]


def is_known(key: str) -> bool:
    return base_key(key) in known_schema_keys()


def guess_schema(resource_name: str) -> str | None:
    """``pegawai`` → ``kepegawaian/pegawai``; ``sub-kegiatan`` → ``perencanaan/sub_kegiatan``; else None."""
    name = re.sub(r"[^a-z0-9]+", "_", resource_name.lower()).strip("_")
    for key in known_schema_keys():
        if key.split("/", 1)[1] == name:
            return key
    return None
