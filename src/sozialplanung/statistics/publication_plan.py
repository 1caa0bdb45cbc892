"""Everything an edition may publish, as counts of the confidentiality model, and their protection.

The plan of a year holds, for every district and the city: each indicator's numerator and
denominator (for the city only where the indicator is city-level); the city totals of every raw
count column, district or city-only table, by every combination of its codes (Rechtskreis,
Haushaltstyp, age band and sex, Kategorie, Leistung); and for the reporting year each profiled district's population by
age band and sex (the profile's pyramid). :func:`protect_edition` protects every year's plan
(:mod:`~sozialplanung.statistics.protection`) and returns what the report reads: the statuses per
indicator row (``zaehler_status``, ``nenner_status``, ``wert_status``), per pyramid cell and per city
total, and the internal audit with the reason for every hidden count.

**Pyramids.** A district's pyramid shows the fine age bands of the population table when none of
its cells holds ``1 … threshold − 1`` people, else the broad age groups
(:data:`~sozialplanung.data.ages.BROAD_AGE_GROUPS`) when none of those does, else no pyramid at all:
a pyramid full of gaps tells nothing and invites subtraction.

**Cells protected at source** (``*`` or ``.`` in the agency's file, :mod:`sozialplanung.data.load`)
start hidden with the status ``quelle``; the model protects them like primary cells, so they cannot
be recovered by subtraction either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from itertools import combinations

import numpy as np
import pandas as pd

from sozialplanung.core.parallel import side_by_side
from sozialplanung.data.ages import BROAD_AGE_GROUPS
from sozialplanung.data.contract import AGE_GROUPS, TABLES
from sozialplanung.data.relations import BOUNDS, Cells, CellSum
from sozialplanung.statistics.confidentiality import (
    CITY,
    CITY_NAME,
    PART_NAMES,
    PARTS,
    PUBLISHED,
    protect_indicators,
    set_rate_statuses,
)
from sozialplanung.statistics.protection import (
    DISTRICT,
    Rule,
    YearModel,
    atom_frame,
    atom_marks,
    count_tables,
    protect_year,
    select,
)

SEX_LABELS = {"m": "Männer", "w": "Frauen"}
FINE, COARSE, NONE = "fein", "grob", "keine"
"""How a district's pyramid is drawn: fine age bands, broad age groups, or not at all."""
PYRAMID_BANDS: dict[str, dict[str, tuple[str, ...]]] = {
    FINE: {group: (group,) for group in AGE_GROUPS},
    COARSE: {label: ages.age_groups for label, ages in BROAD_AGE_GROUPS.items()},
}
PYRAMID_COLUMNS = {
    "jahr": "int64",
    "kennziffer": "int64",
    "aufteilung": "str",  # FINE or COARSE
    "altersgruppe": "str",
    "geschlecht": "str",
    "anzahl": "int64",
    "status": "str",
}
TOTAL_COLUMNS = {"jahr": "int64", "tabelle": "str", "spalte": "str", "schluessel": "str", "status": "str"}
AUDIT_COLUMNS = ("jahr", "bereich", "kennziffer", "stadtbezirk", "angabe", "wert", "status", "grund")


def pyramid_cells(groups: tuple[str, ...], sex: str) -> Cells:
    return Cells("bevoelkerung", ("anzahl",), (("altersgruppe", groups), ("geschlecht", (sex,))))


def pyramid_layout(atoms: pd.DataFrame, kennziffer: int, threshold: int) -> str:
    """FINE, COARSE or NONE for one district (see the module docstring)."""
    people = atoms[(atoms["table"] == "bevoelkerung") & (atoms[DISTRICT] == kennziffer)]
    for layout in (FINE, COARSE):
        band_of = {group: label for label, groups in PYRAMID_BANDS[layout].items() for group in groups}
        counts = people.groupby([people["altersgruppe"].map(band_of), "geschlecht"])["value"].sum()
        if not counts.between(1, threshold - 1).any():
            return layout
    return NONE


def _codes(name: str) -> list[str]:
    if name == "bevoelkerung":
        return ["altersgruppe", "geschlecht"]
    return [c for c in TABLES[name].keys if c not in ("jahr", DISTRICT)]


def _margins(name: str) -> list[list[str]]:
    """The code columns a city total of ``name`` may be broken down by: every combination of the
    table's codes (all of them, …, none), since a chapter may show any margin."""
    codes = _codes(name)
    return [list(chosen) for size in range(len(codes), -1, -1) for chosen in combinations(codes, size)]


