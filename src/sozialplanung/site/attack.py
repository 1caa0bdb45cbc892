"""The publish gate's attacker: what a reader can work out from the finished site about hidden cells.

It reads only what a reader sees: every number the pages mark with its public meaning
(``data-zelle`` on table cells and text numbers, ``data-zellen`` on figures; see
:func:`sozialplanung.report.tables.cell_key`: indicator parts, pyramid cells, Sozialindex values and
city totals of raw columns) and the same tables' cells in their CSV and XLSX
downloads, never the suppression module's statuses. With the
relations the project declares next to its data contract — which raw cells each indicator's
numerator and denominator sum (:data:`~sozialplanung.statistics.indicators.INDICATOR_CELLS`), how
counts overlap (:mod:`sozialplanung.data.relations`), the age bands of a pyramid — it builds, per
year, a linear program over the finest groups of people the data distinguishes (*atoms*, ``≥ 0``):

- a published count: the sum of its atoms equals it; ``–``: equals 0; ``.``: at least 1;
- a published rate ``v`` (one decimal, per ``p``): ``(v − 0,05) · den ≤ p · num ≤ (v + 0,05) · den``;
  a rate pooled over several years (the Sozialindex of small districts) the same over the sums of
  those years' numerators and denominators, in one program over all the years it spans;
- every declared inequality between tables (Kinder unter 15 im SGB II ≤ residents under 15, …).

For each hidden cell it computes the least and the most it can be (HiGHS). The edition is refused
when a range is narrower than the edition's protection range, or lies within ``1 … threshold − 1``;
likewise when a group no table shows (NEF ab 15 = LB − ELB − NEF unter 15) is pinned to
``1 … threshold − 1``; and when the same cell shows different values on two pages. Each finding names
the pages, the cell and the published numbers that pin it (the constraints binding at the optimum).

The structure of the atoms (which districts, age bands and codes exist) comes from the processed
tables' keys; their values are never read.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
from bs4 import BeautifulSoup
from scipy import sparse

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import PublishError
from sozialplanung.core.formats import format_number, parse_number
from sozialplanung.data import load
from sozialplanung.data.ages import BROAD_AGE_GROUPS
from sozialplanung.data.contract import AGE_GROUPS, TABLES
from sozialplanung.data.relations import ATOMS, BOUNDS, Cells
from sozialplanung.report.tables import INDEX_KEY, POOLED, pooled_years
from sozialplanung.statistics.indicators import INDICATOR_BY_ID, INDICATOR_CELLS
from sozialplanung.statistics.protection import CITY, DISTRICT, atom_frame, atom_label, model_solver, select
from sozialplanung.statistics.publication_plan import parse_total_key

HIDDEN, ZERO, NOT_APPLICABLE = ".", "\u2013", "x"

_INFINITY = math.inf
_CELLS_ATTRIBUTE = re.compile(r"([^=;]+)=([^;]*)")


@dataclass(frozen=True)
class Fact:
    """One published number: its meaning (``cell_key``), the text shown and the page."""

    key: str
    text: str
    page: str


@dataclass(frozen=True)
class Finding:
    """A hidden cell (or unshown group) a reader can narrow down, or a cell shown inconsistently."""

    pages: tuple[str, ...]
    cell: str
    problem: str
    pinned_by: tuple[str, ...] = ()

    def __str__(self) -> str:
        by = f"; pinned by {', '.join(self.pinned_by)}" if self.pinned_by else ""
        return f"{', '.join(self.pages)}: {self.cell}: {self.problem}{by}"


def read_facts(site_dir: Path) -> list[Fact]:
    """Every number of the site that carries its public meaning, in page order: the pages' marked
    numbers, and the same tables' cells in their CSV and XLSX downloads (a reader may take either;
    a download that says something else than its page is a finding like any other disagreement)."""
    site_dir = Path(site_dir)
    facts = []
    workbooks: dict[Path, dict[str, list[tuple]]] = {}
    for path in sorted(site_dir.rglob("*.html")):
        page = path.relative_to(site_dir).as_posix()
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for element in soup.select("[data-zelle]"):
            facts.append(Fact(str(element["data-zelle"]), element.get_text(strip=True), page))
        for figure in soup.select("[data-zellen]"):
            for key, text in _CELLS_ATTRIBUTE.findall(str(figure["data-zellen"])):
                facts.append(Fact(key, text.strip(), page))
        for frame in soup.select("div[data-table-id]"):
            keys = _table_keys(frame)
            if not any(key for row in keys for key in row):
                continue
            for link in soup.select(f'a[data-download][data-table-id="{frame["data-table-id"]}"]'):
                target = (path.parent / str(link["href"])).resolve()
                if not target.is_file():
                    continue  # the gate's own checks report a missing download
                name = target.relative_to(site_dir.resolve()).as_posix()
                if link["data-download"] == "csv":
                    rows = _csv_rows(target)
                else:
                    caption = frame.find("caption")
                    sheets = workbooks.setdefault(target, _workbook_tables(target))
                    rows = sheets.get(caption.get_text(strip=True) if caption else "", [])
                for key_row, row in zip(keys, rows):
                    facts += [Fact(key, _text(value), name) for key, value in zip(key_row, row) if key]
    return facts + open_data_facts(site_dir)


OPEN_DATA_INDICATORS = "downloads/daten/kennzahlen.csv"
"""The open-data package's file of every indicator value (:mod:`sozialplanung.site.datapackage`)."""


