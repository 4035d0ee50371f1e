"""The schema store: every canonical schema under ``schemas/``, indexed by URN and by key.

A schema lives in ``schemas/<domain>/<name>/<version>.json`` with ``$id``
``urn:simpul:schema:<domain>/<name>:<version>``. It can be asked for by

* key ``<domain>/<name>`` (the latest version),
* versioned key ``<domain>/<name>:<version>``,
* its URN.

Both validator engines get a registry holding every schema, so a ``$ref`` to another schema's URN resolves
without any network access. Each schema version carries the sha256 of its canonical JSON, so a report can say
exactly which text it was checked against.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub.errors import NotFound
from hub.health import register_readiness
from hub.logging import get_logger
from hub.settings import get_settings

log = get_logger("hub.validation.store")

URN_PREFIX = "urn:simpul:schema:"
_VERSION_FILE = re.compile(r"^[0-9][0-9A-Za-z.\-]*$")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8): the text the content hash is computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()


def _version_order(version: str) -> tuple[tuple[int, Any], ...]:
    """Natural order of versions: ``2`` < ``10``, ``1.2`` < ``1.10``."""
    return tuple((0, int(p)) if p.isascii() and p.isdigit() else (1, p) for p in re.split(r"[.\-]", version))


@dataclass(eq=False)
class SchemaEntry:
    """One version of one canonical schema."""

    urn: str
    domain: str
    name: str
    version: str
    path: Path
    schema: dict[str, Any]
    hash: str
    examples_valid: list[Path] = field(default_factory=list)
    examples_invalid: list[Path] = field(default_factory=list)
    latest: bool = False

    @property
    def key(self) -> str:
        return f"{self.domain}/{self.name}"

    @property
    def versioned_key(self) -> str:
        return f"{self.key}:{self.version}"

    @property
    def title(self) -> dict[str, str]:
        text = str(self.schema.get("title") or self.key)
        return {"id": text, "en": str(self.schema.get("x-title-en") or text)}

    @property
    def description(self) -> dict[str, str]:
        text = str(self.schema.get("description") or "")
        return {"id": text, "en": str(self.schema.get("x-description-en") or text)}

    @property
    def examples_dir(self) -> Path:
        return self.path.parent / "examples"

    @cached_property
    def expected(self) -> dict[str, Any]:
        """``examples/expected.yaml``: per invalid example, the errors it must produce (empty when absent)."""
        path = self.examples_dir / "expected.yaml"
        if not path.is_file():
            return {}
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return data if isinstance(data, dict) else {}


class SchemaStore:
    """Loads a schemas folder once; lookups are dictionary reads afterwards."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.problems: list[str] = []
        self._by_urn: dict[str, SchemaEntry] = {}
        self._by_key: dict[str, SchemaEntry] = {}
        self._load()
        self.py_registry: Registry = Registry().with_resources(
            (e.urn, Resource.from_contents(e.schema, default_specification=DRAFT202012))
            for e in self._by_urn.values()
        )
        self.rs_registry = self._rs_registry()
        self._memo: dict[tuple[str, str], Any] = {}
        self._check_schemas()

    # loading ---------------------------------------------------------------------------------------------------
    def _load(self) -> None:
        if not self.root.is_dir():
            self.problems.append(f"schemas folder {self.root} does not exist")
            return
        grouped: dict[str, list[SchemaEntry]] = {}
        for path in sorted(self.root.glob("*/*/*.json")):
            if not _VERSION_FILE.match(path.stem):
                continue
            entry = self._read(path)
            if entry is None:
                continue
            if entry.urn in self._by_urn:
                self.problems.append(f"{path}: $id {entry.urn} is also used by {self._by_urn[entry.urn].path}")
                continue
            self._by_urn[entry.urn] = entry
            grouped.setdefault(entry.key, []).append(entry)
        for key, entries in grouped.items():
            entries.sort(key=lambda e: _version_order(e.version))
            entries[-1].latest = True
            self._by_key[key] = entries[-1]
            for e in entries:
                self._by_key[e.versioned_key] = e

    def _read(self, path: Path) -> SchemaEntry | None:
        domain, name, version = path.parent.parent.name, path.parent.name, path.stem
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.problems.append(f"{path}: cannot be read as JSON: {exc}")
            return None
        if not isinstance(schema, dict):
            self.problems.append(f"{path}: a schema must be a JSON object")
            return None
        expected_urn = f"{URN_PREFIX}{domain}/{name}:{version}"
        urn = schema.get("$id")
        if urn != expected_urn:
            self.problems.append(f"{path}: $id is {urn!r}, expected {expected_urn!r}")
            schema = {**schema, "$id": expected_urn}
        examples = path.parent / "examples"
        return SchemaEntry(
            urn=expected_urn, domain=domain, name=name, version=version, path=path, schema=schema,
            hash=content_hash(schema),
            examples_valid=sorted((examples / "valid").glob("*.json")),
            examples_invalid=sorted((examples / "invalid").glob("*.json")),
        )

    def _rs_registry(self) -> Any:
        """The jsonschema-rs registry; a schema whose ``$ref`` cannot be resolved is left out (and reported)."""
        pool = list(self._by_urn.values())
        while True:
            try:
                return jsonschema_rs.Registry([(e.urn, e.schema) for e in pool])
            except (ValueError, jsonschema_rs.ReferencingError) as exc:
                missing = re.findall(r"'([^']+)'", str(exc))
                bad = [e for e in pool if any(m in canonical_json(e.schema).decode() for m in missing)] or pool[-1:]
                for entry in bad:
                    self.problems.append(f"{entry.path}: {exc}")
                    self._forget(entry)
                pool = [e for e in pool if e not in bad]

    def _forget(self, entry: SchemaEntry) -> None:
        """Stop serving a schema that cannot be used (it stays in ``problems``)."""
        self._by_urn.pop(entry.urn, None)
        for key in [k for k, e in self._by_key.items() if e is entry]:
            del self._by_key[key]
        if entry.latest:
            older = [e for e in self._by_urn.values() if e.key == entry.key]
            if older:
                newest = max(older, key=lambda e: _version_order(e.version))
                newest.latest = True
                self._by_key[entry.key] = newest

    def _check_schemas(self) -> None:
        for entry in list(self._by_urn.values()):
            try:
                Draft202012Validator.check_schema(entry.schema)
            except SchemaError as exc:
                self.problems.append(f"{entry.path}: not a valid 2020-12 schema: {exc.message}")
                self._forget(entry)
                continue
            try:
                self.resolved(entry)
                self.rs_validator(entry)
            except Exception as exc:  # a broken $ref or pattern: the store still serves the other schemas
                self.problems.append(f"{entry.path}: {exc}")
                self._forget(entry)

    # lookups ---------------------------------------------------------------------------------------------------
    def get(self, ref: str) -> SchemaEntry:
        """The schema for a key, versioned key or URN; unknown names raise NotFound naming close matches."""
        ref = (ref or "").strip()
        name = ref[len(URN_PREFIX):] if ref.startswith(URN_PREFIX) else ref
        entry = self._by_key.get(name)
        if entry is None:
            raise NotFound.with_suggestions("what.schema", ref, self.keys(all_versions=":" in name))
        return entry

    def __contains__(self, ref: str) -> bool:
        try:
            self.get(ref)
        except NotFound:
            return False
        return True

    def keys(self, *, all_versions: bool = False) -> list[str]:
        keys = [k for k in self._by_key if all_versions or ":" not in k]
        return sorted(keys)

    def entries(self, *, all_versions: bool = False) -> list[SchemaEntry]:
        """Schemas in key order: the latest version of each, or every version."""
        pool = self._by_urn.values() if all_versions else (e for e in self._by_urn.values() if e.latest)
        return sorted(pool, key=lambda e: (e.key, _version_order(e.version)))

    def resolved(self, entry: SchemaEntry) -> dict[str, Any]:
        """The schema with every ``$ref`` inlined (cycles stay as ``$ref``): what rules, inputs and docs walk.

        Keywords next to a ``$ref`` (a field's own ``title``, ``description``, ``x-personal-data``,
        ``x-codelist``) win over those of the referenced definition, so nothing said at the field is lost.
        """
        return self.memo("resolved", entry, lambda: _inline(
            entry.schema, self.py_registry.resolver(base_uri=entry.urn), ()))

    def rs_validator(self, entry: SchemaEntry) -> Any:
        """The compiled fast validator (jsonschema-rs, formats checked)."""
        return self.memo("rs", entry, lambda: jsonschema_rs.Draft202012Validator(
            entry.schema, registry=self.rs_registry, validate_formats=True, base_uri=entry.urn, offline=True))

    def memo(self, kind: str, entry: SchemaEntry, build: Callable[[], Any]) -> Any:
        """Build something derived from a schema once (compiled validators, resolved schema) and keep it."""
        slot = (kind, entry.urn)
        if slot not in self._memo:
            self._memo[slot] = build()
        return self._memo[slot]

    def readiness(self) -> str:
        if not self._by_urn:
            return "no schemas loaded from " + str(self.root)
        if self.problems:
            return f"{len(self.problems)} schema problem(s): " + "; ".join(self.problems[:3])
        return "ok"


