"""What changed since the previous edition (``aenderungen.html``).

The page compares this edition with the one its parameters name as ``previous_edition``, each as it
is published: every indicator value formatted by that edition's own confidentiality rule and
statuses (its indicator and status files, as its tables and open-data package show them), its
Sozialindex computed with its own index parameters. It lists

- the key figures of the start page: the previous edition's value for its year beside this one's;
- the districts whose Sozialindex status class differs (better, worse, newly in or out of the index);
- districts and indicators that one edition has and the other has not;
- revised values: a value for a year both editions cover that this edition states differently,
  with both values.

Only values published in both editions are compared: a value that either edition hides is never
shown here, so the page adds nothing to what the two editions publish. Numbers are compared as
published (rounded), so a revision is what a reader of both editions sees. Cells this edition hides
that the previous edition published (:func:`exposed_by_previous`: hiding them protects nothing) are
listed in an internal audit file and named on the console after publishing; the confidentiality
model itself does not yet take an earlier edition into account.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from markupsafe import Markup

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import DataError, PublishError
from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE, format_change, format_date
from sozialplanung.data import load
from sozialplanung.report import sentences
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.sentences import german_sort_key, join_names, number_word
from sozialplanung.report.tables import INDEX_KEY, Column, ReportTable, cell_key, report_table
from sozialplanung.site.citation import Citation, cite_fragment
from sozialplanung.site.datapackage import machine_cell
from sozialplanung.site.downloads import link_downloads
from sozialplanung.site.sitemap import Page
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.confidentiality import is_hidden
from sozialplanung.statistics.index_comparison import class_changes

KEYS = ["jahr", "kennziffer", "indikator"]
DECIMALS = 1  # indicator values are published with one decimal
CITY_NAME = "Marburg gesamt"


@dataclass(frozen=True)
class EditionChanges:
    """Everything the page lists, computed from the two editions' published values."""

    previous: ChapterContext
    current: ChapterContext
    key_figures: pd.DataFrame
    """``indikator``, ``before`` (the previous edition's value for its year), ``after``, ``change``."""
    class_changes: pd.DataFrame | None
    """From :func:`~sozialplanung.statistics.index_comparison.class_changes`; None when an edition has no index."""
    new_districts: tuple[int, ...]
    dropped_districts: tuple[int, ...]
    new_indicators: tuple[str, ...]
    dropped_indicators: tuple[str, ...]
    revisions: pd.DataFrame
    """``indikator``, ``kennziffer``, ``jahr``, ``before``, ``after``, ``difference`` (all as published)."""
    districts: int
    """How many districts this edition has values for."""
    indicators: int
    """How many indicators this edition has values for."""


def published_values(chapter: ChapterContext) -> pd.DataFrame:
    """Every indicator value of an edition as it publishes it: ``jahr``, ``kennziffer``,
    ``indikator``, ``text`` (the cell: a number, ``.`` hidden, ``x`` no base, ``–`` zero) and
    ``value`` (the cell as a number, None where no number is published)."""
    frame = chapter.indicators
    texts = chapter.rule.rates_column(frame["wert"], frame["zaehler"], frame["nenner"], DECIMALS, frame["wert_status"])
    result = frame[KEYS].copy()
    result["text"] = texts.tolist()
    result["value"] = [_number(text) for text in texts]
    return result.reset_index(drop=True)


def _number(text: str) -> Decimal | None:
    """A published cell read back as the open-data package reads it (``–`` is 0), None for ``.``/``x``."""
    value, _symbol = machine_cell(text)
    return Decimal(value) if value else None


PARTS = ("zaehler", "nenner", "wert")


EXPOSED_COLUMNS = {"indikator": "string", "kennziffer": "int64", "jahr": "int64", "teil": "string"}
"""The columns of :func:`exposed_by_previous` and of the audit file it is written to."""


