"""The validation stage: check every raw table against the data contract, then write typed tables.

Three layers, each reporting :class:`Problem` objects rather than stopping at the first one:

1. the table's pandera schema (types, codes, ranges, keys; :func:`sozialplanung.data.contract.table_schema`),
2. cross-table rules (:data:`sozialplanung.data.rules.RULES`), for tables that passed their schema,
3. completeness: every year and district, and every code combination of a district table.

Only when no problem is found are the processed tables written; otherwise :class:`ValidationFailed`
lists every problem with file, row, column, value and rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sozialplanung.core.config import Edition, EditionConfig
from sozialplanung.core.errors import DataError, ValidationFailed
from sozialplanung.data.contract import TABLES, TableSpec, table_schema
from sozialplanung.data.load import (
    RawTable,
    find_raw_file,
    integer_columns,
    read_districts,
    read_raw_table,
    write_tables,
)
from sozialplanung.data.problems import CheckedTable, Problem, shown_value
from sozialplanung.data.rules import RULES

# --- layer 1: the table schemas ------------------------------------------------------------------


def _is_integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _pandera_input(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """The raw frame as the schema should see it: values the loader could not parse become missing.

    Pandera would otherwise coerce 12.5 to 12, and a column with one unparsed text could not run its
    checks at all; the original values stay in the raw frame for the problem report.
    """
    frame = frame.copy()
    for name in (c for c in integer_columns(spec) if c in frame and frame[c].dtype == object):
        frame[name] = pd.to_numeric(frame[name].where(frame[name].map(_is_integer)), errors="coerce")
    for name in (c for c in spec.dates if c in frame and frame[c].dtype == object):
        parsed = frame[name].map(lambda v: isinstance(v, pd.Timestamp))
        frame[name] = pd.to_datetime(frame[name].where(parsed))
    return frame


def _type_rule(column: str, spec: TableSpec) -> str:
    if column in spec.dates:
        return "date as dd.mm.yyyy or yyyy-mm-dd"
    if column in integer_columns(spec):
        return "whole number (German format allowed: 1.234 or 12,0)"
    return "text"


def check_schema(
    raw: RawTable, spec: TableSpec, schema: pa.DataFrameSchema
) -> tuple[CheckedTable | None, list[Problem]]:
    """Validate one raw table with its schema: the typed table, or None and the problems found."""
    file = raw.path.name
    try:
        typed = schema.validate(_pandera_input(raw.frame, spec), lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = _failure_problems(exc.failure_cases, raw, spec)
        # A failed schema must never pass silently, even with a failure case not translated above.
        return None, problems or [Problem(file, None, None, None, f"breaks its schema: {exc}")]
    typed.index = pd.Index([raw.row_number(i) for i in range(len(typed))], name="row")
    return CheckedTable(typed, file), []


def _failure_problems(cases: pd.DataFrame, raw: RawTable, spec: TableSpec) -> list[Problem]:
    file = raw.path.name
    problems: set[Problem] = set()
    duplicates: list[int] = []
    for case in cases.itertuples(index=False):
        check, column = str(case.check), str(case.column)
        if check == "column_in_dataframe":
            problems.add(Problem(file, None, str(case.failure_case), None, "required column missing"))
        elif check == "column_in_schema":
            rule = f"unexpected column (allowed: {', '.join(spec.columns)})"
            problems.add(Problem(file, None, str(case.failure_case), None, rule))
        elif check == "multiple_fields_uniqueness":
            duplicates.append(int(case.index))
        elif case.index is None or pd.isna(case.index):
            problems.add(Problem(file, None, column, shown_value(case.failure_case), check))
        else:
            position = int(case.index)
            value = shown_value(raw.frame.at[position, column])
            if check == "not_nullable" or check.startswith(("coerce_dtype", "dtype")):
                rule = "value required" if value is None else _type_rule(column, spec)
            else:
                rule = check  # the schema's own wording, e.g. "count ≥ 0"
            problems.add(Problem(file, raw.row_number(position), column, value, rule))
    # With a key column missing, "duplicates" over the remaining keys are no real finding.
    if all(key in raw.frame for key in spec.keys):
        problems.update(_duplicate_problems(sorted(set(duplicates)), raw, spec))
    return list(problems)


def _duplicate_problems(positions: list[int], raw: RawTable, spec: TableSpec) -> list[Problem]:
    keys = list(spec.keys)
    shown = {pos: tuple(shown_value(raw.frame.at[pos, key]) or "" for key in keys) for pos in positions}
    rows_by_key = defaultdict(list)
    for pos, values in shown.items():
        rows_by_key[values].append(raw.row_number(pos))
    problems = []
    for pos, values in shown.items():
        row = raw.row_number(pos)
        others = [str(r) for r in rows_by_key[values] if r != row]
        if not others:  # alike only to pandera (two unparsable values), reported as such already
            continue
        rows = f"row{'s' * (len(others) > 1)} {', '.join(others)}"
        rule = f"no duplicate key: same {', '.join(keys)} as {rows}"
        problems.append(Problem(raw.path.name, row, ", ".join(keys), ", ".join(values), rule))
    return problems


# --- layer 3: completeness -----------------------------------------------------------------------


def _listed(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def check_completeness(
    table: CheckedTable, spec: TableSpec, district_codes: Sequence[int], years: tuple[int, int]
) -> list[Problem]:
    """A district table has every year, every district per year and every code combination."""
    frame, file = table.frame, table.file
    present_years = set(frame["jahr"])
    problems = [
        Problem(file, None, "jahr", str(year), f"data for every year from {years[0]} to {years[1]}")
        for year in range(years[0], years[1] + 1)
        if year not in present_years
    ]
    pairs = set(zip(frame["jahr"], frame["kennziffer"]))
    for code in district_codes:
        missing = [str(year) for year in sorted(present_years) if (year, code) not in pairs]
        if missing:
            rule = f"data for every district in every year (missing in {', '.join(missing)})"
            problems.append(Problem(file, None, "kennziffer", str(code), rule))
    code_keys = [key for key in spec.keys if key in spec.codes]
    if code_keys:
        rows = set(frame[["jahr", "kennziffer", *code_keys]].itertuples(index=False, name=None))
        for combination in product(*(spec.codes[key] for key in code_keys)):
            places = [f"{y}/{code}" for y, code in sorted(pairs) if (y, code, *combination) not in rows]
            if places:
                rule = f"a row for every year and district (missing for jahr/kennziffer {_listed(places)})"
                problems.append(Problem(file, None, ", ".join(code_keys), ", ".join(combination), rule))
    return problems


# --- the stage -----------------------------------------------------------------------------------


def validate_raw(raw_dir: Path, districts: pd.DataFrame, years: tuple[int, int]) -> dict[str, pd.DataFrame]:
    """Validate every raw table in ``raw_dir``: the typed tables, or :class:`ValidationFailed`.

    ``years`` (first, last) is both the plausible range of ``jahr`` and the range every district
    table must cover completely.
    """
    if not raw_dir.is_dir():
        raise DataError(f"Raw data folder {raw_dir} not found. Fetch it (dvc pull) or generate the sample.")
    district_codes = tuple(int(code) for code in districts["kennziffer"])
    problems: list[Problem] = []
    checked: dict[str, CheckedTable] = {}
    for spec in TABLES.values():
        raw, unreadable = _read(raw_dir, spec)
        problems.extend(unreadable)
        if raw is not None:
            table, found = check_schema(raw, spec, table_schema(spec, district_codes, years))
            problems.extend(found)
            if table is not None:
                checked[spec.name] = table
    for rule in RULES:
        if all(name in checked for name in rule.tables):
            problems.extend(rule.check(checked))
    for name, table in checked.items():
        if TABLES[name].district_level:
            problems.extend(check_completeness(table, TABLES[name], district_codes, years))
    if problems:
        problems = sorted(set(problems), key=Problem.sort_key)
        raise ValidationFailed(problems, failure_message(problems, str(raw_dir)))
    return {name: _result(table.frame, TABLES[name]) for name, table in checked.items()}


def _read(raw_dir: Path, spec: TableSpec) -> tuple[RawTable | None, list[Problem]]:
    """The raw table, or the problem that keeps it from being read (an absent optional table: none)."""
    try:
        path = find_raw_file(raw_dir, spec)
    except DataError as exc:  # both a CSV file and a workbook
        return None, [Problem(f"{spec.name}.csv", None, None, None, str(exc))]
    if path is None:
        rule = f"required file missing (expected {spec.name}.csv or {spec.name}.xlsx)"
        return None, [Problem(f"{spec.name}.csv", None, None, None, rule)] if spec.required else []
    try:
        return read_raw_table(raw_dir, spec), []
    except DataError as exc:
        return None, [Problem(path.name, None, None, None, str(exc))]


def _result(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    return frame[list(spec.columns)].sort_values(list(spec.keys), ignore_index=True)


def failure_message(problems: Sequence[Problem], folder: str) -> str:
    """The message of :class:`ValidationFailed`: every problem on its own line, then what to do."""
    lines = [f"  {problem}" for problem in problems]
    return (
        f"{len(lines)} problem(s) in the raw tables in {folder}:\n"
        + "\n".join(lines)
        + "\nCorrect the raw files and run the validation again; no processed table was written."
    )


def validation_years(config: EditionConfig) -> tuple[int, int]:
    """The years the raw data of an edition must cover, first to last.

    Real data: the edition's time series, ``first_year`` to ``year``. Synthetic data may start
    earlier (the generator's ``sample.first_year``), never later than the edition needs; it ends
    with the reporting year, as data after the Stichtag cannot exist.
    """
    if config.data.synthetic:
        return min(config.first_year, config.sample.first_year), config.year
    return config.first_year, config.year


def run_validation(edition: Edition) -> dict[str, pd.DataFrame]:
    """The validate stage: check the edition's raw tables and, only if all is well, write them typed."""
    districts = read_districts(edition.project.districts_file)
    raw_dir = edition.paths.raw_dir
    try:
        tables = validate_raw(raw_dir, districts, validation_years(edition.config))
    except ValidationFailed as exc:
        folder = edition.project.relative(raw_dir)
        raise ValidationFailed(exc.problems, failure_message(exc.problems, folder)) from None
    write_tables(tables, edition.paths.tables_dir)
    return tables
