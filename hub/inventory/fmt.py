"""How the inventory writes numbers, percentages, money and dates for people, in one place.

Indonesian writes ``55,6``, ``15,4%``, ``Rp2.320.000`` and ``7 Desember 2026``; English ``55.6``, ``15.4%``,
``Rp2,320,000`` and ``7 December 2026``. Every renderer and every generated text of the inventory goes through
these functions; numbers, percentages and money are Babel's (hub.i18n.formats).
"""

from __future__ import annotations

from datetime import date, datetime

from hub.i18n.formats import fmt_money, fmt_number, fmt_percent

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


def number(value: float | int | None, lang: str | None = "id", digits: int = 2) -> str:
    """At most ``digits`` decimals, trailing zeros dropped, thousands grouped: 55,6 · 1.250 · 30; '-' for None."""
    return fmt_number(value, _lang(lang), digits, missing="-")


def fixed(value: float, lang: str | None = "id", digits: int = 3) -> str:
    """Exactly ``digits`` decimals: 1,000 (id) / 1.000 (en) for an index."""
    return fmt_number(value, _lang(lang), digits, min_digits=digits)


def percent(value: float | None, lang: str | None = "id", digits: int = 1) -> str:
    """15,4% (id) / 15.4% (en): the percent sign follows the number without a space in both (CLDR, EYD)."""
    return fmt_percent(value, _lang(lang), digits, missing="-")


def money(value: int | float | None, lang: str | None = "id") -> str:
    """Whole rupiah, grouped: Rp2.320.000 (id) / Rp2,320,000 (en)."""
    return fmt_money(None if value is None else round(value), _lang(lang), missing="-")


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
