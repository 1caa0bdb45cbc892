"""Cross-table rules of the data contract: one table's counts bounded by another's.

Each :class:`Rule` is named once and runs on every row of its tables that passed the schema (see
:mod:`sozialplanung.data.validate`); it reports each breaking row as a
:class:`~sozialplanung.data.problems.Problem` with the bound it broke, the first
:data:`MATERIALISED` of them in full and the rest as a count.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from sozialplanung.data.ages import AgeRange, band_limits, population
from sozialplanung.data.contract import HOUSEHOLDS_WITH_CHILDREN, TABLES
from sozialplanung.data.problems import CheckedTable, Problem, Tables, shown_value

MATERIALISED = 100
"""Breaking rows of one rule reported in full; further ones are counted only."""

# --- cross-table rules ------------------------------------------------------------------

_OPERATORS: dict[str, Callable[[pd.Series, pd.Series], pd.Series]] = {
    "≤": operator.le,
    "=": operator.eq,
    "≥": operator.ge,
}


@dataclass(frozen=True)
class Rule:
    """A rule between columns or tables; it runs when all its tables passed their schema."""

    description: str
    tables: tuple[str, ...]
    check: Callable[[Tables], list[Problem]]


def _per_row(frame: pd.DataFrame, keyed: pd.Series) -> pd.Series:
    """``keyed`` (indexed by key columns) looked up for every row of ``frame``; NaN where absent."""
    names = list(keyed.index.names)
    index = pd.MultiIndex.from_frame(frame[names]) if len(names) > 1 else pd.Index(frame[names[0]])
    return pd.Series(keyed.reindex(index).to_numpy(), index=frame.index)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _compare(
    table: CheckedTable,
    column: str,
    op: str,
    bound: pd.Series,
    bound_text: str,
    *,
    frame: pd.DataFrame | None = None,
    subject: pd.Series | str | None = None,
) -> list[Problem]:
    """Rows of ``frame`` (default: the table) where ``column op bound`` fails.

    ``bound`` is either aligned to the rows or indexed by key columns (then looked up per row); a
    missing bound means the rule does not apply to that row. ``bound_text`` may hold ``{bound}``;
    ``subject`` names the left-hand side where it is more than the column (a sum, a category).
    """
    frame = table.frame if frame is None else frame
    if bound.index.names != frame.index.names:
        bound = _per_row(frame, bound)
    values, bound = frame[column], bound.reindex(frame.index)
    problems = []
    failing = frame.index[bound.notna() & ~_OPERATORS[op](values, bound)]
    for row in failing[:MATERIALISED]:
        left = subject[row] if isinstance(subject, pd.Series) else subject or column
        rule = f"{left} {op} {bound_text.format(bound=_number(bound[row]))}"
        problems.append(Problem(table.file, int(row), column, _number(values[row]), rule))
    if len(failing) > MATERIALISED:  # the rest only counted: memory stays bounded
        rest = len(failing) - MATERIALISED
        problems.append(Problem(table.file, None, column, None, "further rows", count=rest))
    return problems


def _summed(table: CheckedTable, column: str, over: str, rows: pd.Series | None = None):
    """Per year and district the sum of ``column`` over ``over``, placed at the group's first row.

    Returns the sums and, per sum, the rule's left-hand side naming the rows that were added up.
    """
    frame = table.frame if rows is None else table.frame[rows]
    groups = frame.reset_index().groupby(["jahr", "kennziffer"], sort=False)
    sums = groups.agg(**{column: (column, "sum"), "rows": ("row", list)}).reset_index()
    sums.index = pd.Index([r[0] for r in sums["rows"]], name="row")
    subject = sums["rows"].map(lambda r: f"{column} summed over {over} (rows {', '.join(map(str, r))})")
    return sums, subject


def _population(t: Tables, lower: int, upper: int | None) -> pd.Series:
    return population(t["bevoelkerung"].frame, AgeRange(lower, upper))


def _households(t: Tables, types: Sequence[str]) -> pd.Series:
    frame = t["haushalte"].frame
    return frame[frame["haushaltstyp"].isin(types)].groupby(["jahr", "kennziffer"])["anzahl"].sum()


def _row_rule(table: str, column: str, op: str, other: str) -> Rule:
    """``column op other`` within each row of one table."""
    return Rule(
        f"{table}: {column} {op} {other}",
        (table,),
        lambda t: _compare(t[table], column, op, t[table].frame[other], f"{other} (= {{bound}})"),
    )


def _population_rule(table: str, column: str, lower: int, upper: int | None, ages: str) -> Rule:
    """``column`` ≤ the residents of an age range in the same district and year."""
    return Rule(
        f"{table}: {column} ≤ population {ages}",
        (table, "bevoelkerung"),
        lambda t: _compare(
            t[table], column, "≤", _population(t, lower, upper), f"population {ages} in bevoelkerung (= {{bound}})"
        ),
    )


def _sgb2_sum(t: Tables) -> list[Problem]:
    sgb2 = t["sgb2"].frame
    bound = sgb2["elb"] + sgb2["nef"]
    return _compare(t["sgb2"], "leistungsberechtigte", "=", bound, "elb + nef (= {bound})")


def _sgb2_communities(t: Tables) -> list[Problem]:
    # Wherever someone receives SGB II there is a benefit community; elsewhere the rule is void.
    entitled = t["sgb2"].frame["leistungsberechtigte"]
    bound = pd.Series(1.0, index=entitled.index).where(entitled >= 1)
    return _compare(t["sgb2"], "bedarfsgemeinschaften", "≥", bound, "1 whenever leistungsberechtigte ≥ 1")


def _single_parent_communities(t: Tables) -> list[Problem]:
    return _compare(
        t["sgb2"],
        "bg_alleinerziehende",
        "≤",
        _households(t, ["alleinerziehend"]),
        "single-parent households (alleinerziehend) in haushalte (= {bound})",
    )


def _unemployed_sgb2(t: Tables) -> list[Problem]:
    frame = t["arbeitslose"].frame
    elb = t["sgb2"].frame.set_index(["jahr", "kennziffer"])["elb"]
    return _compare(
        t["arbeitslose"],
        "arbeitslose",
        "≤",
        elb,
        "elb in sgb2 (= {bound})",
        frame=frame[frame["rechtskreis"] == "SGB II"],
        subject="arbeitslose (SGB II)",
    )


def _unemployed_total(t: Tables) -> list[Problem]:
    sums, subject = _summed(t["arbeitslose"], "arbeitslose", "rechtskreise")
    return _compare(
        t["arbeitslose"],
        "arbeitslose",
        "≤",
        _population(t, 15, 65),
        "population 15–64 in bevoelkerung (= {bound})",
        frame=sums,
        subject=subject,
    )


def _wohngeld_households(t: Tables) -> list[Problem]:
    every_household = _households(t, TABLES["haushalte"].codes["haushaltstyp"])
    text = "all households in haushalte (= {bound})"
    return _compare(t["wohngeld"], "haushalte", "≤", every_household, text)


def _households_population(t: Tables) -> list[Problem]:
    sums, subject = _summed(t["haushalte"], "anzahl", "haushaltstypen")
    return _compare(
        t["haushalte"],
        "anzahl",
        "≤",
        _population(t, 0, None),
        "population in bevoelkerung (= {bound})",
        frame=sums,
        subject=subject,
    )


def _households_children(t: Tables) -> list[Problem]:
    with_children = t["haushalte"].frame["haushaltstyp"].isin(HOUSEHOLDS_WITH_CHILDREN)
    sums, subject = _summed(t["haushalte"], "anzahl", " and ".join(HOUSEHOLDS_WITH_CHILDREN), with_children)
    return _compare(
        t["haushalte"],
        "anzahl",
        "≤",
        _population(t, 0, 18),
        "population under 18 in bevoelkerung (= {bound})",
        frame=sums,
        subject=subject,
    )


def _shelter(t: Tables) -> list[Problem]:
    frame = t["wohnungsnotfaelle"].frame
    homeless = frame[frame["kategorie"] == "wohnungslose_gesamt"].set_index("jahr")["anzahl"]
    return _compare(
        t["wohnungsnotfaelle"],
        "anzahl",
        "≤",
        homeless,
        "wohnungslose_gesamt of the same year (= {bound})",
        frame=frame[frame["kategorie"] == "notunterkunft"],
        subject="notunterkunft",
    )


def _disability(t: Tables) -> list[Problem]:
    bevoelkerung = t["bevoelkerung"].frame
    bands = {
        band: population(bevoelkerung, AgeRange(*band_limits(band)), by=("jahr", "geschlecht"))
        for band in TABLES["schwerbehinderte"].codes["altersgruppe"]
    }
    return _compare(
        t["schwerbehinderte"],
        "anzahl",
        "≤",
        pd.concat(bands, names=["altersgruppe"]),
        "city population of the same age band and sex in bevoelkerung (= {bound})",
    )


def _measures_every_year(t: Tables) -> list[Problem]:
    plan = t["aktionsplan"]
    years = sorted(set(plan.frame["jahr"]))
    problems = []
    for number, found in plan.frame.groupby("massnahme_nr")["jahr"].agg(set).items():
        missing = ", ".join(str(year) for year in years if year not in found)
        if missing:
            rule = f"every measure in every year (missing in {missing})"
            problems.append(Problem(plan.file, None, "massnahme_nr", str(number), rule))
    return problems


def _measures_unchanged(t: Tables) -> list[Problem]:
    plan = t["aktionsplan"]
    frame = plan.frame.sort_values(["massnahme_nr", "jahr"])
    problems = []
    for column in ("handlungsfeld", "titel", "zustaendigkeit"):
        first = frame.groupby("massnahme_nr")[[column, "jahr"]].transform("first")
        for row in frame.index[frame[column] != first[column]]:
            earlier = f"{first.at[row, 'jahr']}: {first.at[row, column]!r}"
            rule = f"{column} of measure {frame.at[row, 'massnahme_nr']} the same in every year ({earlier})"
            problems.append(Problem(plan.file, int(row), column, frame.at[row, column], rule))
    return problems


def _status_date(t: Tables) -> list[Problem]:
    plan = t["aktionsplan"]
    frame = plan.frame
    return [
        Problem(plan.file, int(row), "stand", shown_value(frame.at[row, "stand"]), f"stand within jahr {year}")
        for row, year in frame["jahr"].items()
        if frame.at[row, "stand"].year != year
    ]


RULES: tuple[Rule, ...] = (
    # 1. SGB II within itself
    Rule("sgb2: leistungsberechtigte = elb + nef", ("sgb2",), _sgb2_sum),
    _row_rule("sgb2", "nef_unter_15", "≤", "nef"),
    _row_rule("sgb2", "bedarfsgemeinschaften", "≤", "leistungsberechtigte"),
    _row_rule("sgb2", "bg_alleinerziehende", "≤", "bedarfsgemeinschaften"),
    Rule("sgb2: bedarfsgemeinschaften ≥ 1 whenever leistungsberechtigte ≥ 1", ("sgb2",), _sgb2_communities),
    # 2. SGB II against the population
    _population_rule("sgb2", "nef_unter_15", 0, 15, "under 15"),
    _population_rule("sgb2", "elb", 15, 65, "15–64"),
    _population_rule("sgb2", "leistungsberechtigte", 0, 65, "under 65"),
    # 3. single parents
    Rule("sgb2: bg_alleinerziehende ≤ single-parent households", ("sgb2", "haushalte"), _single_parent_communities),
    # 4. Grundsicherung
    _population_rule("grundsicherung", "empfaenger_65_plus", 65, None, "65+"),
    _population_rule("grundsicherung", "empfaenger_erwerbsgemindert", 18, 65, "18–64"),
    # 5. unemployment
    _row_rule("arbeitslose", "langzeitarbeitslose", "≤", "arbeitslose"),
    Rule("arbeitslose (SGB II) ≤ sgb2.elb", ("arbeitslose", "sgb2"), _unemployed_sgb2),
    Rule("arbeitslose over rechtskreise ≤ population 15–64", ("arbeitslose", "bevoelkerung"), _unemployed_total),
    # 6. Wohngeld
    Rule("wohngeld: haushalte ≤ all households", ("wohngeld", "haushalte"), _wohngeld_households),
    # 7. MarburgPass
    _row_rule("marburgpass", "darunter_kinder", "≤", "inhaber"),
    _population_rule("marburgpass", "darunter_kinder", 0, 18, "under 18"),
    # 8. housing
    _row_rule("wohnen", "sozialwohnungen", "≤", "wohnungen"),
    # 9. households against the population
    Rule("haushalte: all households ≤ population", ("haushalte", "bevoelkerung"), _households_population),
    Rule(
        "haushalte: households with children ≤ population under 18", ("haushalte", "bevoelkerung"), _households_children
    ),
    # 10. homelessness
    Rule("wohnungsnotfaelle: notunterkunft ≤ wohnungslose_gesamt", ("wohnungsnotfaelle",), _shelter),
    # 11. disability
    Rule("schwerbehinderte ≤ population of the age band and sex", ("schwerbehinderte", "bevoelkerung"), _disability),
    # 12. Aktionsplan
    Rule("aktionsplan: every measure in every year", ("aktionsplan",), _measures_every_year),
    Rule("aktionsplan: field, title and office of a measure unchanged", ("aktionsplan",), _measures_unchanged),
    Rule("aktionsplan: stand within jahr", ("aktionsplan",), _status_date),
)
