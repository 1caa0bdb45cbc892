"""The one loader for every table the project reads: reference data, raw tables, processed tables.

Raw tables come as German exports (CSV in UTF-8 with or without BOM or Windows-1252, ``;`` or ``,``
or tab, thousands dot and decimal comma, dates as ``dd.mm.yyyy``) or as Excel workbooks. The loader
parses what it can and keeps every value it cannot parse as it was given, so the validation stage can
show users the original value. Processed tables are plain CSV (``,``, ``.``, UTF-8, ISO dates), written
atomically so a reader never sees a half-written state.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sozialplanung.core.atomic import replace_directory, replace_file
from sozialplanung.core.errors import DataError
from sozialplanung.core.formats import AmbiguousNumber, parse_number
from sozialplanung.data import files
from sozialplanung.data.contract import TABLES, TableSpec
from sozialplanung.data.districts import CITY_TOTAL, NAME_COLUMNS, DistrictNames, fold
from sozialplanung.data.layout import HEADER_SEARCH_ROWS, PROTECTED_SYMBOLS, ZERO_SYMBOLS, Layout, find_layout
from sozialplanung.data.problems import Problem

if TYPE_CHECKING:
    from sozialplanung.core.config import Edition

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

INDICATOR_STATUS_COLUMNS = {
    "jahr": "int64",
    "kennziffer": "int64",
    "indikator": "str",
    "zaehler_status": "str",  # "" published, else primaer, sekundaer or quelle
    "nenner_status": "str",
    "wert_status": "str",
}

PROTECTED_FILE = "quellschutz.csv"
"""Cells protected at source, beside the processed tables (columns: :data:`PROTECTED_DTYPES`)."""
PROTECTED_DTYPES = {
    "tabelle": "str",
    "jahr": "int64",
    "kennziffer": "int64",  # 0 for a city-level table
    "schluessel": "str",  # the other key values, e.g. "rechtskreis=SGB II"; "" when there are none
    "spalte": "str",
    "zeichen": "str",  # the source's symbol: * . x …
    "wert": "int64",  # the imputed value in the processed table (never published)
    "abgeglichen": "str",  # "ja": imputed from a total row of the file, "nein": no total row, 0
}

FIRST_DATA_ROW = 2  # the row below the header when the header is row 1
_CONTRACT_NAMES = {column for spec in TABLES.values() for column in spec.columns}
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


def profile_districts(edition: Edition) -> pd.DataFrame:
    """The districts that get a profile page: every statistical district of the reference data, or
    those the edition's ``profiles.districts`` names (an unknown kennziffer raises :class:`DataError`)."""
    where = f"params/{edition.config.edition}.yaml: profiles.districts"
    return select_districts(read_districts(edition.project.districts_file), edition.config.profiles.districts, where)


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
    """A raw table as read from its file: the district (or city) rows, parsed as far as possible.

    Values that could not be parsed are kept as given. The frame has a plain 0-based index;
    position ``i`` is row ``rows[i]`` of the file (1-based, as a spreadsheet numbers it). Rows of the
    whole city ("Insgesamt") are in ``totals`` (kennziffer 0), indexed by their file row. Cells
    protected at source hold 0 in the frame and their symbol in ``protected`` (by position and
    column). ``issues`` are problems found while reading (ambiguous numbers, unknown district
    names); ``notes`` say what was found (sheet, header row, encoding, names translated) and
    ``source_note`` keeps the source and footnote lines below the data.
    """

    frame: pd.DataFrame
    path: Path
    rows: tuple[int, ...] = ()
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    protected: dict[tuple[int, str], str] = field(default_factory=dict)
    issues: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    source_note: str = ""

    def row_number(self, position: int) -> int:
        return self.rows[int(position)] if self.rows else FIRST_DATA_ROW + int(position)

    @property
    def first_row(self) -> int:
        return self.row_number(0)


def find_raw_file(raw_dir: Path, spec: TableSpec) -> Path | None:
    """The file of a raw table (``<name>.csv``, ``.xlsx`` …, any case), None if there is none.

    Raises :class:`DataError` naming both files when two files could hold the table.
    """
    return files.find_file(raw_dir, spec.name)


