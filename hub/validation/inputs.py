"""Read a batch of documents from JSON, NDJSON, CSV or XLSX, remembering where each one came from.

Spreadsheets (CSV, XLSX): row 1 holds field names; every later row is one document. A dotted header builds
nested objects and lists (``jabatan.nama``, ``indikator.0.target``). Cells are text; they are converted to the
type the schema declares for the field (integer, number, boolean; lists split on ``;``), and empty cells are
left out. Each document keeps its row and a map from JSON Pointer to column, so an error at
``/jabatan/nama`` is reported at sheet/row/column.

Malformed JSON raises :class:`hub.errors.MalformedJSON` with line, column and position.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

from hub.errors import BadRequest, MalformedJSON, PayloadTooLarge
from hub.i18n import both
from hub.validation.json_lines import pointer_lines
from hub.validation.privacy import subschema_at
from hub.validation.report import CellLocation, DocumentLocation, Message

InputFormat = Literal["json", "ndjson", "csv", "xlsx"]
SUFFIXES: dict[str, InputFormat] = {
    ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
}


MAX_DEPTH = 64


def nesting_depth(value: Any) -> int:
    """How deeply objects and lists nest (iterative, so a hostile document cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def check_depth(doc: ParsedDocument) -> ParsedDocument:
    if nesting_depth(doc.data) > MAX_DEPTH:
        raise BadRequest("validation.too_deep", limit=MAX_DEPTH, where=doc.location.label.id,
                         extra={"limit": MAX_DEPTH})
    return doc


@dataclass
class ParsedDocument:
    data: Any
    location: DocumentLocation
    cells: dict[str, CellLocation] = field(default_factory=dict)
    """JSON Pointer of a filled cell → its place in the spreadsheet."""
    source: tuple[str, int, int, int] | None = field(default=None, repr=False, compare=False)
    """JSON text, start and end of this document in it, and its first line: to find the line of a pointer."""
    _lines: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)

    def line_of(self, pointer: str) -> int | None:
        """The line of the file holding ``pointer`` (or its closest parent), for JSON read from text."""
        if self.source is None:
            return None
        if self._lines is None:
            self._lines = pointer_lines(*self.source)
        probe = pointer
        while probe not in self._lines and probe:
            probe = probe.rsplit("/", 1)[0]
        return self._lines.get(probe)

    def locate(self, pointer: str) -> CellLocation | None:
        """The spreadsheet cell (or file line) an issue at ``pointer`` belongs to."""
        loc = self.location
        if self.cells:
            probe = pointer
            while probe:
                if probe in self.cells:
                    return self.cells[probe]
                probe = probe.rsplit("/", 1)[0]
            return CellLocation(file=loc.file, sheet=loc.sheet, row=loc.row)
        if loc.line is not None:
            return CellLocation(file=loc.file, line=self.line_of(pointer) or loc.line)
        return None


def _label(key: str, file: str | None, **params: Any) -> Message:
    texts = both(key, **params)
    if file:
        texts = {lang: both("validation.location.file", file=file, where=text)[lang] for lang, text in texts.items()}
    return Message(**texts)


def _line_labels(file: str | None) -> Callable[[int], Message]:
    """``_label("validation.location.line", file, line=n)`` for every line of one file, the texts filled in once."""
    mark = "\x00"  # never in a path or a message
    texts = _label("validation.location.line", file, line=mark)
    id_, en = texts.id, texts.en

    def label(number: int) -> Message:
        return Message(id=id_.replace(mark, str(number)), en=en.replace(mark, str(number)))

    return label


def _too_many(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge("validation.too_many_documents", limit=limit,
                           extra={"limit": limit, "limit_kind": "documents"})


def _decode(body: bytes | str) -> str:
    if isinstance(body, str):
        return body
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("validation.not_utf8", position=exc.start, extra={"position": exc.start}) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text[:24])
    return value