def open_data_facts(site_dir: Path) -> list[Fact]:
    """Every rate of the open-data package's indicator file, keyed as the pages key rates
    (``indikator/<id>/wert/<jahr>/<kennziffer>``): it publishes every indicator of every district and
    year, more than the pages show, so the attacker reads it like a page."""
    path = Path(site_dir) / OPEN_DATA_INDICATORS
    if not path.is_file():
        return []
    facts = []
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            value = row["wert"]  # as a data file writes it ("8.1"), shown as the pages do ("8,1")
            decimals = len(value.partition(".")[2])
            text = row["wert_zeichen"] or format_number(float(value), decimals)
            key = f"indikator/{row['indikator']}/wert/{row['jahr']}/{row['kennziffer']}"
            facts.append(Fact(key, text, OPEN_DATA_INDICATORS))
    return facts


def _table_keys(frame) -> list[list[str]]:
    """Per body row of an HTML table, the meaning of each column's cell ("" for none)."""
    return [
        [str(cell.get("data-zelle", "")) for cell in row.find_all(["th", "td"], recursive=False)]
        for row in frame.select("tbody > tr")
    ]


def _csv_rows(path: Path) -> list[list[str]]:
    """The body rows of a table download (``;``, UTF-8 with BOM): below the header, up to the first
    empty line (the legend and source follow)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    rows = []
    for row in csv.reader(lines[1:], delimiter=";"):
        if not any(cell.strip() for cell in row):
            break
        rows.append(row)
    return rows


def _workbook_tables(path: Path) -> dict[str, list[tuple]]:
    """Each sheet's table of a page's workbook by its caption (cell A1): the rows below the header
    (row 3), up to the first empty row."""
    import openpyxl  # only the gate reads workbooks

    tables = {}
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            if len(rows) < 4 or not isinstance(rows[0][0], str):
                continue
            body = []
            for row in rows[3:]:
                if all(value is None or value == "" for value in row):
                    break
                body.append(row)
            tables[rows[0][0]] = body
    finally:
        workbook.close()
    return tables


def _text(value: object) -> str:
    """A download's cell as a page would show it, for :func:`_value` (numbers with a decimal comma)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value).strip()
    return format(Decimal(str(value)), "f").replace(".", ",")


def _value(text: str) -> Decimal | None:
    """The number a cell shows; None for ``.``, ``x`` and anything that is no number."""
    if text == ZERO:
        return Decimal(0)
    if text in (HIDDEN, NOT_APPLICABLE, ""):
        return None
    try:
        return parse_number(text)
    except ValueError:
        return None


@dataclass
class _Quantity:
    atoms: np.ndarray
    label: str
    pages: set[str] = field(default_factory=set)
    value: Decimal | None = None
    hidden: bool = False
    exposed: bool = False


@dataclass
class _Rate:
    numerator: np.ndarray
    denominator: np.ndarray
    per: int
    lo: float
    hi: float
    label: str


