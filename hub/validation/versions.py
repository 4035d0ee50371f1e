"""Schema versions vendors can rely on: semantic versions, deprecation with a sunset date, successors.

A schema version is the file name of the schema (``1.json``, ``1.1.json``) read as a semantic version
(``1`` = 1.0.0, ``1.1`` = 1.1.0; semver.org §2). Deprecations are data, kept beside the schemas in
``<schemas_dir>/versions.yaml``::

    deprecated:
      kepegawaian/pegawai:
        "1": {sunset: 2027-06-30, successor: "1.1", since: 2026-12-07, note: "..."}

``simpul schemas deprecate KEY VERSION --sunset DATE`` writes it; validating against a deprecated version warns
with the sunset date and the successor (CLI, API header ``Sunset`` per RFC 8594, the report's ``deprecation``).
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from hub.errors import BadRequest
from hub.i18n import both
from hub.validation.report import Deprecation, Message
from hub.validation.store import SchemaEntry, SchemaStore, get_store

VERSIONS_FILE = "versions.yaml"
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?$")


@dataclass(frozen=True, order=True)
class SemVer:
    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> SemVer:
        """``1`` → 1.0.0, ``1.1`` → 1.1.0; anything else is a usage error."""
        found = _SEMVER.match(str(text).strip())
        if not found:
            raise BadRequest("schemaver.version_invalid", version=str(text))
        return cls(*(int(part or 0) for part in found.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def bump_from(self, older: SemVer) -> str:
        """What kind of step ``older`` → ``self`` is: major, minor, patch (or ``none`` when equal/backwards)."""
        if self <= older:
            return "none"
        if self.major != older.major:
            return "major"
        return "minor" if self.minor != older.minor else "patch"


class VersionInfo(BaseModel):
    key: str
    version: str
    semver: str
    id: str
    hash: str
    latest: bool
    superseded_by: str | None = Field(default=None, description="The latest version when this one is older")
    deprecation: Deprecation | None = None


def versions_file(store: SchemaStore) -> Path:
    return store.root / VERSIONS_FILE


_cache: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def _read(store: SchemaStore) -> dict[str, Any]:
    """``versions.yaml``, re-read only when the file changed (validation asks once per batch or record)."""
    path = versions_file(store)
    try:
        info = path.stat()
    except OSError:
        return {}
    stamp = (info.st_mtime_ns, info.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return copy.deepcopy(cached[1])
    data = _load(path)
    _cache[path] = (stamp, data)
    return copy.deepcopy(data)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BadRequest("error.file_unreadable", path=str(path), detail=str(exc).splitlines()[0][:200]) from None
    if not isinstance(data, dict):
        raise BadRequest("error.file_unreadable", path=str(path), detail="not a YAML mapping")
    return data


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def deprecation_of(entry: SchemaEntry, store: SchemaStore | None = None) -> Deprecation | None:
    """The deprecation recorded for this schema version, or None."""
    store = store or get_store()
    item = ((_read(store).get("deprecated") or {}).get(entry.key) or {}).get(entry.version)
    if not isinstance(item, dict):
        return None
    sunset = _as_date(item.get("sunset"))
    if sunset is None:
        return None
    successor = str(item["successor"]) if item.get("successor") is not None else None
    key = "schemaver.deprecated.successor" if successor else "schemaver.deprecated.plain"
    return Deprecation(key=entry.key, version=entry.version, sunset=sunset, successor=successor,
                       since=_as_date(item.get("since")), note=item.get("note"),
                       message=Message(**both(key, schema=entry.versioned_key, sunset=sunset.isoformat(),
                                              successor=f"{entry.key}:{successor}")))


def versions(key: str, store: SchemaStore | None = None) -> list[VersionInfo]:
    """Every version of ``key`` (any version of it may be named), oldest first."""
    store = store or get_store()
    base = store.get(key)
    entries = [e for e in store.entries(all_versions=True) if e.key == base.key]
    latest = next(e for e in entries if e.latest)
    out = []
    for e in entries:
        out.append(VersionInfo(key=e.key, version=e.version, semver=str(semver_of(e)), id=e.urn, hash=e.hash,
                               latest=e.latest, superseded_by=None if e.latest else latest.version,
                               deprecation=deprecation_of(e, store)))
    return out


def semver_of(entry: SchemaEntry) -> SemVer:
    return SemVer.parse(entry.version)


def deprecate(key: str, version: str, sunset: str | date, *, successor: str | None = None, note: str | None = None,
              store: SchemaStore | None = None) -> Deprecation:
    """Record ``key:version`` as deprecated until ``sunset`` (the successor defaults to the latest version)."""
    store = store or get_store()
    entry = store.get(f"{store.get(key).key}:{version}")
    day = _as_date(sunset)
    if day is None:
        raise BadRequest("schemaver.sunset_invalid", sunset=str(sunset))
    successor_entry = store.get(f"{entry.key}:{successor}" if successor is not None else entry.key)
    if successor_entry is entry or semver_of(successor_entry) <= semver_of(entry):
        if successor is not None:
            raise BadRequest("schemaver.successor_older", successor=successor_entry.versioned_key,
                             schema=entry.versioned_key)
        successor_entry = None
    data = _read(store)
    per_key = data.setdefault("deprecated", {}).setdefault(entry.key, {})
    item: dict[str, Any] = {"sunset": day.isoformat(), "since": datetime.now(UTC).date().isoformat()}
    if successor_entry is not None:
        item["successor"] = successor_entry.version
    if note:
        item["note"] = note
    per_key[entry.version] = item
    _write(versions_file(store), data)
    found = deprecation_of(entry, store)
    if found is None:  # what was just written must read back
        raise BadRequest("error.file_unreadable", path=str(versions_file(store)), detail="deprecation not stored")
    return found


_HEADER = ("# Deprecated schema versions (written by `simpul schemas deprecate`; see docs/validation.md).\n"
           "# deprecated: {<domain>/<name>: {<version>: {sunset: YYYY-MM-DD, successor: <version>, since: ...}}}\n")


def _write(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically: a crash leaves the old file or the new one, never half of one."""
    text = _HEADER + yaml.safe_dump(data, sort_keys=True, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".versions.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
