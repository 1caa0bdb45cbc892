"""Statistical confidentiality (Geheimhaltung, § 16 BStatG): the one place that decides what is shown.

Every published count and rate — in tables, figure labels, downloads and report text — is turned
into text here. A count below the edition's threshold (but above zero) is replaced by the German
symbol ``.``; a true zero shows ``–``; a rate is hidden when its numerator or denominator rests on
fewer cases than the threshold, and is ``x`` when it cannot be computed (no denominator).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .format import SYMBOL_NOT_APPLICABLE, format_count, format_rate

SYMBOL_CONFIDENTIAL = "."
SYMBOL_ZERO = "\u2013"  # en dash, "nichts vorhanden"

LEGEND = {
    SYMBOL_CONFIDENTIAL: "Zahlenwert geheim zu halten (beruht auf weniger als {threshold} Fällen)",
    SYMBOL_ZERO: "nichts vorhanden (genau null)",
    SYMBOL_NOT_APPLICABLE: "Aussage nicht sinnvoll (keine Bezugsgröße)",
}


@dataclass(frozen=True)
class Confidentiality:
    """The confidentiality rule of one edition."""

    threshold: int = 3

    def is_confidential(self, count: float | int | None) -> bool:
        """True for a count that rests on more than zero but fewer than ``threshold`` cases."""
        if count is None or (isinstance(count, float) and math.isnan(count)):
            return False
        return 0 < count < self.threshold

    def count(self, value: int | float | None) -> str:
        """A published count: ``.`` when confidential, ``–`` for zero, else German format."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return SYMBOL_NOT_APPLICABLE
        if self.is_confidential(value):
            return SYMBOL_CONFIDENTIAL
        if value == 0:
            return SYMBOL_ZERO
        return format_count(int(value))

    def rate(self, value: float | None, numerator: int | float, denominator: int | float, decimals: int = 1) -> str:
        """A published rate; hidden when numerator or denominator is confidential."""
        if denominator == 0 or value is None or (isinstance(value, float) and math.isnan(value)):
            return SYMBOL_NOT_APPLICABLE
        if self.is_confidential(numerator) or self.is_confidential(denominator):
            return SYMBOL_CONFIDENTIAL
        if numerator == 0:
            return SYMBOL_ZERO
        return format_rate(value, decimals)

    def rate_or_none(self, value: float, numerator: int | float, denominator: int | float) -> float | None:
        """The rate as a number for figures, or None when it must not be shown (a gap, never 0)."""
        if self.rate(value, numerator, denominator) in (SYMBOL_CONFIDENTIAL, SYMBOL_NOT_APPLICABLE):
            return None
        return float(value)

    def count_or_none(self, value: int | float) -> float | None:
        """The count as a number for figures, or None when it is confidential."""
        if self.is_confidential(value):
            return None
        return float(value)

    def counts_column(self, values: pd.Series) -> pd.Series:
        return values.map(self.count)

    def rates_column(self, values: pd.Series, numerators: pd.Series, denominators: pd.Series, decimals: int = 1) -> pd.Series:
        return pd.Series(
            [self.rate(v, n, d, decimals) for v, n, d in zip(values, numerators, denominators)],
            index=values.index,
            dtype="str",
        )

    def legend(self, symbols: set[str]) -> list[str]:
        """German explanation lines for the symbols that occur in a table."""
        return [
            f"{symbol} = {text.format(threshold=self.threshold)}"
            for symbol, text in LEGEND.items()
            if symbol in symbols
        ]
