"""Everything an edition may publish, as counts of the confidentiality model, and their protection.

The plan of a year holds, for every district and the city: each district-level indicator's
numerator and denominator; the city totals of every raw count column (by its codes: Rechtskreis,
Haushaltstyp, age band and sex); and for the reporting year each district's population by age band
and sex (the profile's pyramid) where the district is large enough to show one. :func:`protect_edition`
protects every year's plan (:mod:`~sozialplanung.statistics.protection`) and returns the statuses
the report reads: per indicator row (``zaehler_status``, ``nenner_status``, ``wert_status`` and
their reasons) and per pyramid cell, plus the internal audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialplanung.data.contract import AGE_GROUPS, TABLES
from sozialplanung.data.relations import BOUNDS, Cells
from sozialplanung.statistics.confidentiality import (
    CITY,
    PARTS,
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    protect_indicators,
)
from sozialplanung.statistics.protection import (
    DISTRICT,
    Result,
    Rule,
    YearModel,
    atom_frame,
    district_tables,
    protect_year,
    select,
)

SEX_LABELS = {"m": "Männer", "w": "Frauen"}
PYRAMID_COLUMNS = ("jahr", "kennziffer", "altersgruppe", "geschlecht", "anzahl", "status", "grund")


def pyramid_cells(group: str, sex: str) -> Cells:
    return Cells("bevoelkerung", ("anzahl",), (("altersgruppe", (group,)), ("geschlecht", (sex,))))


@dataclass
class YearPlan:
    """One year's model and where its counts appear in the report."""

    model: YearModel
    indicator_parts: dict[tuple[str, int, str], int]
    """(indikator, kennziffer, part) → quantity."""
    pyramid: dict[tuple[int, str, str], int]
    """(kennziffer, altersgruppe, geschlecht) → quantity."""


def year_plan(
    tables: Mapping[str, pd.DataFrame],
    year: int,
    indicator_cells: Mapping[str, tuple[Cells, Cells]],
    pyramid_districts: tuple[int, ...] = (),
    counted_denominators: frozenset[str] = frozenset(),
    per: Mapping[str, int] | None = None,
    threshold: int = 3,
) -> YearPlan:
    """The published plan of ``year`` (see the module docstring)."""
    atoms = atom_frame(tables, year)
    model = YearModel(atoms, year)
    parts: dict[tuple[str, int, str], int] = {}
    denominators: dict[tuple[str, int], np.ndarray] = {}
    for indicator_id, sides in indicator_cells.items():
        for part, cells in zip(("zaehler", "nenner"), sides):
            by_district = select(atoms, cells)
            every = np.concatenate(list(by_district.values())) if by_district else np.array([], np.int64)
            counted = part == "zaehler" or indicator_id in counted_denominators
            for kennziffer, ids in [*by_district.items(), (CITY, every)]:
                if part == "nenner":
                    denominators[(indicator_id, kennziffer)] = ids
                if not counted:
                    continue
                where = "der Gesamtstadt" if kennziffer == CITY else f"in Kennziffer {kennziffer}"
                number = model.add(ids, f"{_PART[part]} {indicator_id} {where}", city=kennziffer == CITY)
                if number is not None:
                    parts[(indicator_id, kennziffer, part)] = number
    for name in district_tables(tables):
        codes = [c for c in TABLES[name].keys if c not in ("jahr", DISTRICT)]
        if name == "bevoelkerung":
            codes = ["altersgruppe", "geschlecht"]
        table = atoms[atoms["table"] == name]
        for column in TABLES[name].counts:
            cells = Cells(name, (column,))
            chosen = table[table["atom"].isin(cells.atoms)]
            keyed = chosen.groupby(codes, sort=True) if codes else [((), chosen)]
            for key, rows in keyed:
                model.add(rows.index.to_numpy(), f"{name}.{column} {key} der Gesamtstadt", city=True)
    pyramid: dict[tuple[int, str, str], int] = {}
    for group in AGE_GROUPS:
        for sex in SEX_LABELS:
            by_district = select(atoms, pyramid_cells(group, sex))
            for kennziffer in pyramid_districts:
                ids = by_district.get(kennziffer, np.array([], np.int64))
                label = f"Einwohner {group} Jahre, {SEX_LABELS[sex]}, Kennziffer {kennziffer}"
                number = model.add(ids, label)
                if number is not None:
                    pyramid[(kennziffer, group, sex)] = number
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
            model.add_bound(smaller.get(kennziffer, empty), larger.get(kennziffer, empty))
    return YearPlan(model, parts, pyramid)


