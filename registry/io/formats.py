"""Reading and writing registry files: YAML (the whole registry), CSV (one entity per file) and XLSX
(one sheet per entity, plus an instruction sheet). Reading yields :class:`Batch` of raw records with their
row numbers; validation is the importer's job."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import yaml

from registry.convert import OPD_FIELDS, PEMDA_FIELDS, unflatten
from registry.errors import FieldError
from registry.io.flat import CellError, app_columns, parse_cell
from registry.io.spreadsheets import check_xlsx, csv_uncell

FORMATS = ("yaml", "csv", "xlsx")
ENTITIES = ("pemda", "opd", "applications")
HEADER_FIELDS = ("simpul_registry", "exported_at", "probe_allow")
SHEET_NAMES = {"pemda": "pemda", "opd": "opd", "applications": "aplikasi"}
SHEET_ALIASES = {
    "pemda": "pemda", "pemerintah daerah": "pemda",
    "opd": "opd", "skpd": "opd", "perangkat daerah": "opd",
    "aplikasi": "applications", "applications": "applications", "application": "applications",
    "apps": "applications",
}
INSTRUCTION_SHEETS = {"petunjuk", "readme", "instructions", "keterangan"}
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class RawRecord:
    entity: str
    sheet: str
    row: int
    data: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class Batch:
    records: list[RawRecord] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)  # file-level problems (syntax, header)
    header: dict[str, Any] = field(default_factory=dict)  # validated header fields, e.g. probe_allow

    def of(self, entity: str) -> list[RawRecord]:
        return [r for r in self.records if r.entity == entity]


class FormatError(ValueError):
    """The file cannot be read at all (wrong format, not UTF-8, broken XLSX)."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(message)


def detect_format(content: bytes, filename: str = "", content_type: str = "") -> str:
    name = filename.lower()
    ctype = content_type.lower()
    if content.startswith(XLSX_MAGIC) or name.endswith(".xlsx") or "spreadsheetml" in ctype:
        return "xlsx"
    if name.endswith(".csv") or "csv" in ctype:
        return "csv"
    if name.endswith((".yaml", ".yml")) or "yaml" in ctype:
        return "yaml"
    head = content[:2000].lstrip()
    first_line = head.split(b"\n", 1)[0]
    if first_line.count(b",") + first_line.count(b";") >= 3 and b":" not in first_line:
        return "csv"
    return "yaml"


def read(content: bytes, fmt: str, name: str = "") -> Batch:
    if fmt == "yaml":
        return _read_yaml(content)
    if fmt == "csv":
        return _read_csv(content, name)
    if fmt == "xlsx":
        return _read_xlsx(content)
    raise FormatError("registry_format_unknown", "unknown format {fmt}", fmt=fmt)


def _text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormatError("registry_file_encoding", "the file is not UTF-8 text")


# --- YAML ----------------------------------------------------------------------------------------------------


MAX_YAML_NODES = 1_000_000
"""Values of a registry YAML once its aliases are followed (a registry of 2,000 applications holds ~150,000). YAML
aliases are references: nine lines of ``&a`` / ``*a`` stand for 10^9 values ("billion laughs") which every later
step would walk."""


