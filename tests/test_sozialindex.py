"""Tests of the Sozialindex (sozialplanung.statistics.sozialindex) against values computed by hand."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sozialplanung.core.config import IndexConfig, load_config
from sozialplanung.core.errors import ConfigError, DataError
from sozialplanung.core.paths import ProjectPaths
from sozialplanung.data import sample
from sozialplanung.data.load import INDICATOR_COLUMNS, read_districts
from sozialplanung.statistics.indicators import compute_indicators, indicator
from sozialplanung.statistics.sozialindex import (
    DYNAMICS_CLASSES,
    STATUS_CLASSES,
    MethodTable,
    class_of,
    compute_sozialindex,
    method_parts,
    standardise,
)

A, B, C, D, E = 101, 102, 103, 104, 105  # the five included districts of the hand-made frame
SMALL, EMPTY = 106, 107  # 299 residents; no children (Kinderarmut has denominator 0)
SQRT2 = math.sqrt(2)
TWO = ("sgb2_quote", "kinderarmut")
SCORE_TOL = 1e-10  # scores are rounded to SCORE_DECIMALS = 10 decimals (error <= 5e-11)


def _rows(year: int, indicator_id: str, values: dict[int, float | None]) -> list[tuple]:
    """Indicator rows with denominator 1000 (0 and NaN where the value is None)."""
    return [
        (year, k, indicator_id, 0, 0, math.nan) if v is None else (year, k, indicator_id, round(v * 10), 1000, v)
        for k, v in values.items()
    ]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS)).astype(INDICATOR_COLUMNS)


RESIDENTS = {A: 1000, B: 2000, C: 1500, D: 800, E: 300, SMALL: 299, EMPTY: 5000}
# 2024: SGB-II-Quote 2, 4, 6, 8, 10 -> mean 6, deviations -4 -2 0 2 4, variance (16+4+0+4+16)/5 = 8,
#   SD sqrt(8) = 2*sqrt(2); z = -sqrt2, -1/sqrt2, 0, 1/sqrt2, sqrt2.
# Kinderarmut 25, 5, 15, 20, 10 -> mean 15, deviations 10 -10 0 5 -5, variance 250/5 = 50, SD 5*sqrt(2);
#   z = sqrt2, -sqrt2, 0, 1/sqrt2, -1/sqrt2.
# The small and the childless district have extreme values: if they counted, mean and SD would change.
Y2024 = {
    "sgb2_quote": {A: 2, B: 4, C: 6, D: 8, E: 10, SMALL: 90, EMPTY: 50},
    "kinderarmut": {A: 25, B: 5, C: 15, D: 20, E: 10, SMALL: 90, EMPTY: None},
    "alleinerziehende": {A: 12.3, B: 12.3, C: 12.3, D: 12.3, E: 12.3, SMALL: 50, EMPTY: 40},
}
# 2022: changes SGB-II-Quote -2, 0, 0, +2, 0 and Kinderarmut -1, 0, 0, +1, 0 (Alleinerziehende: none).
Y2022 = {
    "sgb2_quote": {A: 4, B: 4, C: 6, D: 6, E: 10, SMALL: 80, EMPTY: 50},
    "kinderarmut": {A: 26, B: 5, C: 15, D: 19, E: 10, SMALL: 80, EMPTY: None},
    "alleinerziehende": {A: 12.3, B: 12.3, C: 12.3, D: 12.3, E: 12.3, SMALL: 50, EMPTY: 40},
}


def hand_frame(years=(2022, 2024), y2022=Y2022) -> pd.DataFrame:
    rows = []
    for year in years:
        for indicator_id, values in (Y2024 if year == 2024 else y2022).items():
            rows += _rows(year, indicator_id, values)
        rows += [(year, k, "auslaenderanteil", 0, n, 0.0) for k, n in RESIDENTS.items()]
        rows += [(year, 0, "auslaenderanteil", 0, sum(RESIDENTS.values()), 0.0)]  # the city row is ignored
    return _frame(rows)


def _config(**settings) -> IndexConfig:
    return IndexConfig(**({"status_indicators": TWO} | settings))


def _by_district(result) -> pd.DataFrame:
    return result.values.set_index("kennziffer")


def test_status_values_computed_by_hand():
    result = compute_sozialindex(hand_frame(), _config(), 2024)
    v = _by_district(result)
    assert list(v.index) == [A, B, C, D, E]
    r = 1 / SQRT2
    assert v["z_sgb2_quote"].tolist() == pytest.approx([-SQRT2, -r, 0, r, SQRT2])
    assert v["z_kinderarmut"].tolist() == pytest.approx([SQRT2, -SQRT2, 0, r, -r])
    # Sums in units u = 1/sqrt2: A -2+2 = 0, B -1-2 = -3, C 0, D 1+1 = 2, E 2-1 = 1.
    assert v["status_sum"].tolist() == pytest.approx([0, -3 * r, 0, 2 * r, r], abs=1e-12)
    # Mean 0, variance u^2 (0+9+0+4+1)/5 = 14/10 = 1.4 -> score = k u / sqrt(1.4) = k sqrt(5/14) = k * 0.597614
    k = math.sqrt(5 / 14)
    assert v["status_score"].tolist() == pytest.approx([0, -3 * k, 0, 2 * k, k], abs=SCORE_TOL)
    # -1.7928 < -1 hoch; 0 and 0.5976 mittel; 1.1952 in [1, 1.5) niedrig
    assert v["status_class"].tolist() == ["mittel", "hoch", "mittel", "niedrig", "mittel"]
    # Rank 1 = most disadvantaged; A and C tie on 0 (both rank 3)
    assert v["rank"].tolist() == [3, 5, 3, 1, 2]
    assert v["sgb2_quote"].tolist() == [2, 4, 6, 8, 10]
    assert list(result.values["status_class"].cat.categories) == list(STATUS_CLASSES)


def test_excluded_districts_with_reasons():
    result = compute_sozialindex(hand_frame(), _config(), 2024)
    assert result.excluded.to_dict("records") == [
        {"kennziffer": SMALL, "reason": "weniger als 300 Einwohner (299)"},
        {"kennziffer": EMPTY, "reason": "Kinderarmut (SGB II) nicht berechenbar (Bezugsgröße 0)"},
    ]
    # E has exactly 300 residents: not fewer than 300, so it is included.
    assert E in set(result.values["kennziffer"])


def test_excluded_districts_do_not_influence_the_others():
    with_all = compute_sozialindex(hand_frame(), _config(), 2024).values
    frame = hand_frame()
    without = compute_sozialindex(frame[~frame["kennziffer"].isin([SMALL, EMPTY])], _config(), 2024).values
    pd.testing.assert_frame_equal(with_all, without)
    # and by hand: with SMALL (90) the SGB-II mean would be (30 + 90)/6 = 20, not 6
    assert with_all["z_sgb2_quote"].iloc[2] == 0.0  # C has the mean 6 -> z exactly 0


def test_residents_can_be_passed():
    residents = pd.Series(RESIDENTS).rename_axis("kennziffer")
    residents[D] = 250
    result = compute_sozialindex(hand_frame(), _config(min_population=260), 2024, residents=residents)
    # 260 limit: D (250) is left out, SMALL (299) now stays in, EMPTY still lacks Kinderarmut
    assert result.excluded["kennziffer"].tolist() == [D, EMPTY]
    assert result.excluded["reason"].iloc[0] == "weniger als 260 Einwohner (250)"
    missing = compute_sozialindex(hand_frame(), _config(), 2024, residents=residents.drop(A))
    assert missing.excluded.set_index("kennziffer").loc[A, "reason"] == "Einwohnerzahl fehlt"


@pytest.mark.parametrize(
    ("weights", "ranks"),
    [
        # z in units u = 1/sqrt2: SGB II A-E = -2 -1 0 1 2, Kinderarmut 2 -2 0 1 -1
        ({}, [3, 5, 3, 1, 2]),  # sums 0 -3 0 2 1
        ({"kinderarmut": 2}, [2, 5, 3, 1, 3]),  # sums -2+4=2, -1-4=-5, 0, 1+2=3, 2-2=0
        ({"kinderarmut": 0}, [5, 4, 3, 2, 1]),  # SGB II alone
        ({"sgb2_quote": 0}, [1, 5, 3, 2, 4]),  # Kinderarmut alone
    ],
)
def test_weights_change_the_ranking(weights, ranks):
    v = _by_district(compute_sozialindex(hand_frame(), _config(weights=weights), 2024))
    assert v["rank"].tolist() == ranks


def test_weighted_scores_by_hand():
    v = _by_district(compute_sozialindex(hand_frame(), _config(weights={"kinderarmut": 2}), 2024))
    # sums u*(2, -5, 0, 3, 0), mean 0, variance u^2*(4+25+0+9+0)/5 = 38/10 = 3.8 -> score = k/sqrt(7.6)
    k = 1 / math.sqrt(7.6)  # 0.362738
    assert v["status_score"].tolist() == pytest.approx([2 * k, -5 * k, 0, 3 * k, 0], abs=SCORE_TOL)
    # 0.7255 mittel, -1.8137 hoch, 0 mittel, 1.0882 niedrig, 0 mittel
    assert v["status_class"].tolist() == ["mittel", "hoch", "mittel", "niedrig", "mittel"]


def test_zero_spread_indicator_contributes_nothing_without_warnings():
    config = _config(status_indicators=("sgb2_quote", "kinderarmut", "alleinerziehende"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        three = compute_sozialindex(hand_frame(), config, 2024)
    v = _by_district(three)
    assert (v["z_alleinerziehende"] == 0.0).all()  # all 12.3: no spread -> z = 0
    assert (
        v["status_score"].tolist()
        == _by_district(compute_sozialindex(hand_frame(), _config(), 2024))["status_score"].tolist()
    )
    # Alleinerziehende did not change either: its change has no spread, the dynamics are unaffected
    assert v["change_alleinerziehende"].tolist() == [0.0] * 5


def test_standardise_with_population_sd():
    z = standardise(pd.Series([2.0, 4.0, 6.0, 8.0, 10.0]))
    sd = math.sqrt(8)  # deviations -4 -2 0 2 4, variance 40/5 = 8
    assert z.tolist() == pytest.approx([-4 / sd, -2 / sd, 0, 2 / sd, 4 / sd])
    # values equal up to rounding (0.1 + 0.2 != 0.3) still count as equal
    assert standardise(pd.Series([0.3, 0.1 + 0.2, 0.3])).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (-1.5, "hoch"),
        (-1.0, "mittel"),
        (0.0, "mittel"),
        (1.0, "niedrig"),
        (1.49, "niedrig"),
        (1.5, "sehr niedrig"),
        (-1.0000001, "hoch"),
        (0.9999999, "mittel"),
    ],
)
def test_status_class_limits(score, expected):
    assert class_of(score, (-1.0, 1.0, 1.5)) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [(-1.0000001, "positiv"), (-1.0, "stabil"), (0.0, "stabil"), (1.0, "stabil"), (1.0000001, "negativ")],
)
def test_dynamics_class_limits(score, expected):
    assert class_of(score, (-1.0, 1.0)) == expected


@pytest.mark.parametrize(("score", "limits"), [(math.nan, (-1, 1)), (0.0, (1, -1)), (0.0, (1,)), (0.0, (0, 1, 2, 3))])
def test_class_of_rejects_invalid_input(score, limits):
    with pytest.raises(ValueError):
        class_of(score, limits)


def test_scores_exactly_on_a_limit():
    # Four districts 0, 0, 2, 2: mean 1, SD 1 -> z = -1, -1, 1, 1 exactly; one indicator -> score = z.
    # 2022 all 0, so the changes are 0, 0, 2, 2 as well -> dynamics score -1, -1, 1, 1.
    rows = _rows(2024, "sgb2_quote", {1: 0, 2: 0, 3: 2, 4: 2})
    rows += _rows(2022, "sgb2_quote", {1: 0, 2: 0, 3: 0, 4: 0})
    residents = pd.Series(1000, index=[1, 2, 3, 4])
    v = compute_sozialindex(_frame(rows), IndexConfig(status_indicators=("sgb2_quote",)), 2024, residents).values
    assert v["status_score"].tolist() == [-1.0, -1.0, 1.0, 1.0]
    assert v["status_class"].tolist() == ["mittel", "mittel", "niedrig", "niedrig"]  # a on a limit -> upper class
    assert v["dynamics_score"].tolist() == [-1.0, -1.0, 1.0, 1.0]
    assert v["dynamics_class"].tolist() == ["stabil"] * 4  # on either dynamics limit -> stabil


def test_dynamics_by_hand():
    result = compute_sozialindex(hand_frame(), _config(), 2024)
    v = _by_district(result)
    assert result.dynamics_reason is None and result.earlier_year == 2022
    assert v["change_sgb2_quote"].tolist() == pytest.approx([-2, 0, 0, 2, 0])
    # SGB II changes -2 0 0 2 0: mean 0, variance 8/5, z = +-2/sqrt(1.6) = +-sqrt(5/2) = +-1.5811 for A/D.
    # Kinderarmut changes -1 0 0 1 0: variance 2/5, z = +-1/sqrt(0.4) = +-1.5811 for A/D. Sum = 2z,
    # standardised again = z.
    v5 = math.sqrt(5 / 2)
    assert v["dynamics_sum"].tolist() == pytest.approx([-2 * v5, 0, 0, 2 * v5, 0], abs=1e-12)
    assert v["dynamics_score"].tolist() == pytest.approx([-v5, 0, 0, v5, 0], abs=SCORE_TOL)
    assert v["dynamics_class"].tolist() == ["positiv", "stabil", "stabil", "negativ", "stabil"]
    assert v["dynamics_reason"].isna().all()
    assert result.class_counts("dynamics_class").to_dict() == {"positiv": 1, "stabil": 3, "negativ": 1}
    assert list(result.class_counts().index) == list(STATUS_CLASSES)
    assert list(result.values["dynamics_class"].cat.categories) == list(DYNAMICS_CLASSES)


def test_district_without_earlier_value_has_no_dynamics():
    y2022 = {**Y2022, "kinderarmut": {**Y2022["kinderarmut"], C: None}}
    result = compute_sozialindex(hand_frame(y2022=y2022), _config(), 2024)
    v = _by_district(result)
    assert pd.isna(v.at[C, "dynamics_class"]) and pd.isna(v.at[C, "dynamics_score"])
    assert v.at[C, "dynamics_reason"] == "Kinderarmut (SGB II): kein berechenbarer Wert für 2022"
    assert v.at[C, "status_class"] == "mittel"  # the status index is unaffected
    # Over A, B, D, E: SGB II changes -2 0 2 0 -> variance 8/4 = 2, z = -+sqrt2 for A/D; Kinderarmut
    # -1 0 1 0 -> variance 2/4, z = -+sqrt2. Sum 2z, standardised z: A -1.4142 positiv, D 1.4142 negativ.
    assert v["dynamics_score"].drop(C).tolist() == pytest.approx([-SQRT2, 0, SQRT2, 0], abs=SCORE_TOL)
    assert v["dynamics_class"].drop(C).tolist() == ["positiv", "stabil", "negativ", "stabil"]


def test_missing_earlier_year_leaves_dynamics_out_with_reason():
    result = compute_sozialindex(hand_frame(years=(2024,)), _config(), 2024)
    reason = (
        "Die Dynamik ist nicht berechenbar, weil für 2022 keine Werte vorliegen: SGB-II-Quote, Kinderarmut (SGB II)."
    )
    assert result.dynamics_reason == reason
    v = result.values
    assert v["dynamics_class"].isna().all() and v["dynamics_score"].isna().all()
    assert (v["dynamics_reason"] == reason).all()
    assert v["status_class"].notna().all()
    assert result.class_counts("dynamics_class").sum() == 0


def test_dynamics_need_two_districts_with_both_years():
    y2022 = {**Y2022, "kinderarmut": {k: (26 if k == A else None) for k in Y2022["kinderarmut"]}}
    result = compute_sozialindex(hand_frame(y2022=y2022), _config(), 2024)
    reason = "Die Dynamik ist nicht berechenbar, weil weniger als zwei Stadtbezirke Werte für 2022 und 2024 haben."
    assert result.dynamics_reason == reason
    v = _by_district(result)
    assert v["dynamics_class"].isna().all()
    assert v.at[A, "dynamics_reason"] == reason
    assert v.at[B, "dynamics_reason"] == "Kinderarmut (SGB II): kein berechenbarer Wert für 2022"
    # the changes that can be computed are still shown: SGB II 2 - 4 = -2 for A, 4 - 4 = 0 for B
    assert v.at[A, "change_sgb2_quote"] == -2 and v.at[B, "change_sgb2_quote"] == 0
    assert math.isnan(v.at[B, "change_kinderarmut"])


def test_fewer_than_two_districts_is_an_error():
    frame = hand_frame()
    with pytest.raises(DataError, match="at least 2 districts; 1 remain"):
        compute_sozialindex(frame[frame["kennziffer"].isin([0, A, SMALL])], _config(), 2024)
    with pytest.raises(DataError, match="No district values"):
        compute_sozialindex(frame, _config(), 2023)


@pytest.mark.parametrize("ids", [("sgb2_quote", "gibt_es_nicht"), ("sgb2_quote", "schwerbehindertenquote")])
def test_unusable_status_indicators_are_config_errors(ids):
    with pytest.raises(ConfigError):
        compute_sozialindex(hand_frame(), IndexConfig(status_indicators=ids), 2024)


def test_output_is_deterministic_and_sorted():
    frame = hand_frame()
    shuffled = frame.sample(frac=1, random_state=3).reset_index(drop=True)
    first = compute_sozialindex(frame, _config(), 2024)
    second = compute_sozialindex(shuffled, _config(), 2024)
    pd.testing.assert_frame_equal(first.values, second.values)
    pd.testing.assert_frame_equal(first.excluded, second.excluded)
    assert first.values["kennziffer"].is_monotonic_increasing


def method_text(config: IndexConfig) -> str:
    """The method parts as one text, tables as ``| a | b |`` rows, for the assertions below."""
    return "\n".join(
        "\n".join("| " + " | ".join(row) + " |" for row in part.rows) if isinstance(part, MethodTable) else part
        for part in method_parts(config)
    )


def test_method_text_states_the_configuration():
    config = IndexConfig(
        weights={"kinderarmut": 2.0, "sgb2_quote": 0.25},
        min_population=1000,
        status_limits=(-1.25, 0.5, 2.0),
        dynamics_limits=(-1.0, 1.5),
        dynamics_years=3,
    )
    text = method_text(config)
    for indicator_id in config.status_indicators:
        assert indicator(indicator_id).name in text
    assert "| Kinderarmut (SGB II) | je 100 Einwohner unter 15 Jahren | 2,0 |" in text
    assert "| SGB-II-Quote | je 100 Einwohner unter 65 Jahren | 0,25 |" in text
    assert "| Arbeitslosendichte | je 100 Einwohner von 15 bis unter 65 Jahren | 1,0 |" in text
    assert "| hoch | unter -1,25 |" in text and "| niedrig | 0,5 bis unter 2,0 |" in text
    assert "| sehr niedrig | 2,0 und mehr |" in text and "| stabil | -1,0 bis 1,5 |" in text
    assert "weniger als 1.000 Einwohnern" in text and "über 3 Jahre" in text
    assert "Veränderung" in text and "Standardabweichung" in text and "ae" not in text.replace("Haushalte", "")


def test_method_text_default_limits():
    text = method_text(IndexConfig())
    assert "| mittel | -1,0 bis unter 1,0 |" in text and "| sehr niedrig | 1,5 und mehr |" in text
    assert "weniger als 300 Einwohnern" in text


# --- the synthetic sample edition ------------------------------------------------------------------

PROJECT = ProjectPaths.at(Path(__file__).resolve().parents[1])
SMALL_DISTRICTS = {234: "Lahnberge", 326: "Dilschhausen", 352: "Ronhausen", 353: "Bortshausen"}
DEPRIVED = {243: "Oberer Richtsberg", 232: "Waldtal"}


@pytest.fixture(scope="module")
def sample_result():
    config = load_config(PROJECT.params_file("2024"))
    districts = read_districts(PROJECT.root / "data" / "reference" / "marburg_stadtbezirke.csv")
    years = list(range(config.sample.first_year, config.sample.last_year + 1))
    frame = compute_indicators(sample.build_tables(districts, config.sample.seed, years))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return compute_sozialindex(frame, config.index, config.year), districts


def test_sample_edition(sample_result):
    result, districts = sample_result
    excluded = result.excluded.set_index("kennziffer")["reason"]
    assert set(excluded.index) == set(SMALL_DISTRICTS)
    assert excluded.str.fullmatch(r"weniger als 300 Einwohner \(\d+\)").all()
    assert set(result.values["kennziffer"]) | set(excluded.index) == set(districts["kennziffer"])
    classes = result.values.set_index("kennziffer")["status_class"]
    assert all(classes[k] in ("niedrig", "sehr niedrig") for k in DEPRIVED)
    assert result.values["status_class"].notna().all() and result.values["dynamics_class"].notna().all()
    assert result.dynamics_reason is None
    # the standardised score has mean 0 and population SD 1 over the included districts
    assert result.values["status_score"].mean() == pytest.approx(0, abs=1e-9)
    assert np.std(result.values["status_score"]) == pytest.approx(1, abs=1e-9)