def total_key(codes: list[str], key: object) -> str:
    """The codes of a city total as text: ``"rechtskreis=SGB II"``; ``""`` without codes."""
    values = key if isinstance(key, tuple) else (key,)
    return ";".join(f"{code}={value}" for code, value in zip(codes, values))


def parse_total_key(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """:func:`total_key`'s text back as :attr:`Cells.where`: ``"rechtskreis=SGB II"`` →
    ``(("rechtskreis", ("SGB II",)),)``."""
    return tuple((code, (value,)) for code, _, value in (item.partition("=") for item in text.split(";") if item))


def total_where(codes: list[str], key: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The codes of a city total as :attr:`Cells.where`."""
    values = key if isinstance(key, tuple) else (key,)
    return tuple((code, (str(value),)) for code, value in zip(codes, values))


@dataclass
class YearPlan:
    """One year's model and where its counts appear in the report."""

    model: YearModel
    indicator_parts: dict[tuple[str, int, str], int]
    """(indikator, kennziffer, part) → quantity."""
    pyramid: dict[tuple[int, str, str, str], int]
    """(kennziffer, layout, band, sex) → quantity."""
    layouts: dict[int, str]
    """kennziffer → FINE, COARSE or NONE for each district asked for."""
    totals: dict[tuple[str, str, str], int]
    """(table, column, codes) → quantity of a city total."""


def year_plan(
    tables: Mapping[str, pd.DataFrame],
    year: int,
    indicator_cells: Mapping[str, tuple[CellSum, CellSum]],
    pyramid_districts: tuple[int, ...] = (),
    counted_denominators: frozenset[str] = frozenset(),
    per: Mapping[str, int] | None = None,
    threshold: int = 3,
    imputed: Mapping[str, pd.DataFrame] | None = None,
    city_level: frozenset[str] = frozenset(),
) -> YearPlan:
    """The published plan of ``year`` (see the module docstring).

    ``counted_denominators`` names the indicators whose denominator is itself published as a count
    (a table column or text number); the others' denominators enter only through their rates.
    ``city_level`` names the indicators published for the city only. ``imputed`` marks the cells
    protected at source (see :func:`atom_frame`).
    """
    atoms = atom_frame(tables, year, imputed)
    model = YearModel(atoms, year)
    present = set(atoms["table"])
    parts: dict[tuple[str, int, str], int] = {}
    denominators: dict[tuple[str, int], np.ndarray] = {}
    for indicator_id, sides in indicator_cells.items():
        if any(cells.table not in present for side in sides for cells in side):
            continue  # the indicator needs a table this year lacks: it has no value then
        for part, side in zip(("zaehler", "nenner"), sides):
            by_district = select(atoms, side)
            every = np.concatenate(list(by_district.values())) if by_district else np.array([], np.int64)
            counted = part == "zaehler" or indicator_id in counted_denominators
            areas = [] if indicator_id in city_level else [(k, ids) for k, ids in by_district.items() if k != CITY]
            for kennziffer, ids in [*areas, (CITY, every)]:
                if part == "nenner":
                    denominators[(indicator_id, kennziffer)] = ids
                if not counted:
                    continue
                where = CITY_NAME if kennziffer == CITY else f"Kennziffer {kennziffer}"
                number = model.add(ids, f"{PART_NAMES[part]} {indicator_id}, {where}", city=kennziffer == CITY)
                if number is not None:
                    parts[(indicator_id, kennziffer, part)] = number
    totals: dict[tuple[str, str, str], int] = {}
    for name in count_tables(tables):
        table = atoms[atoms["table"] == name]
        for column in TABLES[name].counts:
            chosen = table[table["atom"].isin(Cells(name, (column,)).atoms)]
            for codes in _margins(name):
                keyed = chosen.groupby(codes, sort=True) if codes else [((), chosen)]
                for key, _rows in keyed:
                    text = total_key(codes, key)
                    selected = select(atoms, Cells(name, (column,), total_where(codes, key)))
                    label = f"{name}.{column}{f' ({text})' if text else ''}, {CITY_NAME}"
                    ids = np.concatenate([np.array([], np.int64), *selected.values()])
                    number = model.add(ids, label, city=True)
                    if number is not None:
                        totals[(name, column, text)] = number
    pyramid: dict[tuple[int, str, str, str], int] = {}
    layouts: dict[int, str] = {}
    cells_of: dict[tuple[str, str], dict[int, np.ndarray]] = {}
    for kennziffer in pyramid_districts:
        layouts[kennziffer] = layout = pyramid_layout(atoms, kennziffer, threshold)
        for band, groups in PYRAMID_BANDS.get(layout, {}).items():
            for sex, sex_label in SEX_LABELS.items():
                if (band, sex) not in cells_of:
                    cells_of[(band, sex)] = select(atoms, pyramid_cells(groups, sex))
                ids = cells_of[(band, sex)].get(kennziffer, np.array([], np.int64))
                number = model.add(ids, f"Einwohner {band} Jahre, {sex_label}, Kennziffer {kennziffer}")
                if number is not None:
                    pyramid[(kennziffer, layout, band, sex)] = number
    for (indicator_id, kennziffer, part), number in list(parts.items()):
        if part == "zaehler":
            den = denominators.get((indicator_id, kennziffer), np.array([], np.int64))
            model.add_rate(number, den, (per or {}).get(indicator_id, 100), threshold)
    for bound in BOUNDS:
        if bound.smaller.table not in tables or bound.larger.table not in tables:
            continue
        smaller, larger = select(atoms, bound.smaller), select(atoms, bound.larger)
        for kennziffer in sorted(set(smaller) | set(larger)):
            empty = np.array([], np.int64)
            low, high = smaller.get(kennziffer, empty), larger.get(kennziffer, empty)
            # The validate stage enforces every bound; one that does not hold tells a reader nothing.
            if model.values[low].sum() <= model.values[high].sum():
                model.add_bound(low, high)
    return YearPlan(model, parts, pyramid, layouts, totals)


def source_protected_quantities(plan: YearPlan, every: np.ndarray, unreconciled: np.ndarray) -> set[int]:
    """The counts resting on a cell protected at source: a district count on any such cell, a city
    count only on those the validate stage could not reconcile with a total row of the file."""
    found = set()
    for number, quantity in enumerate(plan.model.quantities):
        marks = unreconciled if quantity.city else every
        if marks[quantity.atoms].any():
            found.add(number)
    return found


@dataclass(frozen=True)
class Protection:
    """The statuses an edition's report reads, and the internal audit."""

    indicators: pd.DataFrame
    """The indicator frame with ``<part>_status`` and ``<part>_grund`` (as :func:`protect_indicators`)."""
    pyramids: pd.DataFrame
    """One row per pyramid cell of the reporting year (:data:`PYRAMID_COLUMNS`)."""
    layouts: dict[int, str]
    """kennziffer → FINE, COARSE or NONE (the reporting year's pyramid)."""
    totals: pd.DataFrame
    """The city totals of raw columns that are hidden (:data:`TOTAL_COLUMNS`); usually none."""
    audit: pd.DataFrame
    """One row per hidden count of the model (:data:`AUDIT_COLUMNS`), never published."""


@dataclass(frozen=True)
class YearProtection:
    """What the protection of one year adds to the edition, as plain rows (cheap to pass between
    processes)."""

    parts: list[tuple[str, int, str, str, str]]
    """(indikator, kennziffer, part, status, reason) of every indicator part in the plan."""
    pyramid: list[tuple[int, int, str, str, str, int, str]]
    layouts: dict[int, str]
    totals: list[tuple[int, str, str, str, str]]
    audit: list[tuple[int, str, int, str, str]]


def protect_plan_year(
    year: int,
    tables: Mapping[str, pd.DataFrame],
    indicator_cells: Mapping[str, tuple[CellSum, CellSum]],
    rule: Rule,
    pyramid_districts: tuple[int, ...],
    counted_denominators: frozenset[str],
    per: Mapping[str, int] | None,
    marked: tuple[Mapping[str, pd.DataFrame], Mapping[str, pd.DataFrame]] | None,
    city_level: frozenset[str],
) -> YearProtection:
    """Plan and protect one year (see :func:`protect_edition`); ``pyramid_districts`` are those whose
    pyramid this year's plan holds (the reporting year's profiles, else none)."""
    plan = year_plan(
        tables,
        year,
        indicator_cells,
        pyramid_districts,
        counted_denominators,
        per,
        threshold=rule.threshold,
        imputed=marked[0] if marked is not None else None,
        city_level=city_level,
    )
    at_source = set()
    if marked is not None:
        every, unreconciled = (atom_marks(tables_, year) for tables_ in marked)
        at_source = source_protected_quantities(plan, every, unreconciled)
    result = protect_year(plan.model, rule, at_source)
    state = result.status
    quantities = plan.model.quantities
    return YearProtection(
        parts=[
            (indicator_id, kennziffer, part, state.get(number, PUBLISHED), result.reason.get(number, ""))
            for (indicator_id, kennziffer, part), number in plan.indicator_parts.items()
        ],
        pyramid=[
            (year, kennziffer, layout, band, sex, quantities[number].value, state[number])
            for (kennziffer, layout, band, sex), number in plan.pyramid.items()
        ],
        layouts=plan.layouts,
        totals=[
            (year, table, column, codes, state[number])
            for (table, column, codes), number in plan.totals.items()
            if state[number] != PUBLISHED
        ],
        audit=[
            (year, "; ".join(quantities[n].labels), quantities[n].value, s, result.reason.get(n, ""))
            for n, s in state.items()
            if s != PUBLISHED
        ],
    )


def protect_edition(
    tables: Mapping[str, pd.DataFrame],
    frame: pd.DataFrame,
    indicator_cells: Mapping[str, tuple[CellSum, CellSum]],
    rule: Rule,
    reporting_year: int,
    pyramid_districts: tuple[int, ...],
    *,
    counted_denominators: frozenset[str] = frozenset(),
    per: Mapping[str, int] | None = None,
    marked: tuple[Mapping[str, pd.DataFrame], Mapping[str, pd.DataFrame]] | None = None,
    city_level: frozenset[str] = frozenset(),
    workers: int = 1,
) -> Protection:
    """Protect every year of ``frame`` over the linked plan.

    Counts outside the plan (denominators published only through their rates) keep the rule of
    :func:`~sozialplanung.statistics.confidentiality.protect_indicators`; ``city_level`` names the
    indicators published for the city only. ``marked`` holds the tables with 1 in each cell
    protected at source, and 0 elsewhere: every such cell, and those not reconciled with a total
    row (see :func:`source_protected_quantities`).

    The years are independent models: with ``workers`` > 1 they are protected in that many processes
    at once (:func:`~sozialplanung.core.parallel.side_by_side`); the result is the same.
    """
    protected = protect_indicators(frame, rule.threshold)
    status = {part: protected[f"{part}_status"].to_numpy(object).copy() for part in PARTS}
    reason = {part: protected[f"{part}_grund"].to_numpy(object).copy() for part in PARTS}
    position = {
        (row.indikator, int(row.jahr), int(row.kennziffer)): k
        for k, row in enumerate(frame[["indikator", "jahr", "kennziffer"]].itertuples(index=False))
    }
    years = sorted(int(y) for y in frame["jahr"].unique())
    settings = (tables, indicator_cells, rule)
    options = (counted_denominators, per, marked, city_level)
    jobs = [(year, *settings, pyramid_districts if year == reporting_year else (), *options) for year in years]
    parts = [partial(protect_plan_year, *job) for job in jobs]
    outcomes = dict(zip(years, side_by_side(parts, workers)))
    pyramid_rows, total_rows, audit_rows = [], [], []
    for year, outcome in outcomes.items():
        for indicator_id, kennziffer, part, state, why in outcome.parts:
            k = position.get((indicator_id, year, kennziffer))
            if k is not None:
                status[part][k], reason[part][k] = state, why
        pyramid_rows += outcome.pyramid
        total_rows += outcome.totals
        audit_rows += outcome.audit
    set_rate_statuses(status, reason, frame["nenner"].to_numpy())
    columns = {
        f"{part}_{kind}": pd.Series(values_[part], index=frame.index, dtype="str")
        for part in PARTS
        for kind, values_ in (("status", status), ("grund", reason))
    }
    return Protection(
        frame.assign(**columns),
        pd.DataFrame(pyramid_rows, columns=list(PYRAMID_COLUMNS)).astype(PYRAMID_COLUMNS),
        outcomes[reporting_year].layouts if reporting_year in outcomes else {},
        pd.DataFrame(total_rows, columns=list(TOTAL_COLUMNS)).astype(TOTAL_COLUMNS),
        pd.DataFrame(audit_rows, columns=["jahr", "angabe", "wert", "status", "grund"]),
    )