def read_raw_table(
    raw_dir: Path, spec: TableSpec, names: DistrictNames | None = None, sheet: str | None = None
) -> RawTable:
    """Read one raw table from ``raw_dir``: find it in its file, parse numbers, dates, names, symbols.

    ``sheet`` (the table's entry in ``data.sheets`` of the edition's parameters) names the workbook
    sheet that holds the data; without it, the sheet whose header matches the contract best is used.
    A named sheet the workbook lacks, or a sheet named for a text file, is a :class:`DataError`.
    """
    path = find_raw_file(raw_dir, spec)
    if path is None:
        raise DataError(f"Neither {spec.name}.csv nor {spec.name}.xlsx found in {raw_dir}.")
    files.check_size(path)
    wanted = {c.casefold() for c in spec.columns} | (set(NAME_COLUMNS) if spec.district_level else set())
    notes = []
    if path.suffix.lower() in files.WORKBOOK_SUFFIXES:
        separator = None
        sheets = [(title, rows, find_layout(rows, wanted)) for title, rows in files.read_sheets(path, sheet)]
        found = [candidate for candidate in sheets if candidate[2] is not None]
        best = max((candidate[2].matches for candidate in found), default=0)
        found = [candidate for candidate in found if candidate[2].matches == best]
        if len(found) > 1:
            titles = " and ".join(repr(candidate[0]) for candidate in found)
            raise DataError(
                f"{path.name}: the sheets {titles} both hold a table {spec.name}; keep it on one sheet, or name "
                f"the one to read in data.sheets of the edition's parameters ({spec.name}: <sheet>)."
            )
        if not found:
            _no_header(path, spec, sheets[0][1] if sheets else [], sheets[0][0] if sheet is not None else None)
        title, rows, layout = found[0]
        if sheet is not None:
            notes.append(f"data read from sheet {title!r} (named in data.sheets)")
        elif title != sheets[0][0]:
            notes.append(f"data read from sheet {title!r} (sheet {[s[0] for s in sheets].index(title) + 1})")
    else:
        if sheet is not None:
            raise DataError(
                f"{path.name} is a text file without sheets, but data.sheets of the edition's parameters names the "
                f"sheet {sheet!r} for table {spec.name}; remove that entry, or deliver the table as a workbook."
            )
        rows, separator, encoding = files.read_text_rows(path)
        layout = find_layout(rows, wanted)
        if layout is None:
            _no_header(path, spec, rows)
        if encoding not in ("UTF-8", "UTF-8 with BOM"):
            notes.append(f"encoding {encoding}")
    if layout.header > 0:
        notes.append(
            f"header found in row {layout.header + 1}" + (f" (above it: {layout.title})" if layout.title else "")
        )
    if layout.note:
        notes.append(f"source note below the data kept: {layout.note!r}")
    frame, numbers = _frame_from_rows(rows, layout, path)
    rows = sheets = found = None  # free the rows before parsing
    return _parse(frame, numbers, spec, path, separator, names, notes, layout.note)


def _no_header(path: Path, spec: TableSpec, rows: list[list[object]], sheet: str | None = None) -> None:
    first = next((row for row in rows if any(_clean(v) is not None for v in row)), [])
    shown = ", ".join(str(v) for v in first if _clean(v) is not None)[:200] or "nothing"
    where = f"{path.name}, sheet {sheet!r} (named in data.sheets)" if sheet is not None else path.name
    raise DataError(
        f"{where}: no header row found in the first {HEADER_SEARCH_ROWS} rows; expected a row with the "
        f"columns {', '.join(spec.columns)} (the first row holds: {shown}). Name the columns as the data "
        "contract does."
    )


def _frame_from_rows(rows: list[list[object]], layout: Layout, path: Path) -> tuple[pd.DataFrame, list[int]]:
    """The data rows below the header as a frame of cleaned cells, and their file row numbers.

    Built column by column, so a large file is held once as rows and once as columns, no more.
    """
    data = rows[layout.header + 1 : layout.end]
    width = max((len(row) for row in rows[layout.header : layout.end]), default=0)
    header = [_clean(v) for v in rows[layout.header]] + [None] * (width - len(rows[layout.header]))
    columns = [[_clean(row[i]) if i < len(row) else None for row in data] for i in range(width)]
    # Excel exports often end rows with a separator: drop columns without header and values.
    keep = [i for i in range(width) if header[i] is not None or any(v is not None for v in columns[i])]
    names = [_column_name(header[i]) if header[i] is not None else f"<unnamed column {i + 1}>" for i in keep]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DataError(f"{path.name} has the column(s) {', '.join(duplicates)} more than once in its header.")
    numbers = list(range(layout.header + 2, layout.header + 2 + len(data)))
    frame = pd.DataFrame({name: pd.Series(columns[i], dtype=object) for name, i in zip(names, keep)})
    return frame if len(frame.columns) else pd.DataFrame(index=pd.RangeIndex(len(data))), numbers