MAX_INT_DIGITS = 1000
"""Longer integers are refused as malformed (Python refuses > 4300 digits with a message of its own, and no
schema of Simpul needs more than a NIK's 16)."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(text[:24])
    return int(text)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_float, parse_int=_int)


def _malformed(exc: Exception, text: str, pos: int, line_offset: int = 0) -> MalformedJSON:
    if isinstance(exc, json.JSONDecodeError):
        return MalformedJSON(line=exc.lineno + line_offset, column=exc.colno, position=exc.pos, detail=exc.msg,
                             extra={"line": exc.lineno + line_offset, "column": exc.colno, "position": exc.pos})
    # NaN, Infinity or a number too large for a float: find it from ``pos`` for the position
    constant = str(exc)
    at = text.find(constant, pos)
    if len(constant) >= 24:
        constant += "…"  # a huge number, shown by its first characters
    at = at if at >= 0 else pos
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    err = MalformedJSON("validation.non_finite", constant=constant,
                        extra={"line": line + line_offset, "column": column, "position": at})
    return err


def _non_finite(exc: Exception, raw: str, offset: int, newlines: int, last_newline: int) -> MalformedJSON:
    """:func:`_malformed` for a NaN, Infinity or too large number on one line of an NDJSON text starting at
    ``offset``, after ``newlines`` line feeds (the last one at ``last_newline``): the same figures as for the
    whole text."""
    constant = str(exc)
    at = max(raw.find(constant), 0)
    inside = raw.rfind("\n", 0, at)
    column = offset + at - ((offset + inside) if inside >= 0 else last_newline)
    return MalformedJSON("validation.non_finite", constant=constant,
                         extra={"line": newlines + raw.count("\n", 0, at) + 1, "column": column,
                                "position": offset + at})


def _json_kind(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return {int: "number", float: "number", str: "string"}.get(type(value), type(value).__name__)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def parse_json(body: bytes | str, *, file: str | None = None, limit: int | None = None) -> list[ParsedDocument]:
    """One JSON document, or an array of documents (each remembers the line it starts on)."""
    text = _decode(body)
    start = _skip_ws(text, 0)
    if start == len(text):
        raise BadRequest("validation.empty_input")
    try:
        if text[start] != "[":
            data, end = _DECODER.raw_decode(text, start)
            if _skip_ws(text, end) != len(text):
                raise json.JSONDecodeError("Extra data", text, _skip_ws(text, end))
            if not isinstance(data, dict):
                raise BadRequest("validation.not_a_document", kind=_json_kind(data))
            line = text.count("\n", 0, start) + 1
            return [ParsedDocument(data, DocumentLocation(file=file, line=line,
                                                          label=_label("validation.location.index", file, number=1)),
                                   source=(text, start, end, line))]
        docs = list(_array(text, start, file, limit))
        if not docs:
            raise BadRequest("validation.empty_input")
        return docs
    except (json.JSONDecodeError, ValueError) as exc:
        raise _malformed(exc, text, start) from None


def _array(text: str, start: int, file: str | None, limit: int | None) -> Iterator[ParsedDocument]:
    pos = _skip_ws(text, start + 1)
    line, last = 1, 0
    index = 0
    if pos < len(text) and text[pos] == "]":
        pos = _skip_ws(text, pos + 1)
    else:
        while True:
            if limit is not None and index >= limit:
                raise _too_many(limit)
            line += text.count("\n", last, pos)
            last = pos
            begin = pos
            data, pos = _DECODER.raw_decode(text, pos)
            yield ParsedDocument(data, DocumentLocation(
                file=file, line=line, label=_label("validation.location.index", file, number=index + 1)),
                source=(text, begin, pos, line))
            index += 1
            pos = _skip_ws(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
                continue
            if pos < len(text) and text[pos] == "]":
                pos = _skip_ws(text, pos + 1)
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
    if pos != len(text):
        raise json.JSONDecodeError("Extra data", text, pos)


def parse_ndjson(body: bytes | str, *, file: str | None = None, limit: int | None = None) -> list[ParsedDocument]:
    """One JSON document per line; blank lines are skipped; errors name the line of the file."""
    return list(_ndjson_documents(_decode(body).splitlines(keepends=True), file=file, limit=limit, depth=False))


def iter_ndjson(stream: Iterable[bytes], *, file: str | None = None,
                limit: int | None = None) -> Iterator[ParsedDocument]:
    """:func:`parse_ndjson` of a binary stream (an open file), one document at a time: a large file is never held.

    Lines, line numbers, positions and errors are those of :func:`parse_ndjson` on the whole body.
    """
    yield from _ndjson_documents(_decoded_lines(stream), file=file, limit=limit, depth=True)


def _decoded_lines(stream: Iterable[bytes]) -> Iterator[str]:
    """The lines of ``str.splitlines(keepends=True)`` of the decoded stream (UTF-8, an optional BOM first)."""
    consumed = 0  # bytes before this chunk, the BOM not counted (as ``bytes.decode("utf-8-sig")`` counts)
    codec = "utf-8-sig"
    for chunk in stream:  # split at b"\n", which is never inside a multi-byte UTF-8 sequence
        try:
            text = chunk.decode(codec)
        except UnicodeDecodeError as exc:
            raise BadRequest("validation.not_utf8", position=consumed + exc.start,
                             extra={"position": consumed + exc.start}) from None
        consumed += len(chunk) - (3 if codec == "utf-8-sig" and chunk.startswith(b"\xef\xbb\xbf") else 0)
        codec = "utf-8"
        yield from text.splitlines(keepends=True)


def _ndjson_documents(lines: Iterable[str], *, file: str | None, limit: int | None,
                      depth: bool) -> Iterator[ParsedDocument]:
    """Documents of NDJSON ``lines`` (with their line breaks); ``depth`` checks each one's nesting as it comes."""
    count = offset = newlines = 0
    label = _line_labels(file)
    last_newline = -1  # where the last "\n" before this line is (positions count characters of the whole text)
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line:
            if limit is not None and count >= limit:
                raise _too_many(limit)
            try:
                data = _DECODER.decode(line)
            except (json.JSONDecodeError, ValueError) as exc:
                if isinstance(exc, json.JSONDecodeError):
                    lead = len(raw) - len(raw.lstrip())
                    raise MalformedJSON(line=number, column=exc.colno + lead, position=offset + lead + exc.pos,
                                        detail=exc.msg, extra={"line": number, "column": exc.colno + lead,
                                                               "position": offset + lead + exc.pos}) from None
                raise _non_finite(exc, raw, offset, newlines, last_newline) from None
            except RecursionError:
                raise BadRequest("validation.too_deep", limit=MAX_DEPTH, where="-",
                                 extra={"limit": MAX_DEPTH}) from None
            count += 1
            doc = ParsedDocument(data, DocumentLocation(file=file, line=number, label=label(number)))
            yield check_depth(doc) if depth else doc
        if "\n" in raw:
            newlines += raw.count("\n")
            last_newline = offset + raw.rfind("\n")
        offset += len(raw)
    if not count:
        raise BadRequest("validation.empty_input")


