import math

import pytest

from sozialplanung.confidentiality import SYMBOL_CONFIDENTIAL, SYMBOL_ZERO, Confidentiality


@pytest.mark.parametrize(
    ("threshold", "value", "expected"),
    [(3, 0, SYMBOL_ZERO), (3, 1, "."), (3, 2, "."), (3, 3, "3"), (3, 1234, "1.234"), (5, 4, "."), (5, 5, "5")],
)
def test_counts_below_threshold_are_hidden_and_zero_is_a_dash(threshold, value, expected):
    assert Confidentiality(threshold).count(value) == expected


@pytest.mark.parametrize(
    ("value", "numerator", "denominator", "expected"),
    [
        (10.0, 10, 100, "10,0"),
        (50.0, 2, 4, "."),  # numerator below threshold
        (100.0, 2, 2, "."),  # both below
        (0.0, 0, 100, SYMBOL_ZERO),
        (0.0, 0, 2, "."),  # a zero among fewer than 3 people is still revealing
        (math.nan, 0, 0, "x"),  # no population: not computable
    ],
)
def test_rates_hide_when_numerator_or_denominator_is_small(value, numerator, denominator, expected):
    assert Confidentiality(3).rate(value, numerator, denominator) == expected


def test_values_for_figures_are_gaps_not_zero():
    rule = Confidentiality(3)
    assert rule.rate_or_none(50.0, 2, 4) is None
    assert rule.rate_or_none(math.nan, 0, 0) is None
    assert rule.rate_or_none(12.5, 5, 40) == 12.5
    assert rule.count_or_none(2) is None
    assert rule.count_or_none(0) == 0.0


def test_legend_explains_only_symbols_used_with_the_threshold():
    lines = Confidentiality(5).legend({SYMBOL_CONFIDENTIAL, "12,0"})
    assert lines == [". = Zahlenwert geheim zu halten (beruht auf weniger als 5 Fällen)"]
