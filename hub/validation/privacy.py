"""Personal data never leaves the validator unmasked.

A value is personal when a schema node on its path says ``"x-personal-data": true`` or when its field is named
like personal data (``nik``, ``nip``, ``email``, ``telepon``, …; the conventions count a full NIP as personal).
Personal values show only their first and last two characters; every other text still goes through
:func:`hub.logging.mask_text`, which catches a NIK/NIP or an e-mail address typed into the wrong field.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Sequence
from typing import Any

from hub.logging import mask_text

PERSONAL_NAMES = frozenset({
    "nik", "nip", "nip_baru", "no_nik", "nomor_nik", "email", "e_mail", "surel", "telepon", "no_telepon",
    "nomor_telepon", "hp", "no_hp", "nomor_hp", "phone", "ponsel", "no_kk", "nomor_kk",
})
MAX_SHOWN = 80

PathPart = str | int
_json_text = json.encoder.encode_basestring  # json.dumps(text, ensure_ascii=False)


def _child(node: Any, part: PathPart, depth: int = 0) -> Any:
    """The subschema describing ``part`` of an instance described by ``node`` (``None`` if unknown)."""
    if not isinstance(node, dict) or depth > 6:
        return None
    found: Any = None
    if isinstance(part, int):
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and part < len(prefix):
            found = prefix[part]
        elif isinstance(node.get("items"), dict):
            found = node["items"]
    else:
        props = node.get("properties")
        if isinstance(props, dict) and part in props:
            found = props[part]
        elif isinstance(node.get("additionalProperties"), dict):
            found = node["additionalProperties"]
    if found is None:
        for keyword in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(keyword) or ():
                found = _child(branch, part, depth + 1)
                if found is not None:
                    return found
        for keyword in ("then", "else"):
            found = _child(node.get(keyword), part, depth + 1)
            if found is not None:
                return found
    return found


_PATHS: dict[tuple[int, tuple[PathPart, ...]], tuple[Any, tuple[Any, ...]]] = {}
_MAX_PATHS = 50_000


def _walk(root: Any, parts: tuple[PathPart, ...]) -> tuple[Any, ...]:
    """:func:`schema_path` as a tuple, remembered per schema and path (schemas do not change while in use)."""
    slot = (id(root), parts)
    found = _PATHS.get(slot)
    if found is not None and found[0] is root:
        return found[1]
    nodes = [root]
    node = root
    for part in parts:
        node = _child(node, part)
        if node is None:
            break
        nodes.append(node)
    if len(_PATHS) >= _MAX_PATHS:
        _PATHS.clear()
    _PATHS[slot] = (root, tuple(nodes))
    return _PATHS[slot][1]


def schema_path(root: Any, parts: Sequence[PathPart]) -> list[Any]:
    """The subschemas met walking ``parts`` from ``root`` (stops where the schema says nothing more)."""
    return list(_walk(root, tuple(parts)))


def subschema_at(root: Any, parts: Sequence[PathPart]) -> dict[str, Any] | None:
    nodes = _walk(root, tuple(parts))
    if len(nodes) == len(parts) + 1 and isinstance(nodes[-1], dict):
        return nodes[-1]
    return None


def is_personal(root: Any, parts: Sequence[PathPart]) -> bool:
    if any(isinstance(p, str) and p.lower() in PERSONAL_NAMES for p in parts):
        return True
    return any(isinstance(n, dict) and n.get("x-personal-data") is True for n in _walk(root, tuple(parts)))


def mask_personal(text: str) -> str:
    """``3201234567890001`` → ``32************01``; ``budi@contoh.id`` → ``b***@contoh.id``."""
    if "@" in text:
        local, _, domain = text.partition("@")
        return (local[:1] + "***@" + domain) if local else "***@" + domain
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def _mask_tree(value: Any, root: Any, parts: list[PathPart], personal: bool) -> Any:
    if isinstance(value, dict):
        return {k: _mask_tree(v, root, [*parts, k], personal or is_personal(root, [*parts, k]))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_tree(v, root, [*parts, i], personal) for i, v in enumerate(value)]
    if personal and value is not None and not isinstance(value, bool):
        return mask_personal(str(value))
    if isinstance(value, str):
        return mask_text(value)
    return value


def safe_value(value: Any, root: Any, parts: Sequence[PathPart]) -> Any:
    """The value as a report may carry it: masked, and large objects/lists cut to a short JSON text."""
    masked = _mask_tree(value, root, list(parts), is_personal(root, parts))
    if isinstance(masked, dict | list):
        text = json.dumps(masked, ensure_ascii=False, separators=(",", ":"))
        return masked if len(text) <= 200 else text[:199] + "…"
    if isinstance(masked, str) and len(masked) > 200:
        return masked[:199] + "…"
    return masked


def shown(value: Any, *, as_json: bool = False) -> str:
    """Short text of an (already masked) value for a message."""
    kind = type(value)
    if kind is str:
        text = value if not as_json else _json_text(value)  # what json.dumps writes for a text, without an encoder
    elif kind is int:
        text = int.__repr__(value)
    elif isinstance(value, str) and not as_json:
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
