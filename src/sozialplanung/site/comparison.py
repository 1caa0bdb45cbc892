"""The district comparison (``vergleich.html``): the key indicators of every district beside the city.

The page is one table of all districts and the city, each value as the tables of the chapters show it
(hidden values as ``.``, with their cell keys, so the publish gate reads them like every other table).
Without JavaScript that full table is the page. A small local script (``assets/vergleich.js``) adds a
form: up to :data:`CHOSEN_MAX` districts chosen by name, or a district and the districts most
similar to it, after which the table shows those districts and the city only and says so in a
status line that screen readers announce.

"Similar" is measured on the Sozialindex: the Euclidean distance of the districts' published
z-values of the status indicators (rounded as the index table shows them), so only districts in the
index have similar ones, and similarity rests on nothing the site does not publish.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from bs4 import BeautifulSoup
from markupsafe import Markup

from sozialplanung.core.errors import DataError
from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE, round_half_up
from sozialplanung.core.paths import TEMPLATES_DIR
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.profile import PROFILE_INDICATORS
from sozialplanung.report.tables import Column, ReportTable, cell_key, report_table
from sozialplanung.site.citation import Citation, cite_fragment
from sozialplanung.site.downloads import link_downloads
from sozialplanung.site.sitemap import Page
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.sozialindex import SozialindexResult

COMPARISON_PAGE = "vergleich.html"
SCRIPT_PATH = "assets/vergleich.js"
CHOSEN_MAX = 4
SIMILAR_SHOWN = CHOSEN_MAX - 1
Z_DECIMALS = 2  # as the index table shows the z-values


def similar_districts(result: SozialindexResult, shown: int = SIMILAR_SHOWN) -> dict[int, tuple[int, ...]]:
    """For each district of the index, the ``shown`` districts nearest to it by its published
    z-values (Euclidean distance; ties by kennziffer)."""
    columns = [c for c in result.values.columns if c.startswith("z_")]
    values = result.values.sort_values("kennziffer")
    codes = values["kennziffer"].astype(int).tolist()
    z = np.array([[float(round_half_up(v, Z_DECIMALS)) for v in row] for row in values[columns].to_numpy()])
    similar = {}
    for position, code in enumerate(codes):
        distance = np.sqrt(((z - z[position]) ** 2).sum(axis=1))
        order = sorted((d, other) for d, other in zip(distance, codes) if other != code)
        similar[code] = tuple(other for _d, other in order[:shown])
    return similar


def comparison_table(chapter: ChapterContext) -> ReportTable:
    """The table of every district and the city (last row) with the key indicators of the profiles."""
    frame = chapter.indicators[chapter.indicators["jahr"] == chapter.year]
    names = chapter.districts.set_index("kennziffer")["stadtbezirk"]
    codes = [*[int(k) for k in chapter.districts["kennziffer"]], ind.CITY]
    ids = [i for i in PROFILE_INDICATORS if i in set(frame["indikator"])]
    records = []
    by_cell = {(row.indikator, int(row.kennziffer)): row for row in frame.itertuples(index=False)}
    for code in codes:
        record = {"bezirk": "Marburg gesamt" if code == ind.CITY else str(names[code])}
        for indicator_id in ids:
            row = by_cell.get((indicator_id, code))
            # an edition without the district's row has no value for it: "x", as for a rate without base
            record[indicator_id] = (
                SYMBOL_NOT_APPLICABLE if row is None else chapter.published_rate(pd.Series(row._asdict()))
            )
            record[f"{indicator_id}_key"] = cell_key("indikator", indicator_id, "wert", chapter.year, code)
        records.append(record)
    columns = [Column("Stadtbezirk", "bezirk")] + [
        Column(f"{ind.indicator(i).name} ({ind.indicator(i).unit})", i, "formatted", keys=f"{i}_key") for i in ids
    ]
    return report_table(
        pd.DataFrame(records),
        columns,
        rule=chapter.rule,
        source=chapter.source,
        caption=f"Kennzahlen der Stadtbezirke und der Gesamtstadt {chapter.year}",
        table_id="vergleich",
        sheet_name=f"Stadtbezirke {chapter.year}",
    )


def _mark_rows(table_html: str, codes: list[int]) -> str:
    """Each body row with its district's kennziffer (``data-kennziffer``), for the script."""
    soup = BeautifulSoup(table_html, "html.parser")
    for row, code in zip(soup.select("tbody > tr"), codes, strict=True):
        row["data-kennziffer"] = str(code)
    return str(soup)


def comparison_context(chapter: ChapterContext, page: Page) -> tuple[dict[str, object], list[dict]]:
    """What the page template needs (the districts to choose from, similar ones, the table with its
    downloads, anchor and citation line, as every table of the edition), and the table's download
    payload."""
    names = chapter.districts.set_index("kennziffer")["stadtbezirk"]
    table = comparison_table(chapter)
    codes = [*[int(k) for k in chapter.districts["kennziffer"]], ind.CITY]
    linked = link_downloads(_mark_rows(table.to_html(), codes), page.stem, [table.table_id])
    try:
        similar = similar_districts(chapter.sozialindex)
    except DataError:  # an edition whose data carry no index: choosing by name still works
        similar = {}
    return {
        "districts": [(int(k), str(names[k])) for k in chapter.districts["kennziffer"]],
        "similar": {code: " ".join(str(k) for k in others) for code, others in similar.items()},
        "table": Markup(cite_fragment(linked, page, Citation.of(chapter.config))),
        "chosen_max": CHOSEN_MAX,
        "similar_shown": SIMILAR_SHOWN,
        "year": chapter.year,
        "script_path": SCRIPT_PATH,
    }, [table.payload()]


def write_comparison_script(folder: Path) -> None:
    """The comparison's script into the site's assets (the page loads it from there)."""
    target = folder / SCRIPT_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SCRIPT_SOURCE.read_text(encoding="utf-8"), encoding="utf-8", newline="\n")


SCRIPT_SOURCE = TEMPLATES_DIR / "vergleich.js"
