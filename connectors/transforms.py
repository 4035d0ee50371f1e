"""Value transforms of the declarative mapping: type coercion, dates, codes, value maps, conversion tables,
substrings and links.

Each function takes one value and returns the transformed value, or raises :class:`Invalid` with a message
key of ``messages.yaml`` and its parameters. ``None`` never reaches them (emptiness is handled by the mapper).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml


class Invalid(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


_CURRENCY = re.compile(r"^(rp\.?|idr)\s*", re.IGNORECASE)
_GROUPED = {".": re.compile(r"^\d{1,3}(\.\d{3})+$"), ",": re.compile(r"^\d{1,3}(,\d{3})+$")}
_TRUE = {"true", "1", "y", "ya", "yes", "t", "benar", "iya"}
_FALSE = {"false", "0", "n", "tidak", "no", "f", "salah", "bukan"}


def parse_number(value: Any, decimal: str | None = None) -> int | float:
    """Numbers as Indonesian data writes them: ``1.500.000``, ``Rp 1.500.000,50``, ``12,5``, ``1,500.25``."""
    if isinstance(value, bool):
        raise Invalid("mapping.not_number", value=value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    text = _CURRENCY.sub("", str(value).strip().replace("\u00a0", "").replace(" ", ""))
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if decimal is None:
        if "," in text and "." in text:
            decimal = "," if text.rfind(",") > text.rfind(".") else "."
        elif "," in text:
            decimal = "" if _GROUPED[","].match(text) else ","
        elif "." in text:
            decimal = "," if _GROUPED["."].match(text) else "."
        else:
            decimal = "."
    thousands = "." if decimal == "," else ","
    text = text.replace(thousands, "")
    if decimal == ",":
        text = text.replace(",", ".")
    try:
        number = float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        raise Invalid("mapping.not_number", value=value) from None
    return -number if negative else number


def to_int(value: Any, decimal: str | None = None) -> int:
    number = parse_number(value, decimal) if not isinstance(value, int) or isinstance(value, bool) else value
    if isinstance(number, float):
        if not number.is_integer():
            raise Invalid("mapping.not_int", value=value)
        number = int(number)
    return number


def to_number(value: Any, decimal: str | None = None) -> int | float:
    return parse_number(value, decimal)


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid("mapping.not_bool", value=value)


def to_string(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


COERCE = {
    "string": lambda v, d: to_string(v), "int": to_int, "integer": to_int,
    "number": to_number, "bool": lambda v, d: to_bool(v), "boolean": lambda v, d: to_bool(v),
}


_NUMERIC = {"%d": "d", "%m": "m", "%Y": "Y", "%H": "H", "%M": "M", "%S": "S"}
_WIDTH = {"d": r"\d{1,2}", "m": r"\d{1,2}", "Y": r"\d{4}", "H": r"\d{1,2}", "M": r"\d{2}", "S": r"\d{2}"}


@lru_cache(maxsize=256)
def _fast_format(fmt: str) -> re.Pattern[str] | None:
    """A regex for formats made only of numeric directives (``%d-%m-%Y``...); ``strptime`` is ~10x slower."""
    out, seen = [], set()
    for part in re.split(r"(%.)", fmt):
        if part.startswith("%") and len(part) == 2:
            name = _NUMERIC.get(part)
            if name is None or name in seen:
                return None
            seen.add(name)
            out.append(f"(?P<{name}>{_WIDTH[name]})")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out) + r"\Z") if "Y" in seen else None


def _parse_one(text: str, fmt: str) -> datetime | None:
    pattern = _fast_format(fmt)
    match = pattern.match(text) if pattern is not None else None
    if match is not None:
        g = match.groupdict()
        try:
            return datetime(int(g["Y"]), int(g.get("m") or 1), int(g.get("d") or 1), int(g.get("H") or 0),
                            int(g.get("M") or 0), int(g.get("S") or 0))
        except ValueError:
            return None
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def _parse_with(text: str, formats: list[str]) -> datetime | None:
    for fmt in formats:
        parsed = _parse_one(text, fmt)
        if parsed is not None:
            return parsed
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def to_date(value: Any, formats: list[str], out: str = "%Y-%m-%d") -> str:
    """A date in any of ``formats`` (``%d-%m-%Y``...), or ISO, → ``out`` (ISO ``YYYY-MM-DD`` by default)."""
    if isinstance(value, datetime):
        return value.date().strftime(out) if out != "%Y-%m-%d" else value.date().isoformat()
    if isinstance(value, date):
        return value.strftime(out)
    parsed = _parse_with(str(value).strip(), formats)
    if parsed is None:
        raise Invalid("mapping.bad_date", value=value, formats=" / ".join(formats) or "ISO")
    return parsed.date().strftime(out)


@lru_cache(maxsize=64)
def parse_offset(tz: str) -> timezone:
    if tz.upper() in {"Z", "UTC"}:
        return UTC
    named = {"WIB": 7, "WITA": 8, "WIT": 9}
    if tz.upper() in named:
        return timezone(timedelta(hours=named[tz.upper()]), tz.upper())
    return datetime.strptime(tz, "%z").tzinfo  # type: ignore[return-value]


def to_datetime(value: Any, formats: list[str], tz: str = "+07:00") -> str:
    """A timestamp → RFC 3339; naive values are taken to be in ``tz`` (WIB by default)."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        parsed = _parse_with(str(value).strip(), formats)
    if parsed is None:
        raise Invalid("mapping.bad_datetime", value=value, formats=" / ".join(formats) or "ISO")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=parse_offset(tz))
    return parsed.isoformat()


