"""German number and date formats for every published figure, via Babel (locale ``de_DE``)."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal

LOCALE = "de_DE"
SYMBOL_NOT_APPLICABLE = "x"
"""German table symbol: value cannot be computed (e.g. a rate with no population)."""


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """``1234.56`` → ``"1.234,6"`` with ``decimals=1``; a missing value → ``"x"``."""
    if _missing(value):
        return SYMBOL_NOT_APPLICABLE
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(round_half_up(value, decimals), format=pattern, locale=LOCALE)


def round_half_up(value: float | int, decimals: int) -> Decimal:
    """Commercial rounding as official statistics use it (2,25 → 2,3), never ``-0``."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_count(value: int | None) -> str:
    """A count without decimals: ``77800`` → ``"77.800"``."""
    return format_number(value, 0)


def format_rate(value: float | None, decimals: int = 1) -> str:
    """A rate per 100 (percent-like), one decimal by default: ``12.345`` → ``"12,3"``."""
    return format_number(value, decimals)


def format_change(value: float | None, decimals: int = 1) -> str:
    """A signed difference: ``+1,2`` / ``−0,4`` (typographic minus) / ``±0,0``."""
    if _missing(value):
        return SYMBOL_NOT_APPLICABLE
    text = format_number(abs(value), decimals)
    if round_half_up(value, decimals).is_zero():
        return "±" + text
    return ("+" if value > 0 else "\u2212") + text


def format_date(value: date) -> str:
    """``date(2024, 12, 31)`` → ``"31.12.2024"``."""
    return _babel_format_date(value, format="dd.MM.yyyy", locale=LOCALE)
