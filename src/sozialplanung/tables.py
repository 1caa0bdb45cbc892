"""Published tables: numbers in, accessible German HTML out, through the confidentiality rule.

A chapter builds a :class:`ReportTable` with :func:`report_table` from a numeric frame; every cell
is formatted by :class:`~sozialplanung.confidentiality.Confidentiality`, so hidden values and true
zeros carry their German symbols, and a note under the table explains the symbols used.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from .confidentiality import Confidentiality
from .format import format_change

ColumnKind = Literal["text", "count", "rate", "change"]


@dataclass(frozen=True)
class Column:
    """How one published column is made from the source frame."""

    header: str
    source: str
    kind: ColumnKind = "text"
    numerator: str | None = None
    denominator: str | None = None
    decimals: int = 1


@dataclass(frozen=True)
class ReportTable:
    """A formatted table ready to be shown (``_repr_html_``) or downloaded (``data``)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    notes: tuple[str, ...] = ()
    source: str = ""
    data: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    def to_html(self) -> str:
        esc = html.escape
        head = "".join(f'<th scope="col">{esc(h)}</th>' for h in self.headers)
        body = []
        for row in self.rows:
            cells = [f'<th scope="row">{esc(row[0])}</th>']
            for value, is_number in zip(row[1:], self.numeric[1:]):
                css = ' class="zahl"' if is_number else ""
                cells.append(f"<td{css}>{esc(value)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        notes = "".join(f"<p>{esc(line)}</p>" for line in self.notes)
        source = f"<p>Quelle: {esc(self.source)}</p>" if self.source else ""
        footer = f'<div class="tabellen-hinweise">{notes}{source}</div>' if notes or source else ""
        return (
            '<div class="tabelle-rahmen"><table class="tabelle">'
            f"<caption>{esc(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{footer}</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _format_column(frame: pd.DataFrame, column: Column, rule: Confidentiality) -> pd.Series:
    values = frame[column.source]
    if column.kind == "count":
        return rule.counts_column(values)
    if column.kind == "rate":
        if column.numerator is None or column.denominator is None:
            raise ValueError(f"rate column {column.header!r} needs numerator and denominator columns")
        return rule.rates_column(values, frame[column.numerator], frame[column.denominator], column.decimals)
    if column.kind == "change":
        return values.map(lambda v: format_change(v, column.decimals))
    return values.astype(str)


def report_table(
    frame: pd.DataFrame,
    columns: list[Column],
    caption: str,
    rule: Confidentiality,
    source: str = "",
    notes: tuple[str, ...] = (),
) -> ReportTable:
    """Format ``frame`` into a published table; the first column is the row header."""
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
    )
