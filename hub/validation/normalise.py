"""The one normaliser: known display forms (spaced NIP, undotted codes, DD-MM-YYYY dates) → their normal form.

The kinds are data (``normalise.yaml`` beside this module). A canonical schema marks a field with
``"x-normalise": "<kind>"``; :func:`slots` finds those fields, :func:`normalise_document` rewrites a document and
says what it changed. The validator (``simpul validate --normalise``, API ``normalise=true``) and the connector
mappings (``normalise: <kind>``) call this module and nothing else, so every path gives the same answer.

This module imports nothing from the rest of Simpul: connectors use it too.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
METHODS = ("join", "segments", "date")


@dataclass(frozen=True)
class Kind:
    """One display-form family (an entry of ``normalise.yaml``)."""

    name: str
    method: str
    normal: dict[str, str]
    display: tuple[str, ...]
    source: str
    personal: bool = False
    remove: str = ""
    shape: re.Pattern[str] | None = None
    chars: re.Pattern[str] | None = None
    widths: tuple[int, ...] = ()
    levels: tuple[int, ...] = ()
    formats: tuple[str, ...] = ()

    def apply(self, value: Any) -> str | None:
        """The normal form of ``value``, or ``None`` when it is not a known display form of this kind."""
        if not isinstance(value, str):
            return None
        text = value.strip()
        if self.method == "date":
            return self._date(text)
        stripped = "".join(ch for ch in text if ch not in self.remove)
        if self.method == "join":
            return stripped if self.shape is not None and self.shape.fullmatch(stripped) else None
        return self._segments(stripped)

    def _date(self, text: str) -> str | None:
        for fmt in self.formats:
            try:
                return datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
        return None

    def _segments(self, stripped: str) -> str | None:
        if self.chars is None or not self.chars.fullmatch(stripped):
            return None
        for level in self.levels:
            if sum(self.widths[:level]) == len(stripped):
                parts, start = [], 0
                for width in self.widths[:level]:
                    parts.append(stripped[start:start + width])
                    start += width
                return ".".join(parts)
        return None


@dataclass(frozen=True)
class Change:
    """One value the normaliser rewrote: where, which kind, the value before and after."""

    pointer: str
    kind: str
    before: str
    after: str


class UnknownKind(ValueError):
    """A schema or mapping names a kind ``normalise.yaml`` does not define."""


def _kind(name: str, raw: Mapping[str, Any]) -> Kind:
    method = raw.get("method")
    if method not in METHODS:
        raise RuntimeError(f"normalise.yaml: kind {name!r} has method {method!r}; expected one of {METHODS}")
    normal = raw.get("normal") or {}
    if not isinstance(normal, dict) or not all(isinstance(normal.get(lang), str) for lang in ("id", "en")):
        raise RuntimeError(f"normalise.yaml: kind {name!r} needs 'normal' with an 'id' and an 'en' text")
    chars = raw.get("chars")
    return Kind(
        name=name, method=method, normal={"id": normal["id"], "en": normal["en"]},
        display=tuple(str(d) for d in raw.get("display") or ()), source=str(raw.get("source", "")),
        personal=bool(raw.get("personal", False)), remove=str(raw.get("remove", "")),
        shape=re.compile(raw["shape"], re.ASCII) if raw.get("shape") else None,
        chars=re.compile(f"[{chars}]+", re.ASCII) if chars else None,
        widths=tuple(int(w) for w in raw.get("widths") or ()), levels=tuple(int(n) for n in raw.get("levels") or ()),
        formats=tuple(str(f) for f in raw.get("formats") or ()),
    )


@lru_cache(maxsize=1)
def kinds() -> dict[str, Kind]:
    """Every kind of ``normalise.yaml`` by name (read once per process)."""
    data = yaml.safe_load((HERE / "normalise.yaml").read_text(encoding="utf-8")) or {}
    return {str(name): _kind(str(name), raw or {}) for name, raw in (data.get("kinds") or {}).items()}


def kind(name: str) -> Kind:
    found = kinds().get(name)
    if found is None:
        raise UnknownKind(f"unknown normalisation kind {name!r}; known: {', '.join(sorted(kinds()))}")
    return found


def normal_form(kind_name: str, value: Any) -> str | None:
    """The normal form of ``value`` when it differs from ``value``; ``None`` when there is nothing to change."""
    result = kind(kind_name).apply(value)
    return result if result is not None and result != value else None


# --- where a schema asks for it -----------------------------------------------------------------------------------
Path_ = tuple[str, ...]  # property names, "*" for every item of an array


def _walk(node: Any, path: Path_, out: dict[Path_, str], depth: int) -> None:
    if not isinstance(node, dict) or depth > 40:
        return
    if isinstance(node.get("x-normalise"), str):
        out.setdefault(path, node["x-normalise"])
    for name, sub in (node.get("properties") or {}).items():
        _walk(sub, (*path, str(name)), out, depth + 1)
    if isinstance(node.get("items"), dict):
        _walk(node["items"], (*path, "*"), out, depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(key) or ():
            _walk(sub, path, out, depth + 1)
    for key in ("then", "else"):
        _walk(node.get(key), path, out, depth + 1)


def slots(resolved_schema: Mapping[str, Any]) -> tuple[tuple[Path_, str], ...]:
    """Every ``x-normalise`` field of a schema whose ``$ref`` are inlined: ``((path, kind), ...)``."""
    out: dict[Path_, str] = {}
    _walk(resolved_schema, (), out, 0)
    for name in out.values():
        kind(name)  # an unknown kind in a schema is a programming error: fail loudly
    return tuple(out.items())


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _values(node: Any, path: Path_, pointer: str = "") -> Iterator[tuple[str, Any, Any, Any]]:
    """``(pointer, container, key, value)`` for every value at ``path``."""
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for i, item in enumerate(node):
                if rest:
                    yield from _values(item, rest, f"{pointer}/{i}")
                else:
                    yield f"{pointer}/{i}", node, i, item
    elif isinstance(node, dict) and head in node:
        here = f"{pointer}/{_escape(head)}"
        if rest:
            yield from _values(node[head], rest, here)
        else:
            yield here, node, head, node[head]


def normalise_document(document: Any, schema_slots: tuple[tuple[Path_, str], ...]) -> tuple[Any, list[Change]]:
    """A normalised copy of ``document`` and the changes made (the input is left untouched; a document with
    nothing to rewrite is returned as it is)."""
    changes: list[Change] = []
    if not schema_slots or not isinstance(document, dict):
        return document, changes
    if not any(normal_form(name, value) is not None
               for path, name in schema_slots for _, _, _, value in _values(document, path)):
        return document, changes  # the usual case: nothing to rewrite, nothing copied
    out = copy.deepcopy(document)
    for path, name in schema_slots:
        for pointer, container, key, value in list(_values(out, path)):
            after = normal_form(name, value)
            if after is not None:
                container[key] = after
                changes.append(Change(pointer=pointer, kind=name, before=value, after=after))
    changes.sort(key=lambda c: c.pointer)
    return out, changes


def kind_at(schema_slots: tuple[tuple[Path_, str], ...], pointer: str) -> str | None:
    """The kind of the field a JSON Pointer points at (array positions match ``*``)."""
    tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]) if pointer else ()
    for path, name in schema_slots:
        if len(path) == len(tokens) and all((p == "*" and t.isdigit()) or p == t for p, t in zip(path, tokens,
                                                                                               strict=True)):
            return name
    return None
