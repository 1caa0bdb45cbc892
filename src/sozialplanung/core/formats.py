"""German number and date formats, via Babel (locale ``de_DE``): the one formatter of every published
figure and the one parser of every number read from a raw file (:func:`parse_number`)."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as _babel_format_date
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

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


# --- reading numbers ------------------------------------------------------------------------------

_SPACES = "\u0020\u00a0\u202f"  # space, no-break space, narrow no-break space (as thousands separators)
_SPACE_GROUPED = re.compile(rf"[+-]?\d{{1,3}}([{_SPACES}]\d{{3}})+(,\d+)?")
_COMMA_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_ENGLISH = re.compile(r"[+-]?\d{1,3}(,\d{3})*\.\d+")


class AmbiguousNumber(ValueError):
    """A value that reads as two different numbers; the message names both readings."""


def parse_number(text: str, separator: str | None = None) -> Decimal:
    """A number written the German way: ``1.234``, ``1 234``, ``1.234,5``, ``12,0``, ``-3``.

    ``separator`` is the field separator of the file the text comes from (None for a workbook). In a
    comma-separated file, ``1,000`` may be one thousand (thousands comma) or one (decimal comma):
    :class:`AmbiguousNumber`, never a guess; likewise ``1,234.5`` (English notation) and a dot that
    is no correct thousands dot (``1.5``). Anything else that is no number raises :class:`ValueError`.
    """
    value = text.strip()
    if _SPACE_GROUPED.fullmatch(value):
        value = re.sub(f"[{_SPACES}]", ".", value)
    if separator == "," and _COMMA_GROUPED.fullmatch(value):
        whole, decimal = value.replace(",", ""), Decimal(value.replace(",", ".")).normalize()
        raise AmbiguousNumber(
            f"{text!r} reads as {whole} (thousands comma) or as {decimal} (decimal comma) in a comma-separated "
            "file; write the number without thousands separator, or save the file with ';' as separator"
        )
    if _ENGLISH.fullmatch(value) and "," in value:
        raise AmbiguousNumber(f"{text!r} is written in English notation; write it the German way (1.234,5)")
    try:
        return parse_decimal(value, locale=LOCALE, strict=True)
    except NumberFormatError as exc:
        if exc.suggestions:
            readings = " or ".join(exc.suggestions)
            raise AmbiguousNumber(f"{text!r} is no correct German number (did you mean {readings}?)") from None
        raise ValueError(f"{text!r} is not a number") from None