def exposed_by_previous(current: ChapterContext, previous: ChapterContext) -> pd.DataFrame:
    """Cells this edition hides that the previous edition published, for the years both cover
    (``indikator``, ``kennziffer``, ``jahr``, ``teil``: zaehler, nenner or wert).

    Hiding such a cell protects nothing: anyone reads it (or, if it has since been revised, nearly
    it) in the previous edition, and with it whatever its hiding was to protect."""
    statuses = [f"{part}_status" for part in PARTS]
    both = previous.indicators[[*KEYS, *statuses]].merge(
        current.indicators[[*KEYS, *statuses]], on=KEYS, suffixes=("_before", "_after")
    )
    rows = []
    for part in PARTS:
        shown_before = ~both[f"{part}_status_before"].map(is_hidden)
        hidden_now = both[f"{part}_status_after"].map(is_hidden)
        for row in both[shown_before & hidden_now].itertuples(index=False):
            rows.append(
                {"indikator": row.indikator, "kennziffer": int(row.kennziffer), "jahr": int(row.jahr), "teil": part}
            )
    return exposed_frame(rows)


def exposed_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """``rows`` as a frame of exposed cells, with :data:`EXPOSED_COLUMNS` (also when empty)."""
    return pd.DataFrame(rows, columns=list(EXPOSED_COLUMNS)).astype(EXPOSED_COLUMNS)


def record_exposed(edition: Edition, exposed: pd.DataFrame) -> None:
    """Write the cells of :func:`exposed_by_previous` to the edition's internal audit file (rewritten
    on every publishing, with its header when there are none), for the statistician to check."""
    load.write_frame(exposed, edition.paths.exposure_audit_file)


def exposure_warning(edition: Edition) -> str | None:
    """What the last publishing found by :func:`exposed_by_previous`, as a sentence for the console."""
    path = edition.paths.exposure_audit_file
    if not path.is_file():
        return None
    exposed = load.read_frame(path, EXPOSED_COLUMNS)
    if exposed.empty:
        return None
    return (
        f"{len(exposed)} value(s) hidden in this edition were published by edition {edition.config.previous_edition} "
        f"(listed in {edition.project.relative(path)}): hiding them protects nothing, and what they were hidden "
        "to protect may be recovered from both editions together. The confidentiality model does not take an "
        "earlier edition into account; check these cells before releasing."
    )


def compare_editions(current: ChapterContext, previous: ChapterContext) -> EditionChanges:
    """The changes between two editions (see the module docstring)."""
    before, after = published_values(previous), published_values(current)
    return EditionChanges(
        previous=previous,
        current=current,
        key_figures=_key_figures(current, previous, before, after),
        class_changes=_index_changes(current, previous),
        new_districts=_added(after, before, "kennziffer"),
        dropped_districts=_added(before, after, "kennziffer"),
        new_indicators=_added(after, before, "indikator"),
        dropped_indicators=_added(before, after, "indikator"),
        revisions=revisions(before, after),
        districts=len(set(after["kennziffer"]) - {ind.CITY}),
        indicators=len(set(after["indikator"])),
    )


def _added(frame: pd.DataFrame, other: pd.DataFrame, column: str) -> tuple:
    values = set(frame[column]) - set(other[column]) - {ind.CITY}
    return tuple(sorted(values))