class _YearView:
    """What the site says about one year, over the atoms of that year."""

    def __init__(self, atoms: pd.DataFrame):
        self.atoms = atoms
        self.quantities: dict[tuple[int, ...], _Quantity] = {}
        self.rates: list[_Rate] = []
        self._selected: dict[Cells, dict[int, np.ndarray]] = {}

    def cells(self, cells: Cells, kennziffer: int) -> np.ndarray:
        if cells not in self._selected:
            self._selected[cells] = select(self.atoms, cells)
        by_district = self._selected[cells]
        if kennziffer == CITY:
            return np.concatenate(list(by_district.values())) if by_district else np.array([], np.int64)
        return by_district.get(kennziffer, np.array([], np.int64))

    def count(self, atoms: np.ndarray, label: str, fact: Fact) -> str | None:
        """Record a published count; returns a German-free problem text when it contradicts another."""
        key = tuple(np.unique(atoms).tolist())
        if not key:
            return None
        quantity = self.quantities.setdefault(key, _Quantity(np.array(key, np.int64), label))
        quantity.pages.add(fact.page)
        value = _value(fact.text)
        if fact.text == HIDDEN:
            quantity.hidden = True
        elif value is not None:
            if quantity.value is not None and quantity.value != value:
                return f"shown as {quantity.value} and as {value}"
            quantity.value = value
        if quantity.hidden and quantity.value is not None and not quantity.exposed:
            quantity.exposed = True  # reported once, where it first shows
            return f"hidden on one page, shown as {quantity.value} on another"
        return None


def year_views(facts: list[Fact], tables: dict[str, pd.DataFrame]) -> tuple[dict[int, _YearView], list[Finding]]:
    """The facts sorted into one view per year, and the cells shown inconsistently."""
    views: dict[int, _YearView] = {}
    findings = []
    pending_rates: dict[str, tuple[int, str, int, Fact]] = {}
    for fact in facts:
        parts = fact.key.split("/")
        kind = parts[0]
        if kind == "indikator" and len(parts) == 5 and parts[2] != POOLED:
            indicator_id, part, year, kennziffer = parts[1], parts[2], int(parts[3]), int(parts[4])
            if indicator_id not in INDICATOR_CELLS:
                continue  # an indicator without raw cells: not linked to the tables
            view = _view(views, tables, year)
            if part == "wert":
                earlier = pending_rates.setdefault(fact.key, (year, indicator_id, kennziffer, fact))[3]
                if _value(earlier.text) != _value(fact.text) or (earlier.text == HIDDEN) != (fact.text == HIDDEN):
                    problem = f"shown as {earlier.text} ({earlier.page}) and as {fact.text}"
                    findings.append(Finding((earlier.page, fact.page), fact.key, problem))
                continue
            cells = INDICATOR_CELLS[indicator_id][0 if part == "zaehler" else 1]
            problem = view.count(view.cells(cells, kennziffer), fact.key, fact)
        elif kind == "pyramide" and len(parts) == 5:
            year, kennziffer, band, sex = int(parts[1]), int(parts[2]), parts[3], parts[4]
            groups = (band,) if band in AGE_GROUPS else BROAD_AGE_GROUPS[band].age_groups
            cells = Cells("bevoelkerung", ("anzahl",), (("altersgruppe", groups), ("geschlecht", (sex,))))
            view = _view(views, tables, year)
            problem = view.count(view.cells(cells, kennziffer), fact.key, fact)
        elif kind == "summe" and len(parts) == 5:
            cells = _total_cells(parts[1], parts[2], parts[4])
            if cells is None:
                continue
            view = _view(views, tables, int(parts[3]))
            problem = view.count(view.cells(cells, CITY), fact.key, fact)
        else:
            continue
        if problem:
            findings.append(Finding((fact.page,), fact.key, problem))
    for year, indicator_id, kennziffer, fact in pending_rates.values():
        value = _value(fact.text)
        if value is None:
            continue
        view = views[year]
        numerator, denominator = (view.cells(cells, kennziffer) for cells in INDICATOR_CELLS[indicator_id])
        half = 0.05  # every rate is published with one decimal
        view.rates.append(
            _Rate(
                numerator,
                denominator,
                INDICATOR_BY_ID[indicator_id].per,
                max(float(value) - half, 0.0),
                float(value) + half,
                fact.key,
            )
        )
    return views, findings


def _total_cells(table: str, column: str, codes: str) -> Cells | None:
    """The raw cells of a city total ``summe/<table>/<column>/<jahr>/<code=value;…>``; None when the
    contract has no such count."""
    if table not in TABLES or column not in TABLES[table].counts:
        return None
    return Cells(table, (column,), parse_total_key(codes))


