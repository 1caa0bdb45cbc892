"""The confidentiality rule: symbols, primary and secondary suppression, and the protection check."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialplanung.statistics import indicators
from sozialplanung.statistics.confidentiality import (
    CITY,
    SYMBOL_CONFIDENTIAL,
    SYMBOL_ZERO,
    Confidentiality,
    audit_frame,
    cell_intervals,
    protect_indicators,
    recoverable_cells,
    suppress,
)


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


# --- pre-protected cells ---------------------------------------------------------------------------


def test_cells_with_a_status_are_hidden_whatever_their_value():
    rule = Confidentiality(3)
    assert rule.count_cell(40, "sekundaer") == "."
    assert rule.count_cell(40, "") == "40"
    assert rule.count_cell(2, "") == "."  # a small count is never shown, even unflagged
    assert rule.count_cell(0, "") == SYMBOL_ZERO
    assert rule.count_cell(40, math.nan) == "40"  # a missing status (e.g. from a join) is no status
    assert rule.rate_cell(17.5, 7, 40, "sekundaer") == "."
    assert rule.rate_cell(17.5, 7, 40, "") == "17,5"
    assert rule.rate_cell(math.nan, 0, 0, "") == "x"
    assert rule.count_cell_or_none(40, "primaer") is None
    assert rule.rate_cell_or_none(17.5, 7, 40, "") == 17.5
    assert rule.rate_cell_or_none(17.5, 7, 40, "sekundaer") is None


def test_columns_take_statuses():
    rule = Confidentiality(3)
    values = pd.Series([12, 7, 0])
    assert list(rule.counts_column(values, pd.Series(["", "sekundaer", ""]))) == ["12", ".", SYMBOL_ZERO]
    assert list(rule.counts_column(values)) == ["12", "7", SYMBOL_ZERO]
    rates = rule.rates_column(
        pd.Series([30.0, 70.0]), pd.Series([3, 7]), pd.Series([10, 10]), statuses=pd.Series(["sekundaer", ""])
    )
    assert list(rates) == [".", "70,0"]


# --- suppression of a vector with its total ----------------------------------------------------------


def vector(*values: int) -> pd.DataFrame:
    return pd.DataFrame({"n": list(values)}, index=[f"B{i + 1}" for i in range(len(values))])


def statuses(result) -> list[str]:
    return list(result.status["n"])


def test_one_small_cell_is_protected_by_the_smallest_other_cell():
    result = suppress(vector(12, 2, 7, 40), 3)
    assert list(result.table["n"]) == [12, 2, 7, 40, 61]
    assert statuses(result) == ["", "primaer", "sekundaer", "", ""]
    assert list(result.texts()["n"]) == ["12", ".", ".", "40", "61"]
    assert result.published()["n"].fillna(-1).tolist() == [12, -1, -1, 40, 61]
    assert result.reasons == {
        ("B2", "n"): "primär: Fallzahl 2 unter 3",
        ("B3", "n"): "sekundär: sonst wäre B2 aus den veröffentlichten Werten und Summen genau berechenbar; "
        "kleinste geeignete Zellen",
    }
    # 61 - 12 - 40 = 9 is left for the two hidden cells: each of them is anything from 0 to 9.
    intervals = cell_intervals(result.table, result.hidden, row_total=False, column_total=True)
    assert intervals[["row", "value", "lo", "hi"]].values.tolist() == [["B2", 2, 0, 9], ["B3", 7, 0, 9]]
    assert result.recoverable().empty


def test_two_small_cells_need_no_partner_when_together_they_reach_the_threshold():
    # B1 + B2 = 4 is known; each could be 0 … 4, and 3 or 4 cases are no longer "fewer than 3".
    result = suppress(vector(2, 2, 10, 20), 3)
    assert statuses(result) == ["primaer", "primaer", "", "", ""]
    assert list(result.audit()["status"]) == ["primaer", "primaer"]


def test_two_small_cells_whose_sum_is_below_the_threshold_get_a_partner():
    # B1 + B2 = 2 would tell that both districts have fewer than 3 cases: hide 5 as well (sum 7).
    result = suppress(vector(1, 1, 5, 9), 3)
    assert statuses(result) == ["primaer", "primaer", "sekundaer", "", ""]
    assert result.reasons[("B3", "n")].startswith("sekundär: sonst wäre erkennbar, dass B1 weniger als 3 Fälle hat")
    intervals = cell_intervals(result.table, result.hidden, row_total=False, column_total=True)
    assert intervals["hi"].tolist() == [7, 7, 7]


def test_zeros_are_published_and_never_chosen_as_partners():
    result = suppress(vector(0, 2, 0, 8, 30), 3)
    assert statuses(result) == ["", "primaer", "", "sekundaer", "", ""]
    assert list(result.texts()["n"]) == [SYMBOL_ZERO, ".", SYMBOL_ZERO, ".", "30", "40"]


def test_a_small_total_is_hidden_itself_and_frees_its_cells():
    result = suppress(vector(1, 0, 1), 3)
    assert statuses(result) == ["primaer", "", "primaer", "primaer"]
    intervals = cell_intervals(result.table, result.hidden, row_total=False, column_total=True)
    assert intervals["hi"].tolist() == [math.inf, math.inf, math.inf]


def test_threshold_five_and_a_table_without_totals():
    assert statuses(suppress(vector(4, 5, 6), 5)) == ["primaer", "sekundaer", "", ""]
    alone = suppress(vector(4, 5, 6), 5, column_total=False)
    assert statuses(alone) == ["primaer", "", ""]
    assert alone.recoverable().empty  # without a total nothing can be recomputed


def test_recoverable_cells_names_exact_and_narrowed_cells():
    table = vector(12, 2, 7, 40, 61)
    hidden = pd.DataFrame({"n": [False, True, False, False, False]}, index=table.index)
    found = recoverable_cells(table, hidden, 3, row_total=False, column_total=True)
    assert found[["row", "lo", "hi", "problem"]].values.tolist() == [["B2", 2, 2, "exact"]]
    table = vector(1, 1, 5, 9, 16)
    hidden = pd.DataFrame({"n": [True, True, False, False, False]}, index=table.index)
    found = recoverable_cells(table, hidden, 3, row_total=False, column_total=True)
    assert found[["row", "lo", "hi", "problem"]].values.tolist() == [
        ["B1", 0, 2, "below_threshold"],
        ["B2", 0, 2, "below_threshold"],
    ]
    with pytest.raises(ValueError, match="not the sums"):
        recoverable_cells(vector(1, 2, 4), hidden.iloc[:3], 3, row_total=False, column_total=True)


def test_large_counts_are_checked_by_linear_programming():
    # Capacities this large do not fit the flow solver's 32-bit integers: the LP takes over.
    result = suppress(vector(2, 900_000_000, 5, 1_000_000_000), 3)
    assert statuses(result) == ["primaer", "", "sekundaer", "", ""]
    intervals = cell_intervals(result.table, result.hidden, row_total=False, column_total=True)
    assert intervals[["lo", "hi"]].values.tolist() == [[0, 7], [0, 7]]
    with pytest.raises(ValueError, match="Unknown method"):
        cell_intervals(result.table, result.hidden, row_total=False, column_total=True, method="guess")


def test_suppression_needs_whole_non_negative_counts():
    with pytest.raises(ValueError, match="non-negative whole counts"):
        suppress(vector(3, -1), 3)
    with pytest.raises(ValueError, match="non-negative whole counts"):
        suppress(pd.DataFrame({"n": [1.5, 4.0]}), 3)
    with pytest.raises(ValueError, match="already used"):
        suppress(pd.DataFrame({"n": [4, 5]}, index=["a", "insgesamt"]), 3)


# --- tables with row and column totals ------------------------------------------------------------


AGES = pd.DataFrame({"männlich": [1, 20, 12], "weiblich": [9, 25, 4]}, index=["unter 18", "18 bis 64", "65 und älter"])


def test_a_two_way_table_hides_the_cheapest_rectangle():
    result = suppress(AGES, 3, row_total=True, column_total=True)
    assert result.table.loc["insgesamt"].tolist() == [33, 38, 71]
    assert result.texts().values.tolist() == [
        [".", ".", "10"],
        ["20", "25", "45"],
        [".", ".", "16"],
        ["33", "38", "71"],
    ]
    assert result.status.loc["unter 18", "männlich"] == "primaer"
    # The rectangle 9 + 12 + 4 = 25 is cheaper than 9 + 20 + 25 = 54; moving t round it keeps every
    # total: 1 + t, 9 - t, 12 - t, 4 + t with -1 <= t <= 9.
    for method in ("flow", "lp"):
        intervals = cell_intervals(result.table, result.hidden, row_total=True, column_total=True, method=method)
        assert intervals[["value", "lo", "hi"]].values.tolist() == [[1, 0, 10], [9, 0, 10], [12, 3, 13], [4, 3, 13]]
    assert set(result.audit()["status"]) == {"primaer", "sekundaer"}


def test_a_total_is_hidden_only_when_no_cell_can_protect():
    # Row r1 is 2 + 0 = 2: its total is small itself, and the zero cannot be a partner, so the only
    # loop through r1/a goes through the column of row totals.
    cells = pd.DataFrame({"a": [2, 5], "b": [0, 7]}, index=["r1", "r2"])
    result = suppress(cells, 3, row_total=True, column_total=True)
    assert result.status.values.tolist() == [
        ["primaer", "", "primaer"],
        ["sekundaer", "", "sekundaer"],
        ["", "", ""],
    ]
    assert "auch eine Summe" in result.reasons[("r2", "insgesamt")]
    intervals = cell_intervals(result.table, result.hidden, row_total=True, column_total=True)
    assert intervals[["value", "lo", "hi"]].values.tolist() == [[2, 0, 7], [2, 0, 7], [5, 0, 7], [12, 7, 14]]


# --- properties over random tables ----------------------------------------------------------------

counts = st.one_of(st.integers(0, 6), st.integers(0, 6), st.integers(0, 80))
thresholds = st.sampled_from([3, 5])


@st.composite
def tables(draw, max_rows: int, max_cols: int) -> pd.DataFrame:
    rows, cols = draw(st.integers(1, max_rows)), draw(st.integers(1, max_cols))
    values = draw(st.lists(counts, min_size=rows * cols, max_size=rows * cols))
    return pd.DataFrame(
        np.array(values).reshape(rows, cols),
        index=[f"r{i}" for i in range(rows)],
        columns=[f"c{j}" for j in range(cols)],
    )


def check_protected(cells: pd.DataFrame, threshold: int, row_total: bool, column_total: bool) -> None:
    result = suppress(cells, threshold, row_total=row_total, column_total=column_total)
    body = result.table.loc[cells.index, cells.columns]
    hidden = result.hidden
    # (a) nothing between 1 and N-1 is published
    published = result.table.to_numpy()[~hidden.to_numpy()]
    assert not ((published > 0) & (published < threshold)).any()
    # (b) no hidden cell can be recomputed or pinned below N
    assert result.recoverable().empty
    # (c) the table is the input with its true totals
    assert body.equals(cells.astype("int64"))
    if row_total:
        assert (result.table.iloc[:, :-1].sum(axis=1) == result.table.iloc[:, -1]).all()
    if column_total:
        assert (result.table.iloc[:-1].sum(axis=0) == result.table.iloc[-1]).all()
    # (d) the same input gives the same pattern
    assert suppress(cells, threshold, row_total=row_total, column_total=column_total).status.equals(result.status)
    # (e) every small count is hidden as primary; zeros are never hidden; reasons for every hidden cell
    values, status = result.table.to_numpy(), result.status.to_numpy()
    assert (status[(values > 0) & (values < threshold)] == "primaer").all()
    assert (status[values == 0] == "").all()
    assert set(result.reasons) == {(r, c) for r in hidden.index for c in hidden.columns if hidden.loc[r, c]}


@settings(max_examples=200, deadline=None)
@given(tables(max_rows=14, max_cols=1), thresholds)
def test_vectors_with_a_total_are_protected(cells, threshold):
    check_protected(cells, threshold, row_total=False, column_total=True)


@settings(max_examples=200, deadline=None)
@given(tables(max_rows=6, max_cols=4), thresholds)
def test_tables_with_both_totals_are_protected(cells, threshold):
    check_protected(cells, threshold, row_total=True, column_total=True)


@settings(max_examples=60, deadline=None)
@given(tables(max_rows=5, max_cols=4), thresholds, st.booleans())
def test_rows_with_totals_only_are_protected(cells, threshold, transpose):
    check_protected(cells.T if transpose else cells, threshold, row_total=True, column_total=False)


@settings(max_examples=80, deadline=None)
@given(tables(max_rows=5, max_cols=4), st.sampled_from([(True, True), (True, False), (False, True)]), st.data())
def test_flow_and_linear_programming_give_the_same_intervals(cells, margins, data):
    """The fast exact method checked against scipy's linprog on arbitrary hidden patterns."""
    row_total, column_total = margins
    full = cells.assign(t=cells.sum(axis=1)) if row_total else cells.copy()
    if column_total:
        full.loc["t"] = full.sum(axis=0)
    mask = data.draw(st.lists(st.booleans(), min_size=full.size, max_size=full.size))
    hidden = pd.DataFrame(np.array(mask).reshape(full.shape), index=full.index, columns=full.columns)
    flow = cell_intervals(full, hidden, row_total=row_total, column_total=column_total)
    lp = cell_intervals(full, hidden, row_total=row_total, column_total=column_total, method="lp")
    assert flow.equals(lp)


