"""Reading query parameters strictly: every problem becomes an :class:`AppError` marked ``bad_input`` (a 400 in
Bahasa Indonesia, or a 500 with a traceback under the ``fragile`` profile)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from starlette.datastructures import QueryParams

from examples.apps.errors import AppError
from examples.apps.refdata import WIB

DEFAULT_SIZE, MAX_SIZE, MAX_PAGE = 50, 100, 10_000_000


@dataclass(frozen=True)
class ListQuery:
    page: int
    size: int
    since: datetime | None
    filters: dict[str, str]


def check_known(params: QueryParams, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise AppError(400, "unknown_param", bad_input=True, name=name,
                           allowed=", ".join(sorted(allowed))) from KeyError(name)


def int_param(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise AppError(400, "bad_int", bad_input=True, name=name, value=raw) from err
    if not low <= value <= high:
        raise AppError(400, "out_of_range", bad_input=True, name=name, min=low, max=high,
                       value=value) from ValueError(f"{name}={value} outside {low}..{high}")
    return value


def timestamp_param(params: QueryParams, name: str) -> datetime | None:
    """ISO 8601 date or timestamp; no offset means WIB (+07:00). A '+' sent unencoded arrives as a space."""
    raw = params.get(name)
    if raw is None:
        return None
    text = raw.strip().replace(" ", "+") if "T" in raw else raw.strip()
    try:
        value = datetime.fromisoformat(text) if "T" in text else datetime.combine(date.fromisoformat(text),
                                                                                  datetime.min.time())
    except ValueError as err:
        raise AppError(400, "bad_timestamp", bad_input=True, name=name, value=raw) from err
    return value if value.tzinfo else value.replace(tzinfo=WIB)


def list_query(params: QueryParams, filters: tuple[str, ...], since_name: str = "updated_since") -> ListQuery:
    check_known(params, {"page", "size", since_name, "lang", *filters})
    return ListQuery(
        page=int_param(params, "page", 1, 1, MAX_PAGE),
        size=int_param(params, "size", DEFAULT_SIZE, 1, MAX_SIZE),
        since=timestamp_param(params, since_name),
        filters={k: params[k] for k in filters if k in params},
    )
