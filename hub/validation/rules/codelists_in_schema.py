"""Where a schema uses code lists: every ``"x-codelist": "<name>"`` node and the document path it describes.

Works on a schema as written (``$ref`` to ``urn:simpul:schema:...`` is followed by reading the referenced file
from the schemas folder) and on a resolved one (references already inlined). Array items are written ``*`` in
a path. The result is cached per schema ``$id``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hub.settings import get_settings

URN_PREFIX = "urn:simpul:schema:"
_BRANCHES = ("allOf", "anyOf", "oneOf")
_CONDITIONAL = ("then", "else")
_MAX_DEPTH = 32


@dataclass(frozen=True)
class CodeListSlot:
    path: tuple[str, ...]
    codelist: str


@lru_cache(maxsize=64)
def _schema_by_urn(urn: str, root: Path) -> dict[str, Any] | None:
    """``urn:simpul:schema:<domain>/<name>:<version>`` → the parsed file, or ``None``."""
    if not urn.startswith(URN_PREFIX):
        return None
    key, _, version = urn[len(URN_PREFIX):].rpartition(":")
    path = root / key / f"{version}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pointer(doc: Any, fragment: str) -> Any:
    node = doc
    for raw in fragment.lstrip("/").split("/") if fragment.strip("/") else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _resolve(ref: str, base: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    target, _, fragment = ref.partition("#")
    doc = base if not target else _schema_by_urn(target, Path(get_settings().schemas_dir))
    if doc is None:
        return None, base
    return _pointer(doc, fragment), doc


def _walk(node: Any, path: tuple[str, ...], base: dict[str, Any], out: set[CodeListSlot], depth: int) -> None:
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return
    if isinstance(node.get("x-codelist"), str):
        out.add(CodeListSlot(path, node["x-codelist"]))
    if isinstance(node.get("$ref"), str):
        target, target_base = _resolve(node["$ref"], base)
        _walk(target, path, target_base, out, depth + 1)
    for name, sub in (node.get("properties") or {}).items():
        _walk(sub, (*path, name), base, out, depth + 1)
    if isinstance(node.get("items"), dict):
        _walk(node["items"], (*path, "*"), base, out, depth + 1)
    for keyword in _BRANCHES:
        for sub in node.get(keyword) or ():
            _walk(sub, path, base, out, depth + 1)
    for keyword in _CONDITIONAL:
        _walk(node.get(keyword), path, base, out, depth + 1)


def _slots(schema: dict[str, Any]) -> tuple[CodeListSlot, ...]:
    found: set[CodeListSlot] = set()
    _walk(schema, (), schema, found, 0)
    return tuple(sorted(found, key=lambda s: (s.path, s.codelist)))


_by_id: dict[str, tuple[CodeListSlot, ...]] = {}


def codelist_slots(schema: dict[str, Any]) -> tuple[CodeListSlot, ...]:
    """The code-list slots of ``schema``, computed once per ``$id``."""
    schema_id = schema.get("$id")
    if not isinstance(schema_id, str):
        return _slots(schema)
    if schema_id not in _by_id:
        _by_id[schema_id] = _slots(schema)
    return _by_id[schema_id]


def clear_cache() -> None:
    _by_id.clear()
    _schema_by_urn.cache_clear()
