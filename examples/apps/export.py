"""Bulk output: NDJSON, CSV, XLSX and a streamed JSON array, written page by page (never the whole set at once,
except XLSX, which openpyxl builds in memory)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

from examples.apps.dataset import Dataset, Record, clean

CHUNK = 500
Row = dict[str, Any]


def flatten(record: Record, prefix: str = "") -> Row:
    """Nested objects as dotted columns; lists as JSON text (one CSV cell)."""
    out: Row = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = value
    return out


def chunks(ds: Dataset, indices: Sequence[int], shape: Callable[[Record], Row]) -> Iterable[list[Row]]:
    for start in range(0, len(indices), CHUNK):
        yield [shape(ds.record(i)) for i in indices[start:start + CHUNK]]


async def ndjson(ds: Dataset, indices: Sequence[int]) -> AsyncIterator[bytes]:
    for rows in chunks(ds, indices, clean):
        yield "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


async def json_array(ds: Dataset, indices: Sequence[int], shape: Callable[[Record], Row] = clean,
                     ) -> AsyncIterator[bytes]:
    yield b"["
    first = True
    for rows in chunks(ds, indices, shape):
        parts = [json.dumps(r, ensure_ascii=False) for r in rows]
        if parts:
            yield (("" if first else ",") + ",".join(parts)).encode()
            first = False
    yield b"]"


def columns_of(ds: Dataset, indices: Sequence[int], shape: Callable[[Record], Row]) -> list[str]:
    """Columns in order of first appearance over the first records (enough to see every optional field)."""
    seen: dict[str, None] = {}
    for i in indices[:200]:
        for key in shape(ds.record(i)):
            seen.setdefault(key, None)
    return list(seen)


async def csv_stream(ds: Dataset, indices: Sequence[int], shape: Callable[[Record], Row],
                     columns: list[str] | None = None, delimiter: str = ",") -> AsyncIterator[bytes]:
    columns = columns or columns_of(ds, indices, shape)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    yield buffer.getvalue().encode()
    for rows in chunks(ds, indices, shape):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows)
        yield buffer.getvalue().encode()


def xlsx_bytes(ds: Dataset, indices: Sequence[int], shape: Callable[[Record], Row], columns: list[str],
               sheet: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append(columns)
    for rows in chunks(ds, indices, shape):
        for row in rows:
            ws.append([row.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