def _view(views: dict[int, _YearView], tables: dict[str, pd.DataFrame], year: int) -> _YearView:
    if year not in views:
        views[year] = _YearView(atom_frame(tables, year, values=False).assign(jahr=year))
    return views[year]


def _by_year(atoms: pd.DataFrame) -> list[pd.DataFrame]:
    """The atoms of each year of a view (their ids kept)."""
    return [part for _, part in atoms.groupby("jahr", sort=True)]


@dataclass(frozen=True)
class _PooledRate:
    indicator_id: str
    years: tuple[int, ...]
    kennziffer: int
    fact: Fact


def _pooled_rates(facts: list[Fact]) -> list[_PooledRate]:
    """The rates shown pooled over several years (``indikator/<id>/zusammengefasst/2022-2024/<k>``)."""
    pooled = {}
    for fact in facts:
        parts = fact.key.split("/")
        readable = parts[0] == "indikator" and len(parts) == 5 and parts[2] == POOLED and parts[1] in INDICATOR_CELLS
        if readable and _value(fact.text) is not None:
            pooled.setdefault(fact.key, _PooledRate(parts[1], pooled_years(parts[3]), int(parts[4]), fact))
    return list(pooled.values())


def _joined_view(views: dict[int, _YearView], tables: dict[str, pd.DataFrame], pooled: list[_PooledRate]) -> _YearView:
    """One view over every year the pooled rates span: each year's facts on its own atoms, and the
    pooled rates over the sums of their years' numerators and denominators."""
    years = sorted({year for rate in pooled for year in rate.years})
    parts = [_view(views, tables, year) for year in years]
    offsets = dict(zip(years, np.cumsum([0, *(len(part.atoms) for part in parts[:-1])]).tolist()))
    joined = _YearView(pd.concat([part.atoms for part in parts], ignore_index=True))
    for year, part in zip(years, parts):
        offset = offsets[year]
        for quantity in part.quantities.values():
            moved = replace(quantity, atoms=quantity.atoms + offset)
            joined.quantities[tuple(moved.atoms.tolist())] = moved
        joined.rates += [
            replace(rate, numerator=rate.numerator + offset, denominator=rate.denominator + offset)
            for rate in part.rates
        ]
    half = 0.05  # published with one decimal, as every rate
    for rate in pooled:
        numerator, denominator = (
            np.concatenate([views[year].cells(cells, rate.kennziffer) + offsets[year] for year in rate.years])
            for cells in INDICATOR_CELLS[rate.indicator_id]
        )
        value = float(_value(rate.fact.text))
        per = INDICATOR_BY_ID[rate.indicator_id].per
        joined.rates.append(_Rate(numerator, denominator, per, max(value - half, 0.0), value + half, rate.fact.key))
    return joined


