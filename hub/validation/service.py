"""What the API and the CLI call: list and describe schemas, validate a payload or files.

The API router and the CLI commands stay thin; all decisions (limits, formats, errors) are made here, so the
two interfaces answer alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from hub.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from hub.i18n import t
from hub.settings import Settings, get_settings
from hub.validation import inputs, normalise
from hub.validation.inputs import InputFormat, ParsedDocument
from hub.validation.privacy import safe_value
from hub.validation.report import Message, NormalisedDocument, NormalisedValue, ValidationReport
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
                     rules: bool = True, include_valid: bool = True, normalise_: bool = False,
                     store: SchemaStore | None = None, settings: Settings | None = None) -> ValidationReport:
    """Validate an HTTP body (JSON object or array, NDJSON, CSV or XLSX) against schema ``key``.

    ``normalise_``: rewrite known display forms to their normal form first and report what changed.
    """
    store = store or get_store()
    settings = settings or get_settings()
    entry = store.get(key)
    fmt = media_format(content_type)
    _body_limit(len(body), settings)
    docs = inputs.parse(body, fmt, store.resolved(entry), sheet=sheet, limit=settings.max_batch_documents)
    return _validate(entry, docs, store, rules=rules, include_valid=include_valid, normalise_=normalise_)


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
                   include_valid: bool = True, normalise_: bool = False, write_normalised: Path | None = None,
                   store: SchemaStore | None = None, settings: Settings | None = None) -> ValidationReport:
    """Validate files (format from the suffix: .json, .ndjson/.jsonl, .csv, .xlsx) as one batch.

    ``normalise_`` as for :func:`validate_payload`; ``write_normalised`` (implies it) writes the normalised
    documents to that file: NDJSON for ``.ndjson``/``.jsonl``, otherwise a JSON array.
    """
    store = store or get_store()
    settings = settings or get_settings()
    entry = store.get(key)
    if normalise_ or write_normalised is not None:
        docs = read_documents(paths, entry, store, sheet=sheet, limit=settings.max_batch_documents)
        report = _validate(entry, docs, store, rules=rules, include_valid=include_valid, normalise_=True)
        if write_normalised is not None:
            write_documents(write_normalised, [d.data for d in docs])
        return report
    # without normalisation the documents stream (an NDJSON file is never held whole); what a hint needs is
    # only the normal form of the few display-form values, kept per document as the stream goes by
    stream = iter_documents(paths, entry, store, sheet=sheet, limit=settings.max_batch_documents)
    resolved = store.resolved(entry)
    slots = store.memo("normalise", entry, lambda: normalise.slots(resolved))
    seen: dict[int, dict[str, Any]] = {}
    report = validate_documents(entry, _noting_normal_forms(stream, slots, seen), rules=rules,
                                include_valid=include_valid, store=store)
    _hint_normal_forms(report, lambda index, pointer: seen.get(index, {}).get(pointer), slots, resolved)
    return report


def _noting_normal_forms(docs: Iterable[ParsedDocument], slots: Any,
                         seen: dict[int, dict[str, Any]]) -> Iterator[ParsedDocument]:
    for index, doc in enumerate(docs):
        if slots:
            _, changes = normalise.normalise_document(doc.data, slots)
            if changes:
                seen[index] = {c.pointer: c.after for c in changes}
        yield doc


# --- normalisation (hub/validation/normalise.py does the rewriting; here: report and hints) ---------------------
def _validate(entry: SchemaEntry, docs: list[ParsedDocument], store: SchemaStore, *, rules: bool,
              include_valid: bool, normalise_: bool) -> ValidationReport:
    resolved = store.resolved(entry)
    slots = store.memo("normalise", entry, lambda: normalise.slots(resolved))
    changed: list[NormalisedDocument] = []
    if normalise_:
        for index, doc in enumerate(docs):
            doc.data, changes = normalise.normalise_document(doc.data, slots)
            if changes:
                changed.append(NormalisedDocument(index=index, location=doc.location, changes=[
                    _shown(c, resolved) for c in changes]))
    report = validate_documents(entry, docs, rules=rules, include_valid=include_valid, store=store)
    if normalise_:
        report.normalised = changed
    else:
        def normal_at(index: int, pointer: str) -> Any:
            if index >= len(docs):
                return None
            name = normalise.kind_at(slots, pointer)
            return normalise.normal_form(name, _value_at(docs[index].data, pointer)) if name else None

        _hint_normal_forms(report, normal_at, slots, resolved)
    return report


def _shown(change: normalise.Change, resolved: dict[str, Any]) -> NormalisedValue:
    parts = [int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~")
             for p in change.pointer.split("/")[1:]]
    masked = normalise.kind(change.kind).personal
    before = _masked(change.before) if masked else safe_value(change.before, resolved, parts)
    after = _masked(change.after) if masked else safe_value(change.after, resolved, parts)
    return NormalisedValue(pointer=change.pointer, kind=change.kind, before=before, after=after)


def _masked(value: Any) -> Any:
    from hub.validation.rules.values import masked

    return masked(value)


def _value_at(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node.get(token)
        else:
            return None
    return node


def _hint_normal_forms(report: ValidationReport, normal_at: Callable[[int, str], Any], slots: Any,
                       resolved: dict[str, Any]) -> None:
    """Without normalisation, a schema error on a known display form names the normal form (one answer);
    ``normal_at(index, pointer)`` is the normal form of that document's value there, or None."""
    if not slots:
        return
    for result in report.with_issues():
        for issue in result.issues:
            name = normalise.kind_at(slots, issue.pointer) if issue.rule.startswith("schema:") else None
            after = normal_at(result.index, issue.pointer) if name else None
            if after is None:
                continue
            kind = normalise.kind(name)
            shown = _masked(after) if kind.personal else after
            hint_id = t("validation.normal_form_hint", "id", normal=shown, form=kind.normal["id"])
            hint_en = t("validation.normal_form_hint", "en", normal=shown, form=kind.normal["en"])
            issue.message = Message(id=f"{issue.message.id} {hint_id}", en=f"{issue.message.en} {hint_en}")


def write_documents(path: Path | str, documents: list[Any]) -> Path:
    """Write documents as NDJSON (``.ndjson``/``.jsonl``) or a JSON array; an unwritable path is a usage error."""
    target = Path(path)
    if target.suffix.lower() in (".ndjson", ".jsonl"):
        text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents)
    else:
        text = json.dumps(documents, ensure_ascii=False, indent=2) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadRequest("validation.normalised_unwritable", path=str(target),
                         detail=exc.strerror or str(exc)) from None
    return target
