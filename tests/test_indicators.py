"""Tests of sozialplanung.statistics.indicators against values computed by hand.

The data set is tiny: three districts (211, 212, 213) in 2024, fewer tables in 2023. District 212
has nobody under 15 and no households with children, so those rates have no denominator.

Residents 2024 by group (from the bevoelkerung rows below):

    group        211                               212       213                    city
    gesamt       30+20+10+40+300+100+50+10 = 560   80+40=120 200+500+100+100 = 900  1580
    unter_15     30+20 = 50                        0         200                    250
    unter_20     50+10+40 = 100                    0         200                    300
    15_bis_64    10+40+300+100 = 450               80        500+100 = 600          1130
    20_bis_64    300+100 = 400                     80        600                    1080
    unter_65     560-60 = 500                      80        800                    1380
    65_plus      50+10 = 60                        40        100                    200
    nichtdeutsch 20+300+10 = 330                   0         100                    430

Residents 2023: 211 = 100 (0-2) + 400 (30-34) = 500, 212 = 100, 213 = 1000; city 1600.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import DataError
from sozialplanung.data import load
from sozialplanung.data.ages import AgeRange, population
from sozialplanung.data.contract import TABLES
from sozialplanung.statistics import indicators as ind


def _frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    """A typed table as the validate stage leaves it: int64 keys and counts, str codes."""
    spec = TABLES[table]
    frame = pd.DataFrame(rows, columns=list(spec.columns))
    ints = {c: "int64" for c in spec.columns if c in ("jahr", "kennziffer", *spec.counts)}
    codes = dict.fromkeys(spec.codes, "str")
    return frame.astype({**ints, **codes})


def make_tables(with_mindestsicherung: bool = True) -> dict[str, pd.DataFrame]:
    tables = {
        "bevoelkerung": _frame(
            "bevoelkerung",
            [
                (2024, 211, "0-2", "w", "deutsch", 30),
                (2024, 211, "10-14", "m", "nichtdeutsch", 20),
                (2024, 211, "15-17", "w", "deutsch", 10),
                (2024, 211, "18-19", "m", "deutsch", 40),
                (2024, 211, "20-24", "w", "nichtdeutsch", 300),
                (2024, 211, "60-64", "m", "deutsch", 100),
                (2024, 211, "65-69", "w", "deutsch", 50),
                (2024, 211, "80+", "w", "nichtdeutsch", 10),
                (2024, 212, "15-17", "m", "deutsch", 0),
                (2024, 212, "40-44", "m", "deutsch", 80),
                (2024, 212, "70-74", "w", "deutsch", 40),
                (2024, 213, "3-5", "w", "deutsch", 200),
                (2024, 213, "25-29", "m", "deutsch", 500),
                (2024, 213, "45-49", "w", "nichtdeutsch", 100),
                (2024, 213, "75-79", "m", "deutsch", 100),
                (2023, 211, "0-2", "w", "deutsch", 100),
                (2023, 211, "30-34", "m", "deutsch", 400),
                (2023, 212, "40-44", "m", "deutsch", 100),
                (2023, 213, "25-29", "w", "deutsch", 1000),
            ],
        ),
        # bedarfsgemeinschaften, leistungsberechtigte, elb, nef, nef_unter_15, bg_alleinerziehende;
        # 211's 62 Leistungsberechtigte include 2 others: the SGB-II-Quote counts ELB + NEF = 60.
        "sgb2": _frame(
            "sgb2",
            [
                (2024, 211, 30, 62, 40, 20, 10, 5),
                (2024, 212, 1, 2, 2, 0, 0, 0),
                (2024, 213, 20, 50, 30, 20, 16, 4),
                (2023, 211, 10, 25, 20, 5, 5, 2),
                (2023, 212, 0, 0, 0, 0, 0, 0),
                (2023, 213, 30, 80, 50, 30, 20, 6),
            ],
        ),
        "grundsicherung": _frame(
            "grundsicherung",
            [
                (2024, 211, 6, 3),
                (2024, 212, 2, 0),
                (2024, 213, 5, 4),
                (2023, 211, 0, 1),
                (2023, 212, 0, 0),
                (2023, 213, 3, 2),
            ],
        ),
        # 2023 has no row for 212: a district missing in a reported year has no unemployed.
        "arbeitslose": _frame(
            "arbeitslose",
            [
                (2024, 211, "SGB II", 20, 8),
                (2024, 211, "SGB III", 7, 1),
                (2024, 212, "SGB II", 0, 0),
                (2024, 212, "SGB III", 1, 0),
                (2024, 213, "SGB II", 15, 5),
                (2024, 213, "SGB III", 15, 2),
                (2023, 211, "SGB II", 10, 4),
                (2023, 213, "SGB III", 20, 3),
            ],
        ),
        # Only 2024 from here on: these indicators exist for 2024 only.
        "haushalte": _frame(
            "haushalte",
            [
                (2024, 211, "einpersonen", 200),
                (2024, 211, "paar_ohne_kinder", 50),
                (2024, 211, "paar_mit_kindern", 30),
                (2024, 211, "alleinerziehend", 10),
                (2024, 211, "sonstige", 10),
                (2024, 212, "einpersonen", 20),
                (2024, 212, "paar_ohne_kinder", 30),
                (2024, 213, "einpersonen", 150),
                (2024, 213, "paar_mit_kindern", 105),
                (2024, 213, "alleinerziehend", 15),
                (2024, 213, "sonstige", 30),
            ],
        ),
        "wohngeld": _frame("wohngeld", [(2024, 211, 15), (2024, 212, 1), (2024, 213, 12)]),
        "marburgpass": _frame("marburgpass", [(2024, 211, 28, 8), (2024, 212, 0, 0), (2024, 213, 45, 20)]),
        "wohnen": _frame("wohnen", [(2024, 211, 280, 14), (2024, 212, 60, 0), (2024, 213, 400, 60)]),
        "schwerbehinderte": _frame(
            "schwerbehinderte",
            [
                (2024, "65-74", "w", 100),
                (2024, "25-44", "m", 58),
                (2023, "75+", "m", 80),
            ],
        ),
    }
    if with_mindestsicherung:
        tables["mindestsicherung"] = _frame("mindestsicherung", [(2024, "sgb12_kap3", 5), (2024, "asylblg", 20)])
    return tables


NAN = math.nan

# (indicator, jahr, kennziffer) → (zaehler, nenner, wert), every value worked out by hand.
EXPECTED = {
    # SGB-II-Quote: (ELB + NEF) / residents under 65
    ("sgb2_quote", 2024, 211): (60, 500, 12.0),  # (40 + 20) / 500 * 100
    ("sgb2_quote", 2024, 212): (2, 80, 2.5),  # (2 + 0) / 80 * 100
    ("sgb2_quote", 2024, 213): (50, 800, 6.25),  # (30 + 20) / 800 * 100
    ("sgb2_quote", 2024, 0): (112, 1380, 112 / 1380 * 100),  # = 8.1159..; mean of rates 6.9167
    ("sgb2_quote", 2023, 211): (25, 500, 5.0),  # (20 + 5) / 500 * 100
    ("sgb2_quote", 2023, 212): (0, 100, 0.0),
    ("sgb2_quote", 2023, 213): (80, 1000, 8.0),  # (50 + 30) / 1000 * 100
    ("sgb2_quote", 2023, 0): (105, 1600, 6.5625),  # 105 / 1600 * 100
    # ELB-Quote: ELB / residents 15 to under 65
    ("elb_quote", 2024, 211): (40, 450, 40 / 450 * 100),  # = 8.888..
    ("elb_quote", 2024, 212): (2, 80, 2.5),  # 2 / 80 * 100
    ("elb_quote", 2024, 213): (30, 600, 5.0),  # 30 / 600 * 100
    ("elb_quote", 2024, 0): (72, 1130, 72 / 1130 * 100),  # = 6.3717..
    # Kinderarmut: NEF under 15 / residents under 15; 212 has no children
    ("kinderarmut", 2024, 211): (10, 50, 20.0),  # 10 / 50 * 100
    ("kinderarmut", 2024, 212): (0, 0, NAN),
    ("kinderarmut", 2024, 213): (16, 200, 8.0),  # 16 / 200 * 100
    ("kinderarmut", 2024, 0): (26, 250, 10.4),  # 26 / 250 * 100; mean of the two rates 14.0
    # Grundsicherung im Alter: recipients 65+ / residents 65+
    ("grundsicherung_alter", 2024, 211): (6, 60, 10.0),  # 6 / 60 * 100
    ("grundsicherung_alter", 2024, 212): (2, 40, 5.0),  # 2 / 40 * 100
    ("grundsicherung_alter", 2024, 213): (5, 100, 5.0),  # 5 / 100 * 100
    ("grundsicherung_alter", 2024, 0): (13, 200, 6.5),  # 13 / 200 * 100; mean of rates 6.667
    ("grundsicherung_alter", 2023, 211): (0, 0, NAN),  # nobody 65+ in 2023
    # Arbeitslosendichte: unemployed SGB II + SGB III / residents 15 to under 65
    ("arbeitslosendichte", 2024, 211): (27, 450, 6.0),  # (20 + 7) / 450 * 100
    ("arbeitslosendichte", 2024, 212): (1, 80, 1.25),  # (0 + 1) / 80 * 100
    ("arbeitslosendichte", 2024, 213): (30, 600, 5.0),  # (15 + 15) / 600 * 100
    ("arbeitslosendichte", 2024, 0): (58, 1130, 58 / 1130 * 100),  # = 5.1327..
    ("arbeitslosendichte", 2023, 212): (0, 100, 0.0),  # no row for 212 in 2023
    ("arbeitslosendichte", 2023, 0): (30, 1500, 2.0),  # (10 + 20) / (400 + 100 + 1000) * 100
    # Jugendquotient: under 20 / 20 to under 65
    ("jugendquotient", 2024, 211): (100, 400, 25.0),  # 100 / 400 * 100
    ("jugendquotient", 2024, 212): (0, 80, 0.0),
    ("jugendquotient", 2024, 213): (200, 600, 200 / 600 * 100),  # = 33.33..
    ("jugendquotient", 2024, 0): (300, 1080, 300 / 1080 * 100),  # = 27.77..
    # Altenquotient: 65+ / 20 to under 65
    ("altenquotient", 2024, 211): (60, 400, 15.0),  # 60 / 400 * 100
    ("altenquotient", 2024, 212): (40, 80, 50.0),  # 40 / 80 * 100
    ("altenquotient", 2024, 213): (100, 600, 100 / 600 * 100),  # = 16.66..
    ("altenquotient", 2024, 0): (200, 1080, 200 / 1080 * 100),  # = 18.518..; mean of rates 27.2
    # Ausländeranteil: non-German / all residents
    ("auslaenderanteil", 2024, 211): (330, 560, 330 / 560 * 100),  # = 58.93..
    ("auslaenderanteil", 2024, 212): (0, 120, 0.0),
    ("auslaenderanteil", 2024, 213): (100, 900, 100 / 900 * 100),  # = 11.11..
    ("auslaenderanteil", 2024, 0): (430, 1580, 430 / 1580 * 100),  # = 27.215..; mean of rates 23.35
    # Alleinerziehende: single parents / households with children (couples with children + single)
    ("alleinerziehende", 2024, 211): (10, 40, 25.0),  # 10 / (30 + 10) * 100
    ("alleinerziehende", 2024, 212): (0, 0, NAN),
    ("alleinerziehende", 2024, 213): (15, 120, 12.5),  # 15 / (105 + 15) * 100
    ("alleinerziehende", 2024, 0): (25, 160, 15.625),  # 25 / 160 * 100; mean of the rates 18.75
    # Wohngeldquote: Wohngeld households / all households
    ("wohngeldquote", 2024, 211): (15, 300, 5.0),  # 15 / (200 + 50 + 30 + 10 + 10) * 100
    ("wohngeldquote", 2024, 212): (1, 50, 2.0),  # 1 / (20 + 30) * 100
    ("wohngeldquote", 2024, 213): (12, 300, 4.0),  # 12 / (150 + 105 + 15 + 30) * 100
    ("wohngeldquote", 2024, 0): (28, 650, 28 / 650 * 100),  # = 4.3077..
    # MarburgPass-Quote: holders / all residents
    ("marburgpass_quote", 2024, 211): (28, 560, 5.0),  # 28 / 560 * 100
    ("marburgpass_quote", 2024, 212): (0, 120, 0.0),
    ("marburgpass_quote", 2024, 213): (45, 900, 5.0),  # 45 / 900 * 100
    ("marburgpass_quote", 2024, 0): (73, 1580, 73 / 1580 * 100),  # = 4.6203..
    # Sozialwohnungsquote: subsidised / all dwellings
    ("sozialwohnungsquote", 2024, 211): (14, 280, 5.0),  # 14 / 280 * 100
    ("sozialwohnungsquote", 2024, 212): (0, 60, 0.0),
    ("sozialwohnungsquote", 2024, 213): (60, 400, 15.0),  # 60 / 400 * 100
    ("sozialwohnungsquote", 2024, 0): (74, 740, 10.0),  # 74 / 740 * 100; mean of rates 6.67
    # Schwerbehindertenquote (city): GdB >= 50 / all residents
    ("schwerbehindertenquote", 2024, 0): (158, 1580, 10.0),  # (100 + 58) / 1580 * 100
    ("schwerbehindertenquote", 2023, 0): (80, 1600, 5.0),  # 80 / 1600 * 100
    # Mindestsicherungsquote (city, 2024 only): ELB + NEF + SGB XII ch. 4 + ch. 3 + AsylbLG
    # (60 + 2 + 50) + (6 + 3 + 2 + 0 + 5 + 4) + 5 + 20 = 112 + 20 + 25 = 157
    ("mindestsicherungsquote", 2024, 0): (157, 1580, 157 / 1580 * 100),  # = 9.9367..
}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return ind.compute_indicators(make_tables())


def _row(frame: pd.DataFrame, indicator_id: str, jahr: int, kennziffer: int) -> pd.Series:
    match = frame[(frame.indikator == indicator_id) & (frame.jahr == jahr) & (frame.kennziffer == kennziffer)]
    assert len(match) == 1, (indicator_id, jahr, kennziffer)
    return match.iloc[0]


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}")
def test_values_computed_by_hand(frame, key):
    zaehler, nenner, wert = EXPECTED[key]
    row = _row(frame, *key)
    assert (row.zaehler, row.nenner) == (zaehler, nenner)
    if math.isnan(wert):
        assert math.isnan(row.wert)
    else:
        assert row.wert == pytest.approx(wert, rel=1e-12)


def test_every_indicator_is_covered_by_hand_values():
    assert {key[0] for key in EXPECTED} == {i.id for i in ind.INDICATORS}


def test_city_value_is_sum_over_sum_not_mean_of_rates(frame):
    districts = frame[(frame.indikator == "sgb2_quote") & (frame.jahr == 2024) & (frame.kennziffer != ind.CITY)]
    mean_of_rates = (12.0 + 2.5 + 6.25) / 3  # = 6.9167
    assert districts.wert.mean() == pytest.approx(mean_of_rates)
    assert ind.city_value(frame, "sgb2_quote", 2024) == pytest.approx(112 / 1380 * 100)  # 8.1159
    assert ind.city_value(frame, "sgb2_quote", 2024) != pytest.approx(mean_of_rates)


def test_rows_per_indicator(frame):
    counts = frame.groupby("indikator", sort=False).size().to_dict()
    both_years = [
        "sgb2_quote",
        "elb_quote",
        "kinderarmut",
        "grundsicherung_alter",
        "arbeitslosendichte",
        "jugendquotient",
        "altenquotient",
        "auslaenderanteil",
    ]
    only_2024 = ["alleinerziehende", "wohngeldquote", "marburgpass_quote", "sozialwohnungsquote"]
    # 3 districts + city = 4 rows per year; city-level indicators have the city row only
    assert counts == {
        **dict.fromkeys(both_years, 8),
        **dict.fromkeys(only_2024, 4),
        "schwerbehindertenquote": 2,
        "mindestsicherungsquote": 1,
    }
    city_level = frame[frame.indikator.isin(["schwerbehindertenquote", "mindestsicherungsquote"])]
    assert set(city_level.kennziffer) == {ind.CITY}


def test_output_columns_and_dtypes(frame):
    assert list(frame.columns) == ["jahr", "kennziffer", "indikator", "zaehler", "nenner", "wert"]
    assert [str(t) for t in frame.dtypes] == ["int64", "int64", "str", "int64", "int64", "float64"]
    assert frame.index.equals(pd.RangeIndex(len(frame)))


def test_order_follows_indicators_then_year_then_district(frame):
    order = {i.id: n for n, i in enumerate(ind.INDICATORS)}
    keys = list(zip(frame.indikator.map(order), frame.jahr, frame.kennziffer))
    assert keys == sorted(keys)
    assert list(frame.indikator.unique()) == [i.id for i in ind.INDICATORS]


def test_deterministic_whatever_the_input_row_order(frame):
    shuffled = {name: t.sample(frac=1, random_state=7) for name, t in make_tables().items()}
    pd.testing.assert_frame_equal(ind.compute_indicators(shuffled), frame)
    pd.testing.assert_frame_equal(ind.compute_indicators(make_tables()), frame)


def test_zero_denominator_gives_nan_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ind.compute_indicators(make_tables())
    assert not np.isinf(result.wert).any()
    zero = result[result.nenner == 0]
    assert set(zip(zero.indikator, zero.jahr, zero.kennziffer)) >= {
        ("kinderarmut", 2024, 212),
        ("alleinerziehende", 2024, 212),
        ("grundsicherung_alter", 2023, 211),
    }
    assert zero.wert.isna().all()
    assert result[result.nenner > 0].wert.notna().all()


def test_mindestsicherungsquote_absent_without_its_table():
    result = ind.compute_indicators(make_tables(with_mindestsicherung=False))
    assert "mindestsicherungsquote" not in set(result.indikator)
    assert "schwerbehindertenquote" in set(result.indikator)


def test_missing_required_table_is_a_data_error():
    tables = make_tables()
    del tables["wohnen"]
    with pytest.raises(DataError, match="sozialwohnungsquote needs the table.*wohnen"):
        ind.compute_indicators(tables)


# Population groups the denominators use, with the 2024 city totals from the module docstring.
DENOMINATOR_GROUPS = {
    "sgb2_quote": ("unter_65", "unter 65 Jahren", 1380),
    "elb_quote": ("15_bis_64", "15 bis unter 65 Jahren", 1130),
    "kinderarmut": ("unter_15", "unter 15 Jahren", 250),
    "grundsicherung_alter": ("65_plus", "65 Jahre und älter", 200),
    "arbeitslosendichte": ("15_bis_64", "15 bis unter 65 Jahren", 1130),
    "jugendquotient": ("20_bis_64", "20 bis unter 65 Jahren", 1080),
    "altenquotient": ("20_bis_64", "20 bis unter 65 Jahren", 1080),
    "auslaenderanteil": ("gesamt", "insgesamt", 1580),
    "marburgpass_quote": ("gesamt", "insgesamt", 1580),
    "schwerbehindertenquote": ("gesamt", "insgesamt", 1580),
    "mindestsicherungsquote": ("gesamt", "insgesamt", 1580),
}


@pytest.mark.parametrize("indicator_id", list(DENOMINATOR_GROUPS))
def test_denominator_text_names_the_age_range_the_computation_uses(frame, indicator_id):
    group, label, city_residents = DENOMINATOR_GROUPS[indicator_id]
    definition = ind.indicator(indicator_id)
    assert ind.POPULATION_GROUPS[group].label == label
    assert label in definition.denominator
    assert definition.denominator.startswith("Einwohner")
    assert _row(frame, indicator_id, 2024, ind.CITY).nenner == city_residents


def test_units_and_texts():
    assert ind.indicator("sgb2_quote").unit == "je 100 Einwohner unter 65 Jahren"
    assert ind.indicator("grundsicherung_alter").unit == "je 100 Einwohner 65 Jahre und älter"
    assert ind.indicator("auslaenderanteil").unit == "je 100 Einwohner"
    assert ind.indicator("wohngeldquote").unit == "je 100 Haushalte"
    assert ind.indicator("sozialwohnungsquote").unit == "je 100 Wohnungen"
    assert "Arbeitslosenquote" in ind.indicator("arbeitslosendichte").note
    assert "Regelaltersgrenze" in ind.indicator("sgb2_quote").note
    assert "außerhalb von Einrichtungen" in ind.indicator("mindestsicherungsquote").numerator
    for definition in ind.INDICATORS:
        assert definition.per == 100
        assert definition.name and definition.numerator and definition.note and definition.source
        assert definition.unit.startswith("je 100 ")
    assert [i.id for i in ind.INDICATORS if i.level == "stadt"] == ["schwerbehindertenquote", "mindestsicherungsquote"]


def test_indicator_lookup():
    assert ind.indicator("kinderarmut") is ind.INDICATOR_BY_ID["kinderarmut"]
    assert ind.indicator("kinderarmut").name == "Kinderarmut (SGB II)"
    with pytest.raises(KeyError, match="Unknown indicator 'armut'.*sgb2_quote"):
        ind.indicator("armut")


def test_population_groups_and_nationality():
    bev = make_tables()["bevoelkerung"]
    by_year = population(bev, "gesamt", by=("jahr",))
    assert by_year.to_dict() == {2023: 1600, 2024: 1580}
    non_german = population(bev, "gesamt", nationality="nichtdeutsch")
    assert non_german.loc[(2024, 211)] == 330  # 20 + 300 + 10
    assert non_german.loc[(2024, 212)] == 0
    under_3 = population(bev, AgeRange(0, 3))
    assert under_3.loc[(2023, 211)] == 100 and under_3.loc[(2024, 213)] == 0
    with pytest.raises(KeyError, match="unter_99"):
        population(bev, "unter_99")


def test_indicator_table(frame):
    table = ind.indicator_table(frame, "sgb2_quote")  # latest year: 2024
    assert list(table.columns) == ["kennziffer", "zaehler", "nenner", "wert"]
    assert table.kennziffer.tolist() == [211, 212, 213, ind.CITY]
    assert table.zaehler.tolist() == [60, 2, 50, 112]
    districts = ind.indicator_table(frame, "sgb2_quote", 2023, with_city=False)
    assert districts.wert.tolist() == [5.0, 0.0, 8.0]
    with pytest.raises(KeyError, match="2019"):
        ind.indicator_table(frame, "sgb2_quote", 2019)


def test_time_series_and_city_value(frame):
    series = ind.time_series(frame, "sgb2_quote")
    assert series.jahr.tolist() == [2023, 2024]
    assert series.wert.tolist() == pytest.approx([6.5625, 112 / 1380 * 100])
    assert ind.time_series(frame, "sgb2_quote", 213).wert.tolist() == [8.0, 6.25]
    assert ind.city_value(frame, "schwerbehindertenquote", 2023) == 5.0
    # 2023: (0 + 0 + 3) recipients 65+, but nobody 65+ lives in the city that year
    assert math.isnan(ind.city_value(frame, "grundsicherung_alter", 2023))
    with pytest.raises(KeyError):
        ind.city_value(frame, "mindestsicherungsquote", 2023)
    with pytest.raises(KeyError, match="Unknown indicator"):
        ind.time_series(frame, "quote")


def test_run_indicators_reads_tables_and_writes_the_indicator_file(project):
    edition = open_edition("2024", project)
    tables = make_tables()
    # The tables folder holds every required table; those no indicator reads may stay empty.
    for name in set(TABLES) - set(tables) - {"mindestsicherung"}:
        tables[name] = pd.DataFrame({column: [] for column in TABLES[name].columns})
    load.write_tables(tables, edition.paths.tables_dir)

    result = ind.run_indicators(edition)

    expected = ind.compute_indicators(make_tables())
    pd.testing.assert_frame_equal(result, expected)
    pd.testing.assert_frame_equal(load.read_indicators(edition.paths.indicators_file), expected)
    assert math.isnan(_row(result, "kinderarmut", 2024, 212).wert)  # written as empty, read back as NaN

    audit = pd.read_csv(edition.paths.audit_file)
    small = result[(result["zaehler"] > 0) & (result["zaehler"] < 3) & (result["kennziffer"] != ind.CITY)]
    hidden = audit[(audit["part"] == "zaehler") & (audit["status"] == "primaer")]
    assert set(zip(hidden["indikator"], hidden["jahr"], hidden["kennziffer"])) == set(
        zip(small["indikator"], small["jahr"], small["kennziffer"])
    )
    assert not str(edition.paths.audit_file.relative_to(project)).startswith("outputs")  # never in the site


def test_tables_without_rows_give_an_empty_frame_with_the_output_types():
    empty = {name: frame.iloc[0:0] for name, frame in make_tables().items()}
    result = ind.compute_indicators(empty)
    assert result.empty
    assert [str(t) for t in result.dtypes] == ["int64", "int64", "str", "int64", "int64", "float64"]