# --- spreadsheets ---------------------------------------------------------------------------------------------

def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _header_path(header: str) -> list[str | int]:
    return [int(p) if p.isascii() and p.isdigit() else p for p in header.strip().split(".") if p != ""]


def _declared_types(node: dict[str, Any] | None) -> list[str]:
    if not isinstance(node, dict):
        return []
    declared = node.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [str(x) for x in declared]
    for keyword in ("anyOf", "oneOf"):
        branches = node.get(keyword) or []
        types = [t for b in branches for t in _declared_types(b)]
        if types:
            return types
    constants = node.get("enum") or ([node["const"]] if "const" in node else [])
    if constants and all(isinstance(v, str) for v in constants):
        return ["string"]
    return []


def _coerce_text(text: str, types: list[str], node: dict[str, Any] | None) -> Any:
    """A cell's text as the JSON type the schema declares (unchanged when it does not parse cleanly)."""
    value = text.strip()
    kinds = [t for t in types if t != "null"]
    if "string" in kinds or not kinds:
        return text
    if "integer" in kinds and re.fullmatch(r"[-+]?\d+", value):
        return int(value)
    if "number" in kinds and re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", value):
        number = float(value)
        if math.isfinite(number):
            return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if "boolean" in kinds and value.lower() in ("true", "false", "ya", "tidak", "yes", "no"):
        return value.lower() in ("true", "ya", "yes")
    if ("array" in kinds or "object" in kinds) and value[:1] in "[{":
        try:
            return _DECODER.decode(value)
        except ValueError:
            return text
    if "array" in kinds:
        items = node.get("items") if isinstance(node, dict) else None
        item_types = _declared_types(items if isinstance(items, dict) else None)
        return [_coerce_text(p.strip(), item_types, items) for p in value.split(";") if p.strip()]
    return text