class _Reader:
    """The linear program of one year's view: the least and the most a target sum of atoms can be.

    Atoms that every constraint and every target treat alike (the same coefficients in the same
    rows, e.g. the nationalities of one age band when only their sum is shown) are merged into one
    column: with atoms ``≥ 0`` and no upper bounds their sum can take exactly the values they can
    together, so the optima are the same, with a fraction of the columns.
    """

    def __init__(self, view: _YearView, tables_present: set[str], targets: list[np.ndarray], hidden_floor: float = 1.0):
        self.view = view
        self.labels: list[str] = []
        entries: list[tuple[np.ndarray, np.ndarray]] = []  # per row: atom indices and their coefficients
        lower: list[float] = []
        upper: list[float] = []

        def add(atoms: np.ndarray, coefficients: np.ndarray, low: float, high: float, label: str) -> None:
            entries.append((atoms, coefficients))
            lower.append(low)
            upper.append(high)
            self.labels.append(label)

        for quantity in view.quantities.values():
            ones = np.ones(quantity.atoms.size)
            if quantity.hidden:
                add(quantity.atoms, ones, hidden_floor, _INFINITY, quantity.label)
            elif quantity.value is not None:
                add(quantity.atoms, ones, float(quantity.value), float(quantity.value), quantity.label)
        for rate in view.rates:
            atoms = np.concatenate([rate.numerator, rate.denominator])
            for ratio, low, high in ((rate.hi, -_INFINITY, 0.0), (rate.lo, 0.0, _INFINITY)):
                coefficients = np.concatenate(
                    [np.full(rate.numerator.size, float(rate.per)), np.full(rate.denominator.size, -ratio)]
                )
                add(atoms, coefficients, low, high, rate.label)
        for year_atoms in _by_year(view.atoms):
            for bound in BOUNDS:
                if bound.smaller.table not in tables_present or bound.larger.table not in tables_present:
                    continue
                smaller, larger = select(year_atoms, bound.smaller), select(year_atoms, bound.larger)
                for kennziffer in sorted(set(smaller) & set(larger)):
                    atoms = np.concatenate([larger[kennziffer], smaller[kennziffer]])
                    ones = np.ones(larger[kennziffer].size)
                    coefficients = np.concatenate([ones, -np.ones(smaller[kennziffer].size)])
                    label = f"Beziehung {bound.smaller.table} ≤ {bound.larger.table}, Kennziffer {kennziffer}"
                    add(atoms, coefficients, 0.0, _INFINITY, label)
        constraints = _matrix(entries, len(view.atoms))
        target_matrix = _matrix([(t, np.ones(t.size)) for t in targets], len(view.atoms))
        self.matrix, self.target_columns = _merge_alike_columns(constraints, target_matrix)
        self.row_lower, self.row_upper = np.array(lower), np.array(upper)
        columns = self.matrix.shape[1]
        self.solver = model_solver(self.matrix, self.row_lower, self.row_upper, np.full(columns, _INFINITY))
        self.solver.setOptionValue("presolve", "off")  # keeps the basis between targets (warm starts)
        self._cost = np.array([], np.int32)
        self._capped: highspy.Highs | None = None

    def least_together(self) -> np.ndarray:
        """Each target's value where the sum of all targets is least: a target at 0 there can be 0."""
        weights = np.zeros(self.matrix.shape[1])
        for columns in self.target_columns:
            weights[columns] += 1.0
        everything = np.arange(weights.size, dtype=np.int32)
        self.solver.changeColsCost(weights.size, everything, weights)
        self._cost = everything
        self.solver.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.solver.run()
        self._check(self.solver)
        return self._per_target(np.asarray(self.solver.getSolution().col_value))

    def most_together(self, caps: np.ndarray, rounds: int = 3) -> np.ndarray:
        """Per target a value it can reach, up to its cap: the capped targets are maximised together
        (one program instead of one per target), then those short of their cap again on their own
        account, for a few ``rounds``; a target at its cap can be at least that large."""
        reached = np.zeros(len(caps))
        for _ in range(rounds):
            short = reached < caps - 1e-6
            if not short.any():
                break
            reached = np.maximum(reached, self._most_together(np.where(short, caps, 0.0)))
        return reached

    def _most_together(self, caps: np.ndarray) -> np.ndarray:
        count, columns = len(self.target_columns), self.matrix.shape[1]
        y_columns = np.arange(columns, columns + count, dtype=np.int32)
        if self._capped is None:
            rows = np.repeat(np.arange(count), [c.size for c in self.target_columns])
            # y_t − target_t ≤ 0 with 0 ≤ y_t ≤ cap_t; maximise the sum of the y_t
            targets = sparse.csc_matrix(
                (-np.ones(rows.size), (rows, np.concatenate(self.target_columns))), (count, columns)
            )
            link = sparse.hstack([targets, sparse.identity(count, format="csc")])
            padded = sparse.hstack([self.matrix, sparse.csc_matrix((self.matrix.shape[0], count))])
            self._capped = model_solver(
                sparse.vstack([padded, link]).tocsc(),
                np.concatenate([self.row_lower, np.full(count, -_INFINITY)]),
                np.concatenate([self.row_upper, np.zeros(count)]),
                np.concatenate([np.full(columns, _INFINITY), caps]),
            )
            self._capped.changeColsCost(count, y_columns, np.ones(count))
            self._capped.changeObjectiveSense(highspy.ObjSense.kMaximize)
        else:  # the next round only moves the caps: the solver starts from the last basis
            self._capped.changeColsBounds(count, y_columns, np.zeros(count), caps.astype(float))
        solver = self._capped
        solver.run()
        self._check(solver)
        return np.asarray(solver.getSolution().col_value)[columns:]

    def _per_target(self, values: np.ndarray) -> np.ndarray:
        return np.array([values[columns].sum() for columns in self.target_columns])

    @staticmethod
    def _check(solver: highspy.Highs) -> None:
        status = solver.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise PublishError(
                f"The numbers the site publishes contradict each other ({status}); check the pages' "
                "tables against each other."
            )

    def feasible(self) -> bool:
        """Whether some table of counts agrees with everything shown."""
        self.solver.run()
        return self.solver.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def optimum(self, target: int, maximise: bool) -> tuple[float, list[str]]:
        """The least (or most) target number ``target`` can be, and the published numbers that limit it."""
        columns = self.target_columns[target]
        if self._cost.size:
            self.solver.changeColsCost(self._cost.size, self._cost, np.zeros(self._cost.size))
        self.solver.changeColsCost(columns.size, columns, np.ones(columns.size))
        self._cost = columns
        self.solver.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)
        self.solver.run()
        status = self.solver.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return _INFINITY, []
        if status != highspy.HighsModelStatus.kOptimal:
            raise PublishError(
                f"The numbers the site publishes contradict each other ({status}); check the pages' "
                "tables against each other."
            )
        duals = np.asarray(self.solver.getSolution().row_dual)
        binding = [self.labels[k] for k in np.flatnonzero(np.abs(duals) > 1e-9)]
        value = float(self.solver.getInfo().objective_function_value)
        return (math.floor(value + 1e-6) if maximise else math.ceil(value - 1e-6)), list(dict.fromkeys(binding))


