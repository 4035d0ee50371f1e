"""What the API and the CLI call: list and describe schemas, validate a payload or files.

The API router and the CLI commands stay thin; all decisions (limits, formats, errors) are made here, so the
two interfaces answer alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from hub.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from hub.settings import Settings, get_settings
from hub.validation import inputs
from hub.validation.inputs import InputFormat, ParsedDocument
from hub.validation.report import Message, ValidationReport
from hub.validation.store import SchemaEntry, SchemaStore, get_store
from hub.validation.validator import validate_documents

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES: dict[str, InputFormat] = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "text/csv": "csv",
    XLSX: "xlsx",
}
_ALIASES: dict[str, InputFormat] = {
    "application/ndjson": "ndjson", "application/jsonl": "ndjson", "application/x-jsonlines": "ndjson",
    "application/csv": "csv",
}


class ExampleCounts(BaseModel):
    valid: int
    invalid: int


class SchemaSummary(BaseModel):
    key: str = Field(description="<domain>/<name>")
    id: str = Field(description="URN of this version")
    version: str
    versions: list[str] = Field(description="Every version the store holds, oldest first")
    domain: str
    name: str
    title: Message
    description: Message
    hash: str
    examples: ExampleCounts


class SchemaDetail(SchemaSummary):
    model_config = {"populate_by_name": True}

    schema_: dict[str, Any] = Field(alias="schema", description="The JSON Schema (draft 2020-12) itself")


def _summary(entry: SchemaEntry, store: SchemaStore) -> dict[str, Any]:
    versions = [e.version for e in store.entries(all_versions=True) if e.key == entry.key]
    return {
        "key": entry.key, "id": entry.urn, "version": entry.version, "versions": versions,
        "domain": entry.domain, "name": entry.name, "title": Message(**entry.title),
        "description": Message(**entry.description), "hash": entry.hash,
        "examples": ExampleCounts(valid=len(entry.examples_valid), invalid=len(entry.examples_invalid)),
    }


def list_schemas(store: SchemaStore | None = None) -> list[SchemaSummary]:
    store = store or get_store()
    return [SchemaSummary(**_summary(e, store)) for e in store.entries()]


def describe_schema(key: str, store: SchemaStore | None = None) -> SchemaDetail:
    store = store or get_store()
    entry = store.get(key)
    return SchemaDetail(**_summary(entry, store), schema=entry.schema)


def media_format(content_type: str | None) -> InputFormat:
    """``text/csv; charset=utf-8`` → ``csv``; anything unsupported raises a 415 naming what is."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    fmt = MEDIA_TYPES.get(media) or _ALIASES.get(media)
    if fmt is None:
        supported = list(MEDIA_TYPES)
        raise UnsupportedMediaType(content_type=media or "-", supported=", ".join(supported),
                                   extra={"supported": supported})
    return fmt


def _body_limit(size: int, settings: Settings) -> None:
    if size > settings.max_body_bytes:
        raise PayloadTooLarge(limit=settings.max_body_bytes, extra={"limit": settings.max_body_bytes})


def validate_payload(key: str, body: bytes, content_type: str | None, *, sheet: str | None = None,
                     rules: bool = True, include_valid: bool = True, store: SchemaStore | None = None,
                     settings: Settings | None = None) -> ValidationReport:
    """Validate an HTTP body (JSON object or array, NDJSON, CSV or XLSX) against schema ``key``."""
    store = store or get_store()
    settings = settings or get_settings()
    entry = store.get(key)
    fmt = media_format(content_type)
    _body_limit(len(body), settings)
    docs = inputs.parse(body, fmt, store.resolved(entry), sheet=sheet, limit=settings.max_batch_documents)
    return validate_documents(entry, docs, rules=rules, include_valid=include_valid, store=store)


def read_documents(paths: Sequence[Path | str], entry: SchemaEntry, store: SchemaStore, *,
                   sheet: str | None = None, limit: int | None = None) -> list[ParsedDocument]:
    """Documents of every file, in order; a missing or unreadable file is a usage error."""
    return list(iter_documents(paths, entry, store, sheet=sheet, limit=limit))


def iter_documents(paths: Sequence[Path | str], entry: SchemaEntry, store: SchemaStore, *,
                   sheet: str | None = None, limit: int | None = None) -> Iterator[ParsedDocument]:
    """:func:`read_documents` one document at a time: an NDJSON file (``.ndjson``/``.jsonl``) is read line by line,
    so a batch of 100,000 lines is validated without holding the file or its documents; other formats are read
    whole, file by file. Each file is checked when its turn comes, as :func:`read_documents` does."""
    count = 0
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise BadRequest("error.file_not_found", path=str(path))
        remaining = None if limit is None else max(limit - count, 0)
        if inputs.SUFFIXES.get(path.suffix.lower()) == "ndjson":
            docs: Iterable[ParsedDocument] = _stream_ndjson(path, remaining)
        else:
            body = _read(path)
            docs = inputs.parse(body, inputs.detect_format(path.name, body), store.resolved(entry), sheet=sheet,
                                file=str(path), limit=remaining)
        for doc in docs:
            count += 1
            yield doc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadRequest("error.file_unreadable", path=str(path), detail=exc.strerror or str(exc)) from None


def _stream_ndjson(path: Path, limit: int | None) -> Iterator[ParsedDocument]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BadRequest("error.file_unreadable", path=str(path), detail=exc.strerror or str(exc)) from None
    with handle:
        try:
            yield from inputs.iter_ndjson(handle, file=str(path), limit=limit)
        except OSError as exc:
            raise BadRequest("error.file_unreadable", path=str(path), detail=exc.strerror or str(exc)) from None


def validate_files(key: str, paths: Sequence[Path | str], *, sheet: str | None = None, rules: bool = True,
                   include_valid: bool = True, store: SchemaStore | None = None,
                   settings: Settings | None = None) -> ValidationReport:
    """Validate files (format from the suffix: .json, .ndjson/.jsonl, .csv, .xlsx) as one batch."""
    store = store or get_store()
    settings = settings or get_settings()
    entry = store.get(key)
    docs = iter_documents(paths, entry, store, sheet=sheet, limit=settings.max_batch_documents)
    return validate_documents(entry, docs, rules=rules, include_valid=include_valid, store=store)