def revisions(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The values both editions publish for the same indicator, district and year that differ."""
    both = before.merge(after, on=KEYS, suffixes=("_before", "_after"))
    published = both["value_before"].notna() & both["value_after"].notna()
    changed = both[published & (both["value_before"] != both["value_after"])]
    order = {indicator_id: place for place, indicator_id in enumerate(ind.INDICATOR_BY_ID)}
    changed = changed.assign(order=changed["indikator"].map(order)).sort_values(["order", "jahr", "kennziffer"])
    return pd.DataFrame(
        {
            "indikator": changed["indikator"],
            "kennziffer": changed["kennziffer"].astype("int64"),
            "jahr": changed["jahr"].astype("int64"),
            "before": changed["text_before"],
            "after": changed["text_after"],
            "difference": [_change(old, new) for old, new in zip(changed["value_before"], changed["value_after"])],
        }
    ).reset_index(drop=True)


def _city_cell(values: pd.DataFrame, indicator_id: str, year: int) -> pd.Series | None:
    rows = values[(values["indikator"] == indicator_id) & (values["jahr"] == year) & (values["kennziffer"] == ind.CITY)]
    return None if rows.empty else rows.iloc[0]


def _key_figures(
    current: ChapterContext, previous: ChapterContext, before: pd.DataFrame, after: pd.DataFrame
) -> pd.DataFrame:
    rows = []
    for indicator_id in current.config.key_figures:
        old = _city_cell(before, indicator_id, previous.year)
        new = _city_cell(after, indicator_id, current.year)
        both = old is not None and new is not None and old["value"] is not None and new["value"] is not None
        rows.append(
            {
                "indikator": indicator_id,
                "before": SYMBOL_NOT_APPLICABLE if old is None else old["text"],
                "after": SYMBOL_NOT_APPLICABLE if new is None else new["text"],
                "change": _change(old["value"], new["value"]) if both else SYMBOL_NOT_APPLICABLE,
                "direction": sentences.direction(old["value"], new["value"], DECIMALS) if both else None,
            }
        )
    return pd.DataFrame(rows, columns=["indikator", "before", "after", "change", "direction"])


def _change(old: Decimal, new: Decimal) -> str:
    return format_change(float(sentences.difference(old, new, DECIMALS)), DECIMALS)


def _index_changes(current: ChapterContext, previous: ChapterContext) -> pd.DataFrame | None:
    try:
        return class_changes(current.sozialindex, previous.sozialindex)
    except DataError:  # an edition whose data carry no index
        return None


# --- the page ------------------------------------------------------------------------------------


def previous_context(edition: Edition) -> ChapterContext | None:
    """The previous edition's data, or None when the parameters name none; a named edition whose
    indicators are missing raises :class:`PublishError` saying how to make them."""
    previous = edition.previous()
    if previous is None:
        return None
    missing = [p for p in (previous.paths.indicators_file, previous.paths.indicator_status_file) if not p.is_file()]
    if missing:
        name = previous.config.edition
        raise PublishError(
            f"The changes page compares with edition {name} (previous_edition), but "
            f"{edition.project.relative(missing[0])} is missing. Run `sozialbericht prepare --edition {name}` "
            "(or `dvc repro`) first, or set previous_edition: null."
        )
    return ChapterContext(previous)


def _names(chapter: ChapterContext) -> dict[int, str]:
    names = {int(k): str(n) for k, n in zip(chapter.districts["kennziffer"], chapter.districts["stadtbezirk"])}
    return {ind.CITY: CITY_NAME, **names}


def _all_names(changes: EditionChanges) -> dict[int, str]:
    """District names by kennziffer, from this edition's reference data, else the previous one's."""
    return _names(changes.previous) | _names(changes.current)


def _indicator_name(indicator_id: str) -> str:
    try:
        return ind.indicator(indicator_id).name
    except KeyError:  # an indicator the code no longer defines: its id is all there is
        return indicator_id


def _report(chapter: ChapterContext) -> str:
    return f"Sozialbericht {chapter.year}"


def key_figure_table(changes: EditionChanges) -> ReportTable:
    current, previous = changes.current, changes.previous
    frame = changes.key_figures.assign(
        name=[f"{_indicator_name(i)} ({ind.indicator(i).unit})" for i in changes.key_figures["indikator"]],
        key=[cell_key("indikator", i, "wert", current.year, ind.CITY) for i in changes.key_figures["indikator"]],
    )
    columns = [
        Column("Kennzahl", "name"),
        Column(f"{_report(previous)}: Wert {previous.year}", "before", "formatted"),
        Column(f"{_report(current)}: Wert {current.year}", "after", "formatted", keys="key"),
        Column("Veränderung", "change", "formatted"),
    ]
    return report_table(
        frame,
        columns,
        rule=current.rule,
        source=current.source,
        caption=f"Kennzahlen der Gesamtstadt im {_report(previous)} und im {_report(current)}",
        table_id="kennzahlen",
        sheet_name="Kennzahlen",
    )


def _reasons(chapter: ChapterContext) -> dict[int, str]:
    """Why the edition's index leaves a district out (as its chapter Sozialräumliche Analyse says)."""
    excluded = chapter.sozialindex.excluded
    return {int(k): f"{chapter.year}: {reason}" for k, reason in zip(excluded["kennziffer"], excluded["reason"])}


def class_change_table(changes: EditionChanges) -> ReportTable:
    current, previous = changes.current, changes.previous
    names = _all_names(changes)
    moved = changes.class_changes
    reasons = {
        "neu einbezogen": _reasons(previous),
        "nicht mehr einbezogen": _reasons(current),
    }
    frame = moved.assign(
        bezirk=[names.get(int(k), str(k)) for k in moved["kennziffer"]],
        # keyed only where the district is in this edition's index: the gate reads a keyed cell as its class
        key=[
            cell_key(INDEX_KEY, current.year, int(k), "status") if d != "nicht mehr einbezogen" else ""
            for k, d in zip(moved["kennziffer"], moved["direction"])
        ],
        reason=[reasons.get(d, {}).get(int(k), "") for k, d in zip(moved["kennziffer"], moved["direction"])],
    )
    columns = [
        Column("Stadtbezirk", "bezirk"),
        Column(f"Statusklasse im {_report(previous)}", "before"),
        Column(f"Statusklasse im {_report(current)}", "after", keys="key"),
        Column("Veränderung", "direction"),
    ]
    if frame["reason"].astype(bool).any():
        columns.append(Column("Warum ein Bericht den Stadtbezirk nicht einbezieht", "reason"))
    return report_table(
        frame,
        columns,
        rule=current.rule,
        source=current.source,
        caption=f"Stadtbezirke mit anderer Einstufung im Sozialindex {current.year} als im Sozialindex {previous.year}",
        table_id="statusklassen",
        sheet_name="Statusklassen",
    )


def revision_table(changes: EditionChanges) -> ReportTable:
    current, previous = changes.current, changes.previous
    names = _all_names(changes)
    revised = changes.revisions
    frame = revised.assign(
        name=[_indicator_name(i) for i in revised["indikator"]],
        bezirk=[names.get(int(k), str(k)) for k in revised["kennziffer"]],
        year=revised["jahr"].astype(str),
        key=[
            cell_key("indikator", i, "wert", int(y), int(k))
            for i, y, k in zip(revised["indikator"], revised["jahr"], revised["kennziffer"])
        ],
    )
    columns = [
        Column("Kennzahl", "name"),
        Column("Stadtbezirk", "bezirk"),
        Column("Jahr", "year"),
        Column(f"Wert im {_report(previous)}", "before", "formatted"),
        Column(f"Wert im {_report(current)}", "after", "formatted", keys="key"),
        Column("Veränderung", "difference", "formatted"),
    ]
    return report_table(
        frame,
        columns,
        rule=current.rule,
        source=current.source,
        caption=f"Werte früherer Jahre, die der {_report(current)} anders ausweist als der {_report(previous)}",
        table_id="korrigierte-werte",
        sheet_name="Korrigierte Werte",
    )


def key_figure_sentences(changes: EditionChanges) -> list[str]:
    """Which key figures rose, fell or stayed, judged on the published values."""
    figures = changes.key_figures
    labels = (("gestiegen", "Gestiegen"), ("gesunken", "Gesunken"), ("unverändert", "Gleich geblieben"))
    sentences = []
    for direction, label in labels:
        names = [_indicator_name(i) for i, d in zip(figures["indikator"], figures["direction"]) if d == direction]
        if names:
            sentences.append(f"{label}: {join_names(names)}.")
    if sentences:
        sentences[0] = sentences[0].replace(":", f" gegenüber dem {_report(changes.previous)}:", 1)
    # a figure without a direction (None, which pandas may hold as NaN) could not be compared
    missing = [_indicator_name(i) for i, d in zip(figures["indikator"], figures["direction"]) if not isinstance(d, str)]
    if missing:
        sentences.append(f"Nicht zu vergleichen, weil ein Wert fehlt oder geheim gehalten wird: {join_names(missing)}.")
    return sentences


CLASS_CHANGE_LABELS = {
    "günstiger": "In einer günstigeren Statusklasse",
    "ungünstiger": "In einer ungünstigeren Statusklasse",
    "neu einbezogen": "Neu im Sozialindex",
    "nicht mehr einbezogen": "Nicht mehr im Sozialindex",
}


def class_change_sentences(changes: EditionChanges) -> list[str]:
    """How many districts changed status class, and which, by direction."""
    current, previous = changes.current, changes.previous
    moved = changes.class_changes
    if moved is None:
        return ["Einer der beiden Berichte enthält keinen Sozialindex; die Einstufungen lassen sich nicht vergleichen."]
    if moved.empty:
        return [
            f"Alle Stadtbezirke des Sozialindex {current.year} liegen in derselben Statusklasse wie im "
            f"Sozialindex {previous.year}."
        ]
    names = _all_names(changes)
    total = len(moved)
    which = "einem Stadtbezirk" if total == 1 else f"{number_word(total)} Stadtbezirken"
    sentences = [f"Gegenüber dem Sozialindex {previous.year} hat sich bei {which} die Einstufung geändert."]
    for direction, label in CLASS_CHANGE_LABELS.items():
        chosen = [names[int(k)] for k, d in zip(moved["kennziffer"], moved["direction"]) if d == direction]
        if chosen:
            sentences.append(f"{label}: {join_names(sorted(chosen, key=german_sort_key))}.")
    return sentences


def coverage_sentences(changes: EditionChanges) -> list[str]:
    """Districts and indicators added or dropped (or that both editions have the same)."""
    current, previous = changes.current, changes.previous
    names = _all_names(changes)
    sentences = []
    for added, dropped, noun, name_of, count in (
        (
            changes.new_districts,
            changes.dropped_districts,
            "Stadtbezirke",
            lambda k: names.get(k, str(k)),
            changes.districts,
        ),
        (changes.new_indicators, changes.dropped_indicators, "Kennzahlen", _indicator_name, changes.indicators),
    ):
        if not added and not dropped:
            sentences.append(f"Beide Berichte umfassen dieselben {number_word(count)} {noun}.")
            continue
        if added:
            listed = join_names(sorted((name_of(a) for a in added), key=german_sort_key))
            sentences.append(f"{noun}, die der {_report(previous)} nicht enthielt: {listed}.")
        if dropped:
            listed = join_names(sorted((name_of(d) for d in dropped), key=german_sort_key))
            sentences.append(f"{noun}, die der {_report(current)} nicht mehr enthält: {listed}.")
    return sentences


def revision_sentence(changes: EditionChanges) -> str:
    """How many values of earlier years this edition states differently, for which indicators and years."""
    current, previous = changes.current, changes.previous
    revised = changes.revisions
    if revised.empty:
        return (
            f"Der {_report(current)} weist alle Werte früherer Jahre, die beide Berichte veröffentlichen, "
            f"so aus wie der {_report(previous)}."
        )
    parts = [
        f"{_indicator_name(i)} {join_names(str(y) for y in sorted(set(rows['jahr'])))} ({_values(len(rows))})"
        for i, rows in revised.groupby("indikator", sort=False)
    ]
    return (
        f"Der {_report(current)} weist {_values(len(revised))} früherer Jahre anders aus als der "
        f"{_report(previous)}: {join_names(parts)}."
    )


def _values(n: int) -> str:
    return "einen Wert" if n == 1 else f"{number_word(n)} Werte"


def changes_context(edition: Edition, page: Page) -> tuple[dict[str, object], list[dict]]:
    """What the page template needs, and the download payloads of its tables. Also rewrites the
    edition's audit file of cells the previous edition published (:func:`record_exposed`; empty
    without a previous edition, so no list of an earlier publishing outlives it)."""
    current = ChapterContext(edition)
    previous = previous_context(edition)
    context: dict[str, object] = {
        "year": current.year,
        "first_year": current.first_year,
        "report": _report(current),
        "reference_date": format_date(current.config.reference_date),
    }
    if previous is None:
        record_exposed(edition, exposed_frame([]))
        return context | {"previous": None}, []
    record_exposed(edition, exposed_by_previous(current, previous))
    changes = compare_editions(current, previous)
    citation = Citation.of(current.config)
    tables = [key_figure_table(changes)]
    if changes.class_changes is not None and not changes.class_changes.empty:
        tables.append(class_change_table(changes))
    if not changes.revisions.empty:
        tables.append(revision_table(changes))
    html = {
        table.table_id: Markup(
            cite_fragment(link_downloads(table.to_html(), page.stem, [table.table_id]), page, citation)
        )
        for table in tables
    }
    return context | {
        "previous": {
            "report": _report(previous),
            "year": previous.year,
            "reference_date": format_date(previous.config.reference_date),
        },
        "key_figure_sentences": key_figure_sentences(changes),
        "class_change_sentences": class_change_sentences(changes),
        "coverage_sentences": coverage_sentences(changes),
        "revision_sentence": revision_sentence(changes),
        "tables": html,
    }, [table.payload() for table in tables]
