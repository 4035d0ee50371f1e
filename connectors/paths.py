"""Dotted paths into nested JSON: ``data.items``, ``pegawai.data.nip_baru``, ``lokasi.0.kode``."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def split_path(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.split(".") if p != "") if path else ()


def get_path(data: Any, path: str | tuple[str, ...] | None, default: Any = None) -> Any:
    """The value at ``path`` (``None``/``""`` → ``data`` itself); ``default`` when any step is missing."""
    parts = split_path(path) if isinstance(path, str) else (path or ())
    current = data
    for part in parts:
        if isinstance(current, dict):
            current = current.get(part, _MISSING)
        elif isinstance(current, list) and part.lstrip("-").isascii() and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if -len(current) <= index < len(current) else _MISSING
        else:
            return default
        if current is _MISSING:
            return default
    return current


def has_path(data: Any, parts: tuple[str, ...]) -> bool:
    return get_path(data, parts, _MISSING) is not _MISSING


def set_path(target: dict[str, Any], parts: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``parts`` inside ``target``, creating the intermediate objects."""
    current = target
    for part in parts[:-1]:
        nxt = current.get(part)
        if not isinstance(nxt, dict):
            nxt = current[part] = {}
        current = nxt
    current[parts[-1]] = value
