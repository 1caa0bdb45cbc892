"""The linked-table confidentiality model: after protection, no hidden count and no small group of
people can be narrowed down, checked by an attacker written independently of the model's own
solver (SciPy's ``linprog`` over the published constraints, no warm starts, no duals)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sozialplanung.core.formats import round_half_up
from sozialplanung.statistics.confidentiality import PRIMARY, PUBLISHED, SECONDARY
from sozialplanung.statistics.protection import Attacker, Rule, YearModel, protect_year

RULE = Rule(threshold=3, protection_range=2)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def model_of(values: list[int], districts: list[int]) -> YearModel:
    atoms = pd.DataFrame({"table": "test", "atom": "x", "kennziffer": districts, "value": values})
    return YearModel(atoms, 2024)


def ranges(model: YearModel, status: dict[int, str], targets: list[np.ndarray]) -> list[tuple[float, float]]:
    """What a reader of the published counts and rates learns about the sums of ``targets``."""
    n = len(model.values)
    eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []
    for number, quantity in enumerate(model.quantities):
        row = np.zeros(n)
        row[quantity.atoms] = 1.0
        if status.get(number, PUBLISHED) == PUBLISHED:
            eq_rows.append(row)
            eq_rhs.append(quantity.value)
        else:  # "." is at least one case: zeros are published as "–"
            ub_rows.append(-row)
            ub_rhs.append(-1.0)
    for smaller, larger in model.bounds:
        row = np.zeros(n)
        np.add.at(row, smaller, 1.0)
        np.add.at(row, larger, -1.0)
        ub_rows.append(row)
        ub_rhs.append(0.0)
    for rate in model.rates:
        if status.get(rate.numerator, PUBLISHED) != PUBLISHED:
            continue  # a rate on a hidden numerator is hidden too
        numerator = model.quantities[rate.numerator].atoms
        for sign, ratio in ((1.0, rate.hi), (-1.0, rate.lo)):  # lo·den ≤ per·num ≤ hi·den
            row = np.zeros(n)
            np.add.at(row, numerator, sign * rate.per)
            np.add.at(row, rate.denominator, -sign * ratio)
            ub_rows.append(row)
            ub_rhs.append(0.0)
    found = []
    for target in targets:
        cost = np.zeros(n)
        cost[target] = 1.0
        bounds = []
        for direction in (1.0, -1.0):
            result = linprog(
                direction * cost,
                A_ub=np.array(ub_rows) if ub_rows else None,
                b_ub=ub_rhs or None,
                A_eq=np.array(eq_rows) if eq_rows else None,
                b_eq=eq_rhs or None,
                bounds=(0, None),
                method="highs",
            )
            assert result.status in (0, 3), result.message
            bounds.append(math.inf if result.status == 3 else direction * result.fun)
        found.append(
            (math.ceil(bounds[0] - 1e-6), bounds[1] if bounds[1] == math.inf else math.floor(bounds[1] + 1e-6))
        )
    return found


def assert_protected(model: YearModel, status: dict[int, str], rule: Rule = RULE) -> None:
    hidden = [n for n, s in status.items() if s != PUBLISHED]
    for n, (lo, hi) in zip(hidden, ranges(model, status, [model.quantities[n].atoms for n in hidden])):
        label, value = model.quantities[n].label, model.quantities[n].value
        assert hi - lo >= rule.protection_range, f"{label} ({value}) is pinned to {lo}…{hi}"
        if rule.small(value):
            assert hi >= rule.threshold, f"{label} ({value}) is known to be below {rule.threshold}"
    small_atoms = [np.array([a]) for a in np.flatnonzero((model.values > 0) & (model.values < rule.threshold))]
    for atoms, (_lo, hi) in zip(small_atoms, ranges(model, status, small_atoms)):
        assert hi >= rule.threshold, f"atom {atoms[0]} ({model.values[atoms[0]]}) is known to be small"


def protect(model: YearModel) -> dict[int, str]:
    result = protect_year(model, RULE)
    small = {n for n, q in enumerate(model.quantities) if RULE.small(q.value)}
    assert {n for n, s in result.status.items() if s == PRIMARY} == small
    return result.status


# --- by hand --------------------------------------------------------------------------------------


def test_a_single_small_cell_with_a_published_total_takes_a_second_cell_with_it():
    model = model_of([2, 7, 9, 30], [1, 2, 3, 4])
    for atom in range(4):
        model.add(np.array([atom]), f"Bezirk {atom + 1}")
    model.add(np.arange(4), "Stadt", city=True)
    status = protect(model)
    assert status[0] == PRIMARY
    assert [n for n, s in status.items() if s == SECONDARY] == [1]  # the smallest cell that protects, not the total
    assert ranges(model, status, [np.array([0])]) == [(1.0, 8.0)]  # 2 + 7 = 9 shared by two cells of at least 1
    assert_protected(model, status)


def test_leistungsberechtigte_equal_elb_plus_nef_cannot_give_away_a_group_no_table_shows():
    # LB = ELB + NEF per district and NEF unter 15 within NEF: NEF ab 15 = 164 − 114 − 49 = 1 by subtraction
    elb, nef_u15, nef_15 = 114, 49, 1
    model = model_of([elb, nef_u15, nef_15, 300, 80, 40], [1, 1, 1, 2, 2, 2])
    for d, base in ((1, 0), (2, 3)):
        model.add(np.array([base, base + 1, base + 2]), f"LB {d}")
        model.add(np.array([base]), f"ELB {d}")
        model.add(np.array([base + 1, base + 2]), f"NEF {d}")
        model.add(np.array([base + 1]), f"NEF unter 15 {d}")
    model.add(np.array([0, 1, 2, 3, 4, 5]), "LB Stadt", city=True)
    status = protect(model)
    assert any(s == SECONDARY for s in status.values())
    assert_protected(model, status)


def test_a_rate_with_its_published_denominator_is_a_constraint_on_the_hidden_numerator():
    # numerator 2 of 120 residents: 1,7 % with 120 published would pin the numerator at 2
    model = model_of([2, 118, 40, 200], [1, 1, 2, 2])
    numerators = [model.add(np.array([0]), "Zähler 1"), model.add(np.array([2]), "Zähler 2")]
    model.add(np.array([0, 1]), "Einwohner 1")
    model.add(np.array([2, 3]), "Einwohner 2")
    for number, den in zip(numerators, (np.array([0, 1]), np.array([2, 3]))):
        model.add_rate(number, den, 100, RULE.threshold)
    status = protect(model)
    assert status[numerators[0]] == PRIMARY
    assert_protected(model, status)


def test_the_independent_attacker_finds_each_route_when_only_primary_cells_are_hidden():
    within = model_of([2, 7, 30], [1, 2, 3])  # route 1: a table's total minus its published cells
    for atom in range(3):
        within.add(np.array([atom]), f"Bezirk {atom + 1}")
    within.add(np.arange(3), "Stadt", city=True)
    linked = model_of([114, 49, 1], [1, 1, 1])  # route 4: LB − ELB − NEF unter 15 = NEF ab 15
    linked.add(np.array([0, 1, 2]), "LB")
    linked.add(np.array([0]), "ELB")
    linked.add(np.array([1]), "NEF unter 15")
    pyramid = model_of([1, 40, 36, 25], [1, 1, 1, 1])  # route 2: the resident total minus the pyramid
    for atom in range(4):
        pyramid.add(np.array([atom]), f"Altersgruppe {atom}")
    pyramid.add(np.arange(4), "Einwohner")
    for model in (within, linked, pyramid):
        primary = {n: PRIMARY if RULE.small(q.value) else PUBLISHED for n, q in enumerate(model.quantities)}
        with pytest.raises(AssertionError, match="pinned|below|small"):
            assert_protected(model, primary)
        assert_protected(model, protect(model))


# --- properties over random linked tables -------------------------------------------------------

counts = st.integers(min_value=0, max_value=12)


@PROPERTY
@given(st.lists(st.tuples(counts, counts), min_size=2, max_size=5))
def test_two_tables_sharing_a_total(cells):
    """Per district two cells (e.g. Deutsche and Ausländer); one table shows the first cell per
    district, another the second; both show the district total and the city totals."""
    values = [v for pair in cells for v in pair]
    districts = [d for d in range(len(cells)) for _ in range(2)]
    model = model_of(values, districts)
    for d in range(len(cells)):
        model.add(np.array([2 * d]), f"Deutsche {d}")
        model.add(np.array([2 * d + 1]), f"Ausländer {d}")
        model.add(np.array([2 * d, 2 * d + 1]), f"Einwohner {d}")
    model.add(np.arange(0, len(values), 2), "Deutsche Stadt", city=True)
    model.add(np.arange(1, len(values), 2), "Ausländer Stadt", city=True)
    assert_protected(model, protect(model))


@PROPERTY
@given(st.lists(st.tuples(counts, counts), min_size=2, max_size=5))
def test_a_table_with_a_sub_count(cells):
    """Per district a total and a sub-count within it (Inhaber, darunter Kinder), with city totals."""
    values = [v for pair in cells for v in pair]  # atom 2d: the sub-count, 2d+1: the rest
    districts = [d for d in range(len(cells)) for _ in range(2)]
    model = model_of(values, districts)
    for d in range(len(cells)):
        model.add(np.array([2 * d, 2 * d + 1]), f"Inhaber {d}")
        model.add(np.array([2 * d]), f"darunter Kinder {d}")
    model.add(np.arange(len(values)), "Inhaber Stadt", city=True)
    model.add(np.arange(0, len(values), 2), "Kinder Stadt", city=True)
    assert_protected(model, protect(model))


@PROPERTY
@given(st.lists(st.tuples(counts, counts), min_size=3, max_size=6), st.integers(1, 2))
def test_a_pyramid_with_age_bands_and_a_resident_total(bands, coarse_at):
    """One district's pyramid (age band × sex), the residents of two broad age groups (as a
    quotient's parts are) and the resident total."""
    values = [v for pair in bands for v in pair]
    model = model_of(values, [1] * len(values))
    for band in range(len(bands)):
        for sex in range(2):
            model.add(np.array([2 * band + sex]), f"Alter {band}, Geschlecht {sex}")
    split = 2 * min(coarse_at, len(bands) - 1)
    model.add(np.arange(split), "Einwohner jung")
    model.add(np.arange(split, len(values)), "Einwohner alt")
    model.add(np.arange(len(values)), "Einwohner insgesamt")
    assert_protected(model, protect(model))


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(1, 60)), min_size=2, max_size=5))
def test_a_rate_with_its_numerator_and_denominator(cells):
    """Per district a numerator within a denominator; the numerator, the denominator and the rate
    (one decimal, per 100) are published, and the city totals of both."""
    values = [v for pair in cells for v in pair]  # atom 2d: the numerator, 2d+1: the rest of the denominator
    districts = [d for d in range(len(cells)) for _ in range(2)]
    model = model_of(values, districts)
    numerators = []
    for d in range(len(cells)):
        numerators.append((model.add(np.array([2 * d]), f"Zähler {d}"), np.array([2 * d, 2 * d + 1])))
        model.add(np.array([2 * d, 2 * d + 1]), f"Nenner {d}")
    model.add(np.arange(0, len(values), 2), "Zähler Stadt", city=True)
    model.add(np.arange(len(values)), "Nenner Stadt", city=True)
    for number, den in numerators:
        if number is not None:
            model.add_rate(number, den, 100, RULE.threshold)
    assert_protected(model, protect(model))


