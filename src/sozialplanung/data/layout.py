"""Where the table sits in a raw file, and the symbols the sources write instead of numbers.

Agency exports put title rows (in a workbook often one merged cell), blank rows and sometimes a
second sheet around the table, and source and footnote lines below it. The sheet is the one named
for the table in ``data.sheets`` of the edition's parameters, else the one whose header matches
best (:func:`sozialplanung.data.load.read_raw_table`). :func:`find_layout` takes the
row with the most column names of the data contract (case folded, among the first
:data:`HEADER_SEARCH_ROWS` rows) as the header; below the data, trailing rows that hold one text in
their first cell only ("Quelle: Bundesagentur für Arbeit", "* Werte unter 3 anonymisiert") are the
table's source note, not rows.

**Symbols** (DIN 55301 and the Bundesagentur für Arbeit): in a count cell, ``*`` (anonymised by the
source), ``.`` (unknown or secret), ``x`` (not applicable, cell locked) and ``…`` (not yet
available) load as *protected at source* with their symbol; ``-`` and ``–`` (nothing, exactly
zero) load as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER_SEARCH_ROWS = 50
PROTECTED_SYMBOLS: dict[str, str] = {
    "*": "anonymisiert (Bundesagentur für Arbeit)",
    ".": "unbekannt oder geheim zu halten",
    "x": "Tabellenfach gesperrt (Aussage nicht sinnvoll)",
    "…": "Angabe fällt später an",
    "...": "Angabe fällt später an",
}
"""Symbols of a count that the source withholds, with their meaning (DIN 55301, BA)."""
ZERO_SYMBOLS = ("-", "–", "—")
"""Symbols of a count that is exactly zero ("nichts vorhanden")."""
_NUMBERLIKE = re.compile(r"[\d\s.,+-]+")


@dataclass(frozen=True)
class Layout:
    """Rows of a file as positions: ``header``; data rows ``header + 1`` up to ``end`` (exclusive)."""

    header: int
    end: int
    matches: int
    title: str
    note: str


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _is_note(row: list[object]) -> bool:
    """One text in the first cell and nothing else: a source or footnote line."""
    filled = [i for i, value in enumerate(row) if _text(value) is not None]
    if filled != [0] or not isinstance(row[0], str):
        return False
    return not _NUMBERLIKE.fullmatch(row[0].strip())


def find_layout(rows: list[list[object]], names: set[str]) -> Layout | None:
    """The header (the row with most of ``names``, at least two) and the data below it, or None."""
    best, best_matches = None, 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matches = sum(1 for value in row if (_text(value) or "").casefold() in names)
        if matches > best_matches:
            best, best_matches = index, matches
    if best is None:
        return None
    end = len(rows)
    while end > best + 1 and (all(_text(v) is None for v in rows[end - 1]) or _is_note(rows[end - 1])):
        end -= 1
    title = " / ".join(next(t for t in map(_text, row) if t) for row in rows[:best] if any(map(_text, row)))
    note = "\n".join(str(row[0]).strip() for row in rows[end:] if _text(row[0] if row else None))
    return Layout(best, end, best_matches, title, note)
