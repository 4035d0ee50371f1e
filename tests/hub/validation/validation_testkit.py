"""Small schemas written to a temporary folder, so validator tests do not depend on the shipped schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:simpul:schema:common/definitions:1",
    "title": "Definisi uji",
    "x-title-en": "Test definitions",
    "$defs": {
        "nip": {"type": "string", "pattern": "^\\d{18}$", "title": "NIP",
                "description": "NIP 18 digit tanpa spasi", "x-description-en": "NIP, 18 digits without spaces",
                "examples": ["198501012010011001"]},
        "nik": {"type": "string", "pattern": "^\\d{16}$", "title": "NIK"},
        "tanggal": {"type": "string", "format": "date", "title": "Tanggal"},
        "waktu": {"type": "string", "format": "date-time"},
        "rupiah": {"type": "integer", "minimum": 0, "title": "Rupiah"},
        "kode_pemda": {"type": "string", "pattern": "^\\d{2}(\\.\\d{2})?$", "examples": ["35.72"],
                       "description": "Kode wilayah Kemendagri bertitik", "x-description-en": "Dotted region code"},
    },
}

PEGAWAI = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:simpul:schema:uji/pegawai:1",
    "title": "Pegawai uji", "x-title-en": "Test employee",
    "description": "Pegawai untuk uji", "x-description-en": "Employee for tests",
    "type": "object",
    "additionalProperties": False,
    "required": ["nip", "nama", "jenis_asn", "tanggal_lahir", "jabatan", "kode_pemda"],
    "properties": {
        "nip": {"$ref": "urn:simpul:schema:common/definitions:1#/$defs/nip"},
        "nama": {"type": "string", "minLength": 1, "maxLength": 60, "title": "Nama lengkap", "x-title-en": "Full name"},
        "jenis_asn": {"enum": ["PNS", "PPPK"], "title": "Jenis ASN"},
        "tanggal_lahir": {"$ref": "urn:simpul:schema:common/definitions:1#/$defs/tanggal",
                          "title": "Tanggal lahir", "x-title-en": "Date of birth"},
        "nik": {"$ref": "urn:simpul:schema:common/definitions:1#/$defs/nik", "x-personal-data": True},
        "email": {"type": "string", "format": "email", "x-personal-data": True},
        "gaji": {"$ref": "urn:simpul:schema:common/definitions:1#/$defs/rupiah"},
        "aktif": {"type": "boolean"},
        "kode_pemda": {"$ref": "urn:simpul:schema:common/definitions:1#/$defs/kode_pemda"},
        "status": {"type": "string", "x-codelist": "status_uji"},
        "updated_at": {"$ref": "urn:simpul:schema:common/definitions:1#/$defs/waktu"},
        "jabatan": {
            "type": "object", "title": "Jabatan", "required": ["nama", "jenis_jabatan"], "additionalProperties": False,
            "properties": {
                "nama": {"type": "string", "title": "Nama jabatan", "x-title-en": "Position name"},
                "jenis_jabatan": {"enum": ["struktural", "fungsional_tertentu", "fungsional_umum"]},
                "eselon": {"type": "string"},
            },
        },
        "indikator": {
            "type": "array", "minItems": 1, "maxItems": 5,
            "items": {"type": "object", "required": ["uraian", "target"],
                      "properties": {"uraian": {"type": "string"}, "target": {"type": "number"},
                                     "bobot": {"type": "number", "multipleOf": 0.01}}},
        },
        "golongan": {"oneOf": [{"type": "null"}, {"type": "string", "pattern": "^(I|II|III|IV)/[a-e]$"}]},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "url": {"type": "string", "format": "uri"},
    },
    "dependentRequired": {"golongan": ["tmt"]},
    "patternProperties": {"^x_": {"type": "string"}},
    "allOf": [{"if": {"properties": {"jenis_asn": {"const": "PPPK"}}, "required": ["jenis_asn"]},
               "then": {"properties": {"nip": {"pattern": "^\\d{8}20\\d{8}$"}}}}],
}
PEGAWAI["properties"]["tmt"] = {"$ref": "urn:simpul:schema:common/definitions:1#/$defs/tanggal"}

VALID = {
    "nip": "198501012010011001",
    "nama": "Budi Santoso",
    "jenis_asn": "PNS",
    "tanggal_lahir": "1985-01-01",
    "jabatan": {"nama": "Analis", "jenis_jabatan": "fungsional_umum"},
    "kode_pemda": "35.72",
}


def write_schemas(root: Path, *, invalid_example: dict[str, Any] | None = None) -> Path:
    """Write the test schemas (and a few examples) under ``root``; returns ``root``."""
    for schema in (DEFS, PEGAWAI):
        key, version = schema["$id"].removeprefix("urn:simpul:schema:").rsplit(":", 1)
        folder = root / key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{version}.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    examples = root / "uji" / "pegawai" / "examples"
    (examples / "valid").mkdir(parents=True, exist_ok=True)
    (examples / "invalid").mkdir(parents=True, exist_ok=True)
    (examples / "valid" / "minimal.json").write_text(json.dumps(VALID), encoding="utf-8")
    bad = invalid_example or {**VALID, "tanggal_lahir": "17-08-1985"}
    (examples / "invalid" / "tanggal.json").write_text(json.dumps(bad), encoding="utf-8")
    return root
