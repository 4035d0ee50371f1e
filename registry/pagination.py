"""Cursor (keyset) pagination on (sort key, id): stable under inserts, fast at any depth."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from registry.convert import aware
from registry.errors import InvalidCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode(sort: str, value: Any, key: Any) -> str:
    if isinstance(value, datetime):
        value = aware(value).isoformat()
    raw = json.dumps([sort, value, key], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, sort: str) -> tuple[Any, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        got_sort, value, key = json.loads(raw)
    except (ValueError, binascii.Error, TypeError, UnicodeDecodeError) as exc:
        raise InvalidCursor("the cursor is not one this server handed out", cursor=cursor[:40]) from exc
    if got_sort != sort:
        raise InvalidCursor("the cursor belongs to another sort order", cursor=cursor[:40])
    if sort.lstrip("-") == "updated_at":
        try:
            value = datetime.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor("bad cursor", cursor=cursor[:40]) from exc
    if not isinstance(key, str | int) or isinstance(key, bool) or not isinstance(value, str | int | datetime):
        raise InvalidCursor("bad cursor", cursor=cursor[:40])
    for part in (key, value):
        if isinstance(part, str) and (len(part) > 400 or any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in part)):
            raise InvalidCursor("bad cursor", cursor=cursor[:40])
        if isinstance(part, int) and not -(2**31) <= part < 2**31:
            raise InvalidCursor("bad cursor", cursor=cursor[:40])
    return value, key


def keyset(stmt: Select, sort: str, column: InstrumentedAttribute, key_column: InstrumentedAttribute,
           cursor: str | None, limit: int) -> Select:
    """Order ``stmt`` by (column, key) in the direction of ``sort`` and start after ``cursor``."""
    descending = sort.startswith("-")
    if cursor:
        value, key = decode(cursor, sort)
        if descending:
            stmt = stmt.where(or_(column < value, and_(column == value, key_column < key)))
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, key_column > key)))
    order = (column.desc(), key_column.desc()) if descending else (column.asc(), key_column.asc())
    return stmt.order_by(*order).limit(limit + 1)


def trim(rows: list[Any], limit: int, sort: str, column: InstrumentedAttribute,
         key_column: InstrumentedAttribute) -> tuple[list[Any], str | None]:
    """The page of a :func:`keyset` query (which fetched ``limit + 1`` rows) and the cursor of the next page."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode(sort, getattr(last, column.key), getattr(last, key_column.key))


def clamp(limit: int | None) -> int:
    if not limit or limit < 1:
        return DEFAULT_LIMIT
    return min(limit, MAX_LIMIT)