def test_rates_are_intervals_of_their_rounding():
    model = model_of([7, 93], [1, 1])
    number = model.add(np.array([0]), "Zähler")
    model.add_rate(number, np.array([0, 1]), 100, RULE.threshold)
    (rate,) = model.rates
    assert float(round_half_up(7.0, 1)) == 7.0
    assert (rate.lo, rate.hi) == pytest.approx((6.95, 7.05))


def test_an_atom_below_zero_is_an_error_unless_it_rests_on_an_imputed_cell():
    """Cells anonymised at source are imputed column by column, so ``nef`` (imputed 1) may fall
    below ``nef_unter_15`` (15): NEF ab 15 is then no fact and counts as 0. Anywhere else a negative
    atom is a broken table."""
    from sozialplanung.data.contract import TABLES
    from sozialplanung.statistics.protection import atom_frame
    from test_validate import valid_tables

    tables = valid_tables()
    sgb2 = tables["sgb2"]
    row = sgb2.index[(sgb2["jahr"] == 2024)][0]
    sgb2.loc[row, "nef"] = 1
    with pytest.raises(ValueError, match=r"sgb2 2024, Kennziffer \d+: atom nef_ab_15 is negative"):
        atom_frame(tables, 2024)
    imputed = {}
    for name, frame in tables.items():
        imputed[name] = frame.copy()
        imputed[name][list(TABLES[name].counts)] = 0
    imputed["sgb2"].loc[row, "nef"] = 1
    atoms = atom_frame(tables, 2024, imputed)
    kennziffer = sgb2.loc[row, "kennziffer"]
    nef_ab_15 = atoms[(atoms["table"] == "sgb2") & (atoms["atom"] == "nef_ab_15")].set_index("kennziffer")["value"]
    assert nef_ab_15[kennziffer] == 0 and (nef_ab_15.drop(kennziffer) == 5).all()  # 20 − 15 elsewhere
    assert "value" not in atom_frame(tables, 2024, values=False).columns  # the structure a reader knows


