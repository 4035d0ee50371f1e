"""Numbers, percentages, money and dates written the way each language writes them (Babel, CLDR data).

Bahasa Indonesia writes ``55,6``, ``1.234.567``, ``15,4%`` (EYD: the percent sign follows the number without a
space), ``Rp2.320.000`` and ``4 Maret 2025``; English writes ``55.6``, ``1,234,567``, ``15.4%``, ``Rp2,320,000``
and ``March 4, 2025``. Use these helpers wherever a number or a date is shown to people (CLI text, reports,
messages); JSON outputs keep plain numbers and ISO dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

Number = int | float | Decimal
DateStyle = Literal["short", "medium", "long", "full"]

#: Babel locale of each message language. ``id`` is Bahasa Indonesia as written in Indonesia.
LOCALES = {"id": "id_ID", "en": "en"}


@lru_cache
def locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, LOCALES["id"]))


def _pattern(digits: int, min_digits: int, grouping: bool) -> str:
    whole = "#,##0" if grouping else "0"
    if digits <= 0:
        return whole
    least = max(0, min(min_digits, digits))
    return whole + "." + "0" * least + "#" * (digits - least)


def fmt_number(value: Number | None, lang: str = "id", digits: int = 1, *, min_digits: int = 0,
               grouping: bool = True, missing: str = "–") -> str:
    """``55.6`` → ``55,6`` (id) / ``55.6`` (en); ``1234567`` → ``1.234.567`` / ``1,234,567``.

    ``digits`` is the most fraction digits shown (rounded half-even), ``min_digits`` the fewest (``min_digits=
    digits`` for aligned table columns). ``None`` is shown as ``missing``.
    """
    if value is None:
        return missing
    return format_decimal(value, format=_pattern(digits, min_digits, grouping), locale=locale(lang),
                          decimal_quantization=True)


def fmt_percent(points: Number | None, lang: str = "id", digits: int = 1, *, min_digits: int = 0,
                missing: str = "–") -> str:
    """A value in percent points: ``15.4`` → ``15,4%`` (id) / ``15.4%`` (en). For a ratio use ``fmt_ratio``."""
    if points is None:
        return missing
    return fmt_ratio(Decimal(str(points)) / 100, lang, digits, min_digits=min_digits)


def fmt_ratio(ratio: Number | None, lang: str = "id", digits: int = 1, *, min_digits: int = 0,
              missing: str = "–") -> str:
    """A ratio as a percentage: ``0.154`` → ``15,4%`` (id) / ``15.4%`` (en)."""
    if ratio is None:
        return missing
    return format_percent(ratio, format=_pattern(digits, min_digits, True) + "%", locale=locale(lang),
                          decimal_quantization=True)


def fmt_money(amount: Number | None, lang: str = "id", *, missing: str = "–") -> str:
    """Rupiah without sen: ``2320000`` → ``Rp2.320.000`` (id) / ``Rp2,320,000`` (en)."""
    if amount is None:
        return missing
    return "Rp" + fmt_number(amount, lang, digits=0)


def _as_date(value: dt.date | dt.datetime | str) -> dt.date | dt.datetime:
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        return dt.datetime.fromisoformat(text) if "T" in text or " " in text else dt.date.fromisoformat(text)
    return value


def fmt_date(value: dt.date | dt.datetime | str | None, lang: str = "id", style: DateStyle = "long", *,
             missing: str = "–") -> str:
    """``2025-03-04`` → ``4 Maret 2025`` (id, long) / ``March 4, 2025`` (en); ``medium``: ``4 Mar 2025``."""
    if value is None or value == "":
        return missing
    day = _as_date(value)
    if isinstance(day, dt.datetime):
        day = day.date()
    return format_date(day, format=style, locale=locale(lang))


def fmt_datetime(value: dt.datetime | str | None, lang: str = "id", style: DateStyle = "medium", *,
                 missing: str = "–") -> str:
    """A moment, e.g. ``4 Mar 2025, 10.05`` (id) / ``Mar 4, 2025, 10:05 AM`` (en); seconds are left out."""
    if value is None or value == "":
        return missing
    moment = _as_date(value)
    if not isinstance(moment, dt.datetime):
        return fmt_date(moment, lang, style)
    loc = locale(lang)
    pattern = loc.datetime_formats[style].format(loc.time_formats["short"].pattern,
                                                 loc.date_formats[style].pattern)
    return format_datetime(moment, format=pattern, locale=loc, tzinfo=moment.tzinfo)


def fmt_param(value: object, lang: str) -> str:
    """How ``t()`` writes a message parameter: fractional numbers in the language's way, the rest as ``str``.

    Integers stay as they are (they are often years, codes, ports or counts that a user copies).
    """
    if isinstance(value, bool) or not isinstance(value, float | Decimal):
        return str(value)
    if isinstance(value, float) and value != value:  # NaN
        return str(value)
    return fmt_number(value, lang, digits=3)
