"""How the inventory writes numbers, percentages, money and dates for people, in one place.

Indonesian writes ``55,6``, ``15,4 %``, ``Rp2.320.000`` and ``7 Desember 2026``; English ``55.6``, ``15.4%``,
``Rp2,320,000`` and ``7 December 2026``. Every renderer and every generated text of the inventory goes through
these functions, so a locale library (Babel) can replace their bodies without touching the callers.
"""

from __future__ import annotations

from datetime import date, datetime

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
SHORT_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
ROMAN = ("I", "II", "III", "IV")


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "id"


def _grouped(text: str, lang: str) -> str:
    """``1,234.5`` (Python's format) in the conventions of ``lang``."""
    if _lang(lang) == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def number(value: float | int | None, lang: str | None = "id", digits: int = 2) -> str:
    """At most ``digits`` decimals, trailing zeros dropped, thousands grouped: 55,6 · 1.250 · 30; '-' for None."""
    if value is None:
        return "-"
    rounded = round(float(value), digits)
    if rounded.is_integer():
        return _grouped(f"{int(rounded):,}", lang or "id")
    text = f"{rounded:,.{digits}f}".rstrip("0").rstrip(".")
    return _grouped(text, lang or "id")


def fixed(value: float, lang: str | None = "id", digits: int = 3) -> str:
    """Exactly ``digits`` decimals: 1,000 (id) / 1.000 (en) for an index."""
    return _grouped(f"{float(value):,.{digits}f}", lang or "id")


def percent(value: float | None, lang: str | None = "id", digits: int = 1) -> str:
    """15,4 % (id) / 15.4% (en)."""
    if value is None:
        return "-"
    return number(value, lang, digits) + (" %" if _lang(lang) == "id" else "%")


def money(value: int | float | None, lang: str | None = "id") -> str:
    """Whole rupiah, grouped: Rp2.320.000 (id) / Rp2,320,000 (en)."""
    if value is None:
        return "-"
    return "Rp" + _grouped(f"{round(value):,}", lang or "id")


def day(value: date | datetime | None, lang: str | None = "id", *, short: bool = False) -> str:
    """7 Desember 2026 / 7 December 2026 (``short``: 7 Des 2026)."""
    if value is None:
        return "-"
    months = (SHORT_MONTHS if short else MONTHS)[_lang(lang)]
    return f"{value.day} {months[value.month - 1]} {value.year}"


def quarter(q: int, lang: str | None = "id") -> str:
    """TW I … TW IV (triwulan) / Q1 … Q4."""
    return f"TW {ROMAN[q - 1]}" if _lang(lang) == "id" else f"Q{q}"


def quarters(first: int, last: int, lang: str | None = "id") -> str:
    """A span of quarters within one year: 'TW I–IV', 'TW III' / 'Q1–Q4', 'Q3'."""
    if first == last:
        return quarter(first, lang)
    if _lang(lang) == "id":
        return f"TW {ROMAN[first - 1]}–{ROMAN[last - 1]}"
    return f"Q{first}–Q{last}"
