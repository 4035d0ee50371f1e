"""A fixture schema tree with two versions of ``uji/barang``, for the version, diff and certificate tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.settings import get_settings
from hub.validation.store import SchemaStore, reload_store

KEY = "uji/barang"
BASE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Barang uji",
    "type": "object",
    "additionalProperties": False,
    "required": ["kode"],
    "properties": {
        "kode": {"type": "string", "pattern": "^[0-9]{4}$", "title": "Kode"},
        "nama": {"type": "string", "minLength": 1, "maxLength": 100},
        "jumlah": {"type": "integer", "minimum": 0, "maximum": 1000},
        "satuan": {"type": "string", "enum": ["buah", "kg"]},
        "tanggal": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}
VALID_DOC = {"kode": "0001", "nama": "Meja", "jumlah": 5, "satuan": "buah", "tanggal": "2026-01-02",
             "tags": ["a"]}


def schema(version: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    out = copy.deepcopy(body if body is not None else BASE)
    out["$id"] = f"urn:simpul:schema:{KEY}:{version}"
    return out


def write_tree(root: Path, versions: dict[str, dict[str, Any]]) -> Path:
    folder = root / "uji" / "barang"
    folder.mkdir(parents=True, exist_ok=True)
    for version, body in versions.items():
        (folder / f"{version}.json").write_text(json.dumps(schema(version, body)), encoding="utf-8")
    return root


def store_of(root: Path) -> SchemaStore:
    store = SchemaStore(root)
    if store.problems:
        raise RuntimeError("; ".join(store.problems))
    return store


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``SIMPUL_SCHEMAS_DIR`` = a tree with uji/barang 1 (BASE) and 1.1 (one breaking, one optional field)."""
    new = copy.deepcopy(BASE)
    new["properties"]["satuan"]["enum"] = ["buah"]  # kg removed: breaking
    new["properties"]["warna"] = {"type": "string"}  # optional: non-breaking
    root = write_tree(tmp_path / "schemas", {"1": BASE, "1.1": new})
    monkeypatch.setenv("SIMPUL_SCHEMAS_DIR", str(root))
    monkeypatch.setenv("SIMPUL_CERTIFICATE_KEY_FILE", str(tmp_path / "keys" / "certificate.key"))
    get_settings.cache_clear()
    reload_store()
    yield root
    reload_store()
