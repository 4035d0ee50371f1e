"""Cells of flat files (CSV, XLSX) ↔ field values: ``;``-separated lists, JSON cells, ya/tidak booleans,
Indonesian decimal commas and dd/mm/yyyy dates, as OPD spreadsheets actually contain them."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from registry.convert import APP_FIELDS, BOOL_FIELDS, DATE_FIELDS, JSON_FIELDS, LIST_FIELDS, NUMBER_FIELDS

TRUE = {"ya", "y", "yes", "true", "benar", "1", "ada", "sudah"}
FALSE = {"tidak", "t", "no", "n", "false", "salah", "0", "belum", "tidak ada"}
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")


class CellError(ValueError):
    def __init__(self, code: str, message: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(message)


def parse_cell(field: str, value: Any) -> Any:
    """One cell → the value for ``field`` (None when empty). Raises CellError for unreadable cells."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if field in LIST_FIELDS:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [int(value) if float(value).is_integer() else value]
        return [part.strip() for part in str(value).split(";") if part.strip()]
    if field in JSON_FIELDS:
        if isinstance(value, dict):
            return value
        try:
            parsed = json.loads(str(value))
        except json.JSONDecodeError as exc:
            raise CellError("registry_cell_json", "not valid JSON: {detail}", detail=exc.msg) from exc
        if not isinstance(parsed, dict):
            raise CellError("registry_cell_json", "not valid JSON: {detail}", detail="expected an object {...}")
        return parsed
    if field in BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise CellError("registry_cell_bool", "use ya/tidak (yes/no), got {value}", value=str(value)[:40])
    if field in DATE_FIELDS:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        match = _DMY.match(str(value))
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise CellError("registry_cell_date", "not a date: {value}", value=str(value)) from exc
        return str(value)
    if field in NUMBER_FIELDS:
        if isinstance(value, str) and _COMMA_DECIMAL.match(value):
            return value.replace(",", ".")
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def format_cell(field: str, value: Any) -> Any:
    """A field value → the cell written to CSV/XLSX."""
    if value is None:
        return ""
    if field in LIST_FIELDS:
        return "; ".join(str(v) for v in value)
    if field in JSON_FIELDS:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if value else ""
    if field in BOOL_FIELDS:
        return "ya" if value else "tidak"
    return value


def app_columns() -> list[str]:
    return list(APP_FIELDS)