def _column_name(value: object) -> str:
    """A header cell as a column name: the contract's names case folded (``Jahr`` → ``jahr``)."""
    text = str(value)
    folded = text.casefold()
    if folded in NAME_COLUMNS:
        return "stadtbezirk"
    return folded if folded in _CONTRACT_NAMES else text


def _clean(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _parse(
    frame: pd.DataFrame,
    numbers: list[int],
    spec: TableSpec,
    path: Path,
    separator: str | None,
    names: DistrictNames | None,
    notes: list[str],
    source_note: str,
) -> RawTable:
    issues: list[Problem] = []
    integers, texts = set(integer_columns(spec)), set(text_columns(spec))
    city_rows: set[int] = set()
    if spec.district_level:
        city_rows = _resolve_districts(frame, numbers, path, names, issues, notes)
    protected: dict[tuple[int, str], str] = {}
    parsed = {}
    for name in frame.columns:
        values = frame[name].tolist()
        if name in integers:
            if name in spec.counts:
                values = _symbols(values, name, protected)
            parsed[name] = _typed(_integers(values, name, numbers, path, separator, issues), int, "int64")
        elif name in spec.dates:
            parsed[name] = _typed(list(map(parse_date, values)), pd.Timestamp, "datetime64[ns]")
        elif name in texts:
            parsed[name] = pd.Series([None if v is None else str(v) for v in values], dtype="str")
        else:  # a column the contract does not know: kept for the validator to name
            parsed[name] = pd.Series(values, dtype=object)
    whole = pd.DataFrame(parsed, index=pd.RangeIndex(len(frame)))
    districts = [i for i in range(len(whole)) if i not in city_rows]
    positions = {old: new for new, old in enumerate(districts)}
    totals = whole.iloc[sorted(city_rows)].set_axis([numbers[i] for i in sorted(city_rows)])
    totals_protected = {(numbers[i], c): s for (i, c), s in protected.items() if i in city_rows}
    if totals_protected:
        totals.attrs["protected"] = totals_protected
    if protected:
        kinds = sorted(set(protected.values()))
        notes.append(f"{len(protected)} count cell(s) protected at source ({', '.join(kinds)})")
    return RawTable(
        frame=whole.iloc[districts].reset_index(drop=True),
        path=path,
        rows=tuple(numbers[i] for i in districts),
        totals=totals,
        protected={(positions[i], c): s for (i, c), s in protected.items() if i in positions},
        issues=tuple(issues),
        notes=tuple(notes),
        source_note=source_note,
    )


def _symbols(values: list[object], column: str, protected: dict[tuple[int, str], str]) -> list[object]:
    result = []
    for position, value in enumerate(values):
        if isinstance(value, str) and value in PROTECTED_SYMBOLS:
            protected[(position, column)] = value
            value = 0
        elif isinstance(value, str) and value in ZERO_SYMBOLS:
            value = 0
        result.append(value)
    return result


def _integers(
    values: list[object], column: str, numbers: list[int], path: Path, separator: str | None, issues: list[Problem]
) -> list[object]:
    result = []
    for position, value in enumerate(values):
        if type(value) is str and value.isdigit():  # the common case, fast
            result.append(int(value))
            continue
        try:
            result.append(parse_integer(value, separator))
        except AmbiguousNumber as exc:
            issues.append(Problem(path.name, numbers[position], column, str(value), str(exc), "ambiguous number"))
            result.append(value)
    return result


def _resolve_districts(
    frame: pd.DataFrame,
    numbers: list[int],
    path: Path,
    names: DistrictNames | None,
    issues: list[Problem],
    notes: list[str],
) -> set[int]:
    """Codes from names in ``kennziffer`` or ``stadtbezirk`` (dropped afterwards); total rows' positions."""
    has_code, has_name = "kennziffer" in frame, "stadtbezirk" in frame
    if not has_code and not has_name:
        return set()
    names = names or DistrictNames()
    codes = frame["kennziffer"].tolist() if has_code else [None] * len(frame)
    labels = frame["stadtbezirk"].tolist() if has_name else [None] * len(frame)
    city, translated = set(), []
    for position, (code, label) in enumerate(zip(codes, labels)):
        column = "kennziffer"
        if isinstance(code, str) and not code.isdigit():  # a name where the code belongs
            code, label = None, code
        elif label is not None:
            column = "stadtbezirk"
        if label is None:
            continue
        found = names.code(str(label))
        if found is None:
            rule = names.unknown_rule(str(label))
            issues.append(Problem(path.name, numbers[position], column, str(label), rule, "district name"))
            codes[position] = str(label) if code is None else code
        elif found == CITY_TOTAL and code is None:
            city.add(position)
            codes[position] = CITY_TOTAL
        elif code is not None and str(code) != str(found):
            rule = f"stadtbezirk and kennziffer name the same district ({label!r} is kennziffer {found})"
            issues.append(Problem(path.name, numbers[position], column, str(label), rule, "district name"))
        else:
            codes[position] = found
            if names.shown.get(fold(str(label))) != label:
                translated.append(f"{label!r} → {found}")
    frame["kennziffer"] = pd.Series(codes, dtype=object, index=frame.index)
    if has_name:
        del frame["stadtbezirk"]
    if translated:
        distinct = list(dict.fromkeys(translated))
        more = f" and {len(distinct) - 3} more" if len(distinct) > 3 else ""
        notes.append(f"district names read as kennziffern ({', '.join(distinct[:3])}{more})")
    if city:
        notes.append(f"{len(city)} total row(s) of the whole city recognised, checked against the districts, dropped")
    return city


def _typed(values: list[object], kind: type, dtype: str) -> pd.Series:
    """A typed column when every value parsed, else an object column that keeps the originals."""
    if all(type(v) is kind for v in values):  # type(), not isinstance(): True is no count
        return pd.Series(values, dtype=dtype)
    return pd.Series(values, dtype=object)


def parse_integer(value: object, separator: str | None = None) -> object:
    """A whole number from a cell (``1.234``, ``1 234``, ``12,0``, ``-3``, ``7``); else as given.

    Text goes through :func:`sozialplanung.core.formats.parse_number` with the file's ``separator``;
    an ambiguous text raises :class:`~sozialplanung.core.formats.AmbiguousNumber`.
    """
    number: object = value
    if isinstance(value, str):
        try:
            number = parse_number(value, separator)
        except AmbiguousNumber:
            raise
        except ValueError:
            return value
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


def read_protected(tables_dir: Path) -> pd.DataFrame:
    """The cells protected at source (``quellschutz.csv``; no rows when the file is absent)."""
    path = tables_dir / PROTECTED_FILE
    if not path.is_file():
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in PROTECTED_DTYPES.items()})
    return _read_processed(path, PROTECTED_DTYPES, list(PROTECTED_DTYPES))


