"""The one loader for every table the project reads: reference data, raw tables, processed tables.

Raw tables come as German exports (CSV in UTF-8 with or without BOM or Windows-1252, ``;`` or ``,``
or tab, thousands dot and decimal comma, dates as ``dd.mm.yyyy``) or as Excel workbooks. The loader
parses what it can and keeps every value it cannot parse as it was given, so the validation stage can
show users the original value. Processed tables are plain CSV (``,``, ``.``, UTF-8, ISO dates), written
atomically so a reader never sees a half-written state.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from sozialplanung.core.atomic import replace_directory, replace_file
from sozialplanung.core.errors import DataError
from sozialplanung.data.contract import TABLES, TableSpec

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

INDICATOR_COLUMNS = {
    "jahr": "int64",
    "kennziffer": "int64",  # 0 = whole city
    "indikator": "str",
    "zaehler": "int64",
    "nenner": "int64",
    "wert": "float64",  # NaN when the denominator is 0
}

RAW_SUFFIXES = (".csv", ".xlsx")
SEPARATORS = (";", ",", "\t")  # in order of preference when the header is ambiguous
FIRST_DATA_ROW = 2  # the header is row 1 of every raw file

# A German number: optional sign, digits with or without correct thousands dots, optional decimals.
_GERMAN_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def read_districts(path: Path) -> pd.DataFrame:
    """The 33 statistical districts (reference data, UTF-8 CSV with ``,``), sorted by kennziffer."""
    if not path.is_file():
        raise DataError(f"Reference file {path.name} not found in {path.parent}.")
    frame = pd.read_csv(path, dtype=DISTRICT_COLUMNS, encoding="utf-8")
    missing = set(DISTRICT_COLUMNS) - set(frame.columns)
    if missing:
        raise DataError(f"{path.name} lacks the column(s) {', '.join(sorted(missing))}.")
    return frame.sort_values("kennziffer", ignore_index=True)


def select_districts(districts: pd.DataFrame, kennziffern: tuple[int, ...], where: str) -> pd.DataFrame:
    """The rows of ``districts`` named by ``kennziffern`` (all of them when it is empty), in
    kennziffer order; an unknown kennziffer raises :class:`DataError` naming ``where``."""
    if not kennziffern:
        return districts
    unknown = sorted(set(kennziffern) - set(districts["kennziffer"].astype(int)))
    if unknown:
        raise DataError(
            f"{where} names kennziffer(n) {', '.join(map(str, unknown))}, which the reference data does not "
            f"know; known: {', '.join(map(str, districts['kennziffer']))}."
        )
    return districts[districts["kennziffer"].isin(kennziffern)].reset_index(drop=True)


# --- column kinds --------------------------------------------------------------------------------


def integer_columns(spec: TableSpec) -> tuple[str, ...]:
    """Columns holding whole numbers: the numeric keys (jahr, kennziffer, massnahme_nr) and counts."""
    return (*(key for key in spec.keys if key not in spec.codes), *spec.counts)


def text_columns(spec: TableSpec) -> tuple[str, ...]:
    """Columns holding strings: codes and free texts."""
    return tuple(c for c in spec.columns if c in spec.codes or c in spec.texts)


# --- raw tables ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RawTable:
    """A raw table as read from its file.

    Values that could not be parsed are kept as given. The frame has a plain 0-based index;
    position ``i`` is row ``first_row + i`` of the file (the header is row 1).
    """

    frame: pd.DataFrame
    path: Path
    first_row: int = FIRST_DATA_ROW

    def row_number(self, position: int) -> int:
        return self.first_row + int(position)


def find_raw_file(raw_dir: Path, spec: TableSpec) -> Path | None:
    """The file of a raw table (``<name>.csv`` or ``<name>.xlsx``), or None if there is none."""
    found = [raw_dir / f"{spec.name}{suffix}" for suffix in RAW_SUFFIXES]
    found = [path for path in found if path.is_file()]
    if len(found) > 1:
        raise DataError(f"both {found[0].name} and {found[1].name} exist; keep only one of them in the raw folder.")
    return found[0] if found else None


def read_raw_table(raw_dir: Path, spec: TableSpec) -> RawTable:
    """Read one raw table from ``raw_dir`` and parse numbers, dates and texts as far as possible."""
    path = find_raw_file(raw_dir, spec)
    if path is None:
        raise DataError(f"Neither {spec.name}.csv nor {spec.name}.xlsx found in {raw_dir}.")
    rows = _xlsx_rows(path) if path.suffix == ".xlsx" else _csv_rows(path)
    return RawTable(frame=_parse(_frame_from_rows(rows, path), spec), path=path)


def _decode(data: bytes, path: Path) -> str:
    # A BOM says UTF-8 for sure; without one, German Excel's "CSV (Trennzeichen-getrennt)" is
    # Windows-1252, which almost never decodes as UTF-8 by accident.
    encodings = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc
    raise DataError(f"{path.name} is neither UTF-8 nor Windows-1252 text; save it again as CSV (UTF-8).") from error


def _csv_rows(path: Path) -> list[list[object]]:
    text = _decode(path.read_bytes(), path)
    if not text.strip():
        raise DataError(f"{path.name} is empty; it needs a header row and data rows.")
    header = text.splitlines()[0]
    separator = max(SEPARATORS, key=header.count)  # max keeps the first of equal counts
    try:
        # Everything as text: the parsing below decides what a value means, and blank lines are
        # kept so that positions stay the file's line numbers.
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{path.name} is not a well-formed CSV file: {exc}") from exc
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def _xlsx_rows(path: Path) -> list[list[object]]:
    import openpyxl  # imported here: only workbooks need it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise DataError(f"{path.name} cannot be read as an Excel workbook ({exc}); save it again as .xlsx.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        raise DataError(f"{path.name} has an empty first sheet; it needs a header row and data rows.")
    return rows


def _frame_from_rows(rows: list[list[object]], path: Path) -> pd.DataFrame:
    """Header in the first row; cells stripped, empty cells missing, trailing empty rows dropped."""
    width = max(len(row) for row in rows)
    cells = [[_clean(v) for v in row] + [None] * (width - len(row)) for row in rows]
    header, body = cells[0], cells[1:]
    while body and all(v is None for v in body[-1]):
        body.pop()
    # Excel exports often end rows with a separator: drop columns without header and values.
    keep = [i for i in range(width) if header[i] is not None or any(row[i] is not None for row in body)]
    names = [str(header[i]) if header[i] is not None else f"<unnamed column {i + 1}>" for i in keep]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DataError(f"{path.name} has the column(s) {', '.join(duplicates)} more than once in its header.")
    return pd.DataFrame([[row[i] for i in keep] for row in body], columns=names, dtype=object)


def _clean(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _parse(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    integers, texts = set(integer_columns(spec)), set(text_columns(spec))
    parsed = {}
    for name in frame.columns:
        values = frame[name].tolist()
        if name in integers:
            parsed[name] = _typed(list(map(parse_integer, values)), int, "int64")
        elif name in spec.dates:
            parsed[name] = _typed(list(map(parse_date, values)), pd.Timestamp, "datetime64[ns]")
        elif name in texts:
            parsed[name] = pd.Series([None if v is None else str(v) for v in values], dtype="str")
        else:  # a column the contract does not know: kept for the validator to name
            parsed[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(parsed, index=pd.RangeIndex(len(frame)))


def _typed(values: list[object], kind: type, dtype: str) -> pd.Series:
    """A typed column when every value parsed, else an object column that keeps the originals."""
    if all(type(v) is kind for v in values):  # type(), not isinstance(): True is no count
        return pd.Series(values, dtype=dtype)
    return pd.Series(values, dtype=object)


def parse_integer(value: object) -> object:
    """A whole number from a cell (``1.234``, ``12,0``, ``-3``, ``7``); anything else as given."""
    number: object = value
    if isinstance(value, str) and _GERMAN_NUMBER.fullmatch(value):
        number = Decimal(value.replace(".", "").replace(",", "."))
    if isinstance(number, bool) or not isinstance(number, (int, float, Decimal)):
        return value
    try:
        whole = int(number)
    except (ValueError, OverflowError):  # NaN, infinity
        return value
    # Only whole numbers that fit into int64; anything else stays as given for the validator.
    return whole if number == whole and abs(whole) < 2**63 else value


def parse_date(value: object) -> object:
    """A date from a cell (``31.12.2024``, ``2024-12-31`` or an Excel date); anything else as given."""
    if isinstance(value, (datetime, date)):
        return pd.Timestamp(value).normalize()
    if isinstance(value, str):
        german, iso = _GERMAN_DATE.fullmatch(value), _ISO_DATE.fullmatch(value)
        try:
            if german:
                day, month, year = map(int, german.groups())
                return pd.Timestamp(year, month, day)
            if iso:
                return pd.Timestamp(*map(int, iso.groups()))
        except ValueError:  # 31.02.2024 and the like
            return value
    return value


# --- processed tables ----------------------------------------------------------------------------


def _processed_dtypes(spec: TableSpec) -> dict[str, str]:
    dtypes = dict.fromkeys(integer_columns(spec), "int64")
    dtypes.update(dict.fromkeys(text_columns(spec), "str"))
    return dtypes


def read_tables(tables_dir: Path) -> dict[str, pd.DataFrame]:
    """The validated tables with their types; an absent optional table is absent from the result."""
    if not tables_dir.is_dir():
        raise DataError(f"No processed tables in {tables_dir}. Run the validation stage first.")
    tables = {}
    for spec in TABLES.values():
        path = tables_dir / f"{spec.name}.csv"
        if not path.is_file():
            if spec.required:
                raise DataError(f"{path.name} is missing in {tables_dir}. Run the validation stage again.")
            continue
        frame = _read_processed(path, _processed_dtypes(spec), list(spec.columns))
        for name in spec.dates:
            frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d").astype("datetime64[ns]")
        tables[spec.name] = frame
    return tables


def read_indicators(path: Path) -> pd.DataFrame:
    """The indicator file: one row per year, district (0 = whole city) and indicator."""
    if not path.is_file():
        raise DataError(f"Indicator file {path.name} not found in {path.parent}. Run the indicator stage first.")
    return _read_processed(path, INDICATOR_COLUMNS, list(INDICATOR_COLUMNS), na_columns=("wert",))


def _read_processed(path: Path, dtypes: dict[str, str], columns: list[str], na_columns=()) -> pd.DataFrame:
    # Only the given columns may be empty; a text such as "NA" stays a text.
    try:
        frame = pd.read_csv(
            path,
            dtype=dtypes,
            encoding="utf-8",
            keep_default_na=False,
            na_values={name: [""] for name in na_columns},
        )
    except ValueError as exc:
        message = f"{path.name} does not hold the expected types ({exc}). Run its stage again."
        raise DataError(message) from exc
    if list(frame.columns) != columns:
        raise DataError(
            f"{path.name} has the columns {', '.join(frame.columns)}; expected {', '.join(columns)}. "
            "Run its stage again."
        )
    return frame


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """The processed CSV form: ``,``, ``.`` decimal, ISO dates, ``\\n``, UTF-8 without BOM."""
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return text.encode("utf-8")


def _table_bytes(name: str, frame: pd.DataFrame) -> bytes:
    spec = TABLES.get(name)
    if spec is None:
        raise ValueError(f"{name!r} is not a table of the data contract.")
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise ValueError(f"Table {name} lacks the column(s) {', '.join(missing)}.")
    ordered = frame[list(spec.columns)].sort_values(list(spec.keys), kind="stable")
    return _csv_bytes(ordered)


def write_tables(tables: dict[str, pd.DataFrame], tables_dir: Path) -> None:
    """Write the processed tables as a whole: all new files appear at once, or none of them."""

    def fill(folder: Path) -> None:
        for name in sorted(tables):
            (folder / f"{name}.csv").write_bytes(_table_bytes(name, tables[name]))

    replace_directory(tables_dir, fill)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write one processed CSV atomically."""
    replace_file(path, _csv_bytes(frame))
