"""The report's indicators: definitions as data, one computation, results in long format.

Every indicator is defined once, in :data:`INDICATORS`. Its German numerator and denominator texts
(shown on the method page and in the report) come from the same count definitions the computation
uses, so the published definition and the published number cannot disagree. City values are sums of
numerators over sums of denominators, never averages of district rates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from sozialplanung.core.errors import DataError
from sozialplanung.data import load
from sozialplanung.data.ages import KEYS, POPULATION_GROUPS, population
from sozialplanung.data.contract import HOUSEHOLDS_WITH_CHILDREN, TABLES
from sozialplanung.data.relations import Cells, CellSum, residents
from sozialplanung.statistics.confidentiality import SOURCE_PROTECTED, audit_frame
from sozialplanung.statistics.protection import Rule
from sozialplanung.statistics.publication_plan import Protection, protect_edition

if TYPE_CHECKING:
    from sozialplanung.core.config import Edition

CITY = 0
"""``kennziffer`` of the city-wide rows."""
COLUMNS = tuple(load.INDICATOR_COLUMNS)  # the indicator file's columns and types are defined there
Tables = Mapping[str, pd.DataFrame]
Level = Literal["stadtbezirk", "stadt"]


@dataclass(frozen=True)
class _Count:
    """One side of a rate: its German description and how to count it from the tables.

    ``compute`` returns a Series indexed by (jahr, kennziffer) for district tables, by jahr for
    city tables. ``short`` is the noun used in the unit ("je 100 Einwohner").
    """

    text: str
    tables: tuple[str, ...]
    compute: Callable[[Tables], pd.Series]
    short: str | None = None
    cells: CellSum = ()
    """The raw cells it sums per district or for the city (for the confidentiality model)."""


def _residents(group: str, nationality: str | None = None, text: str | None = None) -> _Count:
    age = POPULATION_GROUPS[group]
    short = "Einwohner" if group == "gesamt" else age.residents
    return _Count(
        text or age.residents,
        ("bevoelkerung",),
        lambda t: population(t["bevoelkerung"], age, nationality=nationality),
        short,
        (residents(age, nationality),),
    )


def _sum(
    table: str,
    columns: tuple[str, ...],
    text: str,
    where: tuple[str, tuple[str, ...]] | None = None,
    short: str | None = None,
) -> _Count:
    """The sum of ``columns`` of ``table`` per key, counting only rows whose code is in ``where``."""

    def compute(tables: Tables) -> pd.Series:
        frame = tables[table]
        values = frame[list(columns)].sum(axis=1)
        if where is not None:
            # Mask instead of filter, so every key keeps a row (with 0) like population() does.
            values = values.where(frame[where[0]].isin(where[1]), 0)
        keys = [key for key in KEYS if key in TABLES[table].keys]
        return values.groupby([frame[key] for key in keys]).sum().astype("int64")

    return _Count(text, (table,), compute, short, (Cells(table, columns, (where,) if where else ()),))


def _city(series: pd.Series) -> pd.Series:
    """A count summed over districts to one value per year."""
    return series.groupby(level="jahr").sum() if series.index.nlevels > 1 else series


def _city_total(heading: str, *parts: _Count) -> _Count:
    """The city-wide sum of several counts, for the years in which all of them exist."""

    def compute(tables: Tables) -> pd.Series:
        return pd.concat([_city(p.compute(tables)) for p in parts], axis=1, join="inner").sum(axis=1)

    text = heading + ": " + "; ".join(p.text for p in parts)
    cells = tuple(c for p in parts for c in p.cells) if all(p.cells for p in parts) else ()
    return _Count(text, tuple(dict.fromkeys(t for p in parts for t in p.tables)), compute, cells=cells)


@dataclass(frozen=True)
class Indicator:
    """The published definition of one indicator: ``wert = zaehler / nenner * per``.

    ``numerator`` and ``denominator`` describe the counts in German, ``unit`` reads "je 100 …",
    ``level`` says whether values exist per district ("stadtbezirk") or for the city only ("stadt"),
    ``note`` explains limits of the definition and ``source`` names the data sources.
    """

    id: str
    name: str
    numerator: str
    denominator: str
    per: int = 100
    level: Level = "stadtbezirk"
    unit: str = ""
    note: str = ""
    source: str = ""


def _define(
    id: str,
    name: str,
    numerator: _Count,
    denominator: _Count,
    note: str,
    source: str,
    level: Level = "stadtbezirk",
    per: int = 100,
) -> tuple[Indicator, _Count, _Count]:
    unit = f"je {per} {denominator.short or denominator.text}"
    definition = Indicator(id, name, numerator.text, denominator.text, per, level, unit, note, source)
    return definition, numerator, denominator


_REGISTER = "Einwohnermelderegister der Universitätsstadt Marburg"
_HOUSEHOLDS = "Haushaltegenerierung aus dem Einwohnermelderegister der Universitätsstadt Marburg"
_BA_SGB2 = "Statistik der Bundesagentur für Arbeit, Grundsicherung für Arbeitsuchende (SGB II)"
_AGE_NOTE = (
    "Die Bundesagentur für Arbeit bezieht die Quote auf die Bevölkerung bis zur Regelaltersgrenze "
    "nach § 7a SGB II, die schrittweise von 65 auf 67 Jahre steigt. Die Bevölkerungsdaten liegen in "
    "Altersgruppen vor, daher verwendet dieser Bericht die Grenze 65 Jahre; die Werte können von den "
    "Veröffentlichungen der Bundesagentur geringfügig abweichen."
)
_HOUSEHOLD_NOTE = "Haushalte werden aus dem Melderegister erschlossen (Haushaltegenerierung), nicht gezählt."
_QUOTIENT_NOTE = (
    "Verhältnis zur Bevölkerung im Erwerbsalter, abgegrenzt wie beim Statistischen Bundesamt (20 und 65 Jahre)."
)
_SGB2 = _sum(
    "sgb2",
    ("elb", "nef"),
    "Leistungsberechtigte nach dem SGB II (erwerbsfähige und nicht erwerbsfähige Leistungsberechtigte, ELB und NEF)",
)
_GRUNDSICHERUNG = _sum(
    "grundsicherung",
    ("empfaenger_65_plus", "empfaenger_erwerbsgemindert"),
    "Empfänger von Grundsicherung im Alter und bei Erwerbsminderung nach dem SGB XII "
    "(4. Kapitel) außerhalb von Einrichtungen",
)

_DEFINITIONS = (
    _define("sgb2_quote", "SGB-II-Quote", _SGB2, _residents("unter_65"), _AGE_NOTE, f"{_BA_SGB2}; {_REGISTER}"),
    _define(
        "elb_quote",
        "ELB-Quote",
        _sum("sgb2", ("elb",), "Erwerbsfähige Leistungsberechtigte nach dem SGB II (ELB)"),
        _residents("15_bis_64"),
        _AGE_NOTE,
        f"{_BA_SGB2}; {_REGISTER}",
    ),
    _define(
        "kinderarmut",
        "Kinderarmut (SGB II)",
        _sum("sgb2", ("nef_unter_15",), "Nicht erwerbsfähige Leistungsberechtigte nach dem SGB II unter 15 Jahren"),
        _residents("unter_15"),
        "Anteil der Kinder unter 15 Jahren, die selbst Leistungen nach dem SGB II (Sozialgeld) "
        "erhalten; Kinder in Bedarfsgemeinschaften ohne eigenen Leistungsanspruch zählen nicht mit.",
        f"{_BA_SGB2}; {_REGISTER}",
    ),
    _define(
        "grundsicherung_alter",
        "Grundsicherung im Alter",
        _sum(
            "grundsicherung",
            ("empfaenger_65_plus",),
            "Empfänger von Grundsicherung im Alter nach "
            "dem SGB XII (4. Kapitel), 65 Jahre und älter, außerhalb von Einrichtungen",
        ),
        _residents("65_plus"),
        "Die Altersgrenze der Grundsicherung im Alter steigt schrittweise von 65 auf 67 Jahre; wie die "
        "Bevölkerungsdaten verwendet dieser Bericht die Grenze 65 Jahre. Menschen in Einrichtungen "
        "(z. B. Pflegeheimen) sind nicht enthalten.",
        f"Sozialhilfestatistik (SGB XII) der Universitätsstadt Marburg; {_REGISTER}",
    ),
    _define(
        "arbeitslosendichte",
        "Arbeitslosendichte",
        _sum("arbeitslose", ("arbeitslose",), "Arbeitslose in den Rechtskreisen SGB II und SGB III"),
        _residents("15_bis_64"),
        "Die Arbeitslosendichte ist nicht die amtliche Arbeitslosenquote: Diese bezieht die Arbeitslosen "
        "auf alle zivilen Erwerbspersonen und wird nur für die Stadt insgesamt veröffentlicht. Für "
        "Stadtbezirke dient die Bevölkerung im erwerbsfähigen Alter als Bezugsgröße.",
        f"Statistik der Bundesagentur für Arbeit, Arbeitslosenstatistik; {_REGISTER}",
    ),
    _define(
        "jugendquotient",
        "Jugendquotient",
        _residents("unter_20"),
        _residents("20_bis_64"),
        "Jüngere Bevölkerung im " + _QUOTIENT_NOTE,
        _REGISTER,
    ),
    _define(
        "altenquotient",
        "Altenquotient",
        _residents("65_plus"),
        _residents("20_bis_64"),
        "Ältere Bevölkerung im " + _QUOTIENT_NOTE,
        _REGISTER,
    ),
    _define(
        "auslaenderanteil",
        "Ausländeranteil",
        _residents("gesamt", "nichtdeutsch", "Einwohner mit nichtdeutscher Staatsangehörigkeit"),
        _residents("gesamt"),
        "Einwohner mit deutscher und einer weiteren Staatsangehörigkeit zählen als Deutsche.",
        _REGISTER,
    ),
    _define(
        "alleinerziehende",
        "Alleinerziehende",
        _sum("haushalte", ("anzahl",), "Haushalte von Alleinerziehenden", where=("haushaltstyp", ("alleinerziehend",))),
        _sum(
            "haushalte",
            ("anzahl",),
            "Haushalte mit Kindern (Paare mit Kindern und Alleinerziehende)",
            where=("haushaltstyp", HOUSEHOLDS_WITH_CHILDREN),
            short="Haushalte mit Kindern",
        ),
        _HOUSEHOLD_NOTE,
        _HOUSEHOLDS,
    ),
    _define(
        "wohngeldquote",
        "Wohngeldquote",
        _sum("wohngeld", ("haushalte",), "Haushalte mit Wohngeldbezug"),
        _sum("haushalte", ("anzahl",), "Haushalte insgesamt", short="Haushalte"),
        _HOUSEHOLD_NOTE,
        f"Wohngeldstelle der Universitätsstadt Marburg; {_HOUSEHOLDS}",
    ),
    _define(
        "marburgpass_quote",
        "MarburgPass-Quote",
        _sum("marburgpass", ("inhaber",), "Inhaber des MarburgPasses"),
        _residents("gesamt"),
        "Der MarburgPass (Stadtpass) ermöglicht Menschen mit geringem Einkommen ermäßigte Teilhabe an "
        "Angeboten in Marburg.",
        f"Universitätsstadt Marburg (MarburgPass); {_REGISTER}",
    ),
    _define(
        "sozialwohnungsquote",
        "Sozialwohnungsquote",
        _sum("wohnen", ("sozialwohnungen",), "Geförderte Wohnungen mit Belegungsbindung (Sozialwohnungen)"),
        _sum("wohnen", ("wohnungen",), "Wohnungen insgesamt", short="Wohnungen"),
        "Gezählt werden Wohnungen, deren Belegungsbindung zum Stichtag besteht.",
        "Universitätsstadt Marburg, Wohnungsbestand und geförderter Wohnungsbau",
    ),
    _define(
        "schwerbehindertenquote",
        "Schwerbehindertenquote",
        _sum("schwerbehinderte", ("anzahl",), "Schwerbehinderte Menschen (Grad der Behinderung von mindestens 50)"),
        _residents("gesamt"),
        "Nur für die Stadt insgesamt verfügbar.",
        f"Statistik der schwerbehinderten Menschen (Versorgungsverwaltung Hessen); {_REGISTER}",
        level="stadt",
    ),
    _define(
        "mindestsicherungsquote",
        "Mindestsicherungsquote",
        _city_total(
            "Empfänger von Mindestsicherungsleistungen",
            _SGB2,
            _GRUNDSICHERUNG,
            _sum(
                "mindestsicherung",
                ("empfaenger",),
                "Empfänger von Hilfe zum Lebensunterhalt "
                "nach dem SGB XII (3. Kapitel) und von Leistungen nach dem "
                "Asylbewerberleistungsgesetz",
            ),
        ),
        _residents("gesamt"),
        "Nur für die Stadt insgesamt und für Jahre, für die alle Leistungsarten vorliegen. Anders als in "
        "der amtlichen Sozialberichterstattung sind Empfänger von Grundsicherung nach dem 4. Kapitel "
        "SGB XII nur außerhalb von Einrichtungen enthalten; die Quote fällt daher etwas niedriger aus.",
        f"{_BA_SGB2}; Sozialhilfestatistik (SGB XII); Asylbewerberleistungsstatistik; {_REGISTER}",
        level="stadt",
    ),
)

INDICATORS: tuple[Indicator, ...] = tuple(definition for definition, _, _ in _DEFINITIONS)
INDICATOR_CELLS: dict[str, tuple[CellSum, CellSum]] = {
    d.id: (num.cells, den.cells) for d, num, den in _DEFINITIONS if num.cells and den.cells
}
"""The raw cells of each indicator's numerator and denominator."""
CITY_LEVEL = frozenset(d.id for d, _, _ in _DEFINITIONS if d.level == "stadt")
"""Indicators published for the city only."""
COUNTED_DENOMINATORS = frozenset({"auslaenderanteil", "alleinerziehende", "sozialwohnungsquote"})
"""Indicators whose denominator the report publishes as a count (per district and for the city):
residents, households with children, dwellings. The confidentiality model protects these counts;
any other denominator is published only through its rate."""
INDICATOR_BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
_COUNTS: dict[str, tuple[_Count, _Count]] = {d.id: (num, den) for d, num, den in _DEFINITIONS}


