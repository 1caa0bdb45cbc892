"""The Sozialräumliche Analyse: the Sozialindex as maps, tables and text for the chapter.

The index itself is computed in :mod:`sozialplanung.statistics.sozialindex`, over published values
only and without districts whose status values are hidden; this module shows it.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE, format_count, format_number
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.figures import FigureOutput
from sozialplanung.report.maps import tile_map
from sozialplanung.report.tables import INDEX_KEY, Column, ReportTable, cell_key, report_table
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.confidentiality import SYMBOL_CONFIDENTIAL
from sozialplanung.statistics.sozialindex import DYNAMICS_CLASSES, STATUS_CLASSES


def index_map(chapter: ChapterContext, dynamics: bool = False) -> FigureOutput:
    """Sozialindex classes (status, or dynamics) of every district; left-out districts are marked."""
    result = chapter.sozialindex
    column, classes = ("dynamics_class", DYNAMICS_CLASSES) if dynamics else ("status_class", STATUS_CLASSES)
    values = result.values[["kennziffer", column]].rename(columns={column: "klasse"})
    values = values.assign(klasse=values["klasse"].astype(object).where(values["klasse"].notna(), None))
    name = f"Dynamik {result.earlier_year}–{result.year}" if dynamics else f"Sozialer Status {result.year}"
    return tile_map(
        values,
        chapter.districts,
        kind="class",
        classes=classes,
        title=f"Sozialindex: {name}",
        legend_title=name,
        boundaries=chapter.boundaries,
        caption=f"Karte: Sozialindex, {name}, nach Stadtbezirken. Stadtbezirke mit weniger als "
        f"{format_count(chapter.config.index.min_population)} Einwohnern sind nicht einbezogen. "
        f"Quelle: {chapter.source}.",
    )


def index_table(chapter: ChapterContext) -> ReportTable:
    """Every district of the index: its status indicators, their z-values, score, classes and rank.

    A district whose status indicator is hidden is not in the index at all
    (:func:`~sozialplanung.statistics.sozialindex.compute_sozialindex` leaves it out and says why):
    its z-value would give the hidden rate back (z · SD + mean). Each number carries its meaning
    (``data-zelle``) for the publish gate's attacker.
    """
    result, ids = chapter.sozialindex, chapter.config.index.status_indicators
    values = result.values.merge(chapter.districts[["kennziffer", "stadtbezirk"]], on="kennziffer")
    by_district = {i: chapter.by_district(i).set_index("kennziffer") for i in ids}
    records = []
    for _, row in values.iterrows():
        record = {"stadtbezirk": row["stadtbezirk"]}
        for indicator_id in ids:
            shown = chapter.published_rate(by_district[indicator_id].loc[row["kennziffer"]])
            if shown == SYMBOL_CONFIDENTIAL:
                raise ValueError(
                    f"{row['stadtbezirk']} is in the Sozialindex {result.year} although its {indicator_id} is hidden."
                )
            record[indicator_id] = shown
            record[f"z_{indicator_id}"] = format_number(row[f"z_{indicator_id}"], 2)
        record["score"] = format_number(row["status_score"], 2)
        record["status"] = str(row["status_class"])
        record["dynamik"] = (
            str(row["dynamics_class"]) if isinstance(row["dynamics_class"], str) else SYMBOL_NOT_APPLICABLE
        )
        record["rang"] = format_count(int(row["rank"]))
        # what each number is, for the publish gate's attacker (route: z · SD + mean)
        kennziffer = int(row["kennziffer"])
        for indicator_id in ids:
            record[f"{indicator_id}_key"] = cell_key("indikator", indicator_id, "wert", result.year, kennziffer)
        for part in (*(f"z_{i}" for i in ids), "score", "status", "rang"):
            record[f"{part}_key"] = cell_key(INDEX_KEY, result.year, kennziffer, part)
        records.append(record)
    columns = [Column("Stadtbezirk", "stadtbezirk")]
    for indicator_id in ids:
        name = ind.indicator(indicator_id).name
        columns.append(Column(name, indicator_id, "formatted", decimals=1, keys=f"{indicator_id}_key"))
        columns.append(Column(f"z {name}", f"z_{indicator_id}", "formatted", decimals=2, keys=f"z_{indicator_id}_key"))
    columns += [
        Column("Statuswert", "score", "formatted", decimals=2, keys="score_key"),
        Column("Status", "status", keys="status_key"),
        Column(f"Dynamik {result.earlier_year}–{result.year}", "dynamik"),
        Column("Rang", "rang", "formatted", decimals=0, keys="rang_key"),
    ]
    return report_table(
        pd.DataFrame(records),
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Sozialindex {result.year}: Statusindikatoren, z-Werte und Klassen nach Stadtbezirken",
    )


def index_classes_table(chapter: ChapterContext) -> ReportTable:
    """How many districts fall into each status class, and which."""
    result = chapter.sozialindex
    names = result.values.merge(chapter.districts[["kennziffer", "stadtbezirk"]], on="kennziffer")
    counts = result.class_counts()
    frame = pd.DataFrame(
        {
            "klasse": list(counts.index.astype(str)),
            "anzahl": counts.to_numpy(),
            "bezirke": [", ".join(names.loc[names["status_class"] == c, "stadtbezirk"]) or "–" for c in counts.index],
        }
    )
    columns = [
        Column("Sozialer Status", "klasse"),
        Column("Stadtbezirke", "anzahl", "number"),
        Column("Welche", "bezirke"),
    ]
    return report_table(
        frame,
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Stadtbezirke nach sozialem Status {result.year}",
        sheet_name=f"Sozialer Status {result.year}",
    )


def index_summary_text(chapter: ChapterContext) -> str:
    """German summary of the status classes and the most disadvantaged districts."""
    result = chapter.sozialindex
    counts = result.class_counts()
    names = result.values.merge(chapter.districts[["kennziffer", "stadtbezirk"]], on="kennziffer").sort_values("rank")
    top = names.head(2)["stadtbezirk"].tolist()
    text = (
        f"Von den {format_count(len(result.values))} in den Sozialindex {result.year} einbezogenen Stadtbezirken haben "
        f"{format_count(int(counts['hoch']))} einen hohen, {format_count(int(counts['mittel']))} einen mittleren, "
        f"{format_count(int(counts['niedrig']))} einen niedrigen und {format_count(int(counts['sehr niedrig']))} "
        f"einen sehr niedrigen sozialen Status. Am stärksten benachteiligt sind {' und '.join(top)}."
    )
    if counts["niedrig"] == 0 and counts["sehr niedrig"] > 0:
        text += (
            " Dass kein Stadtbezirk einen niedrigen Status hat, liegt am Verfahren: Die sehr hohen Werte weniger "
            "Stadtbezirke vergrößern die Standardabweichung, sodass die übrigen nah beieinander im mittleren "
            "Bereich liegen."
        )
    return text


def index_excluded_text(chapter: ChapterContext) -> str:
    result = chapter.sozialindex
    excluded = result.excluded.merge(chapter.districts[["kennziffer", "stadtbezirk"]], on="kennziffer")
    if excluded.empty:
        return "Alle Stadtbezirke sind in den Sozialindex einbezogen."
    listed = "; ".join(f"{row.stadtbezirk}: {row.reason}" for row in excluded.itertuples())
    return (
        f"Nicht in den Sozialindex einbezogen sind {format_count(len(excluded))} Stadtbezirke: {listed}. "
        "In so kleinen Stadtbezirken hängen Quoten an wenigen Personen und schwanken zufällig; "
        "ihre Werte stehen in den Stadtteilprofilen, soweit die Geheimhaltung es erlaubt."
    )
