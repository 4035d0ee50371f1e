"""Tolerant readers for the checks: each returns ``None`` for a missing or wrongly typed value, never raises.

Schema errors (wrong type, bad pattern) are reported by the schema validator; a rule simply skips what it
cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from hub.i18n import both, fmt_number
from hub.logging import mask_text

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KODE_PEMDA = re.compile(r"^(\d{2})(?:\.(\d{2}))?$")

#: The code shapes of the latest schemas/common/definitions (a test keeps the two equal). A rule compares codes only
#: when they have their canonical shape: a malformed code is the schema's finding, not a second one of the rule.
CODE_PATTERNS = {
    "kode_wilayah": r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
    "kode_pemda": r"^(1[1-9]|[2-8]\d|9[0-6])(\.(0[1-9]|[1-6]\d|7[1-9]))?$",
    "kode_bidang_urusan": r"^([1-8]\.\d{2}|X\.XX)$",
    "kode_program": r"^([1-8]\.\d{2}|X\.XX)\.\d{2}$",
    "kode_kegiatan": r"^([1-8]\.\d{2}|X\.XX)\.\d{2}\.[12]\.\d{2}$",
    "kode_sub_kegiatan": r"^([1-8]\.\d{2}|X\.XX)\.\d{2}\.[12]\.\d{2}\.\d{4}$",
    "kode_rekening": r"^[1-9](\.\d(\.\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)?)?$",
}
_CODES = {kind: re.compile(pattern, re.ASCII) for kind, pattern in CODE_PATTERNS.items()}


def text(document: Any, key: str) -> str | None:
    value = document.get(key) if isinstance(document, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


# Several checks read the same field of a document (four read the NIP): the readers remember their last answers,
# keyed by the value itself, so a document is parsed once whatever the number of rules (the answers are immutable).
_SEEN = 4096


@lru_cache(maxsize=_SEEN)
def _well_formed(kind: str, value: str) -> bool:
    return _CODES[kind].fullmatch(value) is not None


def code(document: Any, key: str, kind: str | None = None) -> str | None:
    """``document[key]`` when it is a well-formed code of ``kind`` (default: the key's own name)."""
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, str) and _well_formed(kind or key, value) else None


@lru_cache(maxsize=_SEEN, typed=True)
def _decimal(value: int | float) -> Decimal | None:
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def number(value: Any) -> Decimal | None:
    """A JSON number as an exact Decimal (``bool`` is not a number; NaN/inf are skipped)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return _decimal(value)


@lru_cache(maxsize=_SEEN)
def _date(value: str) -> date | None:
    if not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def iso_date(value: Any) -> date | None:
    return _date(value) if isinstance(value, str) else None


def timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp with a time zone (naive or malformed values are skipped)."""
    if not isinstance(value, str) or len(value) < 20:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def ymd(digits: str) -> date | None:
    """``YYYYMMDD`` → date, or ``None`` when that day does not exist."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


# --- NIP ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Nip:
    """The parts of an 18-digit NIP. ``form`` is ``PNS`` or ``PPPK`` by the shape of digits 13–14."""

    digits: str
    form: str | None
    birth: date | None
    gender: str | None  # "L" | "P" | None


def nip(value: Any) -> Nip | None:
    """Parse a NIP in its normal form (18 digits). The display form ``19910205 201403 2 002`` is the schema's
    finding, named there with its normal form; ``--normalise`` joins it before the rules run (one answer)."""
    return _nip(value) if isinstance(value, str) else None


@lru_cache(maxsize=_SEEN)
def _nip(value: str) -> Nip | None:
    digits = value
    if len(digits) != 18 or not digits.isascii() or not digits.isdigit():
        return None
    form = "PPPK" if digits[12] == "2" else "PNS" if digits[12] in "01" else None
    gender = {"1": "L", "2": "P"}.get(digits[14])
    return Nip(digits=digits, form=form, birth=ymd(digits[:8]), gender=gender)


# --- NIK ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Nik:
    """The birth part of a NIK: DD (+40 for women), MM, YY."""

    digits: str
    day: int
    month: int
    yy: int
    gender: str  # "L" | "P"

    @property
    def real(self) -> bool:
        """Does the day exist in that month, in 19YY or 20YY (29 February needs a leap year)?"""
        for century in (1900, 2000):
            try:
                date(century + self.yy, self.month, self.day)
                return True
            except ValueError:
                continue
        return False


def nik(value: Any) -> Nik | None:
    return _nik(value) if isinstance(value, str) else None


@lru_cache(maxsize=_SEEN)
def _nik(value: str) -> Nik | None:
    digits = value
    if len(digits) != 16 or not digits.isascii() or not digits.isdigit():
        return None
    raw_day = int(digits[6:8])
    female = raw_day > 40
    return Nik(digits=digits, day=raw_day - 40 if female else raw_day, month=int(digits[8:10]),
               yy=int(digits[10:12]), gender="P" if female else "L")


# --- Pemda ----------------------------------------------------------------------------------------------------------
def pemda_kind(kode_pemda: Any) -> str | None:
    """``35`` → provinsi, ``35.10`` → kabupaten (01–69), ``35.72`` → kota (71–79); otherwise ``None``."""
    if not isinstance(kode_pemda, str) or not _CODES["kode_pemda"].fullmatch(kode_pemda):
        return None
    match = _KODE_PEMDA.match(kode_pemda)
    if not match:
        return None
    if match.group(2) is None:
        return "provinsi"
    second = int(match.group(2))
    return "kabupaten" if 1 <= second <= 69 else "kota" if 71 <= second <= 79 else None


def level_digit(kind: str | None) -> str | None:
    """Level segment of a kegiatan code: 1 for a provinsi, 2 for a kabupaten/kota."""
    return {"provinsi": "1", "kabupaten": "2", "kota": "2"}.get(kind or "")


# --- message parameters -------------------------------------------------------------------------------------------
def term(key: str, **params: object) -> dict[str, str]:
    """A word for a message, in both languages (``rules.term.*`` in hub/i18n/catalog/rules.yaml)."""
    return both(f"rules.term.{key}", **params)


def amount(value: Decimal | int | float) -> dict[str, str]:
    """A number written the Indonesian way (1.234.567,5) and the English way (1,234,567.5)."""
    number_ = Decimal(str(value))
    digits = max(0, -number_.normalize().as_tuple().exponent)  # every fraction digit the value has
    return {lang: fmt_number(number_, lang, digits=digits) for lang in ("id", "en")}


def masked(value: Any) -> Any:
    """Personal data as a report may show it: NIK/NIP digits, e-mail and phone masked, names shortened."""
    if not isinstance(value, str):
        return value
    hidden = mask_text(value)
    if hidden != value:
        return hidden
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]
