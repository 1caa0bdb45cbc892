"""Confidentiality over linked tables: what a reader can work out, and which cells to hide for it.

Every count the edition may publish for a year is a sum of *atoms* (:mod:`sozialplanung.data.relations`):
an indicator's numerator and denominator per district and for the city, a district's population by
age band and sex (the profile's pyramid), the city totals of every raw column. The published plan is
a superset of what the pages show, so whatever a page leaves out only makes a hidden cell harder to
find. A reader who sees the published counts knows, about the atoms ``x ≥ 0``:

- every published count ``q``: ``sum of its atoms = value`` (a zero is published as ``–``);
- every hidden count (``.``): ``sum of its atoms ≥ 1`` — zeros are never hidden, so ``.`` means at
  least one case;
- every relation between tables (:data:`~sozialplanung.data.relations.BOUNDS`), e.g. Kinder unter
  15 im SGB II ≤ residents under 15.

- every published rate ``v`` (rounded to one decimal, per 100): ``(v − 0,05) · den ≤ 100 · num ≤
  (v + 0,05) · den`` — linear in the atoms, whether numerator and denominator are published or not.
  A rate is hidden whenever its numerator or denominator is.

With these constraints, the smallest and the largest value of any count are linear programs, solved
with HiGHS (``highspy``, the solver SciPy uses), warm-started from one solve to the next.

**Protection criterion** (``threshold`` ``T``, ``protection_range`` ``r``): a hidden count must be
able to vary by at least ``r`` (``max − min ≥ r``); and every group of people the data
distinguishes — each atom, each raw cell, each pyramid cell — that holds ``1 … T−1`` cases must be
able to reach ``T`` (``max ≥ T``), whether it is shown or not. Hence "NEF ab 15 = 164 − 114 − 49 =
1" is a disclosure even though no table shows that group.

**Suppression** is greedy, as in τ-Argus' modular method: counts of ``1 … T−1`` are hidden first
(primary); then, for the first group or hidden count that is not protected, the published counts
that share atoms with it or with the counts around it are tried, smallest first (city totals last),
and the first one whose hiding protects it is hidden (secondary); if none does alone, the smallest
is hidden and the next round goes on. Hiding a count only removes knowledge, so a protected group
stays protected; the loop ends at the latest when every non-zero count is hidden.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from sozialplanung.core.formats import round_half_up
from sozialplanung.data.contract import TABLES
from sozialplanung.data.relations import Atom, Cells, CellSum, atoms_of, column_atoms, nested_rows
from sozialplanung.statistics.confidentiality import PRIMARY, PUBLISHED, SECONDARY, SOURCE_PROTECTED

DISTRICT = "kennziffer"
CITY = 0
"""The kennziffer of the city: city totals, and the atoms of a city-only table."""
SIMPLEX_STRATEGY = 4
"""HiGHS' primal simplex."""
_INFINITY = math.inf