# --- the edition's plan: city-only tables and city totals ------------------------------------------


def sample_plan(change):
    """The plan of 2024 over the validation tests' tables, after ``change(tables)``, protected."""
    from sozialplanung.statistics.indicators import CITY_LEVEL, COUNTED_DENOMINATORS, INDICATOR_CELLS
    from sozialplanung.statistics.publication_plan import year_plan
    from test_validate import valid_tables

    tables = valid_tables()
    change(tables)
    plan = year_plan(tables, 2024, INDICATOR_CELLS, counted_denominators=COUNTED_DENOMINATORS, city_level=CITY_LEVEL)
    return plan, protect_year(plan.model, RULE)


def set_count(tables, table: str, column: str, value: int, **where: object) -> None:
    frame = tables[table]
    rows = frame["jahr"] == 2024
    for code, wanted in where.items():
        rows &= frame[code] == wanted
    frame.loc[rows, column] = value


def atom_ids(plan, table: str, **where: str) -> np.ndarray:
    atoms = plan.model.atoms
    rows = atoms["table"] == table
    for code, wanted in where.items():
        rows &= atoms[code] == wanted
    return atoms.index[rows].to_numpy()


def test_city_only_tables_are_in_the_plan_and_a_nested_row_protects_the_rest():
    """Wohnungslose 10, of them 9 in shelters, and one AsylbLG recipient: the one person outside a
    shelter and the one recipient are groups of the plan, and the published counts around them are
    hidden until neither can be told from the rest."""

    def change(tables):
        set_count(tables, "wohnungsnotfaelle", "anzahl", 10, kategorie="wohnungslose_gesamt")
        set_count(tables, "wohnungsnotfaelle", "anzahl", 9, kategorie="notunterkunft")
        set_count(tables, "mindestsicherung", "empfaenger", 1, leistung="asylblg")

    plan, result = sample_plan(change)
    outside = atom_ids(plan, "wohnungsnotfaelle", kategorie="wohnungslose_gesamt")
    assert plan.model.values[outside].tolist() == [1]  # the outer row's atom is what the inner row leaves
    gesamt = plan.totals[("wohnungsnotfaelle", "anzahl", "kategorie=wohnungslose_gesamt")]
    assert plan.model.quantities[gesamt].value == 10  # the published count sums both rows
    asylblg = plan.totals[("mindestsicherung", "empfaenger", "leistung=asylblg")]
    assert result.status[asylblg] == PRIMARY
    quote = plan.indicator_parts[("mindestsicherungsquote", 0, "zaehler")]
    assert not any(k[0] == "mindestsicherungsquote" and k[1] != 0 for k in plan.indicator_parts)  # city only
    hidden = {n for n, s in result.status.items() if s != PUBLISHED}
    assert hidden & {gesamt, plan.totals[("wohnungsnotfaelle", "anzahl", "kategorie=notunterkunft")]}
    assert quote in hidden or hidden & {
        plan.totals[("sgb2", "leistungsberechtigte", "")],
        plan.totals[("mindestsicherung", "empfaenger", "leistung=sgb12_kap3")],
    }
    attacker = Attacker(plan.model, hidden)
    for group in (outside, atom_ids(plan, "mindestsicherung", leistung="asylblg")):
        assert attacker.maximum(group) >= RULE.threshold


