"""Mappings service: draft a mapping for one resource of an application, and check a mapping file.

``suggest`` reads a sample through the application's connector (or takes given records), matches its fields to
the canonical schema (hub.mapping.suggest) and returns the draft; the CLI writes it to a file, the API returns it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connectors import ConnectorError, Mapper
from hub.errors import BadRequest, Conflict
from hub.mapping.suggest import Draft, command
from hub.mapping.suggest import suggest as draft_from
from hub.services import connections

DEFAULT_SAMPLE = 50


def read_sample(path: Path) -> list[dict[str, Any]]:
    """Records from a JSON file (an array, or an object holding one under ``data``/``items``) or NDJSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest("mapping.suggest.sample_unreadable", path=str(path), detail=str(exc)[:160]) from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise BadRequest("mapping.suggest.sample_unreadable", path=str(path), detail=str(exc)) from None
    if isinstance(data, dict):
        data = next((data[k] for k in ("data", "items", "records", "results") if isinstance(data.get(k), list)),
                    [data])
    records = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
    return records


async def fetch_sample(spec: connections.ConnectionSpec, resource: str, limit: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    async for item in connections.pull(spec, resource, limit=limit, validate=False):
        records.append(item.raw)
    return records


def _resolved(schema: str) -> tuple[str, dict[str, Any]]:
    from hub.validation.store import get_store

    store = get_store()
    entry = store.get(schema)  # NotFound with suggestions for an unknown schema
    return entry.key, store.resolved(entry)


async def suggest(app: str, resource: str, schema: str, *, records: list[dict[str, Any]] | None = None,
                  spec: connections.ConnectionSpec | None = None, limit: int = DEFAULT_SAMPLE,
                  lang: str = "id") -> tuple[Draft, str]:
    """The draft mapping and its YAML text. ``records`` (a given sample) or ``spec`` (read through the connector;
    resolved from ``app`` when not given)."""
    key, resolved = _resolved(schema)
    base_url = None
    if records is None:
        spec = spec or connections.resolve(app)
        records = await fetch_sample(spec, resource, limit)
        base_url = (spec.connector.get("config") or {}).get("base_url")
    if not records:
        raise BadRequest("mapping.suggest.no_records", resource=resource)
    draft = draft_from(records[:limit] if limit else records, key, resolved, resource=resource,
                       base_url=base_url if isinstance(base_url, str) else None, lang=lang)
    return draft, draft.yaml(lang, command(app, resource, key))


def write_draft(path: Path, text: str, *, force: bool = False) -> None:
    """Write the draft; an existing file (perhaps a finished mapping) is never overwritten without ``force``."""
    if path.exists() and not force:
        raise Conflict("mapping.suggest.exists", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadRequest("mapping.suggest.unwritable", path=str(path), detail=exc.strerror or str(exc)) from None


def check_file(path: Path) -> Mapper:
    """Load a mapping file as the connectors will: every problem (todo, expressions, tables) at once."""
    if not path.is_file():
        raise BadRequest("error.file_not_found", path=str(path))
    try:
        return Mapper.from_file(path)
    except ConnectorError as exc:
        raise connections.ConnectorProblem(exc) from None
