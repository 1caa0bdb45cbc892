from datetime import date
from decimal import Decimal

import pytest

from sozialplanung.core.formats import (
    AmbiguousNumber,
    format_change,
    format_count,
    format_date,
    format_number,
    format_rate,
    parse_number,
)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.56, 1, "1.234,6"),
        (77800, 0, "77.800"),
        (1234567, 0, "1.234.567"),
        (2.25, 1, "2,3"),  # commercial rounding, not banker's
        (2.35, 1, "2,4"),
        (0.05, 1, "0,1"),
        (-0.04, 1, "0,0"),  # no "-0,0"
        (-1234.5, 1, "-1.234,5"),
        (12, 1, "12,0"),
    ],
)
def test_format_number_uses_german_separators_and_half_up_rounding(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_missing_values_are_marked_not_applicable():
    assert format_number(None) == "x"
    assert format_rate(float("nan")) == "x"
    assert format_change(float("nan")) == "x"


def test_count_and_rate_defaults():
    assert format_count(5012) == "5.012"
    assert format_rate(6.4649) == "6,5"


@pytest.mark.parametrize(("value", "expected"), [(0.34, "+0,3"), (-1.25, "\u22121,3"), (0.04, "±0,0"), (-0.04, "±0,0")])
def test_format_change_signs(value, expected):
    assert format_change(value) == expected


def test_format_date_is_german():
    assert format_date(date(2024, 12, 31)) == "31.12.2024"
    assert format_date(date(2019, 3, 1)) == "01.03.2019"


# --- parse_number: the one parser of numbers read from raw files ------------------------------------


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1.234", ";", Decimal("1234")),
        ("1.234.567", ";", Decimal("1234567")),
        ("1 856", ";", Decimal("1856")),  # space as thousands separator
        ("1\u00a0856", None, Decimal("1856")),  # no-break space, as Excel writes it
        ("1.234,5", ";", Decimal("1234.5")),
        ("12,0", ";", Decimal("12.0")),
        ("1,000", ";", Decimal("1.000")),  # in a ';' file the comma can only be the decimal comma
        ("-3", ",", Decimal("-3")),
        ("12,5", ",", Decimal("12.5")),  # not a thousands grouping, so not ambiguous
    ],
)
def test_parse_number_reads_german_numbers(text, separator, expected):
    assert parse_number(text, separator) == expected


@pytest.mark.parametrize(
    ("text", "separator", "message"),
    [
        ("1,000", ",", "'1,000' reads as 1000 (thousands comma) or as 1 (decimal comma)"),
        ("1.5", ";", "'1.5' is no correct German number (did you mean 15 or 1,5?)"),
        ("1,234.5", ";", "'1,234.5' is written in English notation"),
    ],
)
def test_parse_number_refuses_to_guess(text, separator, message):
    with pytest.raises(AmbiguousNumber) as refused:
        parse_number(text, separator)
    assert str(refused.value).startswith(message)


def test_parse_number_rejects_text():
    with pytest.raises(ValueError, match="'zwölf' is not a number") as refused:
        parse_number("zwölf")
    assert not isinstance(refused.value, AmbiguousNumber)
