"""Record identity (data: identity.yaml), canonical JSON and content hashes."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from hub.errors import BadRequest

IDENTITY_FILE = Path(__file__).with_name("identity.yaml")
KEY_SEPARATOR = "|"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(document: Any) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


@lru_cache
def identities() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(IDENTITY_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): dict(v) for k, v in data.items()}


def base_key(schema: str) -> str:
    """``urn:simpul:schema:kepegawaian/pegawai:1`` or ``kepegawaian/pegawai:1`` → ``kepegawaian/pegawai``."""
    return schema.removeprefix("urn:simpul:schema:").split(":", 1)[0]


def identity(schema: str) -> dict[str, Any]:
    found = identities().get(base_key(schema))
    if found is None:
        raise BadRequest("exchange.no_identity", schema=base_key(schema))
    return found


def dig(document: Any, path: str | None) -> Any:
    if not path:
        return None
    node = document
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def record_key(schema: str, document: dict[str, Any]) -> str | None:
    """The key of a record from its identity fields (``2026|1.01.01.2.01.0001``); None if one is missing."""
    parts = []
    for field in identity(schema)["key"]:
        value = dig(document, field)
        if value is None or value == "":
            return None
        parts.append(str(value))
    return KEY_SEPARATOR.join(parts)


def opd_of(schema: str, document: dict[str, Any]) -> str | None:
    value = dig(document, identity(schema).get("opd"))
    return str(value) if value not in (None, "") else None


def year_of(schema: str, document: dict[str, Any]) -> int | None:
    value = dig(document, identity(schema).get("year"))
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
