"""Published tables: numbers in, accessible German HTML out, through the confidentiality rule.

A chapter builds a :class:`ReportTable` with :func:`report_table` from a numeric frame; every cell
is formatted by :class:`~sozialplanung.statistics.confidentiality.Confidentiality`, so hidden values and true
zeros carry their German symbols, and a note under the table explains the symbols used.

Shown in a notebook, a table also leaves a JSON payload (:data:`TABLE_MIMETYPE`) in the executed
notebook: its published cells, column kinds, notes and source. The publisher turns it into the
CSV and XLSX downloads (:mod:`sozialplanung.site.downloads`), so the notebook itself writes no files and
a download can only ever hold what the page shows.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from sozialplanung.core.formats import format_change, format_count
from sozialplanung.data.contract import TABLES
from sozialplanung.statistics.confidentiality import Confidentiality

ColumnKind = Literal["text", "count", "rate", "change", "number", "formatted"]
"""``count``: people or households (confidentiality applies); ``number``: a count of things, e.g.
measures of the Aktionsplan, published as it is; ``formatted``: numbers the caller has already
formatted and checked (e.g. z-values), shown as numbers."""

TABLE_MIMETYPE = "application/vnd.sozialplanung.table+json"
"""Output type under which a shown table leaves its published content in the executed notebook."""
TABLE_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
"""A table id is a lowercase ASCII slug; it names the CSV file and links the page to it."""
TABLE_ID_MAX_LENGTH = 100
SHEET_NAME_MAX = 31
"""Excel's limit for a sheet name (in UTF-16 code units)."""
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def table_slug(caption: str) -> str:
    """The table id made from a caption: ``"SGB II nach Stadtbezirken 2024"`` → ``"sgb-ii-nach-stadtbezirken-2024"``.

    German umlauts are transliterated (ä → ae, ß → ss), other accents dropped, everything else
    that is not an ASCII letter or digit (also ``–`` in ``2019–2024``) separates words. A slug
    longer than :data:`TABLE_ID_MAX_LENGTH` is cut at a word and ends in six hex digits of the
    caption's SHA-1, so long captions that share their beginning still get different ids.
    """
    decomposed = unicodedata.normalize("NFKD", caption.translate(_TRANSLITERATION))
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    slug = "-".join(re.findall(r"[a-z0-9]+", letters.lower())) or "tabelle"
    if slug in TABLES:  # "wohngeld.csv" would look like a raw data file in the site
        slug = f"{slug}-tabelle"
    if len(slug) <= TABLE_ID_MAX_LENGTH:
        return slug
    digest = hashlib.sha1(caption.encode("utf-8")).hexdigest()[:6]
    head = slug[: TABLE_ID_MAX_LENGTH - len(digest) - 1]
    head = head.rsplit("-", 1)[0] if slug[len(head)] != "-" and "-" in head else head
    return f"{head.rstrip('-')}-{digest}"


COLUMN_ART = {
    "text": "text",
    "count": "anzahl",
    "number": "sachzahl",
    "rate": "quote",
    "change": "veraenderung",
    "formatted": "kennwert",
}
"""What a column holds, as the HTML says it (``data-art``): the publish gate checks ``anzahl`` columns."""


@dataclass(frozen=True)
class Column:
    """How one published column is made from the source frame."""

    header: str
    source: str
    kind: ColumnKind = "text"
    numerator: str | None = None
    denominator: str | None = None
    decimals: int = 1
    status: str | None = None
    """Column of confidentiality statuses (from ``protect_indicators``/``suppress``); hidden when set."""
    keys: str | None = None
    """Column of each cell's public meaning (:func:`cell_key`), written as ``data-zelle``; the
    publish gate reads the page's numbers with it, as an attacker who knows the headers would."""


INDEX_KEY = "sozialindex"
POOLED = "zusammengefasst"
"""The part of an indicator's key for a rate pooled over several years (numerators and denominators
summed): ``indikator/sgb2_quote/zusammengefasst/2022-2024/211``, see :func:`pooled_key`."""