def apply_code(value: Any, *, pattern: str | None, zfill: int | None, case: str | None,
               remove_spaces: bool, digits_only: bool) -> str:
    """Normalise a code: strip spaces, case, zero padding, then restore separators from ``pattern``."""
    text = to_string(value).strip()
    if remove_spaces:
        text = re.sub(r"\s+", "", text)
    if case == "upper":
        text = text.upper()
    elif case == "lower":
        text = text.lower()
    if digits_only and not re.fullmatch(r"[\d\s.\-/]*", text):
        raise Invalid("mapping.code_chars", value=value)
    if pattern:
        bare = re.sub(r"[^0-9A-Za-z]", "", text)
        slots = pattern.count("#")
        if zfill:
            bare = bare.zfill(zfill)
        if len(bare) != slots:
            raise Invalid("mapping.code_length", value=value, length=len(bare), expected=slots, pattern=pattern)
        chars = iter(bare)
        return "".join(next(chars) if ch == "#" else ch for ch in pattern)
    if zfill:
        text = text.zfill(zfill)
    return text


def lookup(value: Any, table: dict[str, Any], unknown: str) -> Any:
    """A value map (``{"Laki-laki": "L"}``): exact, then case- and space-insensitive; ``unknown`` decides misses."""
    key = to_string(value).strip()
    if key in table:
        return table[key]
    folded = {re.sub(r"\s+", " ", str(k)).strip().casefold(): v for k, v in table.items()}
    hit = folded.get(re.sub(r"\s+", " ", key).casefold(), _MISS)
    if hit is not _MISS:
        return hit
    if unknown == "keep":
        return value
    if unknown == "null":
        return None
    raise Invalid("mapping.not_in_map", value=value, allowed=", ".join(str(k) for k in table))


_MISS = object()


# -- code-conversion tables (``convert:``), kept as data in connectors/code_tables/<name>.yaml -------------------
CODE_TABLES_DIR = Path(__file__).with_name("code_tables")


class TableError(ValueError):
    """A conversion table that cannot be used: ``key`` is a message key, ``params`` fill it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def table_names() -> list[str]:
    return sorted(p.stem for p in CODE_TABLES_DIR.glob("*.yaml"))


def load_table(ref: str, base_dir: Path | None = None) -> tuple[str, dict[str, Any]]:
    """``ref`` is a bundled table name (``sub_kegiatan_2digit``) or a YAML file (relative to the mapping file).

    The file holds ``values: [{from: OLD, to: NEW}, ...]`` (or a ``values`` mapping OLD: NEW).
    Returns the table's name and its lookup dict.
    """
    path = Path(ref)
    if path.suffix.lower() not in {".yaml", ".yml"}:
        path = CODE_TABLES_DIR / f"{ref}.yaml"
        if not path.is_file():
            raise TableError("mapping.no_table", table=ref, known=", ".join(table_names()) or "-")
    elif not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    return str(ref), _read_table(str(path.resolve()))


@lru_cache(maxsize=32)
def _read_table(path: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TableError("mapping.bad_table", table=path, detail=str(exc).splitlines()[0][:160]) from None
    values = data.get("values") if isinstance(data, dict) else None
    if isinstance(values, dict):
        return {str(k): v for k, v in values.items()}
    if isinstance(values, list) and all(isinstance(v, dict) and "from" in v and "to" in v for v in values):
        table: dict[str, Any] = {}
        for row in values:
            if str(row["from"]) in table and table[str(row["from"])] != row["to"]:
                raise TableError("mapping.bad_table", table=path, detail=f"'{row['from']}' converts two ways")
            table[str(row["from"])] = row["to"]
        return table
    raise TableError("mapping.bad_table", table=path, detail="needs values: [{from, to}, ...]")


def convert(value: Any, table: dict[str, Any], targets: frozenset[str], name: str, unknown: str) -> Any:
    """Look ``value`` up in a conversion table; a value already in the table's target form (``targets``) passes."""
    key = to_string(value).strip()
    if key in table:
        return table[key]
    if unknown == "keep" or key in targets:
        return value
    if unknown == "null":
        return None
    raise Invalid("mapping.not_in_table", value=value, table=name)


def substring(value: Any, start: int, end: int | None) -> str:
    """Characters ``start``..``end`` (1-based, inclusive), e.g. positions 1–8 of a NIP = its birth date."""
    text = to_string(value).strip()
    stop = end if end is not None else len(text)
    if len(text) < stop or start > len(text):
        raise Invalid("mapping.substr_short", value=value, start=start, end=stop, length=len(text))
    return text[start - 1:stop]


def join_url(value: Any, base: str) -> str:
    """A relative link (``/storage/a.pdf``, ``files/a.pdf``) made absolute against ``base``; absolute ones kept."""
    text = to_string(value).strip()
    if urlsplit(text).scheme:
        return text
    return urljoin(base, text)