def _inline(node: Any, resolver: Any, stack: tuple[int, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, resolver, stack) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, resolver, stack) for k, v in node.items() if k != "$ref"}
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return out
    try:
        found = resolver.lookup(ref)
    except Exception as exc:  # referencing.exceptions.Unresolvable
        raise ValueError(f"$ref {ref!r} cannot be resolved") from exc
    target_id = id(found.contents)
    if target_id in stack:  # a recursive definition: leave the reference in place
        return {"$ref": ref, **out}
    target = _inline(found.contents, found.resolver, (*stack, target_id))
    if not isinstance(target, dict):
        return out or target
    return {**target, **out}


@lru_cache(maxsize=8)
def _store_for(root: Path) -> SchemaStore:
    store = SchemaStore(root)
    log.info("schemas_loaded", root=str(root), count=len(store.entries(all_versions=True)),
             problems=len(store.problems))
    for problem in store.problems:
        log.warning("schema_problem", problem=problem)
    return store


def get_store(schemas_dir: Path | str | None = None) -> SchemaStore:
    """The process-wide store for ``schemas_dir`` (default: ``settings.schemas_dir``)."""
    root = Path(schemas_dir) if schemas_dir is not None else get_settings().schemas_dir
    return _store_for(root.resolve())


def reload_store() -> None:
    """Forget loaded schemas (tests, or after schemas changed on disk)."""
    _store_for.cache_clear()


register_readiness("schemas", lambda: get_store().readiness())