def _coerce(cell: Any, types: list[str], node: dict[str, Any] | None) -> Any:
    if isinstance(cell, str):
        return _coerce_text(cell, types, node)
    fmt = node.get("format") if isinstance(node, dict) else None
    if isinstance(cell, datetime):
        if fmt == "date" or (cell.time() == time(0) and fmt != "date-time"):
            return cell.date().isoformat()
        return cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, time):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer() and "number" not in types:
        cell = int(cell)
    scalar_types = {"integer", "number", "boolean"} & set(types)
    if isinstance(cell, bool | int | float) and "string" in types and not scalar_types:
        return str(cell)
    return cell


def _put(doc: dict[str, Any], path: list[str | int], value: Any) -> None:
    node: Any = doc
    for here, nxt in itertools.pairwise(path):
        blank: Any = [] if isinstance(nxt, int) else {}
        if isinstance(node, list) and isinstance(here, int):
            while len(node) <= here:
                node.append(None)
            if not isinstance(node[here], list | dict):
                node[here] = blank
            node = node[here]
        elif isinstance(node, dict):
            if not isinstance(node.get(here), list | dict):
                node[str(here)] = blank
            node = node[str(here)]
    last = path[-1]
    if isinstance(node, list) and isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value
    elif isinstance(node, dict):
        node[str(last)] = value


def rows_to_documents(rows: Iterator[tuple[int, list[Any]]], schema: dict[str, Any] | None, *,
                      file: str | None, sheet: str | None, limit: int | None) -> list[ParsedDocument]:
    """Spreadsheet rows (row number, cells) → documents; the first row is the header."""
    header_row = next(rows, None)
    if header_row is None or not any(str(c or "").strip() for c in header_row[1]):
        raise BadRequest("validation.csv_no_header")
    headers = [str(c).strip() if c is not None else "" for c in header_row[1]]
    columns = []
    for index, header in enumerate(headers):
        if not header:
            continue
        path = _header_path(header)
        node = subschema_at(schema, path) if schema else None
        pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
        columns.append((index, header, path, pointer, node, _declared_types(node)))
    docs: list[ParsedDocument] = []
    for row_number, cells in rows:
        doc: dict[str, Any] = {}
        where: dict[str, CellLocation] = {}
        for index, header, path, pointer, node, types in columns:
            cell = cells[index] if index < len(cells) else None
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            _put(doc, path, _coerce(cell, types, node))
            where[pointer] = CellLocation(file=file, sheet=sheet, row=row_number, column=_column_letter(index),
                                          field=header)
        if not where:
            continue
        if limit is not None and len(docs) >= limit:
            raise _too_many(limit)
        key, params = ("validation.location.sheet_row", {"sheet": sheet, "row": row_number}) if sheet else (
            "validation.location.row", {"row": row_number})
        docs.append(ParsedDocument(doc, DocumentLocation(file=file, sheet=sheet, row=row_number,
                                                         label=_label(key, file, **params)), where))
    if not docs:
        raise BadRequest("validation.empty_input")
    return docs