def _matrix(entries: list[tuple[np.ndarray, np.ndarray]], size: int) -> sparse.csc_matrix:
    """Rows of (atom indices, coefficients) as a sparse matrix; an atom listed twice in a row adds up."""
    sizes = [atoms.size for atoms, _ in entries]
    rows = np.repeat(np.arange(len(entries), dtype=np.int64), sizes)
    columns = np.concatenate([a for a, _ in entries] or [[]]).astype(np.int64)
    values = np.concatenate([c for _, c in entries] or [[]])
    matrix = sparse.csc_matrix((values, (rows, columns)), shape=(len(entries), size))
    matrix.sum_duplicates()
    return matrix


def _merge_alike_columns(
    constraints: sparse.csc_matrix, targets: sparse.csc_matrix
) -> tuple[sparse.csc_matrix, list[np.ndarray]]:
    """One column per group of atoms alike in every constraint and target; each target as the
    merged columns it sums."""
    both = sparse.vstack([constraints, targets]).tocsc()
    both.sort_indices()
    group_of: dict[tuple[bytes, bytes], int] = {}
    first: list[int] = []
    groups = np.empty(both.shape[1], np.int64)
    for column in range(both.shape[1]):
        start, end = both.indptr[column], both.indptr[column + 1]
        signature = (both.indices[start:end].tobytes(), both.data[start:end].tobytes())
        if signature not in group_of:
            group_of[signature] = len(first)
            first.append(column)
        groups[column] = group_of[signature]
    merged = constraints[:, first].tocsc()
    target_columns = []
    for row in range(targets.shape[0]):
        atoms = targets.getrow(row).indices
        target_columns.append(np.unique(groups[atoms]).astype(np.int32))
    return merged, target_columns


def _unshown_groups(view: _YearView) -> Iterator[tuple[np.ndarray, str]]:
    """Groups of people that are a difference of published counts (NEF ab 15 = NEF − NEF unter 15),
    per district, and every atom of a city-only table (Wohnungslose ohne Notunterkunft = all
    Wohnungslose − those in shelters; one benefit of a published sum of benefits)."""
    for atoms in _by_year(view.atoms):
        year = int(atoms["jahr"].iloc[0])
        for table, spec in ATOMS.items():
            for name, atom in spec.items():
                if atom.minus is None:
                    continue
                chosen = atoms[(atoms["table"] == table) & (atoms["atom"] == name)]
                for kennziffer, rows in chosen.groupby(DISTRICT, sort=True):
                    label = f"{table}.{name} (nicht veröffentlicht), Kennziffer {kennziffer} {year}"
                    yield rows.index.to_numpy(), label
        city_only = atoms[~atoms["table"].map(lambda t: TABLES[t].district_level)]
        for atom_id, row in zip(city_only.index, city_only.itertuples(index=False)):
            label = atom_label(atoms, atom_id, row.table, row.atom, row.kennziffer)
            yield np.array([atom_id]), label.replace(", Stadt", f" (nicht veröffentlicht), Stadt {year}")


