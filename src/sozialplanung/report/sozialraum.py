"""The Sozialräumliche Analyse: the Sozialindex as maps, tables and text for the chapter.

The index itself is computed in :mod:`sozialplanung.statistics.sozialindex`, over published values
only and without districts whose status values are hidden; this module shows it.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.core.errors import DataError
from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE, format_count, format_number, format_rate
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.figures import FigureOutput
from sozialplanung.report.maps import tile_map
from sozialplanung.report.sentences import DISTRICT, join_names, number_word
from sozialplanung.report.tables import INDEX_KEY, Column, ReportTable, cell_key, pooled_key, report_table
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.confidentiality import SYMBOL_CONFIDENTIAL, SYMBOL_ZERO
from sozialplanung.statistics.index_comparison import (
    ATTENTION_STATUS,
    NO_DYNAMICS,
    attention,
    class_changes,
    status_dynamics_matrix,
)
from sozialplanung.statistics.sozialindex import (
    DYNAMICS_CLASSES,
    STATUS_CLASSES,
    SozialindexResult,
    compute_sozialindex,
    smoothing_span,
)

STATUS_ADJECTIVE = {"hoch": "hohen", "mittel": "mittleren", "niedrig": "niedrigen", "sehr niedrig": "sehr niedrigen"}
"""Status classes as the adjective in "einen … sozialen Status"."""
METHOD_CHAPTER_SUFFIX = "_methodik"
"""The chapter that describes the index method (its section "Sozialindex"): the one place every
pointer to the method names."""


def method_pointer(chapter: ChapterContext) -> str:
    """The sentence that points to the index method: the method chapter's section Sozialindex."""
    titles = [c.title for c in chapter.config.chapters if c.id.endswith(METHOD_CHAPTER_SUFFIX)]
    if not titles:
        return ""
    return f"Die Einzelheiten des Verfahrens beschreibt das Kapitel „{titles[0]}“ im Abschnitt Sozialindex."


def _names(chapter: ChapterContext, kennziffern: list[int]) -> list[str]:
    names = chapter.districts.set_index("kennziffer")["stadtbezirk"]
    return [str(names[k]) for k in kennziffern]


def _with_names(chapter: ChapterContext, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(chapter.districts[["kennziffer", "stadtbezirk"]], on="kennziffer")


def intro_text(chapter: ChapterContext) -> str:
    """The chapter's opening paragraph: what the index does, from the configuration."""
    count = len(chapter.config.index.status_indicators)
    return (
        "Soziale Benachteiligung verteilt sich nicht gleichmäßig über die Stadt. Der Sozialindex fasst "
        f"{number_word(count)} Kennzahlen der vorangehenden Kapitel zu einem Wert je Stadtbezirk zusammen und "
        "ordnet die Stadtbezirke in Klassen des sozialen Status ein. Die Klassen vergleichen die Marburger "
        "Stadtbezirke untereinander: Sie zeigen, wo sich Problemlagen im Verhältnis zur übrigen Stadt bündeln "
        "und wo sich die Lage gegenüber den anderen Stadtbezirken verändert – eine Grundlage, um soziale "
        "Infrastruktur, Quartiersarbeit und Förderprogramme gezielt einzusetzen. Das Verfahren folgt dem "
        "Monitoring Soziale Stadtentwicklung in Berlin und dem Sozialmonitoring in Hamburg. "
        f"{method_pointer(chapter)}"
    ).rstrip()


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
        f"{format_count(chapter.config.index.min_population)} Einwohnern sind nicht einbezogen."
        f"{'' if dynamics else _borderline_note(result, chapter)} Quelle: {chapter.source}.",
    )


