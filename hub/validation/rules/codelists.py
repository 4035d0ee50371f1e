"""Configurable code lists: ``schemas/codelists/<name>.yaml``, each replaceable by the operator.

An operator replaces a list by putting a file with the same name (``<name>.yaml``) into the folder named by the
environment variable ``SIMPUL_CODELISTS_DIR``; a file there with a new name adds a list. The override replaces
the whole list (it is not merged). Lists are read once per process and folder: restart Simpul after editing.
A malformed file is refused with a message that names the file and the problem.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from hub.errors import SimpulError
from hub.settings import get_settings
from hub.validation.rules.model import SEVERITIES, CodeList

ENV_OVERRIDE = "SIMPUL_CODELISTS_DIR"
CONFIDENCES = ("P", "S", "M")


class CodeListInvalid(SimpulError):
    """A code-list file (shipped or operator override) cannot be used."""

    status = 500
    code = "codelist-invalid"
    title = "Invalid code list"
    message_key = "rules.codelist.file_invalid"


def builtin_dir() -> Path:
    return Path(get_settings().schemas_dir) / "codelists"


def override_dir() -> Path | None:
    raw = os.environ.get(ENV_OVERRIDE, "").strip()
    return Path(raw).expanduser() if raw else None


def _texts(data: dict[str, Any], key: str, path: Path) -> dict[str, str]:
    value = data.get(key)
    if isinstance(value, str):
        return {"id": value, "en": value}
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) for lang in ("id", "en")):
        raise CodeListInvalid(path=str(path), detail=f"'{key}' needs an 'id' and an 'en' text")
    return {"id": value["id"], "en": value["en"]}


def parse_codelist(path: Path, *, overridden: bool = False) -> CodeList:
    """Read and check one code-list file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CodeListInvalid(path=str(path), detail=str(exc).splitlines()[0]) from exc
    if not isinstance(data, dict):
        raise CodeListInvalid(path=str(path), detail="the file must hold a mapping (name, title, values, ...)")
    name = data.get("name", path.stem)
    if name != path.stem:
        raise CodeListInvalid(path=str(path), detail=f"'name' is {name!r} but the file is named {path.stem!r}")
    confidence = str(data.get("confidence", "M"))
    if confidence not in CONFIDENCES:
        raise CodeListInvalid(path=str(path), detail=f"'confidence' must be one of {', '.join(CONFIDENCES)}")
    severity = str(data.get("severity") or ("warning" if confidence == "M" else "error"))
    if severity not in SEVERITIES:
        raise CodeListInvalid(path=str(path), detail=f"'severity' must be one of {', '.join(SEVERITIES)}")
    values = data.get("values")
    if not isinstance(values, list) or not values:
        raise CodeListInvalid(path=str(path), detail="'values' must be a non-empty list")
    seen: set[str] = set()
    for position, value in enumerate(values, start=1):
        if not isinstance(value, dict) or not isinstance(value.get("code"), str) or not value["code"]:
            raise CodeListInvalid(path=str(path), detail=f"value {position} needs a 'code' written as text "
                                                         "(quote numbers: code: \"4.1\")")
        if value["code"] in seen:
            raise CodeListInvalid(path=str(path), detail=f"code {value['code']!r} is listed twice")
        seen.add(value["code"])
    return CodeList(
        name=name,
        title=_texts(data, "title", path),
        description=_texts(data, "description", path) if "description" in data else {"id": "", "en": ""},
        source=str(data.get("source", "")),
        confidence=confidence,
        severity=severity,
        values=tuple(values),
        path=path,
        overridden=overridden,
    )


@lru_cache(maxsize=8)
def _load(builtin: Path, override: Path | None) -> dict[str, CodeList]:
    lists = {p.stem: parse_codelist(p) for p in sorted(builtin.glob("*.yaml"))}
    if override is not None:
        if not override.is_dir():
            raise CodeListInvalid(path=str(override), detail=f"{ENV_OVERRIDE} does not name a folder")
        for path in sorted(override.glob("*.yaml")):
            lists[path.stem] = parse_codelist(path, overridden=True)
    return lists


_current: dict[tuple[Path, str], dict[str, CodeList]] = {}
_pinned: ContextVar[dict[str, CodeList] | None] = ContextVar("simpul_codelists", default=None)


def codelists() -> dict[str, CodeList]:
    """Every code list by name, operator overrides (``SIMPUL_CODELISTS_DIR``) applied.

    Inside :func:`pinned` (a batch being validated) the lists of the batch, without looking at the settings again;
    elsewhere the answer is kept per schemas folder and override setting.
    """
    lists = _pinned.get()
    if lists is not None:
        return lists
    slot = (get_settings().schemas_dir, os.environ.get(ENV_OVERRIDE, ""))
    found = _current.get(slot)
    if found is None:
        found = _load(builtin_dir(), override_dir())
        _current[slot] = found
    return found


@contextmanager
def pinned() -> Iterator[None]:
    """Check a whole batch against the same lists, looked up once (a rule reads them for every document).

    Lists that cannot be read are not pinned: each document then meets the error as it would outside a batch.
    """
    try:
        lists = codelists()
    except CodeListInvalid:
        yield
        return
    token = _pinned.set(lists)
    try:
        yield
    finally:
        _pinned.reset(token)


def clear_cache() -> None:
    """Forget loaded lists (tests; or after the files changed)."""
    _load.cache_clear()
    _current.clear()