@settings(max_examples=40, deadline=None)
@given(tables(max_rows=5, max_cols=3), thresholds)
def test_suppressed_tables_pass_the_linear_programming_check(cells, threshold):
    result = suppress(cells, threshold, row_total=True, column_total=True)
    found = recoverable_cells(result.table, result.hidden, threshold, row_total=True, column_total=True, method="lp")
    assert found.empty


# --- indicators -----------------------------------------------------------------------------------


def indicator_frame() -> pd.DataFrame:
    """One indicator, one year, four districts and the city (= their sums)."""
    rows = [(211, 40, 400), (212, 2, 50), (213, 9, 120), (234, 0, 0), (CITY, 51, 570)]
    frame = pd.DataFrame(rows, columns=["kennziffer", "zaehler", "nenner"])
    wert = np.where(frame["nenner"] > 0, frame["zaehler"] * 100 / frame["nenner"].replace(0, 1), np.nan)
    return frame.assign(jahr=2024, indikator="sgb2_quote", wert=wert)[
        ["jahr", "kennziffer", "indikator", "zaehler", "nenner", "wert"]
    ]


def test_the_city_value_is_the_indicators_module_city_code():
    assert CITY == indicators.CITY


def test_protect_indicators_hides_small_numerators_their_partner_and_their_rates():
    protected = protect_indicators(indicator_frame(), 3).set_index("kennziffer")
    assert protected["zaehler_status"].to_dict() == {211: "", 212: "primaer", 213: "sekundaer", 234: "", CITY: ""}
    assert protected["nenner_status"].tolist() == ["", "", "", "", ""]
    assert protected["wert_status"].to_dict() == {211: "", 212: "primaer", 213: "sekundaer", 234: "", CITY: ""}
    rule = Confidentiality(3)
    shown = [rule.rate_cell(r.wert, r.zaehler, r.nenner, r.wert_status) for r in protected.itertuples()]
    assert shown == ["10,0", ".", ".", "x", "8,9"]  # no population: x, not .
    assert [rule.count_cell(r.zaehler, r.zaehler_status) for r in protected.itertuples()] == [
        "40",
        ".",
        ".",
        SYMBOL_ZERO,
        "51",
    ]


