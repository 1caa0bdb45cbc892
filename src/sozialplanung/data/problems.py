"""What validation reports: a :class:`Problem` per breach of the data contract, located in its file,
and the :class:`Inspection` of a raw folder (problems, tables, cells protected at source, notes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One breach of the data contract, located as precisely as the rule allows."""

    file: str  # file name only, e.g. "sgb2.csv"
    row: int | None  # row number in the file (header = 1); None for the whole file or a column
    column: str | None
    value: str | None  # as given in the file; None when the cell is empty or the problem has none
    rule: str
    kind: str = field(default="", compare=False)  # the check that found it (default: ``rule``)
    count: int = field(default=1, compare=False)  # how many problems this entry stands for

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return f"{', '.join(parts)}: {self.rule}"

    def sort_key(self) -> tuple:
        """A total order (file, row, column, rule, value, kind): the same problems list alike always."""
        row = -1 if self.row is None else self.row
        return (self.file, row, self.column or "", self.rule, self.value or "", self.kind)

    @property
    def check(self) -> str:
        return self.kind or self.rule


@dataclass(frozen=True, eq=False)
class CheckedTable:
    """A table that passed its schema: typed frame indexed by file row number, and its file name."""

    frame: pd.DataFrame
    file: str


Tables = Mapping[str, CheckedTable]


def shown_value(value: object) -> str | None:
    """A cell value as shown to users; None for an empty cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


PROTECTED_COLUMNS = ("tabelle", "jahr", "kennziffer", "schluessel", "spalte", "zeichen", "wert", "abgeglichen")
"""Columns of ``quellschutz.csv``: table, year, district (0 for a city table), other key values
(``rechtskreis=SGB II``), count column, source symbol, imputed value, reconciled with a total row."""


@dataclass(frozen=True)
class Inspection:
    """What validation found: problems (bounded), typed tables (when there are none), cells protected
    at source, notes on what was read (per file) and warnings (e.g. unknown files)."""

    problems: list[Problem]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    protected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PROTECTED_COLUMNS)))
    notes: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_notes: dict[str, str] = field(default_factory=dict)