def read_indicators(path: Path) -> pd.DataFrame:
    """The indicator file: one row per year, district (0 = whole city) and indicator."""
    if not path.is_file():
        raise DataError(f"Indicator file {path.name} not found in {path.parent}. Run the indicator stage first.")
    return _read_processed(path, INDICATOR_COLUMNS, list(INDICATOR_COLUMNS), na_columns=("wert",))


def read_frame(path: Path, dtypes: dict[str, str]) -> pd.DataFrame:
    """A processed file written by :func:`write_frame`, with exactly ``dtypes``' columns."""
    if not path.is_file():
        raise DataError(f"{path.name} not found in {path.parent}. Run its stage first.")
    return _read_processed(path, dtypes, list(dtypes))


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


def write_tables(tables: dict[str, pd.DataFrame], tables_dir: Path, protected: pd.DataFrame | None = None) -> None:
    """Write the processed tables as a whole: all new files appear at once, or none of them.

    ``protected`` lists the cells protected at source (see :mod:`sozialplanung.data.validate`); it is
    written as :data:`PROTECTED_FILE` beside the tables when it has rows.
    """

    def fill(folder: Path) -> None:
        for name in sorted(tables):
            (folder / f"{name}.csv").write_bytes(_table_bytes(name, tables[name]))
        if protected is not None and not protected.empty:
            ordered = protected.sort_values(["tabelle", "jahr", "kennziffer", "schluessel", "spalte"], kind="stable")
            (folder / PROTECTED_FILE).write_bytes(_csv_bytes(ordered))

    replace_directory(tables_dir, fill)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write one processed CSV atomically."""
    replace_file(path, _csv_bytes(frame))
