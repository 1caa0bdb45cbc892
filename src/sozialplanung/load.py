"""The one loader for every table the project reads: reference data, raw tables, processed tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataError

DISTRICT_COLUMNS = {
    "kennziffer": "int64",
    "stadtbezirk": "str",
    "stadtbereich": "str",
    "teil": "str",
    "einwohner_2009": "int64",
    "kennziffer_belegt": "str",
    "lat_ca": "float64",
    "lon_ca": "float64",
}


def read_districts(path: Path) -> pd.DataFrame:
    """The 33 statistical districts (reference data, UTF-8 CSV with ``,``), sorted by kennziffer."""
    if not path.is_file():
        raise DataError(f"Reference file {path.name} not found in {path.parent}.")
    frame = pd.read_csv(path, dtype=DISTRICT_COLUMNS, encoding="utf-8")
    missing = set(DISTRICT_COLUMNS) - set(frame.columns)
    if missing:
        raise DataError(f"{path.name} lacks the column(s) {', '.join(sorted(missing))}.")
    return frame.sort_values("kennziffer", ignore_index=True)