def _too_many_nodes(doc: Any, limit: int = MAX_YAML_NODES) -> bool:
    count, stack = 0, [doc]
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
            stack.extend(node.keys())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _read_yaml(content: bytes) -> Batch:
    batch = Batch()
    try:
        doc = yaml.load(_text(content), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        batch.errors.append(FieldError(field="", code="registry_yaml_syntax", row=line,
                                       message=f"YAML syntax error: {getattr(exc, 'problem', exc)}",
                                       params={"detail": str(getattr(exc, "problem", exc))}))
        return batch
    if _too_many_nodes(doc):
        batch.errors.append(FieldError(field="", code="registry_yaml_too_large",
                                       message=f"the YAML holds more than {MAX_YAML_NODES} values once its aliases "
                                               "are followed", params={"limit": MAX_YAML_NODES}))
        return batch
    if isinstance(doc, list):
        doc = {"applications": doc}
    if not isinstance(doc, dict):
        batch.errors.append(FieldError(field="", code="registry_yaml_shape",
                                       message="expected a mapping with pemda, opd and applications lists"))
        return batch
    for key in doc:
        if key not in (*ENTITIES, *HEADER_FIELDS):
            batch.errors.append(FieldError(field=str(key), code="registry_unknown_section",
                                           message=f"unknown section {key}", params={"section": str(key)}))
    if "probe_allow" in doc:
        entries, errors = read_probe_allow(doc["probe_allow"])
        batch.errors.extend(errors)
        if not errors:
            batch.header["probe_allow"] = entries
    for entity in ENTITIES:
        items = doc.get(entity) or []
        if not isinstance(items, list):
            batch.errors.append(FieldError(field=entity, code="registry_yaml_shape",
                                           message=f"{entity} must be a list"))
            continue
        for i, item in enumerate(items, start=1):
            rec = RawRecord(entity, entity, i, item if isinstance(item, dict) else {})
            if not isinstance(item, dict):
                rec.errors.append(FieldError(field="", code="registry_yaml_shape", row=i, sheet=entity,
                                             message="each item must be a mapping of fields"))
            batch.records.append(rec)
    return batch


def read_probe_allow(value: Any) -> tuple[list[str], list[FieldError]]:
    """The header's ``probe_allow``: a list (or a comma-separated text) of hosts, ``*.domains`` and networks
    Simpul may contact besides loopback; every entry is checked (no URL, no port, never metadata/link-local)."""
    from connectors.netpolicy import AllowList, AllowListError, split_entries

    if value is None:
        return [], []
    if not isinstance(value, str | list) or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
        return [], [FieldError(field="probe_allow", code="registry_probe_allow_shape",
                               message="probe_allow must be a list of hosts, *.domains or networks")]
    errors = []
    for entry in split_entries(value):
        try:
            AllowList.parse(entry)
        except AllowListError as exc:
            errors.append(FieldError(field="probe_allow", code="registry_probe_allow_entry",
                                     message=f"probe_allow entry {entry!r} is not valid ({exc.problem})",
                                     params={"entry": entry[:200]}))
    return ([] if errors else list(AllowList.parse(value).entries)), errors


# --- flat (CSV, XLSX) ----------------------------------------------------------------------------------------


def columns_of(entity: str) -> list[str]:
    return {"pemda": PEMDA_FIELDS, "opd": OPD_FIELDS, "applications": app_columns()}[entity]


def entity_of_header(header: list[str]) -> str | None:
    cols = set(header)
    if {"id", "kode_opd"} <= cols:
        return "applications"
    if "level" in cols:
        return "pemda"
    if {"kode_pemda", "kode"} <= cols:
        return "opd"
    return None


def _records_from_rows(batch: Batch, entity: str, sheet: str, header: list[str],
                       rows: list[tuple[int, list[Any]]]) -> None:
    known = set(columns_of(entity))
    for i, name in enumerate(header):
        if name and name not in known:
            batch.errors.append(FieldError(field=name, code="registry_unknown_column", row=1, sheet=sheet,
                                           message=f"unknown column {name}", params={"column": name,
                                                                                       "position": i + 1}))
    for number, cells in rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        flat: dict[str, Any] = {}
        rec = RawRecord(entity, sheet, number, {})
        for name, cell in zip(header, cells, strict=False):
            if not name or name not in known:
                continue
            try:
                value = parse_cell(name, cell) if entity == "applications" else _plain(cell)
            except CellError as exc:
                rec.errors.append(FieldError(field=name, code=exc.code, message=str(exc).format(**exc.params),
                                             params=exc.params, row=number, sheet=sheet))
                continue
            if value is not None:
                flat[name] = value
        rec.data = unflatten(flat) if entity == "applications" else flat
        batch.records.append(rec)


def _plain(cell: Any) -> Any:
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    return text or None


def _header(cells: list[Any]) -> list[str]:
    return [str(c).strip().lower() if c is not None else "" for c in cells]


def _read_csv(content: bytes, name: str = "") -> Batch:
    batch = Batch()
    text = _text(content)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:  # the apostrophe the CSV export put before formula-like text (XLSX keeps such text with a quote prefix)
        rows = [[csv_uncell(c) for c in row] for row in reader]
    except csv.Error as exc:
        raise FormatError("registry_csv_syntax", "CSV cannot be read: {detail}", detail=str(exc)) from exc
    if not rows:
        return batch
    header = _header(rows[0])
    entity = entity_of_header(header)
    sheet = name or "csv"
    if entity is None:
        batch.errors.append(FieldError(field="", code="registry_unknown_header", row=1, sheet=sheet,
                                       message="the header names no known entity"))
        return batch
    _records_from_rows(batch, entity, sheet, header, [(i, r) for i, r in enumerate(rows[1:], start=2)])
    return batch


def _read_xlsx(content: bytes) -> Batch:
    from openpyxl import load_workbook

    batch = Batch()
    check_xlsx(content)  # UnpackTooLarge before a byte is unpacked
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ... all mean "not an xlsx"
        raise FormatError("registry_xlsx_unreadable", "the XLSX file cannot be read: {detail}",
                          detail=type(exc).__name__) from exc
    try:
        for ws in wb.worksheets:
            title = ws.title.strip().lower()
            if title in INSTRUCTION_SHEETS:
                continue
            rows = ws.iter_rows(values_only=True)
            first = next(rows, None)
            if first is None:
                continue
            header = _header(list(first))
            entity = SHEET_ALIASES.get(title) or entity_of_header(header)
            if entity is None:
                batch.errors.append(FieldError(field="", code="registry_unknown_sheet", row=1, sheet=ws.title,
                                               message=f"sheet {ws.title} names no known entity",
                                               params={"sheet": ws.title}))
                continue
            _records_from_rows(batch, entity, ws.title, header,
                               [(i, list(r)) for i, r in enumerate(rows, start=2)])
    finally:
        wb.close()
    return batch
