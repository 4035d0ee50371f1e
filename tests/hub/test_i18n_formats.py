"""Numbers, percentages, money and dates as each language writes them (Babel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hub.i18n import fmt_date, fmt_datetime, fmt_money, fmt_number, fmt_percent, fmt_ratio, t


@pytest.mark.parametrize(("lang", "number", "percent", "big"), [
    ("id", "55,6", "15,4%", "1.234.567"),
    ("en", "55.6", "15.4%", "1,234,567"),
])
def test_numbers_and_percentages(lang: str, number: str, percent: str, big: str):
    assert fmt_number(55.6, lang) == number
    assert fmt_percent(15.4, lang) == percent
    assert fmt_ratio(0.154, lang) == percent
    assert fmt_number(1234567, lang) == big


def test_digits_round_and_trailing_zeros_are_dropped_unless_asked():
    assert fmt_number(30.0, "id") == "30"
    assert fmt_number(30.0, "id", min_digits=1) == "30,0"
    assert fmt_number(2.345, "en", digits=2) == "2.34"  # half-even, as Babel does
    assert fmt_number(Decimal("0.05"), "id", digits=1) == "0"
    assert fmt_number(None, "id") == "–"


def test_money_is_rupiah_without_sen():
    assert fmt_money(2320000, "id") == "Rp2.320.000"
    assert fmt_money(2320000, "en") == "Rp2,320,000"


def test_dates():
    day = dt.date(2025, 3, 4)
    assert fmt_date(day, "id") == "4 Maret 2025"
    assert fmt_date("2025-03-04", "en") == "March 4, 2025"
    assert fmt_date(day, "id", "medium") == "4 Mar 2025"
    moment = dt.datetime(2025, 3, 4, 10, 5, tzinfo=dt.UTC)
    assert fmt_datetime(moment, "id") == "4 Mar 2025 10.05"
    assert fmt_datetime("2025-03-04T10:05:00Z", "en") == "Mar 4, 2025, 10:05\u202fAM"


def test_messages_write_fractions_the_languages_way_but_leave_integers_alone():
    assert t("cli.usage.value.greater_than", "id", value=2025, limit=0.5) == "'2025' harus lebih dari 0,5."
    assert t("cli.usage.value.greater_than", "en", value=2025, limit=0.5) == "'2025' must be greater than 0.5."