def indicator(indicator_id: str) -> Indicator:
    """The definition of one indicator."""
    try:
        return INDICATOR_BY_ID[indicator_id]
    except KeyError:
        known = ", ".join(INDICATOR_BY_ID)
        raise KeyError(f"Unknown indicator {indicator_id!r}; known indicators: {known}") from None


def _rate(definition: Indicator, numerator: pd.Series, denominator: pd.Series) -> pd.DataFrame:
    """Rows of one indicator: districts (if district level) and the city, in key order."""
    if definition.level == "stadt":
        numerator, denominator = _city(numerator), _city(denominator)
    # A rate exists for the years both counts report; a key missing on one side within such a
    # year has no cases there (tables may leave out empty rows).
    years = set(numerator.index.get_level_values("jahr")) & set(denominator.index.get_level_values("jahr"))
    pair = pd.concat({"zaehler": numerator, "nenner": denominator}, axis=1)
    pair = pair[pair.index.get_level_values("jahr").isin(years)].fillna(0).astype("int64")
    city = pair.groupby(level="jahr").sum().assign(kennziffer=CITY).set_index("kennziffer", append=True)
    keyed = pd.concat([pair, city]) if definition.level == "stadtbezirk" else city
    rows = keyed.reset_index().sort_values(list(KEYS), kind="stable").assign(indikator=definition.id)
    zaehler, nenner = rows["zaehler"].to_numpy(float), rows["nenner"].to_numpy(float)
    # Multiply first so the only rounding is the final division; no denominator → NaN, not inf.
    wert = np.divide(zaehler * definition.per, nenner, out=np.full(len(rows), np.nan), where=nenner != 0)
    return rows.assign(wert=wert)