def _narrowed(
    reader: _Reader,
    hidden: list[_Quantity],
    unshown: list[tuple[np.ndarray, str]],
    threshold: int,
    protection_range: int,
) -> list[Finding]:
    """The hidden counts and unshown groups of a view a reader narrows down too far.

    A hidden count is safe when it can be some ``a`` and also ``max(threshold, a + protection_range)``;
    an unshown group when it can be 0 or reach the threshold. Programs over all targets together
    find such values for most; the rest get their own minimum and, if still needed, maximum.
    """
    epsilon = 1e-6
    count = len(hidden)
    least = reader.least_together()
    floor = np.ceil(least - epsilon)
    caps = np.concatenate([np.maximum(threshold, floor[:count] + protection_range), np.full(len(unshown), threshold)])
    most = reader.most_together(caps)
    pending = [n for n in range(len(least)) if most[n] < caps[n] - epsilon and (n < count or least[n] > epsilon)]
    lows = {n: reader.optimum(n, maximise=False) for n in pending}
    for n in pending:
        floor[n] = lows[n][0]
    pending = [n for n in pending if n < count or floor[n] >= 1]  # a group that can be empty is safe
    caps = np.zeros(len(least))
    for n in pending:
        caps[n] = max(threshold, floor[n] + protection_range) if n < count else threshold
    most = np.maximum(most, reader.most_together(caps)) if pending else most
    findings = []
    for n in pending:
        if most[n] >= caps[n] - epsilon:
            continue
        lo, by_low = lows[n]
        hi, by_high = reader.optimum(n, maximise=True)
        binding = tuple(dict.fromkeys(by_low + by_high))
        if n >= count:
            if hi < threshold:
                problem = f"not published, but known to be {lo:.0f} … {hi:.0f}, below {threshold}"
                findings.append(Finding(("(mehrere Seiten)",), unshown[n - count][1], problem, binding))
            continue
        if hi - lo < protection_range:
            problem = f"hidden, but only {lo:.0f} … {hi:.0f} possible (range below {protection_range})"
        elif hi < threshold:
            problem = f"hidden, but known to be {lo:.0f} … {hi:.0f}, below {threshold}"
        else:
            continue
        findings.append(Finding(tuple(sorted(hidden[n].pages)), hidden[n].label, problem, binding))
    return findings


def attack(facts: list[Fact], tables: dict[str, pd.DataFrame], threshold: int, protection_range: int) -> list[Finding]:
    """Every hidden cell a reader of ``facts`` can narrow down too far (see the module docstring)."""
    views, findings = year_views(facts, tables)
    for year in sorted(views):
        findings += _read(views[year], set(tables), threshold, protection_range)
    pooled = _pooled_rates(facts)
    if pooled:  # the years a pooled rate spans, read together: what they add to each year's findings
        found = {finding.cell for finding in findings}
        joined = _read(_joined_view(views, tables, pooled), set(tables), threshold, protection_range)
        findings += [finding for finding in joined if finding.cell not in found]
    return findings


def _read(view: _YearView, tables_present: set[str], threshold: int, protection_range: int) -> list[Finding]:
    """What a reader narrows down in one view."""
    hidden = [q for q in view.quantities.values() if q.hidden and q.value is None]
    shown = {tuple(q.atoms.tolist()) for q in view.quantities.values()}
    unshown = [(atoms, label) for atoms, label in _unshown_groups(view) if tuple(atoms.tolist()) not in shown]
    targets = [q.atoms for q in hidden] + [atoms for atoms, _ in unshown]
    if not targets:
        return []
    reader = _Reader(view, tables_present, targets)
    if not reader.feasible():
        # "." is at least 1 (zeros are published as "–"), unless a symbol of the source stood
        # for a true 0: then a reader only knows that a hidden count is at least 0.
        reader = _Reader(view, tables_present, targets, hidden_floor=0.0)
    return _narrowed(reader, hidden, unshown, threshold, protection_range)