def test_every_margin_of_a_table_is_a_city_total_of_the_plan():
    plan, _ = sample_plan(lambda tables: None)
    arbeitslose = {codes for table, column, codes in plan.totals if (table, column) == ("arbeitslose", "arbeitslose")}
    assert arbeitslose == {"rechtskreis=SGB II", "rechtskreis=SGB III", ""}
    people = {codes for table, _, codes in plan.totals if table == "schwerbehinderte"}
    assert {"altersgruppe=25-44;geschlecht=w", "altersgruppe=25-44", "geschlecht=w", ""} <= people


def test_years_protected_in_parallel_processes_give_the_same_statuses_as_one_after_another():
    from sozialplanung.statistics.indicators import (
        CITY_LEVEL,
        COUNTED_DENOMINATORS,
        INDICATOR_CELLS,
        INDICATORS,
        compute_indicators,
    )
    from sozialplanung.statistics.publication_plan import protect_edition
    from test_validate import valid_tables

    tables = valid_tables()
    wohngeld = tables["wohngeld"]
    first = wohngeld["kennziffer"] == wohngeld["kennziffer"].iloc[0]
    wohngeld.loc[first & (wohngeld["jahr"] == 2023), "haushalte"] = 1  # a small count in each year
    wohngeld.loc[~first & (wohngeld["jahr"] == 2024), "haushalte"] = 2
    frame = compute_indicators(tables)
    per = {d.id: d.per for d in INDICATORS}

    def protection(workers: int):
        return protect_edition(
            tables,
            frame,
            INDICATOR_CELLS,
            RULE,
            2024,
            (),
            counted_denominators=COUNTED_DENOMINATORS,
            per=per,
            city_level=CITY_LEVEL,
            workers=workers,
        )

    serial, parallel = protection(1), protection(2)
    assert set(serial.audit["jahr"]) == {2023, 2024}  # both years have hidden counts
    assert (serial.audit["status"] == SECONDARY).any()
    pd.testing.assert_frame_equal(parallel.indicators, serial.indicators)
    pd.testing.assert_frame_equal(parallel.audit, serial.audit)
