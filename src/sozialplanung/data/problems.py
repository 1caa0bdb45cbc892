"""What validation reports: a :class:`Problem` per breach of the data contract, located in its file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One breach of the data contract, located as precisely as the rule allows."""

    file: str  # file name only, e.g. "sgb2.csv"
    row: int | None  # row number in the file (header = 1); None for the whole file or a column
    column: str | None
    value: str | None  # as given in the file; None when the cell is empty or the problem has none
    rule: str

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
        return (self.file, -1 if self.row is None else self.row, self.column or "", self.rule)


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