def pooled_key(indicator_id: str, years: Sequence[int], kennziffer: int) -> str:
    """The key of an indicator's rate pooled over the consecutive ``years`` in a district."""
    return cell_key("indikator", indicator_id, POOLED, f"{min(years)}-{max(years)}", kennziffer)


def pooled_years(span: str) -> tuple[int, ...]:
    """The years of a pooled key's span (``2022-2024``)."""
    first, last = (int(part) for part in span.split("-"))
    return tuple(range(first, last + 1))


def cell_key(*parts: object) -> str:
    """What a published number is, as the site states it: ``indikator/sgb2_quote/zaehler/2024/211``
    (an indicator's numerator, denominator or rate in a year and district, 0 = the city;
    :func:`pooled_key` for a rate over several years),
    ``pyramide/2024/211/25–44/w`` (a profile's population pyramid cell) or
    ``sozialindex/2024/211/z_sgb2_quote`` (a district's z-value, ``score``, ``status`` or ``rang`` in
    the Sozialindex) or ``summe/arbeitslose/arbeitslose/2024/rechtskreis=SGB II`` (a city total of a
    raw column, for the codes named)."""
    return "/".join(str(part) for part in parts)


@dataclass(frozen=True)
class ReportTable:
    """A formatted table ready to be shown (``_repr_html_``) or downloaded (:meth:`payload`).

    ``kinds`` and ``decimals`` say per column how the cells were formatted (the downloads turn
    published numbers back into numbers with them); they default to ``count``/``text`` after
    ``numeric`` and no decimals. ``table_id`` defaults to :func:`table_slug` of the caption.
    """

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    notes: tuple[str, ...] = ()
    source: str = ""
    data: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)
    kinds: tuple[ColumnKind, ...] = ()
    decimals: tuple[int, ...] = ()
    table_id: str = ""
    keys: tuple[tuple[str, ...], ...] = ()
    """Per row and column the cell's :func:`cell_key` (``""`` where it has none); empty: none."""
    sheet_name: str = ""
    """A short title for the table's sheet in the chapter's workbook, at most
    :data:`SHEET_NAME_MAX` characters (``"SGB II nach Bezirken 2024"``); empty: made from the
    caption (:func:`sozialplanung.site.downloads.sheet_names`)."""

    def __post_init__(self) -> None:
        width = len(self.headers)
        if not self.kinds:
            object.__setattr__(self, "kinds", tuple("count" if n else "text" for n in self.numeric))
        if not self.decimals:
            object.__setattr__(self, "decimals", (0,) * width)
        if not self.table_id:
            object.__setattr__(self, "table_id", table_slug(self.caption))
        if not TABLE_ID_PATTERN.match(self.table_id) or len(self.table_id) > TABLE_ID_MAX_LENGTH:
            raise ValueError(
                f"table_id {self.table_id!r} of table {self.caption!r} is not a slug: use lowercase ASCII "
                f"letters, digits and single hyphens, at most {TABLE_ID_MAX_LENGTH} characters"
            )
        if len(self.sheet_name.encode("utf-16-le")) // 2 > SHEET_NAME_MAX:
            raise ValueError(
                f"sheet_name {self.sheet_name!r} of table {self.caption!r} is longer than Excel's "
                f"{SHEET_NAME_MAX} characters"
            )
        lengths = {len(self.numeric), len(self.kinds), len(self.decimals), *(len(row) for row in self.rows)}
        if lengths != {width}:
            raise ValueError(f"table {self.caption!r}: every row and column setting needs {width} entries")

    def payload(self) -> dict[str, Any]:
        """The published table as JSON: exactly the cells the page shows, never an underlying number
        (and the short sheet name, when the table has one)."""
        payload = {
            "table_id": self.table_id,
            "caption": self.caption,
            "headers": list(self.headers),
            "kinds": list(self.kinds),
            "decimals": list(self.decimals),
            "rows": [list(row) for row in self.rows],
            "notes": list(self.notes),
            "source": self.source,
        }
        return {**payload, "sheet_name": self.sheet_name} if self.sheet_name else payload

    def to_html(self) -> str:
        esc = html.escape
        head = "".join(
            f'<th scope="col" data-art="{COLUMN_ART[k]}">{esc(h)}</th>' for h, k in zip(self.headers, self.kinds)
        )
        body = []
        for number, row in enumerate(self.rows):
            keys = self.keys[number] if self.keys else ("",) * len(row)
            cells = [f'<th scope="row">{esc(row[0])}</th>']
            for value, is_number, key in zip(row[1:], self.numeric[1:], keys[1:]):
                css = ' class="zahl"' if is_number else ""
                meaning = f' data-zelle="{esc(key)}"' if key else ""
                cells.append(f"<td{css}{meaning}>{esc(value)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        notes = "".join(f"<p>{esc(line)}</p>" for line in self.notes)
        source = f"<p>Quelle: {esc(self.source)}</p>" if self.source else ""
        footer = f'<div class="tabellen-hinweise">{notes}{source}</div>' if notes or source else ""
        return (
            f'<div class="tabelle-rahmen" data-table-id="{esc(self.table_id)}"><table class="tabelle">'
            f"<caption>{esc(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{footer}</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        """What Jupyter stores for a shown table: the HTML and the download payload."""
        return {"text/html": self.to_html(), TABLE_MIMETYPE: self.payload()}


def _format_column(frame: pd.DataFrame, column: Column, rule: Confidentiality) -> pd.Series:
    values = frame[column.source]
    statuses = frame[column.status] if column.status else None
    if column.kind == "count":
        return rule.counts_column(values, statuses)
    if column.kind == "rate":
        if column.numerator is None or column.denominator is None:
            raise ValueError(f"rate column {column.header!r} needs numerator and denominator columns")
        return rule.rates_column(values, frame[column.numerator], frame[column.denominator], column.decimals, statuses)
    if column.kind == "number":
        return values.map(format_count)
    if column.kind == "change":
        return values.map(lambda v: format_change(v, column.decimals))
    return values.astype(str)  # text, and numbers already formatted by the caller


def report_table(
    frame: pd.DataFrame,
    columns: list[Column],
    caption: str,
    rule: Confidentiality,
    source: str = "",
    notes: tuple[str, ...] = (),
    table_id: str = "",
    sheet_name: str = "",
) -> ReportTable:
    """Format ``frame`` into a published table; the first column is the row header.

    ``table_id`` names the table's download (default: the slug of the caption), ``sheet_name`` its
    sheet in the chapter's workbook (at most 31 characters; default: made from the caption).
    """
    formatted = pd.DataFrame({c.header: _format_column(frame, c, rule) for c in columns})
    used_symbols = {cell for col, c in zip(formatted, columns) if c.kind != "text" for cell in formatted[col]}
    return ReportTable(
        caption=caption,
        headers=tuple(c.header for c in columns),
        rows=tuple(tuple(row) for row in formatted.itertuples(index=False, name=None)),
        numeric=tuple(c.kind != "text" for c in columns),
        notes=(*notes, *rule.legend(used_symbols)),
        source=source,
        data=formatted,
        kinds=tuple(c.kind for c in columns),
        decimals=tuple(c.decimals if c.kind in ("rate", "change", "formatted") else 0 for c in columns),
        table_id=table_id,
        keys=_keys(frame, columns),
        sheet_name=sheet_name,
    )


def _keys(frame: pd.DataFrame, columns: list[Column]) -> tuple[tuple[str, ...], ...]:
    if not any(c.keys for c in columns):
        return ()
    per_column = [frame[c.keys].fillna("").astype(str).tolist() if c.keys else [""] * len(frame) for c in columns]
    return tuple(zip(*per_column))