def count_tables(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Tables with counts (per district, or for the city only with the kennziffer 0 of the city),
    the ones the model links, in contract order."""
    return [name for name, spec in TABLES.items() if name in tables and spec.counts]


def _year_rows(tables: Mapping[str, pd.DataFrame], name: str, year: int) -> pd.DataFrame:
    rows = tables[name][tables[name]["jahr"] == year]
    return rows if TABLES[name].district_level else rows.assign(**{DISTRICT: CITY})


def _table_codes(name: str) -> list[str]:
    return [c for c in TABLES[name].keys if c not in ("jahr", DISTRICT)]


def _atom_values(name: str, rows: pd.DataFrame, spec: Atom, combine: Callable) -> pd.Series:
    """One atom's value per row: ``plus`` combined with ``minus``, and an outer row of
    :data:`~sozialplanung.data.relations.NESTED_ROWS` combined with its inner rows."""
    value = combine(rows[spec.plus], rows[spec.minus]) if spec.minus else rows[spec.plus].copy()
    nested = nested_rows(name)
    if nested is None:
        return value
    column, inner = nested
    others = [DISTRICT, *(c for c in _table_codes(name) if c != column)]
    for outer, parts in inner.items():
        inside, outside = rows[column].isin(parts), rows[column] == outer
        sums = value[inside].groupby([rows.loc[inside, c] for c in others]).sum()
        at = pd.MultiIndex.from_frame(rows.loc[outside, others]) if len(others) > 1 else rows.loc[outside, others[0]]
        value[outside] = combine(value[outside].to_numpy(), sums.reindex(at, fill_value=0).to_numpy())
    return value


def atom_frame(
    tables: Mapping[str, pd.DataFrame],
    year: int,
    imputed: Mapping[str, pd.DataFrame] | None = None,
    values: bool = True,
) -> pd.DataFrame:
    """One row per atom of ``year``: table, kennziffer (0 for a city-only table), the codes of its
    row, atom, value.

    The row number is the atom's id in the linear programs. A negative atom is an error, unless it
    rests on a cell protected at source (``imputed``, as for :func:`atom_marks`): imputed column by
    column, ``nef`` may then be below ``nef_unter_15``. Such an atom counts as 0; it is no fact, and
    every count resting on it starts hidden. ``values=False``: the atoms without their values
    (the structure a reader of the site knows).
    """
    frames = []
    for name in count_tables(tables):
        rows = _year_rows(tables, name, year)
        codes = _table_codes(name)
        for atom, spec in atoms_of(name).items():
            value = _atom_values(name, rows, spec, lambda plus, minus: plus - minus)
            part = rows[[DISTRICT, *codes]].assign(table=name, atom=atom, value=value.astype("int64"))
            frames.append(part)
    atoms = pd.concat(frames, ignore_index=True)
    if not values:
        return atoms.drop(columns="value")
    negative = atoms["value"].to_numpy() < 0
    if imputed is not None and negative.any():
        guessed = atom_marks(imputed, year)
        atoms.loc[negative & guessed, "value"] = 0
        negative &= ~guessed
    if negative.any():
        bad = atoms[negative].iloc[0]
        raise ValueError(f"{bad['table']} {year}, Kennziffer {bad[DISTRICT]}: atom {bad['atom']} is negative.")
    return atoms


def atom_marks(marked: Mapping[str, pd.DataFrame], year: int) -> np.ndarray:
    """For tables holding 1 in some cells and 0 elsewhere: which atoms of ``year`` touch a marked
    cell (in the order of :func:`atom_frame`)."""
    flags = []
    for name in count_tables(marked):
        rows = _year_rows(marked, name, year)
        for spec in atoms_of(name).values():
            touched = _atom_values(name, rows, spec, lambda plus, minus: plus + minus)
            flags.append(touched.to_numpy() > 0)
    return np.concatenate(flags) if flags else np.array([], bool)


def select(atoms: pd.DataFrame, cells: Cells | CellSum) -> dict[int, np.ndarray]:
    """The atom ids of ``cells`` (or of a sum of them) per kennziffer (0: a city-only table)."""
    if isinstance(cells, tuple):
        found: dict[int, list[np.ndarray]] = {}
        for part in cells:
            for kennziffer, ids in select(atoms, part).items():
                found.setdefault(kennziffer, []).append(ids)
        return {k: np.unique(np.concatenate(found[k])) for k in sorted(found)}
    mask = (atoms["table"] == cells.table) & atoms["atom"].isin(cells.atoms)
    for column, values in cells.rows:
        mask &= atoms[column].isin(values)
    ids = atoms.index.to_numpy()[mask.to_numpy()]
    districts = atoms[DISTRICT].to_numpy()[mask.to_numpy()]
    order = np.argsort(districts, kind="stable")  # numpy, not groupby: called thousands of times
    ids, districts = ids[order], districts[order]
    keys, starts = np.unique(districts, return_index=True)
    return {int(k): part for k, part in zip(keys, np.split(ids, starts[1:]))}


@dataclass
class Quantity:
    """A count the plan publishes (or a group that must stay protected): a set of atoms."""

    atoms: np.ndarray
    value: int
    label: str
    city: bool = False
    published: bool = True
    labels: list[str] = field(default_factory=list)


class YearModel:
    """The published plan of one year and what a reader can work out from it."""

    def __init__(self, atoms: pd.DataFrame, year: int):
        self.atoms, self.year = atoms, year
        self.values = atoms["value"].to_numpy(np.int64)
        self.quantities: list[Quantity] = []
        self._by_atoms: dict[tuple[int, ...], int] = {}
        self.bounds: list[tuple[np.ndarray, np.ndarray]] = []
        self.rates: list[Rate] = []

    def add(self, atom_ids: np.ndarray, label: str, *, city: bool = False, published: bool = True) -> int | None:
        """Add a count (merged with an equal one); returns its id, None for an empty count."""
        ids = np.unique(np.asarray(atom_ids, dtype=np.int64))
        if ids.size == 0:
            return None
        key = tuple(ids.tolist())
        if key in self._by_atoms:
            number = self._by_atoms[key]
            quantity = self.quantities[number]
            quantity.labels.append(label)
            quantity.published |= published
            quantity.city |= city
            return number
        number = len(self.quantities)
        self.quantities.append(Quantity(ids, int(self.values[ids].sum()), label, city, published, [label]))
        self._by_atoms[key] = number
        return number

    def add_bound(self, smaller: np.ndarray, larger: np.ndarray) -> None:
        self.bounds.append((np.asarray(smaller, np.int64), np.asarray(larger, np.int64)))

    def add_rate(self, numerator: int, denominator: np.ndarray, per: int, threshold: int, decimals: int = 1) -> None:
        """A rate of ``numerator`` (a published count) per ``denominator`` atoms, as published;
        none when the denominator is 0 (``x``) or below ``threshold`` (hidden for good)."""
        num = self.quantities[numerator]
        den = np.unique(np.asarray(denominator, np.int64))
        den_value = int(self.values[den].sum()) if den.size else 0
        if den_value < threshold:
            return
        shown = float(round_half_up(num.value * per / den_value, decimals))
        half = 0.5 * 10.0**-decimals
        self.rates.append(Rate(numerator, den, per, max(shown - half, 0.0), shown + half, den_value))

    def quantity_districts(self) -> np.ndarray:
        """The kennziffer of each quantity (of its first atom; city totals are told by ``city``)."""
        districts = self.atoms[DISTRICT].to_numpy()
        return np.array([districts[q.atoms[0]] for q in self.quantities])

    def incidence(self) -> sparse.csr_matrix:
        rows = np.concatenate([np.full(q.atoms.size, n) for n, q in enumerate(self.quantities)])
        cols = np.concatenate([q.atoms for q in self.quantities])
        shape = (len(self.quantities), len(self.values))
        return sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=shape)


@dataclass(frozen=True)
class Rate:
    """A published rate: ``lo ≤ per · numerator / denominator ≤ hi``."""

    numerator: int
    denominator: np.ndarray
    per: int
    lo: float
    hi: float
    denominator_value: int


@contextmanager
def _without_banner() -> Iterator[None]:
    """HiGHS prints a banner to the process's standard output when a solver is created, before any
    option can switch it off; the CLI's and the notebooks' output stays clean without it."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def new_solver() -> highspy.Highs:
    """A quiet HiGHS instance."""
    with _without_banner():
        solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    return solver


def model_solver(
    matrix: sparse.csc_matrix, row_lower: np.ndarray, row_upper: np.ndarray, col_upper: np.ndarray
) -> highspy.Highs:
    """A quiet HiGHS instance holding ``row_lower ≤ matrix · x ≤ row_upper``, ``0 ≤ x ≤ col_upper``,
    without an objective yet."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = np.zeros(lp.num_col_)
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.asarray(col_upper, float)
    lp.row_lower_, lp.row_upper_ = np.asarray(row_lower, float), np.asarray(row_upper, float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    solver = new_solver()
    solver.passModel(lp)
    return solver


class Attacker:
    """Linear programs over one year's model: the least and the most a count can be."""

    def __init__(self, model: YearModel, hidden: set[int], at_source: set[int] | frozenset[int] = frozenset()):
        self.model = model
        # ``.`` means at least one case (zeros are published as ``–``); a symbol of the source may
        # also stand for none.
        self.floor = {n: 0.0 if n in at_source else 1.0 for n in range(len(model.quantities))}
        quantities = [n for n, q in enumerate(model.quantities) if q.published]
        self.row_of = {n: r for r, n in enumerate(quantities)}
        matrix = model.incidence()[quantities]
        bound_rows = []
        for smaller, larger in model.bounds:
            row = np.zeros(len(model.values))
            np.add.at(row, larger, 1.0)
            np.add.at(row, smaller, -1.0)
            bound_rows.append(row)
        rate_rows = []
        for rate in model.rates:  # per · num − hi · den ≤ 0 and per · num − lo · den ≥ 0
            for ratio in (rate.hi, rate.lo):
                row = np.zeros(len(model.values))
                np.add.at(row, model.quantities[rate.numerator].atoms, float(rate.per))
                np.add.at(row, rate.denominator, -ratio)
                rate_rows.append(row)
        extra = [*bound_rows, *rate_rows]
        if extra:
            matrix = sparse.vstack([matrix, sparse.csr_matrix(np.array(extra))])
        matrix = matrix.tocsc()
        lower = [self.floor[n] if n in hidden else float(model.quantities[n].value) for n in quantities]
        upper = [_INFINITY if n in hidden else float(model.quantities[n].value) for n in quantities]
        lower += [0.0] * len(bound_rows)
        upper += [_INFINITY] * len(bound_rows)
        first_rate = len(lower)
        self.rate_rows: dict[int, list[int]] = {}
        for k, rate in enumerate(model.rates):
            lower += [-_INFINITY, 0.0]
            upper += [0.0, _INFINITY]
            self.rate_rows.setdefault(rate.numerator, []).append(k)
        self._first_rate = first_rate
        self.matrix, self.row_lower, self.row_upper = matrix, np.array(lower), np.array(upper)
        self.solver = model_solver(matrix, self.row_lower, self.row_upper, np.full(matrix.shape[1], _INFINITY))
        # Many solves of one model with other objectives: keep the basis (no presolve) and go on
        # from it with the primal simplex, for which the previous optimum stays feasible.
        self.solver.setOptionValue("presolve", "off")
        self.solver.setOptionValue("simplex_strategy", SIMPLEX_STRATEGY)
        self.hidden: set[int] = set()
        self._cost: np.ndarray = np.array([], np.int64)
        for quantity in hidden:
            self.hide(quantity)

    def _bound(self, row: int, lower: float, upper: float) -> None:
        self.solver.changeRowBounds(row, lower, upper)
        self.row_lower[row], self.row_upper[row] = lower, upper

    def hide(self, quantity: int) -> None:
        """Publish ``.`` instead of the count (and of the rates built on it)."""
        self._bound(self.row_of[quantity], self.floor[quantity], _INFINITY)
        for k in self.rate_rows.get(quantity, ()):
            row = self._first_rate + 2 * k
            self._bound(row, -_INFINITY, _INFINITY)
            self._bound(row + 1, -_INFINITY, _INFINITY)
        self.hidden.add(quantity)

    def show(self, quantity: int) -> None:
        """Publish the count again (and the rates built on it)."""
        value = float(self.model.quantities[quantity].value)
        self._bound(self.row_of[quantity], value, value)
        for k in self.rate_rows.get(quantity, ()):
            row = self._first_rate + 2 * k
            self._bound(row, -_INFINITY, 0.0)
            self._bound(row + 1, 0.0, _INFINITY)
        self.hidden.discard(quantity)

    def reach(self, targets: list[np.ndarray], caps: np.ndarray, rounds: int = 3) -> np.ndarray:
        """Per target sum of atoms a value it can take, up to its cap, from few programs instead of
        one per target: all capped targets are maximised together, then those short of their cap
        again, for a few ``rounds``. A target at its cap can reach it; one short of it may still,
        on its own (ask :meth:`maximum`)."""
        count, columns = len(targets), self.matrix.shape[1]
        if count == 0:
            return np.zeros(0)
        rows = np.repeat(np.arange(count), [t.size for t in targets])
        # y_t − Σ target_t ≤ 0 with 0 ≤ y_t ≤ cap_t; maximise Σ y_t
        link = sparse.hstack(
            [
                sparse.csc_matrix((-np.ones(rows.size), (rows, np.concatenate(targets))), (count, columns)),
                sparse.identity(count, format="csc"),
            ]
        )
        padded = sparse.hstack([self.matrix, sparse.csc_matrix((self.matrix.shape[0], count))])
        solver = model_solver(
            sparse.vstack([padded, link]).tocsc(),
            np.concatenate([self.row_lower, np.full(count, -_INFINITY)]),
            np.concatenate([self.row_upper, np.zeros(count)]),
            np.concatenate([np.full(columns, _INFINITY), caps.astype(float)]),
        )
        y_columns = np.arange(columns, columns + count, dtype=np.int32)
        solver.changeColsCost(count, y_columns, np.ones(count))
        solver.changeObjectiveSense(highspy.ObjSense.kMaximize)
        reached = np.zeros(count)
        for _ in range(rounds):
            short = reached < caps - 1e-6
            if not short.any():
                break
            solver.changeColsBounds(count, y_columns, np.zeros(count), np.where(short, caps, 0.0).astype(float))
            solver.run()
            if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"The confidentiality model of {self.model.year} has no solution.")
            reached = np.maximum(reached, np.asarray(solver.getSolution().col_value)[columns:])
        return reached

    def _optimum(self, atoms: np.ndarray, sense: highspy.ObjSense) -> float:
        if self._cost.size:
            self.solver.changeColsCost(self._cost.size, self._cost, np.zeros(self._cost.size))
        self.solver.changeColsCost(atoms.size, atoms, np.ones(atoms.size))
        self._cost = atoms
        self.solver.changeObjectiveSense(sense)
        self.solver.run()
        status = self.solver.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return _INFINITY
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"The confidentiality model of {self.model.year} has no solution ({status}).")
        self.last_duals = np.asarray(self.solver.getSolution().row_dual)
        return float(self.solver.getInfo().objective_function_value)

    def binding(self, atoms: np.ndarray, senses: tuple[str, ...]) -> list[int]:
        """The published counts whose values limit the sum of ``atoms`` (non-zero duals of its
        minimum and/or maximum): hiding one of them is what can widen its range. A binding rate
        stands for its numerator, whose hiding hides the rate."""
        found: dict[int, None] = {}
        quantity_of_row = {r: n for n, r in self.row_of.items()}
        for sense in senses:
            objective = highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
            if self._optimum(atoms, objective) == _INFINITY:
                continue
            for row in np.flatnonzero(np.abs(self.last_duals) > 1e-9):
                if row in quantity_of_row:
                    found[quantity_of_row[row]] = None
                elif row >= self._first_rate:
                    found[self.model.rates[(row - self._first_rate) // 2].numerator] = None
        return [n for n in found if n not in self.hidden]

    def interval(self, atoms: np.ndarray) -> tuple[float, float]:
        """The least and the most the sum of ``atoms`` can be (``inf``: no upper limit), in whole cases."""
        lo = self._optimum(atoms, highspy.ObjSense.kMinimize)
        hi = self._optimum(atoms, highspy.ObjSense.kMaximize)
        return float(math.ceil(lo - 1e-6)), (hi if hi == _INFINITY else float(math.floor(hi + 1e-6)))

    def maximum(self, atoms: np.ndarray) -> float:
        hi = self._optimum(atoms, highspy.ObjSense.kMaximize)
        return hi if hi == _INFINITY else float(math.floor(hi + 1e-6))


@dataclass(frozen=True)
class Rule:
    """The protection criterion of an edition."""

    threshold: int = 3
    protection_range: int = 2

    def small(self, value: int) -> bool:
        return 0 < value < self.threshold


def problem(attacker: Attacker, atoms: np.ndarray, value: int, hidden: bool, rule: Rule) -> str | None:
    """Why a count or group is not protected (``exact``, ``narrow``, ``below_threshold``), or None."""
    if hidden:
        lo, hi = attacker.interval(atoms)
        if lo == hi:
            return "exact"
        if rule.small(value) and hi < rule.threshold:
            return "below_threshold"
        if hi - lo < rule.protection_range:
            return "narrow"
        return None
    if rule.small(value) and attacker.maximum(atoms) < rule.threshold:
        return "below_threshold"
    return None


_PROBLEM_TEXT = {
    "exact": "wäre {label} genau berechenbar",
    "narrow": "ließe sich {label} auf weniger als {range} Fälle genau eingrenzen",
    "below_threshold": "wäre erkennbar, dass {label} weniger als {threshold} Fälle umfasst",
}


@dataclass
class Result:
    """Statuses and reasons per quantity of one year's model."""

    model: YearModel
    status: dict[int, str]
    reason: dict[int, str]
    rounds: int


def groups(model: YearModel) -> list[tuple[np.ndarray, int, str]]:
    """Every group of people the data distinguishes that is not a published count of the plan:
    atoms, raw cells summing several atoms, and each district's population by age band and sex."""
    atoms = model.atoms
    found: dict[tuple[int, ...], tuple[np.ndarray, int, str]] = {}

    def keep(ids: np.ndarray, label: str) -> None:
        key = tuple(np.unique(ids).tolist())
        if key and key not in model._by_atoms and key not in found:
            found[key] = (np.array(key, np.int64), int(model.values[list(key)].sum()), label)

    for atom_id, row in zip(atoms.index, atoms.itertuples(index=False)):
        keep(np.array([atom_id]), atom_label(atoms, atom_id, row.table, row.atom, row.kennziffer))
    for name in dict.fromkeys(atoms["table"]):
        if name not in TABLES:  # a model built by hand: its atoms are its groups
            continue
        table = atoms[atoms["table"] == name]
        codes = _table_codes(name)
        for column in TABLES[name].counts:
            parts = column_atoms(name, column)
            if len(parts) < 2:
                continue
            chosen = table[table["atom"].isin(parts)]
            for key, rows in chosen.groupby([DISTRICT, *codes], sort=True, dropna=False):
                keep(rows.index.to_numpy(), f"{name}.{column}, Kennziffer {key if not codes else key[0]}")
    people = atoms[atoms["table"] == "bevoelkerung"]
    by_band = people.groupby([DISTRICT, "altersgruppe", "geschlecht"], sort=True) if not people.empty else []
    for (kennziffer, group, sex), rows in by_band:
        keep(rows.index.to_numpy(), f"Einwohner {group} ({sex}), Kennziffer {kennziffer}")
    return list(found.values())


def atom_label(atoms: pd.DataFrame, atom_id: int, table: str, atom: str, kennziffer: int) -> str:
    """An atom in words: ``sgb2.nef_ab_15, Kennziffer 211``; in a city-only table with its codes,
    ``wohnungsnotfaelle.anzahl (wohnungslose_gesamt ohne notunterkunft), Stadt``."""
    if kennziffer != CITY:
        return f"{table}.{atom}, Kennziffer {kennziffer}"
    codes = _table_codes(table) if table in TABLES else []
    where = ", ".join(str(atoms.at[atom_id, c]) for c in codes)
    nested = nested_rows(table)
    if nested is not None and atoms.at[atom_id, nested[0]] in nested[1]:
        where += " ohne " + ", ".join(nested[1][atoms.at[atom_id, nested[0]]])
    return f"{table}.{atom}{f' ({where})' if where else ''}, Stadt"


def protect_year(
    model: YearModel, rule: Rule, at_source: set[int] | frozenset[int] = frozenset(), candidates_tried: int = 12
) -> Result:
    """Primary and secondary suppression of one year's plan (see the module docstring); the counts
    ``at_source`` rest on cells protected at source and start hidden, like primary ones."""
    quantities = model.quantities
    status = {n: PUBLISHED for n, q in enumerate(quantities) if q.published}
    reason: dict[int, str] = {}
    for n in status:
        if n in at_source:
            status[n] = SOURCE_PROTECTED
            reason[n] = "an der Quelle anonymisiert oder gesperrt"
        elif rule.small(quantities[n].value):
            status[n] = PRIMARY
            reason[n] = f"primär: Fallzahl {quantities[n].value} unter {rule.threshold}"
    attacker = Attacker(model, {n for n, s in status.items() if s != PUBLISHED}, at_source)
    incidence = model.incidence()
    sensitive = [(ids, value, label) for ids, value, label in groups(model) if rule.small(value)]
    targets: list[tuple[np.ndarray, int, str, int | None]] = [
        # A count hidden at source may hold 1 or 2 whatever value was imputed: it must reach the threshold.
        (quantities[n].atoms, 1 if n in at_source else quantities[n].value, quantities[n].label, n)
        for n in status
        if status[n] != PUBLISHED
    ]
    targets += [(ids, value, label, None) for ids, value, label in sensitive]

    def unprotected(target: tuple[np.ndarray, int, str, int | None]) -> str | None:
        ids, value, _label, number = target
        return problem(attacker, ids, value, number is not None and number in attacker.hidden, rule)

    # Hiding a count only removes knowledge: a target found protected stays protected, so each is
    # checked until it is, in order, and new hidden counts join the end of the queue. Most targets
    # are protected from the start; one joint program finds most of those at once.
    queue = [target for target, safe in zip(targets, _provably_protected(attacker, targets, rule)) if not safe]
    rounds = 0
    while queue:
        target = queue[0]
        found = unprotected(target)
        if found is None:
            queue.pop(0)
            continue
        rounds += 1
        ids, _value, label, _number = target
        senses = ("max",) if found == "below_threshold" else ("min", "max")
        binding = [n for n in attacker.binding(ids, senses) if quantities[n].value > 0]
        binding.sort(key=lambda n: (quantities[n].city, quantities[n].value, n))
        options = binding + [
            n for n in _candidates(model, incidence, ids, attacker.hidden, status) if n not in set(binding)
        ]
        if not options:
            raise RuntimeError(f"No count left to hide that could protect {label} ({model.year}).")
        chosen = None
        for option in options[:candidates_tried]:
            attacker.hide(option)
            fixed = unprotected(target) is None
            attacker.show(option)
            if fixed:
                chosen = option
                break
        enough = chosen is not None
        chosen = options[0] if chosen is None else chosen
        attacker.hide(chosen)
        status[chosen] = SECONDARY
        why = _PROBLEM_TEXT[found].format(label=label, threshold=rule.threshold, range=rule.protection_range)
        reason[chosen] = f"sekundär: sonst {why}" + ("" if enough else "; reicht allein nicht, weitere folgen")
        queue.append((quantities[chosen].atoms, quantities[chosen].value, quantities[chosen].label, chosen))
    return Result(model, status, reason, rounds)


def _provably_protected(
    attacker: Attacker, targets: list[tuple[np.ndarray, int, str, int | None]], rule: Rule
) -> np.ndarray:
    """Which targets :func:`problem` would find protected, shown without one program per target.

    The true table of counts fits everything published, so a hidden count can be its true value
    ``v``; if it can also reach ``max(T, v + r)`` its range is at least ``r`` wide and reaches the
    threshold. A small group that is shown, or no count at all, is safe when it can reach ``T``.
    False means "not shown here", not "unprotected"."""
    caps = []
    for ids, value, _label, number in targets:
        small = rule.threshold if rule.small(value) else 0
        if number is not None and number in attacker.hidden:
            caps.append(max(small, int(attacker.model.values[ids].sum()) + max(rule.protection_range, 1)))
        else:
            caps.append(small)
    caps_array = np.array(caps, dtype=float)
    return attacker.reach([t[0] for t in targets], caps_array) >= caps_array - 1e-6


def _candidates(
    model: YearModel, incidence: sparse.csr_matrix, ids: np.ndarray, hidden: set[int], status: dict[int, str]
) -> list[int]:
    """Published non-zero counts that could protect a group, in the order they are tried: those
    sharing atoms with it, then those sharing atoms with these in the same district, then in other
    districts; city totals last; smallest first within each."""
    target = np.zeros(incidence.shape[1])
    target[ids] = 1.0
    near = incidence @ target > 0
    around = (incidence @ (incidence.T @ near.astype(float)) > 0) & ~near
    district_of = model.quantity_districts()
    own = set(model.atoms[DISTRICT].to_numpy()[ids].tolist())
    tier = np.where(near, 0, np.where(np.isin(district_of, list(own)), 1, 2))
    tier = np.where(_city_mask(model), 3, tier)
    values = np.array([q.value for q in model.quantities])
    chosen = [n for n in np.flatnonzero(near | around) if n in status and n not in hidden and values[n] > 0]
    return sorted(chosen, key=lambda n: (tier[n], values[n], n))


def _city_mask(model: YearModel) -> np.ndarray:
    return np.array([q.city for q in model.quantities], bool)