def compute_indicators(tables: Tables) -> pd.DataFrame:
    """Every indicator for every district and year present, plus the city, in long format.

    Indicators that need an optional table (``mindestsicherung``) are left out when it is absent.
    """
    empty = pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in load.INDICATOR_COLUMNS.items()})
    frames = [empty]  # keeps columns and types when no indicator can be computed
    for definition in INDICATORS:
        numerator, denominator = _COUNTS[definition.id]
        missing = [t for t in dict.fromkeys(numerator.tables + denominator.tables) if t not in tables]
        if any(TABLES[t].required for t in missing):
            raise DataError(
                f"Indicator {definition.id} needs the table(s) {', '.join(missing)}. Run the validate stage first."
            )
        if missing:
            continue
        frames.append(_rate(definition, numerator.compute(tables), denominator.compute(tables)))
    frame = pd.concat([f[list(COLUMNS)] for f in frames], ignore_index=True)
    return frame.astype(load.INDICATOR_COLUMNS)


# --- cells protected at source ---------------------------------------------------------------------


def marked_tables(tables: Tables, cells: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The tables with every count 0, except 1 in each cell listed in ``cells``."""
    marked = {}
    for name, frame in tables.items():
        spec, frame = TABLES[name], frame.copy()
        frame[list(spec.counts)] = 0
        own = cells[cells["tabelle"] == name]
        if not own.empty:
            rest = [key for key in spec.keys if key not in ("jahr", "kennziffer")]
            keys = pd.MultiIndex.from_arrays(
                [
                    frame["jahr"],
                    frame["kennziffer"] if spec.district_level else pd.Series(0, index=frame.index),
                    frame[rest].astype(str).apply(lambda r: ";".join(f"{k}={v}" for k, v in r.items()), axis=1)
                    if rest
                    else pd.Series("", index=frame.index),
                ]
            )
            for cell in own.itertuples(index=False):
                frame.loc[keys.get_indexer([(cell.jahr, cell.kennziffer, cell.schluessel)]), cell.spalte] = 1
        marked[name] = frame
    return marked


def unreconciled_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells protected at source that no total row of the file reconciles: the city's sum over
    them is not exact either."""
    return cells[cells["abgeglichen"] != "ja"]


def source_protected(tables: Tables, cells: pd.DataFrame) -> pd.DataFrame:
    """Which indicator values rest on a cell protected at source: columns indikator, jahr, kennziffer,
    zaehler, nenner (booleans), one row per value with at least one of them True.

    A district value rests on every protected cell it sums. A city value rests only on those not
    reconciled with a total row of the raw file (``abgeglichen`` = ``nein``): where the file
    published the city total, the city's sum is exact (the validate stage imputed the remainder).
    """
    rows = []
    if not cells.empty:
        every, unreconciled = marked_tables(tables, cells), marked_tables(tables, unreconciled_cells(cells))
        for definition in INDICATORS:
            counts = _COUNTS[definition.id]
            if any(t not in tables for count in counts for t in count.tables):
                continue
            parts = {}
            for part, count in zip(("zaehler", "nenner"), counts):
                districts = count.compute(every) if definition.level == "stadtbezirk" else None
                city = _city(count.compute(unreconciled)).to_frame().assign(kennziffer=CITY)
                city = city.set_index("kennziffer", append=True).iloc[:, 0]
                parts[part] = (
                    city if districts is None or districts.index.nlevels == 1 else pd.concat([districts, city])
                )
            pair = pd.concat(parts, axis=1).fillna(0) > 0
            pair = pair[pair.any(axis=1)].reset_index().assign(indikator=definition.id)
            rows.append(pair)
    columns = ["indikator", "jahr", "kennziffer", "zaehler", "nenner"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="bool" if c in ("zaehler", "nenner") else "object") for c in columns})
    return pd.concat(rows, ignore_index=True)[columns].sort_values(columns[:3], ignore_index=True)