def test_the_audit_lists_every_hidden_value_with_its_reason():
    districts = pd.DataFrame(
        {"kennziffer": [211, 212, 213, 234], "stadtbezirk": ["Altstadt", "Weidenhausen", "Campusviertel", "Lahnberge"]}
    )
    audit = audit_frame(protect_indicators(indicator_frame(), 3), districts)
    assert list(audit.columns) == [
        "jahr",
        "kennziffer",
        "stadtbezirk",
        "indikator",
        "part",
        "value",
        "status",
        "reason",
    ]
    assert audit[["kennziffer", "stadtbezirk", "part", "status"]].values.tolist() == [
        [212, "Weidenhausen", "zaehler", "primaer"],
        [212, "Weidenhausen", "wert", "primaer"],
        [213, "Campusviertel", "zaehler", "sekundaer"],
        [213, "Campusviertel", "wert", "sekundaer"],
    ]
    assert audit["value"].tolist()[::2] == [2, 9]
    assert audit["reason"].tolist() == [
        "primär: Fallzahl 2 unter 3",
        "Zähler geheim gehalten; die Quote würde ihn verraten",
        "sekundär: sonst wäre Kennziffer 212 aus den veröffentlichten Werten und Summen genau berechenbar; "
        "kleinste geeignete Zellen",
        "Zähler geheim gehalten; die Quote würde ihn verraten",
    ]
    assert (audit["jahr"] == 2024).all() and (audit["indikator"] == "sgb2_quote").all()


