"""The one validation report model, shared by the CLI, the API and every renderer.

Shape (JSON)::

    {"schema": {"id", "key", "version", "hash"}, "valid": bool,
     "summary": {"documents", "valid", "invalid", "errors", "warnings"},
     "documents": [{"index", "location", "valid", "issues": [
         {"severity", "rule", "pointer", "location", "value", "message": {"id", "en"}}]}],
     "groups": [{"rule", "severity", "path", "count", "documents", "example_value", "message"}]}

``rule`` is ``schema:<keyword>`` for schema errors (``schema:required``, ``schema:pattern``), a business rule id
(``PEG-001``) or ``codelist:<name>``. ``pointer`` is a JSON Pointer into the document; ``groups`` count issues by
rule and by path without array indices (``/indikator/*/target``). Values of personal data are masked.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SerializationInfo, model_serializer

import hub

Severity = Literal["error", "warning", "info"]


class Message(BaseModel):
    """A message in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.id


class SchemaRef(BaseModel):
    id: str = Field(description="Schema URN, e.g. urn:simpul:schema:kepegawaian/pegawai:1")
    key: str = Field(description="Schema key <domain>/<name>")
    version: str
    hash: str = Field(description="sha256 of the schema's canonical JSON")


class CellLocation(BaseModel):
    """Where an issue sits in the file the vendor sent (spreadsheets: sheet, row and column)."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = Field(default=None, description="Spreadsheet/CSV row (the header is row 1)")
    column: str | None = Field(default=None, description="Column letter, e.g. C")
    field: str | None = Field(default=None, description="Column header, e.g. jabatan.nama")
    line: int | None = Field(default=None, description="Line of the file (NDJSON)")


class DocumentLocation(BaseModel):
    file: str | None = None
    line: int | None = Field(default=None, description="First line of the document in the file (JSON, NDJSON)")
    sheet: str | None = None
    row: int | None = None
    label: Message = Field(description="Human location, e.g. 'baris 3' / 'row 3'")


class Issue(BaseModel):
    severity: Severity
    rule: str = Field(description="schema:<keyword>, a business rule id (PEG-001) or codelist:<name>")
    pointer: str = Field(description="JSON Pointer into the document ('' is the whole document)")
    location: CellLocation | None = None
    value: Any = Field(default=None, description="The offending value (personal data masked)")
    message: Message


class DocumentResult(BaseModel):
    index: int = Field(description="0-based position of the document in the batch")
    location: DocumentLocation
    valid: bool
    issues: list[Issue] = Field(default_factory=list)
    truncated: bool = Field(default=False, description="True when more issues were found than are listed")


class Summary(BaseModel):
    documents: int
    valid: int
    invalid: int
    errors: int
    warnings: int


class Group(BaseModel):
    rule: str
    severity: Severity
    path: str = Field(description="JSON Pointer without array indices, e.g. /indikator/*/target")
    count: int = Field(description="Issues of this rule at this path")
    documents: int = Field(description="Documents with at least one such issue")
    example_value: Any = None
    message: Message = Field(description="The message of the first such issue")


class Deprecation(BaseModel):
    """A schema version marked deprecated: until when it is served, and what replaces it."""

    key: str
    version: str
    sunset: date = Field(description="Last day this version is supported (RFC 8594 Sunset)")
    successor: str | None = Field(default=None, description="The version to move to")
    since: date | None = None
    note: str | None = None
    message: Message
class NormalisedValue(BaseModel):
    pointer: str = Field(description="JSON Pointer of the value that was rewritten")
    kind: str = Field(description="Normalisation kind (hub/validation/normalise.yaml), e.g. nip, tanggal")
    before: Any = Field(description="The value as sent (personal data masked)")
    after: Any = Field(description="Its normal form, which was validated (personal data masked)")


class NormalisedDocument(BaseModel):
    index: int = Field(description="0-based position of the document in the batch")
    location: DocumentLocation
    changes: list[NormalisedValue]


#: A valid document without issues, held compactly until someone asks for its :class:`DocumentResult`: its index
#: (a batch of raw values: the label is "dokumen N") or ``(index, file, line, sheet, row, label id, label en)``.
CompactValid = int | tuple[int, str | None, int | None, str | None, int | None, str, str]
Listed = DocumentResult | int | tuple[Any, ...]


def compact_valid(index: int, location: DocumentLocation | None) -> CompactValid:
    """What is kept of a valid document without issues (about a tenth of its three pydantic objects)."""
    if location is None:
        return index
    return (index, location.file, location.line, location.sheet, location.row, location.label.id,
            location.label.en)


def index_label(index: int) -> Message:
    """``dokumen 3`` / ``document 3``: the label of the document at 0-based ``index`` of a batch of raw values."""
    return Message(**index_texts(index))


def index_texts(index: int) -> dict[str, str]:
    """:func:`index_label` as ``{id, en}`` (pydantic builds the nested objects faster from plain values)."""
    id_, en = _index_texts()
    return {"id": id_.format(number=index + 1), "en": en.format(number=index + 1)}


@lru_cache(maxsize=1)
def _index_texts() -> tuple[str, str]:
    from hub.i18n import catalog

    texts = catalog()["validation.location.index"]
    return texts["id"], texts["en"]


def expand(item: Listed) -> DocumentResult:
    """The :class:`DocumentResult` of a listed entry (a compact valid one is built now)."""
    if isinstance(item, DocumentResult):
        return item
    if isinstance(item, int):
        return DocumentResult(index=item, location=DocumentLocation(label=index_label(item)), valid=True,
                              issues=[], truncated=False)
    index, file, line, sheet, row, label_id, label_en = item
    location = DocumentLocation(file=file, line=line, sheet=sheet, row=row, label=Message(id=label_id, en=label_en))
    return DocumentResult(index=index, location=location, valid=True, issues=[], truncated=False)


class ValidationReport(BaseModel):
    """The report. Built by :func:`listing`, its valid documents without issues stay compact until ``documents``
    is read or the report is serialised (:meth:`listed` and :func:`render.write_json` never expand them)."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: SchemaRef = Field(alias="schema")
    valid: bool = Field(description="True when no document has an error (warnings do not count)")
    summary: Summary
    documents: list[DocumentResult] = Field(
        description="Every document, or only those with issues when valid ones were left out")
    groups: list[Group] = Field(description="Issues grouped by rule and path, most frequent first")
    rules_applied: bool = Field(default=True, description="Business rules and code lists were checked")
    deprecation: Deprecation | None = Field(
        default=None, description="Set when the schema version is deprecated: its sunset date and successor")
    normalised: list[NormalisedDocument] | None = Field(
        default=None, description="With normalisation on: per document, the display forms rewritten to their "
                                  "normal form before validation (absent when normalisation was off)")
    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    simpul_version: str = hub.__version__

    _listing: list[Listed] | None = PrivateAttr(default=None)

    @classmethod
    def listing(cls, entries: list[Listed], **fields: Any) -> ValidationReport:
        """A report whose ``documents`` are ``entries``: :class:`DocumentResult` objects and compact valid ones."""
        report = cls(documents=[], **fields)
        if all(isinstance(item, DocumentResult) for item in entries):
            report.__dict__["documents"] = entries
        else:
            del report.__dict__["documents"]
            report._listing = entries
        return report

    def __getattr__(self, name: str) -> Any:
        if name == "documents":  # only while the listing is compact (afterwards it is in ``__dict__``)
            return self._expand()
        return super().__getattr__(name)  # type: ignore[misc]

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "documents" and "documents" not in self.__dict__:
            self._expand()  # the field back in its place first, then replaced
        super().__setattr__(name, value)

    def _expand(self) -> list[DocumentResult]:
        fields = self.__dict__
        found = fields.get("documents")
        if found is None:
            found = [expand(item) for item in self._listing or ()]
            # back in its place: the JSON lists the fields in the order they stand here
            ordered = {name: found if name == "documents" else fields[name]
                       for name in type(self).model_fields if name == "documents" or name in fields}
            fields.clear()
            fields.update(ordered)
            self._listing = None
        return found

    def listed(self) -> list[Listed]:
        """The documents in order, compact valid ones not expanded (see :func:`expand`)."""
        found = self.__dict__.get("documents")
        return found if found is not None else list(self._listing or ())

    def with_issues(self) -> Iterator[DocumentResult]:
        """The listed documents that have issues (the valid ones without issues are never expanded)."""
        for item in self.listed():
            if isinstance(item, DocumentResult) and item.issues:
                yield item

    @model_serializer(mode="wrap")
    def _serialise(self, handler: Any, info: SerializationInfo):  # type: ignore[no-untyped-def]  # no return annotation: the JSON schema stays the fields
        if not (info.context or {}).get("compact_listing"):  # render.write_json writes the documents itself
            self._expand()
        return handler(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ValidationReport):
            self._expand()
            other._expand()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr_args__(self) -> Any:
        self._expand()
        return super().__repr_args__()

    def __copy__(self) -> ValidationReport:
        self._expand()
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> ValidationReport:
        self._expand()
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        self._expand()
        return super().__getstate__()

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def general_path(pointer: str) -> str:
    """``/indikator/2/target`` → ``/indikator/*/target``."""
    if not pointer:
        return ""
    return "/".join("*" if part.isdigit() else part for part in pointer.split("/"))


def build_groups(documents: list[DocumentResult]) -> list[Group]:
    groups: OrderedDict[tuple[str, str, str], dict[str, Any]] = OrderedDict()
    for doc in documents:
        seen: set[tuple[str, str, str]] = set()
        for issue in doc.issues:
            key = (issue.rule, general_path(issue.pointer), issue.severity)
            slot = groups.get(key)
            if slot is None:
                slot = groups[key] = {"count": 0, "documents": 0, "example_value": issue.value,
                                      "message": issue.message}
            slot["count"] += 1
            if key not in seen:
                seen.add(key)
                slot["documents"] += 1
    order = {"error": 0, "warning": 1, "info": 2}
    out = [Group(rule=r, path=p, severity=s, **v) for (r, p, s), v in groups.items()]  # type: ignore[arg-type]
    out.sort(key=lambda g: (order[g.severity], -g.count, g.rule, g.path))
    return out


def summarize(documents: list[DocumentResult], total: int, valid: int) -> Summary:
    errors = sum(1 for d in documents for i in d.issues if i.severity == "error")
    warnings = sum(1 for d in documents for i in d.issues if i.severity == "warning")
    return Summary(documents=total, valid=valid, invalid=total - valid, errors=errors, warnings=warnings)