_PART = {"zaehler": "Zähler", "nenner": "Nenner"}


@dataclass(frozen=True)
class Protection:
    """The statuses an edition's report reads, and the internal audit."""

    indicators: pd.DataFrame
    """The indicator frame with ``<part>_status`` and ``<part>_grund`` (as :func:`protect_indicators`)."""
    pyramid: pd.DataFrame
    """One row per pyramid cell of the reporting year: PYRAMID_COLUMNS."""
    results: dict[int, Result]


def protect_edition(
    tables: Mapping[str, pd.DataFrame],
    frame: pd.DataFrame,
    indicator_cells: Mapping[str, tuple[Cells, Cells]],
    rule: Rule,
    reporting_year: int,
    pyramid_districts: tuple[int, ...],
) -> Protection:
    """Protect every year of ``frame`` over the linked plan; city-only indicators keep the rule of
    :func:`~sozialplanung.statistics.confidentiality.protect_indicators`."""
    protected = protect_indicators(frame, rule.threshold)
    status = {part: protected[f"{part}_status"].to_numpy(object).copy() for part in PARTS}
    reason = {part: protected[f"{part}_grund"].to_numpy(object).copy() for part in PARTS}
    position = {
        (row.indikator, int(row.jahr), int(row.kennziffer)): k
        for k, row in enumerate(frame[["indikator", "jahr", "kennziffer"]].itertuples(index=False))
    }
    results: dict[int, Result] = {}
    pyramid_rows = []
    for year in sorted(int(y) for y in frame["jahr"].unique()):
        districts = pyramid_districts if year == reporting_year else ()
        plan = year_plan(tables, year, indicator_cells, districts)
        result = protect_year(plan.model, rule)
        results[year] = result
        for (indicator_id, kennziffer, part), number in plan.indicator_parts.items():
            k = position.get((indicator_id, year, kennziffer))
            if k is None:
                continue
            status[part][k] = result.status.get(number, PUBLISHED)
            reason[part][k] = result.reason.get(number, "")
        for (kennziffer, group, sex), number in plan.pyramid.items():
            quantity = plan.model.quantities[number]
            pyramid_rows.append(
                (year, kennziffer, group, sex, quantity.value, result.status[number], result.reason.get(number, ""))
            )
    values = frame["nenner"].to_numpy()
    hidden = ((status["zaehler"] != PUBLISHED) | (status["nenner"] != PUBLISHED)) & (values != 0)
    primary = (status["zaehler"] == PRIMARY) | (status["nenner"] == PRIMARY)
    status["wert"] = np.where(hidden, np.where(primary, PRIMARY, SECONDARY), PUBLISHED).astype(object)
    for k in range(len(frame)):
        if not hidden[k]:
            reason["wert"][k] = ""
            continue
        names = " und ".join(_PART[p] for p in ("zaehler", "nenner") if status[p][k] != PUBLISHED)
        reason["wert"][k] = f"{names} geheim gehalten; die Quote würde {'sie' if ' und ' in names else 'ihn'} verraten"
    columns = {
        f"{part}_{kind}": pd.Series(values_[part], index=frame.index, dtype="str")
        for part in PARTS
        for kind, values_ in (("status", status), ("grund", reason))
    }
    pyramid = pd.DataFrame(pyramid_rows, columns=list(PYRAMID_COLUMNS))
    return Protection(frame.assign(**columns), pyramid, results)
