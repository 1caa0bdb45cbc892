"""Participation of people with disabilities: severe disability by age and sex, and the monitoring
of the Aktionsplan (measures by field of action and status, progress since the previous edition).

Counts of people pass the confidentiality rule; counts of *measures* are facts about the city's
work, not about people, and are published as they are.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.core.formats import format_count, format_date
from sozialplanung.data.ages import AgeRange, band_limits, population
from sozialplanung.data.contract import ACTION_FIELDS, DISABILITY_AGE_GROUPS, MEASURE_STATUSES, SEXES
from sozialplanung.report.chapter import ChapterContext, total_codes
from sozialplanung.report.figures import FigureOutput, grouped_bars
from sozialplanung.report.tables import Column, ReportTable, cell_key, report_table
from sozialplanung.statistics.confidentiality import PUBLISHED, SECONDARY, is_hidden

STATUS_LABELS = {
    "umgesetzt": "umgesetzt",
    "in_umsetzung": "in Umsetzung",
    "nicht_begonnen": "nicht begonnen",
    "entfallen": "entfallen",
}
SEX_LABELS = {"w": "Frauen", "m": "Männer"}
TOTAL = "Insgesamt"


def band_label(band: str) -> str:
    """``"0-17"`` → ``"unter 18"``, ``"25-44"`` → ``"25 bis 44"``, ``"75+"`` → ``"75 und älter"``."""
    lower, upper = band_limits(band)
    if upper is None:
        return f"{lower} und älter"
    return f"unter {upper}" if lower == 0 else f"{lower} bis {upper - 1}"


def disability_rates(schwerbehinderte: pd.DataFrame, bevoelkerung: pd.DataFrame, year: int) -> pd.DataFrame:
    """People with GdB ≥ 50 per age band and sex, with residents of the same band and sex.

    Columns: altersgruppe, geschlecht, anzahl, einwohner, quote (per 100; NaN without residents).
    """
    disabled = schwerbehinderte[schwerbehinderte["jahr"] == year]
    rows = []
    for band in DISABILITY_AGE_GROUPS:
        residents = population(
            bevoelkerung[bevoelkerung["jahr"] == year], AgeRange(*band_limits(band)), by=("geschlecht",)
        )
        for sex in SEXES:
            count = int(
                disabled.loc[(disabled["altersgruppe"] == band) & (disabled["geschlecht"] == sex), "anzahl"].sum()
            )
            rows.append(
                {"altersgruppe": band, "geschlecht": sex, "anzahl": count, "einwohner": int(residents.get(sex, 0))}
            )
    frame = pd.DataFrame(rows)
    with_residents = frame["einwohner"] > 0
    frame["quote"] = (frame["anzahl"] / frame["einwohner"].where(with_residents) * 100).astype("float64")
    return frame


def measures_by_field(aktionsplan: pd.DataFrame, year: int) -> pd.DataFrame:
    """Number of measures per field of action (rows, plus ``Insgesamt``) and status (columns)."""
    current = aktionsplan[aktionsplan["jahr"] == year]
    counts = pd.crosstab(current["handlungsfeld"], current["status"])
    counts = counts.reindex(index=list(ACTION_FIELDS), columns=list(MEASURE_STATUSES), fill_value=0)
    counts.loc[TOTAL] = counts.sum()
    counts["massnahmen"] = counts.sum(axis=1)
    return counts.astype("int64")


def status_changes(aktionsplan: pd.DataFrame, year: int, previous: int) -> pd.DataFrame:
    """Measures whose status changed from ``previous`` to ``year``, by measure number."""
    before = aktionsplan[aktionsplan["jahr"] == previous].set_index("massnahme_nr")
    now = aktionsplan[aktionsplan["jahr"] == year].set_index("massnahme_nr")
    common = now.index.intersection(before.index)
    changed = [number for number in common if now.at[number, "status"] != before.at[number, "status"]]
    return pd.DataFrame(
        {
            "massnahme_nr": changed,
            "handlungsfeld": [now.at[n, "handlungsfeld"] for n in changed],
            "titel": [now.at[n, "titel"] for n in changed],
            "vorher": [before.at[n, "status"] for n in changed],
            "jetzt": [now.at[n, "status"] for n in changed],
        }
    )


# --- published tables and figures -------------------------------------------------------------


def protected_disability(chapter: ChapterContext) -> pd.DataFrame:
    """Counts and residents by age band (rows) and sex plus ``Insgesamt`` (columns). Each count is a
    city total of ``schwerbehinderte`` with the status the confidentiality model gives it and its
    meaning (``<label>:anzahl_key``); a rate is hidden when its count is, or when its residents are
    fewer than the threshold."""
    rates = disability_rates(chapter.tables["schwerbehinderte"], chapter.tables["bevoelkerung"], chapter.year)
    bands = list(DISABILITY_AGE_GROUPS)
    wide = pd.DataFrame({"altersgruppe": [band_label(b) for b in bands]})
    by_band = {
        part: rates.pivot(index="altersgruppe", columns="geschlecht", values=part).reindex(index=bands, columns=SEXES)
        for part in ("anzahl", "einwohner")
    }
    for sex, label in (*SEX_LABELS.items(), (None, TOTAL)):
        places = [{"altersgruppe": band, **({"geschlecht": sex} if sex else {})} for band in bands]
        for part, cells in by_band.items():
            wide[f"{label}:{part}"] = (cells[sex] if sex else cells.sum(axis=1)).to_numpy()
        wide[f"{label}:anzahl_status"] = [
            chapter.total_status("schwerbehinderte", "anzahl", chapter.year, **where) for where in places
        ]
        wide[f"{label}:anzahl_key"] = [
            cell_key("summe", "schwerbehinderte", "anzahl", chapter.year, total_codes("schwerbehinderte", where))
            for where in places
        ]
        count, residents = wide[f"{label}:anzahl"], wide[f"{label}:einwohner"]
        wide[f"{label}:quote"] = (count / residents.where(residents > 0) * 100).astype("float64")
        hidden = wide[f"{label}:anzahl_status"].map(is_hidden) | residents.map(chapter.rule.is_confidential)
        wide[f"{label}:quote_status"] = hidden.map({True: SECONDARY, False: PUBLISHED})
    return wide


def disability_table(chapter: ChapterContext) -> ReportTable:
    wide = protected_disability(chapter)
    columns = [Column("Alter (Jahre)", "altersgruppe")]
    for label in (*SEX_LABELS.values(), TOTAL):
        columns += [
            Column(
                f"{label}: Anzahl",
                f"{label}:anzahl",
                "count",
                status=f"{label}:anzahl_status",
                keys=f"{label}:anzahl_key",
            ),
            Column(
                f"{label}: je 100 Einwohner",
                f"{label}:quote",
                "rate",
                numerator=f"{label}:anzahl",
                denominator=f"{label}:einwohner",
                status=f"{label}:quote_status",
            ),
        ]
    return report_table(
        wide,
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Schwerbehinderte Menschen (GdB ≥ 50) nach Alter und Geschlecht {chapter.year}",
    )


def disability_figure(chapter: ChapterContext) -> FigureOutput:
    wide = protected_disability(chapter)
    data = pd.DataFrame(
        [
            {
                "kategorie": band,
                "reihe": label,
                "wert": chapter.rule.rate_cell_or_none(
                    row[f"{label}:quote"],
                    row[f"{label}:anzahl"],
                    row[f"{label}:einwohner"],
                    row[f"{label}:quote_status"],
                ),
            }
            for label in SEX_LABELS.values()
            for band, (_, row) in zip(wide["altersgruppe"], wide.iterrows())
        ]
    )
    return grouped_bars(
        data,
        title=f"Schwerbehinderte je 100 Einwohner nach Alter und Geschlecht {chapter.year}",
        axis_label="je 100 Einwohner gleichen Alters und Geschlechts",
        decimals=1,
        caption=f"Schwerbehinderte Menschen (GdB ≥ 50) je 100 Einwohnerinnen und Einwohner gleichen Alters und "
        f"Geschlechts, {chapter.year}. Quelle: {chapter.source}.",
    )


def progress_text(chapter: ChapterContext) -> str:
    """German paragraph on the state of the Aktionsplan and its progress since the previous year."""
    plan = chapter.tables["aktionsplan"]
    totals = measures_by_field(plan, chapter.year).loc[TOTAL]
    changes = status_changes(plan, chapter.year, chapter.previous_year)
    completed = int((changes["jetzt"] == "umgesetzt").sum())
    return (
        f"Der Aktionsplan umfasst {format_count(int(totals['massnahmen']))} Maßnahmen in "
        f"{format_count(len(ACTION_FIELDS))} Handlungsfeldern. Am {chapter.stichtag} waren "
        f"**{format_count(int(totals['umgesetzt']))}** Maßnahmen umgesetzt, "
        f"{format_count(int(totals['in_umsetzung']))} "
        f"in Umsetzung und {format_count(int(totals['nicht_begonnen']))} noch nicht begonnen; "
        f"{format_count(int(totals['entfallen']))} Maßnahmen sind entfallen. "
        f"Seit dem 31.12.{chapter.previous_year} hat sich "
        f"der Stand von {format_count(len(changes))} Maßnahmen verändert, "
        f"{format_count(completed)} davon wurden abgeschlossen."
    )


def measures_table(chapter: ChapterContext) -> ReportTable:
    counts = measures_by_field(chapter.tables["aktionsplan"], chapter.year).reset_index(names="handlungsfeld")
    columns = [Column("Handlungsfeld", "handlungsfeld"), Column("Maßnahmen", "massnahmen", "number")]
    columns += [Column(STATUS_LABELS[status], status, "number") for status in MEASURE_STATUSES]
    return report_table(
        counts,
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Maßnahmen des Aktionsplans nach Handlungsfeld und Umsetzungsstand {chapter.year}",
    )


def progress_figure(chapter: ChapterContext) -> FigureOutput:
    plan = chapter.tables["aktionsplan"]
    rows = []
    for year in (chapter.previous_year, chapter.year):
        totals = measures_by_field(plan, year).loc[TOTAL]
        rows += [
            {"kategorie": STATUS_LABELS[s], "reihe": str(year), "wert": float(totals[s])} for s in MEASURE_STATUSES
        ]
    return grouped_bars(
        pd.DataFrame(rows),
        title=f"Umsetzungsstand der Maßnahmen {chapter.previous_year} und {chapter.year}",
        axis_label="Maßnahmen",
        caption=f"Maßnahmen des Aktionsplans nach Umsetzungsstand am 31.12.{chapter.previous_year} und am "
        f"{chapter.stichtag}. Quelle: {chapter.source}.",
    )


def changes_table(chapter: ChapterContext) -> ReportTable:
    changes = status_changes(chapter.tables["aktionsplan"], chapter.year, chapter.previous_year)
    frame = changes.assign(
        massnahme_nr=changes["massnahme_nr"].astype(str),
        vorher=changes["vorher"].map(STATUS_LABELS),
        jetzt=changes["jetzt"].map(STATUS_LABELS),
    )
    columns = [
        Column("Nr.", "massnahme_nr"),
        Column("Maßnahme", "titel"),
        Column("Handlungsfeld", "handlungsfeld"),
        Column(f"Stand {chapter.previous_year}", "vorher"),
        Column(f"Stand {chapter.year}", "jetzt"),
    ]
    return report_table(
        frame,
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Maßnahmen mit verändertem Umsetzungsstand seit {chapter.previous_year}",
    )


def all_measures_table(chapter: ChapterContext) -> ReportTable:
    plan = chapter.tables["aktionsplan"]
    current = plan[plan["jahr"] == chapter.year].sort_values("massnahme_nr")
    frame = current.assign(
        massnahme_nr=current["massnahme_nr"].astype(str),
        status=current["status"].map(STATUS_LABELS),
        stand=current["stand"].map(lambda d: format_date(d.date())),
    )
    columns = [
        Column("Nr.", "massnahme_nr"),
        Column("Maßnahme", "titel"),
        Column("Handlungsfeld", "handlungsfeld"),
        Column("Zuständig", "zustaendigkeit"),
        Column("Umsetzungsstand", "status"),
        Column("Stand", "stand"),
    ]
    return report_table(
        frame,
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Alle Maßnahmen des Aktionsplans und ihr Umsetzungsstand am {chapter.stichtag}",
    )
