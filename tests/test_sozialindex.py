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
from sozialplanung.statistics import sozialindex
from sozialplanung.statistics.index_comparison import attention, class_changes, status_dynamics_matrix
from sozialplanung.statistics.indicators import compute_indicators, indicator
from sozialplanung.statistics.sozialindex import (
    DYNAMICS_CLASSES,
    STATUS_CLASSES,
    MethodTable,
    SozialindexResult,
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
    config = IndexConfig(status_indicators=("sgb2_quote",), dynamics_min_cases=0)  # 0 -> 0 cases still counts
    v = compute_sozialindex(_frame(rows), config, 2024, residents).values
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
    assert result.values["status_class"].notna().all()
    # without confidentiality statuses, only too few cases keep a district out of the dynamics
    without = result.values[result.values["dynamics_class"].isna()]
    assert without["dynamics_reason"].str.startswith("zu wenige Fälle für eine belastbare Veränderung").all()
    assert not set(without["kennziffer"]) & set(DEPRIVED)  # hundreds of cases: their dynamics carry
    assert result.dynamics_reason is None
    # the standardised score has mean 0 and population SD 1 over the included districts
    assert result.values["status_score"].mean() == pytest.approx(0, abs=1e-9)
    assert np.std(result.values["status_score"]) == pytest.approx(1, abs=1e-9)


# --- robustness: borderline classes, smoothing, dynamics minimum ------------------------------------

STATUS = ("zaehler_status", "nenner_status", "wert_status")
ONE = IndexConfig(status_indicators=("sgb2_quote",), status_limits=(-1.0, 0.7, 1.5), dynamics_min_cases=0)


def count_frame(counts: dict[int, int], hidden: dict[int, str] | None = None) -> pd.DataFrame:
    """SGB-II-Quote 2024 with denominator 100 (so the rate is the count), statuses as published
    unless ``hidden`` names a kennziffer and the status column to mark."""
    frame = _frame([(2024, k, "sgb2_quote", n, 100, float(n)) for k, n in counts.items()])
    for column in STATUS:
        frame[column] = ""
    for kennziffer, column in (hidden or {}).items():
        frame.loc[frame["kennziffer"] == kennziffer, column] = "primaer"
    return frame


FIVE = pd.Series(1000, index=[1, 2, 3, 4, 5])
COUNTS = {1: 0, 2: 2, 3: 4, 4: 6, 5: 8}
# Mean 4, variance (16+4+0+4+16)/5 = 8: scores -1.4142, -0.7071, 0, 0.7071, 1.4142 -> limits -1, 0.7, 1.5:
# hoch, mittel, mittel, niedrig, niedrig. Distances to the nearest limit: 0.4142, 0.2929 (to -1), 0.7, 0.0071, 0.0858.
# One case less in 4: 0 2 4 5 8, mean 3.8, variance 36.8/5 = 7.36, z = 1.2/2.7129 = 0.4423 -> mittel (flips).
# One case more in 5: 0 2 4 6 9, mean 4.2, variance 48.8/5 = 9.76, z = 4.8/3.1241 = 1.5364 -> sehr niedrig
#   (flips); one less: 0 2 4 6 7, mean 3.8, variance 32.8/5 = 6.56, z = 3.2/2.5612 = 1.2494 -> niedrig.
# One case more in 1: 1 2 4 6 8, mean 4.2, variance 32.8/5, z = -3.2/2.5612 = -1.2494 -> hoch (no flip).
# 2: 0 1 4 6 8 z = -2.8/2.9933 = -0.9354, 0 3 4 6 8 z = -1.2/2.7129 = -0.4423, both mittel; 3 stays near 0.


def test_borderline_by_margin_and_by_one_case():
    v = _by_district(
        compute_sozialindex(count_frame(COUNTS), ONE.model_copy(update={"borderline_margin": 0.05}), 2024, FIVE)
    )
    assert v["status_class"].tolist() == ["hoch", "mittel", "mittel", "niedrig", "niedrig"]
    assert v["limit_distance"].tolist() == pytest.approx([SQRT2 - 1, 1 - 1 / SQRT2, 0.7, 1 / SQRT2 - 0.7, 1.5 - SQRT2])
    assert v["status_flips"].tolist() == ["", "", "", "mittel", "sehr niedrig"]
    assert v["borderline"].tolist() == [False, False, False, True, True]
    assert v.at[4, "borderline_reason"] == "nahe einer Klassengrenze; mit einem Fall mehr oder weniger „mittel“"
    assert v.at[5, "borderline_reason"] == "mit einem Fall mehr oder weniger „sehr niedrig“"  # 0.0858 > 0.05
    assert v["borderline_reason"].iloc[:3].isna().all()
    # a wider margin marks 1 (0.4142 from -1) and 2 (0.2929 from -1) by their distance alone
    wide = _by_district(
        compute_sozialindex(count_frame(COUNTS), ONE.model_copy(update={"borderline_margin": 0.5}), 2024, FIVE)
    )
    assert wide["borderline"].tolist() == [True, True, False, True, True]
    assert wide.at[1, "borderline_reason"] == "nahe einer Klassengrenze"


@pytest.mark.parametrize("column", ["zaehler_status", "nenner_status"])
def test_one_case_test_uses_published_counts_only(column):
    # 5's count or denominator is hidden (its rate published): it is not varied, so no flip is claimed
    config = ONE.model_copy(update={"borderline_margin": 0.05})
    v = _by_district(compute_sozialindex(count_frame(COUNTS, {5: column}), config, 2024, FIVE))
    assert v.at[5, "status_flips"] == "" and not v.at[5, "borderline"]
    assert v.at[4, "status_flips"] == "mittel"  # the others are still tested


@pytest.mark.parametrize("secret", [1, 2, 3])
def test_hidden_value_never_reaches_the_new_outputs(secret):
    """District 6's SGB-II-Quote is hidden: whatever its count, every new output is the same."""
    counts = {**COUNTS, 6: secret}
    frame = count_frame(counts, {6: "wert_status"})
    frame.loc[frame["kennziffer"] == 6, "zaehler_status"] = "primaer"
    result = compute_sozialindex(
        frame, ONE.model_copy(update={"borderline_margin": 0.05}), 2024, pd.Series(1000, index=range(1, 7))
    )
    reference = compute_sozialindex(count_frame(COUNTS), ONE.model_copy(update={"borderline_margin": 0.05}), 2024, FIVE)
    columns = [
        "kennziffer",
        "status_score",
        "status_class",
        "limit_distance",
        "status_flips",
        "borderline",
        "borderline_reason",
    ]
    pd.testing.assert_frame_equal(result.values[columns], reference.values[columns])
    assert result.excluded["kennziffer"].tolist() == [6]
    assert status_dynamics_matrix(result).equals(status_dynamics_matrix(reference))
    assert attention(result) == attention(reference)


def _with_statuses(frame: pd.DataFrame) -> pd.DataFrame:
    for column in STATUS:
        frame[column] = ""
    return frame


def test_smoothing_pools_counts_of_small_districts():
    # 2022 and 2023 both carry the Y2022 values. D (800) and E (300) have fewer than 1.000 residents.
    # Pooled over 2023-2024 (denominators 1000 each): D SGB II (60 + 80) / 2000 * 100 = 7.0,
    # Kinderarmut (190 + 200) / 2000 * 100 = 19.5; E (100 + 100) / 2000 = 10.0 and 10.0 (unchanged).
    config = _config(smoothing_years=2, smoothing_population=1000)
    v = _by_district(compute_sozialindex(hand_frame(years=(2022, 2023, 2024)), config, 2024))
    assert v["smoothed"].tolist() == [False, False, False, True, True]
    assert v["sgb2_quote"].tolist() == pytest.approx([2, 4, 6, 7.0, 10])
    assert v["kinderarmut"].tolist() == pytest.approx([25, 5, 15, 19.5, 10])
    # SGB II 2 4 6 7 10: mean 5.8, variance (14.44+3.24+0.04+1.44+17.64)/5 = 7.36 -> z(D) = 1.2/sqrt(7.36)
    assert v.at[D, "z_sgb2_quote"] == pytest.approx(1.2 / math.sqrt(7.36))
    # the dynamics compare single years: D's SGB-II change is still 8 - 6 = 2
    assert v.at[D, "change_sgb2_quote"] == pytest.approx(2)
    # without smoothing (1 year) D keeps its 2024 value 8
    assert (
        _by_district(compute_sozialindex(hand_frame(years=(2022, 2023, 2024)), _config(), 2024)).at[D, "sgb2_quote"]
        == 8
    )


def test_smoothing_needs_published_values_in_every_year():
    frame = _with_statuses(hand_frame(years=(2022, 2023, 2024)))
    hidden = (frame["kennziffer"] == D) & (frame["jahr"] == 2023) & (frame["indikator"] == "kinderarmut")
    frame.loc[hidden, ["zaehler_status", "wert_status"]] = "primaer"
    result = compute_sozialindex(frame, _config(smoothing_years=2, smoothing_population=1000), 2024)
    reasons = result.excluded.set_index("kennziffer")["reason"]
    assert reasons[D] == (
        "Kinderarmut (SGB II): kein über 2023–2024 zusammengefasster Wert, weil nicht für jedes Jahr ein "
        "veröffentlichter Wert vorliegt"
    )
    assert D not in set(result.values["kennziffer"])
    # and a frame without that year at all (2023 missing) leaves the small districts out as well
    missing = compute_sozialindex(hand_frame(), _config(smoothing_years=2, smoothing_population=1000), 2024)
    assert {D, E} <= set(missing.excluded["kennziffer"])


def test_dynamics_only_where_the_counts_carry_it():
    # Numerators (rate * 10): SGB II 2022 A 40 B 40, 2024 A 20 B 40 -> both years below 50 for A and B;
    # Kinderarmut B 50 and 50 is not below 50. C, D, E keep their dynamics: SGB II changes 0 2 0 and
    # Kinderarmut 0 1 0 -> z(D) = (4/3) / sqrt(8/9) = sqrt2 -> negativ; C, E -1/sqrt2 -> stabil.
    v = _by_district(compute_sozialindex(hand_frame(), _config(dynamics_min_cases=50), 2024))
    reason = "zu wenige Fälle für eine belastbare Veränderung: SGB-II-Quote in 2022 und 2024 jeweils weniger als 50"
    assert v.loc[[A, B], "dynamics_reason"].tolist() == [reason, reason]
    assert v.loc[[A, B], "dynamics_class"].isna().all()
    assert v.loc[[C, D, E], "dynamics_score"].tolist() == pytest.approx([-1 / SQRT2, SQRT2, -1 / SQRT2], abs=SCORE_TOL)
    assert v.loc[[C, D, E], "dynamics_class"].tolist() == ["stabil", "negativ", "stabil"]
    # "below in both years" is strict: with a minimum of 40, A (20 and 40) and B (40 and 40) keep their dynamics
    v40 = _by_district(compute_sozialindex(hand_frame(), _config(dynamics_min_cases=40), 2024))
    assert v40["dynamics_class"].notna().all()
    # and with 41 both fall below in both years
    v41 = _by_district(compute_sozialindex(hand_frame(), _config(dynamics_min_cases=41), 2024))
    assert v41["dynamics_class"].isna().tolist() == [True, True, False, False, False]


def test_dynamics_minimum_never_compares_a_hidden_count():
    frame = _with_statuses(hand_frame())
    frame.loc[
        (frame["kennziffer"] == A) & (frame["jahr"] == 2024) & (frame["indikator"] == "sgb2_quote"), "zaehler_status"
    ] = "primaer"
    v = _by_district(compute_sozialindex(frame, _config(dynamics_min_cases=50), 2024))
    assert pd.notna(v.at[A, "dynamics_class"])  # its 2024 count is unknown to the reader: no claim about it
    assert pd.isna(v.at[B, "dynamics_class"])


# --- status x dynamics, attention, class changes ------------------------------------------------------


def _result(rows: list[tuple[int, str, str | None, int]], year: int = 2024) -> SozialindexResult:
    values = pd.DataFrame(rows, columns=["kennziffer", "status_class", "dynamics_class", "rank"])
    values["status_class"] = pd.Categorical(values["status_class"], categories=STATUS_CLASSES, ordered=True)
    values["dynamics_class"] = pd.Categorical(values["dynamics_class"], categories=DYNAMICS_CLASSES, ordered=True)
    return SozialindexResult(year, values, pd.DataFrame({"kennziffer": [], "reason": []}), IndexConfig())


HAND = _result(
    [
        (11, "sehr niedrig", "negativ", 1),
        (12, "niedrig", "negativ", 2),
        (13, "sehr niedrig", "stabil", 3),
        (14, "mittel", "negativ", 4),
        (15, "niedrig", None, 5),
        (16, "hoch", "positiv", 6),
    ]
)


def test_status_dynamics_matrix():
    matrix = status_dynamics_matrix(HAND)
    assert list(matrix.index) == list(STATUS_CLASSES)
    assert list(matrix.columns) == ["positiv", "stabil", "negativ", "ohne Dynamik"]
    assert matrix.to_dict("index") == {
        "hoch": {"positiv": [16], "stabil": [], "negativ": [], "ohne Dynamik": []},
        "mittel": {"positiv": [], "stabil": [], "negativ": [14], "ohne Dynamik": []},
        "niedrig": {"positiv": [], "stabil": [], "negativ": [12], "ohne Dynamik": [15]},
        "sehr niedrig": {"positiv": [], "stabil": [13], "negativ": [11], "ohne Dynamik": []},
    }


def test_attention_is_low_status_with_negative_dynamics():
    # 14 is negativ but mittel; 13 is sehr niedrig but stabil; 15 has no dynamics
    assert attention(HAND) == [11, 12]
    assert attention(_result([(1, "mittel", "negativ", 1), (2, "niedrig", "stabil", 2)])) == []


def test_class_changes_since_the_previous_edition():
    previous = _result(
        [(11, "niedrig", "negativ", 2), (12, "niedrig", "stabil", 1), (14, "hoch", None, 4), (17, "mittel", None, 3)],
        2023,
    )
    changes = class_changes(HAND, previous)
    assert changes.to_dict("records") == [
        {"kennziffer": 11, "before": "niedrig", "after": "sehr niedrig", "direction": "ungünstiger"},
        {"kennziffer": 13, "before": "nicht einbezogen", "after": "sehr niedrig", "direction": "neu einbezogen"},
        {"kennziffer": 14, "before": "hoch", "after": "mittel", "direction": "ungünstiger"},
        {"kennziffer": 15, "before": "nicht einbezogen", "after": "niedrig", "direction": "neu einbezogen"},
        {"kennziffer": 16, "before": "nicht einbezogen", "after": "hoch", "direction": "neu einbezogen"},
        {"kennziffer": 17, "before": "mittel", "after": "nicht einbezogen", "direction": "nicht mehr einbezogen"},
    ]
    better = class_changes(_result([(1, "mittel", None, 1)]), _result([(1, "niedrig", None, 1)], 2023))
    assert better["direction"].tolist() == ["günstiger"]
    assert class_changes(HAND, HAND).empty


def test_status_bands_follow_the_class_convention():
    from sozialplanung.report.sozialraum import status_bands

    bands = status_bands((-1.0, 1.0, 1.5))
    assert bands == {
        "hoch": "unter -1,00",
        "mittel": "von -1,00 bis unter 1,00",
        "niedrig": "von 1,00 bis unter 1,50",
        "sehr niedrig": "ab 1,50",
    }
    # a score on a limit is in the more disadvantaged class, as "bis unter" and "ab" say
    assert class_of(1.0, (-1.0, 1.0, 1.5)) == "niedrig" and class_of(1.5, (-1.0, 1.0, 1.5)) == "sehr niedrig"


@pytest.mark.parametrize(
    ("names", "case", "expected"),
    [
        (["Campusviertel"], "nominative", "der Stadtbezirk Campusviertel"),
        (["Stadtwald", "Südbahnhof"], "nominative", "die Stadtbezirke Stadtwald und Südbahnhof"),
        (["Waldtal"], "accusative", "den Stadtbezirk Waldtal"),
        (["Cappel", "Wehrda", "Marbach"], "genitive", "der Stadtbezirke Cappel, Wehrda und Marbach"),
    ],
)
def test_districts_are_named_after_their_noun_in_every_case(names, case, expected):
    from sozialplanung.report.sozialraum import districts_phrase

    assert districts_phrase(names, case) == expected


def test_the_index_is_computed_once_per_process_for_the_same_inputs_and_each_caller_gets_its_own(monkeypatch):
    frame, config = hand_frame(), _config()
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[2])
        return compute_sozialindex(*args, **kwargs)

    monkeypatch.setattr(sozialindex, "compute_sozialindex", counting)
    monkeypatch.setattr(sozialindex, "_COMPUTED", {})
    first = sozialindex.sozialindex_once(frame, config, 2024)
    first.values.loc[:, "status_sum"] = 99.0  # one notebook changing its copy
    second = sozialindex.sozialindex_once(frame.copy(), config, 2024)
    assert calls == [2024]
    pd.testing.assert_frame_equal(second.values, compute_sozialindex(frame, config, 2024).values)
    changed = frame.copy()
    changed.loc[
        (changed["jahr"] == 2024) & (changed["kennziffer"] == A) & (changed["indikator"] == "sgb2_quote"), "wert"
    ] = 3
    assert sozialindex.sozialindex_once(changed, config, 2024).values["sgb2_quote"].tolist()[0] == 3
    sozialindex.sozialindex_once(frame, _config(status_limits=(-0.5, 1.0, 1.5)), 2024)
    assert calls == [2024, 2024, 2024]  # other data, other parameters: computed again