def parse_csv(body: bytes | str, schema: dict[str, Any] | None = None, *, file: str | None = None,
              limit: int | None = None) -> list[ParsedDocument]:
    """CSV with a header row; the delimiter (``,`` ``;`` tab ``|``) is detected from the header line."""
    text = _decode(body)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    from registry.io.spreadsheets import csv_uncell  # the apostrophe Simpul's own CSV export put before a formula

    try:
        rows = [(number, [csv_uncell(c) for c in row]) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise BadRequest("error.bad_request", detail=f"CSV: {exc}") from None
    return rows_to_documents(iter(rows), schema, file=file, sheet=None, limit=limit)


def parse_xlsx(body: bytes, schema: dict[str, Any] | None = None, *, sheet: str | None = None,
               file: str | None = None, limit: int | None = None) -> list[ParsedDocument]:
    """The first sheet (or ``sheet``) of an Excel workbook; row 1 is the header."""
    from openpyxl import load_workbook

    from registry.io.spreadsheets import UnpackTooLarge, check_xlsx

    try:
        check_xlsx(body)
    except UnpackTooLarge as exc:
        raise PayloadTooLarge("spreadsheet.too_large", **exc.params,
                              extra={"limit": exc.params["limit"], "limit_kind": "unpacked_bytes"}) from None
    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # zip/XML errors of every kind: the vendor's file, not our fault
        raise BadRequest("validation.spreadsheet_unreadable", detail=type(exc).__name__ + ": " + str(exc)[:200]) \
            from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise BadRequest("validation.sheet_not_found", sheet=sheet, sheets=", ".join(book.sheetnames),
                             extra={"sheets": book.sheetnames})
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ((number, list(row)) for number, row in enumerate(ws.iter_rows(values_only=True), start=1))
        return rows_to_documents(rows, schema, file=file, sheet=ws.title, limit=limit)
    finally:
        book.close()


def detect_format(name: str | None, body: bytes) -> InputFormat:
    """From the file suffix, else from the first bytes (zip → xlsx, ``[``/``{`` → json, else ndjson/csv)."""
    suffix = Path(name).suffix.lower() if name else ""
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if body[:2] == b"PK":
        return "xlsx"
    head = body.lstrip()[:1]
    if head == b"[":
        return "json"
    if head == b"{":
        lines = [ln for ln in body.strip().splitlines() if ln.strip()]
        if len(lines) > 1 and all(ln.strip().startswith(b"{") and ln.strip().endswith(b"}") for ln in lines[:5]):
            return "ndjson"
        return "json"
    if head:
        return "csv"
    raise BadRequest("validation.unknown_format", name=name or "-")


def parse(body: bytes, fmt: InputFormat, schema: dict[str, Any] | None = None, *, sheet: str | None = None,
          file: str | None = None, limit: int | None = None) -> list[ParsedDocument]:
    """Documents of ``body`` in format ``fmt``; each checked for a sane nesting depth."""
    try:
        if fmt == "json":
            docs = parse_json(body, file=file, limit=limit)
        elif fmt == "ndjson":
            docs = parse_ndjson(body, file=file, limit=limit)
        elif fmt == "csv":
            docs = parse_csv(body, schema, file=file, limit=limit)
        else:
            docs = parse_xlsx(body, schema, sheet=sheet, file=file, limit=limit)
    except RecursionError:
        raise BadRequest("validation.too_deep", limit=MAX_DEPTH, where="-", extra={"limit": MAX_DEPTH}) from None
    return [check_depth(d) for d in docs]