def index_findings(facts: list[Fact]) -> list[Finding]:
    """The Sozialindex route: a z-value is ``(value − mean) / SD`` over the districts of the index, so

    - a z-value, score, class or rank shown for a district whose status indicator is hidden gives the
      hidden value back (with the published z-values of the others: z · SD + mean);
    - z-values standardised over values the site does not show let the hidden ones be solved for.
      Those shown must follow from the values shown, within the rounding of both.
    """
    findings = []
    index: dict[int, dict[int, dict[str, Fact]]] = {}
    rates: dict[tuple[str, int, int], Fact] = {}
    pooled: dict[tuple[str, int, int], Fact] = {}
    hidden_rates = set()
    for fact in facts:
        parts = fact.key.split("/")
        if parts[0] == INDEX_KEY and len(parts) == 4:
            index.setdefault(int(parts[1]), {}).setdefault(int(parts[2]), {})[parts[3]] = fact
        elif parts[0] == "indikator" and len(parts) == 5 and parts[2] == "wert":
            where = (parts[1], int(parts[3]), int(parts[4]))
            if fact.text == HIDDEN:
                hidden_rates.add(where)
            rates.setdefault(where, fact)
        elif parts[0] == "indikator" and len(parts) == 5 and parts[2] == POOLED:
            pooled[(parts[1], pooled_years(parts[3])[-1], int(parts[4]))] = fact
    rates.update(pooled)  # a smoothed district's z-value standardises its pooled rate
    for year, districts in sorted(index.items()):
        ids = sorted({part[2:] for shown in districts.values() for part in shown if part.startswith("z_")})
        for kennziffer, shown in sorted(districts.items()):
            telling = [fact for fact in shown.values() if fact.text not in (HIDDEN, NOT_APPLICABLE, "")]
            secret = [i for i in ids if (i, year, kennziffer) in hidden_rates]
            if telling and secret:
                findings.append(
                    Finding(
                        tuple(sorted({f.page for f in telling})),
                        f"{INDEX_KEY}/{year}/{kennziffer}",
                        f"Sozialindex shown for a district whose {', '.join(secret)} is hidden (z · SD + mean)",
                        tuple(f.key for f in telling),
                    )
                )
        for indicator_id in ids:
            findings += _standardisation(indicator_id, year, districts, rates)
    return findings


def _standardisation(
    indicator_id: str, year: int, districts: dict[int, dict[str, Fact]], rates: dict[tuple[str, int, int], Fact]
) -> list[Finding]:
    """The published z-values of one indicator must be those of the published values alone."""
    pairs = []
    for kennziffer, shown in districts.items():
        z_fact = shown.get(f"z_{indicator_id}")
        rate = rates.get((indicator_id, year, kennziffer))
        z, value = (_value(z_fact.text) if z_fact else None), (_value(rate.text) if rate else None)
        if z is not None and value is not None:
            pairs.append((float(value), float(z), z_fact))
    if len(pairs) < 2:
        return []
    values = np.array([p[0] for p in pairs])
    sd = values.std()
    if sd == 0:
        return []
    expected = (values - values.mean()) / sd
    # values are shown with one decimal, z-values with two: how far the recomputed z may stray
    tolerance = 0.005 + (0.1 + 0.05 * np.abs(expected)) / sd + 1e-9
    wrong = [p[2] for p, e, t in zip(pairs, expected, tolerance) if abs(p[1] - e) > t]
    if not wrong:
        return []
    return [
        Finding(
            tuple(sorted({f.page for f in wrong})),
            f"{INDEX_KEY}/{year}/z_{indicator_id}",
            "z-values do not follow from the values shown: standardised over values the site hides",
            tuple(f.key for f in wrong),
        )
    ]


def check_site(site_dir: Path, edition: Edition) -> list[Finding]:
    """The attacker's findings on the finished site of ``edition``."""
    facts = read_facts(site_dir)
    if not facts:
        return []
    settings = edition.config.confidentiality
    tables = load.read_tables(edition.paths.tables_dir)
    return attack(facts, tables, settings.threshold, settings.protection_range) + index_findings(facts)


def enforce(site_dir: Path, edition: Edition) -> None:
    """Raise :class:`PublishError` listing every finding; do nothing when no hidden cell can be narrowed down."""
    refuse(check_site(site_dir, edition))


def refuse(findings: list[Finding]) -> None:
    """Raise :class:`PublishError` listing ``findings`` of :func:`check_site`, if there are any."""
    if findings:
        listed = "\n".join(f"  - {finding}" for finding in findings)
        raise PublishError(
            f"The publish gate's attacker narrowed down {len(findings)} hidden cell(s) from what the site "
            f"publishes:\n{listed}\nThe previous edition stays in place. Protect the cells with the "
            "indicator stage's confidentiality model (every published number must be part of its plan) "
            "and build again."
        )