def hide_source_protected(protected: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """``protect_indicators``' output with :data:`SOURCE_PROTECTED` for every zaehler and nenner that
    ``marks`` (from :func:`source_protected`) names, and for their wert unless the nenner is 0."""
    if marks.empty:
        return protected
    frame = protected.copy()
    keys = ["indikator", "jahr", "kennziffer"]
    flags = frame[keys].merge(marks, on=keys, how="left").fillna({"zaehler": False, "nenner": False})
    reason = "beruht auf einer an der Quelle anonymisierten oder gesperrten Angabe"
    for part in ("zaehler", "nenner"):
        hit = flags[part].astype(bool).to_numpy()
        frame.loc[hit, f"{part}_status"], frame.loc[hit, f"{part}_grund"] = SOURCE_PROTECTED, reason
    value = (flags["zaehler"].astype(bool) | flags["nenner"].astype(bool)).to_numpy() & (frame["nenner"] != 0)
    frame.loc[value, "wert_status"], frame.loc[value, "wert_grund"] = SOURCE_PROTECTED, reason
    return frame


def protect(edition: Edition, tables: Tables, frame: pd.DataFrame) -> Protection:
    """The edition's confidentiality over linked tables (:mod:`~sozialplanung.statistics.publication_plan`)."""
    settings = edition.config.confidentiality
    cells = load.read_protected(edition.paths.tables_dir)
    protection = protect_edition(
        tables,
        frame[frame["jahr"].between(edition.config.first_year, edition.config.year)].reset_index(drop=True),
        INDICATOR_CELLS,
        Rule(settings.threshold, settings.protection_range),
        edition.config.year,
        tuple(int(k) for k in load.profile_districts(edition)["kennziffer"]),
        counted_denominators=COUNTED_DENOMINATORS,
        per={d.id: d.per for d in INDICATORS},
        marked=(marked_tables(tables, cells), marked_tables(tables, unreconciled_cells(cells))),
        city_level=CITY_LEVEL,
        workers=os.cpu_count() or 1,
    )
    # Denominators published only through their rates are outside the model: mark what rests on a
    # protected cell.
    indicators = hide_source_protected(protection.indicators, source_protected(tables, cells))
    return replace(protection, indicators=indicators)


def run_indicators(edition: Edition) -> pd.DataFrame:
    """Compute the indicators of an edition from its validated tables, protect them, and write the
    indicators, the statuses the report reads, and the internal audit of every hidden count (never
    published)."""
    tables = load.read_tables(edition.paths.tables_dir)
    frame = compute_indicators(tables)
    protection = protect(edition, tables, frame)
    paths = edition.paths
    load.write_frame(frame, paths.indicators_file)
    statuses = protection.indicators[list(load.INDICATOR_STATUS_COLUMNS)]
    load.write_frame(statuses, paths.indicator_status_file)
    load.write_frame(protection.pyramids, paths.pyramid_file)
    load.write_frame(protection.totals, paths.hidden_totals_file)
    districts = load.read_districts(edition.project.districts_file)
    audit = audit_frame(protection.indicators, districts)
    load.write_frame(audit, paths.audit_file)
    load.write_frame(protection.audit, paths.model_audit_file)
    return frame


def _rows(frame: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    indicator(indicator_id)
    rows = frame[frame["indikator"] == indicator_id]
    if rows.empty:
        raise KeyError(f"No values of indicator {indicator_id!r} (is its data missing?)")
    return rows


def indicator_table(
    frame: pd.DataFrame, indicator_id: str, year: int | None = None, *, with_city: bool = True
) -> pd.DataFrame:
    """One indicator in one year (default: the latest), one row per district, the city row last."""
    rows = _rows(frame, indicator_id)
    year = int(rows["jahr"].max()) if year is None else year
    rows = rows[rows["jahr"] == year]
    if rows.empty:
        years = ", ".join(str(y) for y in sorted(_rows(frame, indicator_id)["jahr"].unique()))
        raise KeyError(f"No values of {indicator_id!r} for {year}; years: {years}")
    districts = rows[rows["kennziffer"] != CITY]
    city = rows[rows["kennziffer"] == CITY]
    table = pd.concat([districts, city]) if with_city else districts
    return table[["kennziffer", "zaehler", "nenner", "wert"]].reset_index(drop=True)


def time_series(frame: pd.DataFrame, indicator_id: str, kennziffer: int = CITY) -> pd.DataFrame:
    """One indicator of one district (default: the city) over the years, oldest first."""
    rows = _rows(frame, indicator_id)
    rows = rows[rows["kennziffer"] == kennziffer]
    if rows.empty:
        raise KeyError(f"No values of {indicator_id!r} for kennziffer {kennziffer}")
    return rows.sort_values("jahr")[["jahr", "zaehler", "nenner", "wert"]].reset_index(drop=True)


def city_value(frame: pd.DataFrame, indicator_id: str, year: int) -> float:
    """The city-wide value of one indicator in one year (NaN when it has no denominator)."""
    series = time_series(frame, indicator_id, CITY)
    match = series.loc[series["jahr"] == year, "wert"]
    if match.empty:
        raise KeyError(f"No city value of {indicator_id!r} for {year}")
    return float(match.iloc[0])