def test_the_same_count_vector_gets_the_same_pattern_in_every_indicator():
    first = indicator_frame()
    # A second indicator whose denominator is the first one's numerator (like residents 65+ in
    # Altenquotient and Grundsicherung im Alter): its denominators must be hidden alike.
    second = first.assign(indikator="altenquotient", nenner=first["zaehler"], zaehler=first["zaehler"] // 2)
    second["wert"] = np.where(second["nenner"] > 0, second["zaehler"] * 100 / second["nenner"].replace(0, 1), np.nan)
    protected = protect_indicators(pd.concat([first, second], ignore_index=True), 3)
    by_indicator = protected.set_index(["indikator", "kennziffer"])
    assert (
        by_indicator.loc["sgb2_quote", "zaehler_status"].tolist()
        == by_indicator.loc["altenquotient", "nenner_status"].tolist()
        == ["", "primaer", "sekundaer", "", ""]
    )
    assert by_indicator.loc["altenquotient", "wert_status"].tolist() == ["", "primaer", "sekundaer", "", ""]


def test_city_only_indicators_and_inconsistent_city_values():
    city = pd.DataFrame(
        {
            "jahr": [2024],
            "kennziffer": [CITY],
            "indikator": ["schwerbehindertenquote"],
            "zaehler": [2],
            "nenner": [700],
            "wert": [2 / 7],
        }
    )
    assert protect_indicators(city, 3)["zaehler_status"].tolist() == ["primaer"]
    broken = indicator_frame()
    broken.loc[broken["kennziffer"] == CITY, "zaehler"] = 50
    with pytest.raises(ValueError, match="not the sum of the districts"):
        protect_indicators(broken, 3)