def _borderline_note(result: SozialindexResult, chapter: ChapterContext) -> str:
    marked = _with_names(chapter, result.values[result.values["borderline"]]).sort_values("kennziffer")
    if marked.empty:
        return ""
    return f" Grenzfälle (Einstufung unsicher): {join_names(marked['stadtbezirk'])}."


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
    span = smoothing_span(result.config, result.year)
    records = []
    for _, row in values.iterrows():
        record = {"stadtbezirk": row["stadtbezirk"], "zeitraum": str(result.year)}
        kennziffer = int(row["kennziffer"])
        for indicator_id in ids:
            shown = chapter.published_rate(by_district[indicator_id].loc[row["kennziffer"]])
            if shown == SYMBOL_CONFIDENTIAL:
                raise ValueError(
                    f"{row['stadtbezirk']} is in the Sozialindex {result.year} although its {indicator_id} is hidden."
                )
            record[indicator_id] = shown
            record[f"{indicator_id}_key"] = cell_key("indikator", indicator_id, "wert", result.year, kennziffer)
            if row["smoothed"]:  # the value the index standardises: pooled over the years of the span
                record[indicator_id] = SYMBOL_ZERO if row[indicator_id] == 0 else format_rate(row[indicator_id], 1)
                record[f"{indicator_id}_key"] = pooled_key(indicator_id, span, kennziffer)
                record["zeitraum"] = f"{span[0]}–{span[-1]}"
            record[f"z_{indicator_id}"] = format_number(row[f"z_{indicator_id}"], 2)
        record["score"] = format_number(row["status_score"], 2)
        record["status"] = str(row["status_class"])
        record["grenzfall"] = "ja" if row["borderline"] else "nein"
        record["dynamik"] = (
            str(row["dynamics_class"]) if isinstance(row["dynamics_class"], str) else SYMBOL_NOT_APPLICABLE
        )
        record["rang"] = format_count(int(row["rank"]))
        # what each number is, for the publish gate's attacker (route: z · SD + mean)
        for part in (*(f"z_{i}" for i in ids), "score", "status", "rang"):
            record[f"{part}_key"] = cell_key(INDEX_KEY, result.year, kennziffer, part)
        records.append(record)
    columns = [Column("Stadtbezirk", "stadtbezirk")]
    if values["smoothed"].any():
        columns.append(Column("Werte aus", "zeitraum"))
    for indicator_id in ids:
        name = ind.indicator(indicator_id).name
        columns.append(Column(name, indicator_id, "formatted", decimals=1, keys=f"{indicator_id}_key"))
        columns.append(Column(f"z {name}", f"z_{indicator_id}", "formatted", decimals=2, keys=f"z_{indicator_id}_key"))
    columns += [
        Column("Statuswert", "score", "formatted", decimals=2, keys="score_key"),
        Column("Status", "status", keys="status_key"),
        Column("Grenzfall", "grenzfall"),
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
    """German summary of the status classes, the most disadvantaged and the borderline districts."""
    result = chapter.sozialindex
    counts = result.class_counts()
    names = _with_names(chapter, result.values).sort_values(["rank", "kennziffer"])
    top = names[names["rank"] <= 2]["stadtbezirk"].tolist()
    shown = [c for c in STATUS_CLASSES if counts[c] > 0]
    parts = join_names([f"{format_count(int(counts[c]))} einen {STATUS_ADJECTIVE[c]}" for c in shown])
    verb = "hat" if len(shown) == 1 and counts[shown[0]] == 1 else "haben"
    text = (
        f"Von den {format_count(len(result.values))} in den Sozialindex {result.year} einbezogenen Stadtbezirken "
        f"{verb} {parts} sozialen Status."
    )
    empty = [c for c in STATUS_CLASSES if counts[c] == 0]
    if empty:
        bands = status_bands(chapter.config.index.status_limits)
        classes = join_names([f"einen {STATUS_ADJECTIVE[c]}" for c in empty], "oder")
        ranges = bands[empty[0]] if len(empty) == 1 else join_names([f"{bands[c]} für „{c}“" for c in empty])
        text += (
            f" Keiner hat {classes} (Statuswert {ranges}): Die Klassen messen in Standardabweichungen, wie weit "
            "ein Stadtbezirk vom Durchschnitt der Marburger Stadtbezirke abweicht, und in diesem Jahr fällt kein "
            f"Statuswert in {'diesen Bereich' if len(empty) == 1 else 'diese Bereiche'}."
        )
    text += f" Am stärksten benachteiligt {'ist' if len(top) == 1 else 'sind'} {districts_phrase(top)}."
    return text + " " + borderline_text(chapter)


def status_bands(limits: tuple[float, ...] | list[float]) -> dict[str, str]:
    """The range of standardised scores of each status class, in words ("von 1,00 bis unter 1,50"),
    by the convention of :func:`~sozialplanung.statistics.sozialindex.class_of` (a score on a limit
    falls in the more disadvantaged class)."""
    a, b, c = (format_number(limit, 2) for limit in limits)
    return dict(
        zip(STATUS_CLASSES, (f"unter {a}", f"von {a} bis unter {b}", f"von {b} bis unter {c}", f"ab {c}"), strict=True)
    )


def borderline_text(chapter: ChapterContext) -> str:
    """Which districts' classes are borderline (near a limit or changing with one case), or that none is."""
    result = chapter.sozialindex
    margin = format_number(chapter.config.index.borderline_margin, 2)
    marked = _with_names(chapter, result.values[result.values["borderline"]]).sort_values(["rank", "kennziffer"])
    if marked.empty:
        return (
            f"Kein Stadtbezirk liegt näher als {margin} Standardabweichungen an einer Klassengrenze oder wechselt "
            "mit einem Fall mehr oder weniger die Klasse."
        )
    listed = districts_phrase(
        [f"{row.stadtbezirk} ({row.status_class}; {row.borderline_reason})" for row in marked.itertuples()],
        "genitive",
    )
    one = len(marked) == 1
    return (
        f"{'Ein Grenzfall ist die Einstufung' if one else 'Grenzfälle sind die Einstufungen'} {listed}: "
        f"{'Seine' if one else 'Ihre'} Klasse kann sich schon durch wenige Fälle ändern. Nahe an einer "
        f"Klassengrenze heißt: höchstens {margin} Standardabweichungen von ihr entfernt."
    )


def dynamics_text(chapter: ChapterContext) -> str:
    """What the dynamics compare, which districts are classed "negativ" and which have no class."""
    result, index = chapter.sozialindex, chapter.config.index
    values = _with_names(chapter, result.values).sort_values(["rank", "kennziffer"])
    text = (
        f"Der Dynamikindex vergleicht die Veränderung der Statusindikatoren von {result.earlier_year} bis "
        f"{result.year} zwischen den Stadtbezirken. Eine negative Dynamik heißt: Die Benachteiligung hat stärker "
        "zugenommen (oder schwächer abgenommen) als in den anderen Stadtbezirken."
    )
    if result.dynamics_reason:
        return f"{text} {result.dynamics_reason}"
    negative = values[values["dynamics_class"] == "negativ"]["stadtbezirk"].tolist()
    if negative:
        text += (
            f" Eine negative Dynamik {'hat' if len(negative) == 1 else 'haben'} {districts_phrase(negative)}; "
            "hier lohnt es sich, früh hinzusehen, auch wenn der Status noch nicht niedrig ist."
        )
    else:
        text += " Kein Stadtbezirk hat eine negative Dynamik."
    few = values[values["dynamics_reason"].fillna("").str.startswith("zu wenige Fälle")]["stadtbezirk"].tolist()
    if few:
        text += (
            f" Ohne Dynamik {'bleibt' if len(few) == 1 else 'bleiben'} {districts_phrase(few)}: Dort beruht mindestens "
            f"ein Statusindikator in beiden Jahren auf weniger als {format_count(index.dynamics_min_cases)} Fällen, "
            "sodass schon wenige Fälle die Veränderung bestimmen."
        )
    hidden = values[values["dynamics_reason"].fillna("").str.contains("Geheimhaltung")]["stadtbezirk"].tolist()
    if hidden:
        text += (
            f" Keine Dynamik {'hat' if len(hidden) == 1 else 'haben'} außerdem {districts_phrase(hidden)}, "
            f"weil ein Wert für {result.earlier_year} aus Gründen der Geheimhaltung nicht ausgewiesen ist."
        )
    return text


def matrix_table(chapter: ChapterContext) -> ReportTable:
    """Status classes (rows) × dynamics classes (columns), each cell naming its districts."""
    result = chapter.sozialindex
    matrix = status_dynamics_matrix(result)
    frame = matrix.map(lambda codes: ", ".join(sorted(_names(chapter, codes))) or "–")
    frame = frame.rename_axis("status").reset_index()
    columns = [Column("Sozialer Status", "status")] + [
        Column(f"Dynamik {c}" if c != NO_DYNAMICS else "ohne Dynamik", c) for c in matrix.columns
    ]
    return report_table(
        frame,
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Stadtbezirke nach sozialem Status {result.year} und Dynamik {result.earlier_year}–{result.year}",
    )


def attention_text(chapter: ChapterContext) -> str:
    """The districts that need attention (low or very low status, negative dynamics), defined in the text."""
    result = chapter.sozialindex
    definition = (
        "Besonderer Handlungsbedarf besteht dort, wo ein niedriger oder sehr niedriger sozialer Status mit einer "
        "negativen Dynamik zusammentrifft: Die Benachteiligung ist hoch und nimmt im Vergleich zur übrigen Stadt "
        "weiter zu (wie im Berliner Monitoring Soziale Stadtentwicklung)."
    )
    if result.dynamics_reason:
        return f"{definition} Ohne Dynamik lässt sich das für {result.year} nicht feststellen."
    chosen = attention(result)
    if chosen:
        grammar = chapter.district_grammar
        places = join_names(grammar.dative(k) for k in chosen)
        return f"{definition} Das ist {result.year} {places} der Fall."
    low = result.values[result.values["status_class"].astype(str).isin(ATTENTION_STATUS)]
    without = low[low["dynamics_class"].isna()]
    text = f"{definition} Das trifft {result.year} auf keinen Stadtbezirk zu."
    if not without.empty:
        named = _with_names(chapter, without).sort_values("kennziffer")
        listed = districts_phrase(
            [f"{row.stadtbezirk} (Status {row.status_class})" for row in named.itertuples()], "accusative"
        )
        text += f" Für {listed} lässt es sich allerdings nicht prüfen, weil dort keine Dynamik berechnet werden kann."
    return text


def _previous(chapter: ChapterContext) -> SozialindexResult | None:
    try:
        return compute_sozialindex(chapter.indicators, chapter.config.index, chapter.year - 1)
    except DataError:
        return None


def class_changes_text(chapter: ChapterContext) -> str:
    """Status class changes since the previous edition (the year before, same method, this edition's data)."""
    result, previous_year = chapter.sozialindex, chapter.year - 1
    previous = _previous(chapter)
    against = (
        f"Verglichen wird mit dem Sozialindex {previous_year}, berechnet mit demselben Verfahren aus den Daten "
        "dieses Berichts, damit eine andere Klasse eine Veränderung der Lage zeigt und nicht eine des Verfahrens."
    )
    if previous is None:
        return f"Für {previous_year} liegen keine Werte vor; ein Vergleich mit dem Vorjahr ist nicht möglich."
    changes = _with_names(chapter, class_changes(result, previous)).sort_values("kennziffer")
    moved = changes[changes["direction"].isin(["günstiger", "ungünstiger"])]
    if moved.empty:
        text = f"{against} Kein Stadtbezirk hat seine Statusklasse gegenüber {previous_year} gewechselt."
    else:
        listed = join_names(f"{row.stadtbezirk} (von {row.before} zu {row.after})" for row in moved.itertuples())
        text = (
            f"{against} Gegenüber {previous_year} hat sich die Statusklasse von "
            f"{count_districts(len(moved))} geändert: {listed}."
        )
    entered = changes[changes["direction"] == "neu einbezogen"]["stadtbezirk"].tolist()
    left = changes[changes["direction"] == "nicht mehr einbezogen"]["stadtbezirk"].tolist()
    if entered:
        text += f" Neu einbezogen {'ist' if len(entered) == 1 else 'sind'} {districts_phrase(entered)}."
    if left:
        text += (
            f" Nicht mehr einbezogen {'ist' if len(left) == 1 else 'sind'} {districts_phrase(left)} "
            "(die Gründe nennt der Abschnitt Sozialer Status)."
        )
    if entered or left:
        text += " Ob ein Stadtbezirk einbezogen ist, hängt von seiner Einwohnerzahl und der Geheimhaltung ab."
    return text


_DISTRICT_ARTICLES = {
    "nominative": ("der Stadtbezirk", "die Stadtbezirke"),
    "accusative": ("den Stadtbezirk", "die Stadtbezirke"),
    "genitive": ("des Stadtbezirks", "der Stadtbezirke"),
}


def districts_phrase(names: list[str], case: str = "nominative") -> str:
    """Districts named after their noun, which fits every name in every case: "der Stadtbezirk
    Campusviertel", "die Stadtbezirke Stadtwald und Südbahnhof" (a bare name would need its own
    article: "das Campusviertel", but "Cappel")."""
    singular, plural = _DISTRICT_ARTICLES[case]
    return f"{singular if len(names) == 1 else plural} {join_names(names)}"


def count_districts(n: int) -> str:
    """ "einem Stadtbezirk", "drei Stadtbezirken" (dative, after "von")."""
    return f"einem {DISTRICT.singular}" if n == 1 else f"{number_word(n)} {DISTRICT.plural_dative()}"


def index_excluded_text(chapter: ChapterContext) -> str:
    """Which districts the index leaves out (and why), and which enter it with pooled values."""
    result = chapter.sozialindex
    excluded = result.excluded.merge(chapter.districts[["kennziffer", "stadtbezirk"]], on="kennziffer")
    if excluded.empty:
        text = "Alle Stadtbezirke sind in den Sozialindex einbezogen."
    else:
        listed = "; ".join(f"{row.stadtbezirk}: {row.reason}" for row in excluded.itertuples())
        text = (
            f"Nicht in den Sozialindex einbezogen sind {format_count(len(excluded))} Stadtbezirke: {listed}. "
            "In so kleinen Stadtbezirken hängen Quoten an wenigen Personen und schwanken zufällig; "
            "ihre Werte stehen in den Stadtteilprofilen, soweit die Geheimhaltung es erlaubt."
        )
    return text + _smoothed_sentence(chapter)


def _smoothed_sentence(chapter: ChapterContext) -> str:
    result = chapter.sozialindex
    smoothed = result.values[result.values["smoothed"]]
    if smoothed.empty:
        return ""
    names = _names(chapter, smoothed["kennziffer"].astype(int).tolist())
    span = smoothing_span(result.config, result.year)
    verb = "geht" if len(names) == 1 else "gehen"
    return (
        f" Mit weniger als {format_count(result.config.smoothing_population)} Einwohnern {verb} "
        f"{districts_phrase(names)} mit Werten in den Index ein, die über die Jahre {span[0]} bis {span[-1]} "
        "zusammengefasst sind (Spalte „Werte aus“ der Tabelle am Ende dieses Kapitels)."
    )
