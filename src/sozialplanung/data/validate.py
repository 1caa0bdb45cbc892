"""The validation stage: check every raw table against the data contract, then write typed tables.

Three layers, each reporting :class:`Problem` objects rather than stopping at the first one:

1. the table's pandera schema (types, codes, ranges; :func:`sozialplanung.data.contract.table_schema`)
   and unique keys, plus what the loader found (ambiguous numbers, unknown district names) and the
   check of each total row ("Insgesamt") against the sum of its districts,
2. cross-table rules (:data:`sozialplanung.data.rules.RULES`) on every row that passed layer 1;
   a (jahr, kennziffer) group with a broken row or a cell protected at source is left out, so
   that a missing row never shows as a broken bound,
3. completeness: every year and district, and every code combination of a district table, from
   every row whose keys are valid.

**Bounds.** Each check lists its first :data:`EXAMPLES` problems (in file and row order) and then
one line with its total count; the order is a total order, the same under any hash seed. Raw files
over :data:`sozialplanung.data.files.MAX_FILE_BYTES` are refused before they are read.

**Protected at source.** A count cell with a source symbol (``*``, ``.``, ``x``, ``…``; see
:mod:`sozialplanung.data.layout`) is written to the processed table with an *imputed* value and
listed in ``tables/quellschutz.csv`` (:data:`PROTECTED_COLUMNS`): where the file has a total row for
its group, the protected cells of the group share the remainder (total minus the known districts,
as evenly as possible, earlier kennziffer first; ``abgeglichen`` = ``ja``), so every sum over
districts equals the published total; without one they hold 0 (``abgeglichen`` = ``nein``). An
imputed value is never a fact: :mod:`sozialplanung.statistics.indicators` hides every value that
rests on such a cell.

Only when no problem is found are the processed tables written; otherwise :class:`ValidationFailed`
lists every problem with file, row, column, value and rule. Either way a validation report
(:mod:`sozialplanung.data.report`) is written next to the processed data, never into the site.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sozialplanung.core.config import Edition, EditionConfig
from sozialplanung.core.errors import ConfigError, DataError, ValidationFailed
from sozialplanung.data import files
from sozialplanung.data.contract import TABLES, TableSpec, table_schema
from sozialplanung.data.districts import ALIAS_FILE, DistrictNames, district_names
from sozialplanung.data.load import (
    RawTable,
    find_raw_file,
    integer_columns,
    read_districts,
    read_raw_table,
    write_tables,
)
from sozialplanung.data.problems import PROTECTED_COLUMNS, CheckedTable, Inspection, Problem, shown_value
from sozialplanung.data.report import write_report
from sozialplanung.data.rules import MATERIALISED, RULES

EXAMPLES = 5
"""Problems listed per check; the rest are counted."""


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
    """Validate one raw table with its schema: the typed table (None if any row broke it) and the
    problems found, the loader's own ones included (a cell the loader reported is not reported twice)."""
    file = raw.path.name
    problems = list(raw.issues)
    try:
        typed = schema.validate(_pandera_input(raw.frame, spec), lazy=True)
    except pa.errors.SchemaErrors as exc:
        found = _failure_problems(exc.failure_cases, raw, spec)
        # A failed schema must never pass silently, even with a failure case not translated above.
        found = found or [Problem(file, None, None, None, f"breaks its schema: {exc}")]
        reported = {(p.row, "kennziffer" if p.column == "stadtbezirk" else p.column) for p in raw.issues}
        problems += [p for p in found if p.row is None or (p.row, p.column) not in reported]
        typed = None
    problems += _duplicate_problems(raw, spec)
    if typed is None or problems:
        return None, problems
    typed.index = pd.Index([raw.row_number(i) for i in range(len(typed))], name="row")
    return CheckedTable(typed, file), []


def _failure_problems(cases: pd.DataFrame, raw: RawTable, spec: TableSpec) -> list[Problem]:
    """Pandera's failure cases as problems: per check and column the first ones in full, the rest counted."""
    file = raw.path.name
    problems: list[Problem] = []
    cases = cases.assign(position_=pd.to_numeric(cases["index"], errors="coerce"))
    for (check, column), group in cases.groupby(["check", "column"], sort=True, dropna=False):
        check, column = str(check), str(column)
        group = group.sort_values("position_", kind="stable")
        shown = group.head(MATERIALISED)
        for case in shown.itertuples(index=False):
            if check == "column_in_dataframe":
                problems.append(Problem(file, None, str(case.failure_case), None, "required column missing"))
            elif check == "column_in_schema":
                rule = f"unexpected column (allowed: {', '.join(spec.columns)})"
                problems.append(Problem(file, None, str(case.failure_case), None, rule))
            elif pd.isna(case.position_):
                problems.append(Problem(file, None, column, shown_value(case.failure_case), check))
            else:
                position = int(case.position_)
                value = shown_value(raw.frame.at[position, column])
                if check == "not_nullable" or check.startswith(("coerce_dtype", "dtype")):
                    rule = "value required" if value is None else _type_rule(column, spec)
                else:
                    rule = check  # the schema's own wording, e.g. "count ≥ 0"
                problems.append(Problem(file, raw.row_number(position), column, value, rule, _kind(column, check)))
        if len(group) > len(shown):
            rest = len(group) - len(shown)
            problems.append(Problem(file, None, column, None, "further rows", _kind(column, check), rest))
    return list(dict.fromkeys(problems))


def _kind(column: str, check: str) -> str:
    """The check a schema failure belongs to: type failures (missing, unparsed) count as one."""
    typed = check == "not_nullable" or check.startswith(("coerce_dtype", "dtype"))
    return f"{column}: {'type' if typed else check}"


def _valid_keys(
    raw: RawTable, spec: TableSpec, district_codes: Sequence[int], years: tuple[int, int]
) -> CheckedTable | None:
    """The keys of every row for the completeness check, or None when a row has an invalid key
    (that row is reported; which row is missing cannot be told until it is corrected)."""
    frame = _pandera_input(raw.frame, spec)
    if any(key not in frame for key in spec.keys):
        return None
    ok = frame["jahr"].between(*years) & frame["kennziffer"].isin(district_codes)
    for key, allowed in spec.codes.items():
        if key in spec.keys:
            ok &= frame[key].isin(allowed)
    if not ok.all():
        return None
    valid = frame[list(spec.keys)].astype({key: "int64" for key in spec.keys if key not in spec.codes})
    return CheckedTable(valid, raw.path.name)


def _duplicate_problems(raw: RawTable, spec: TableSpec) -> list[Problem]:
    """Rows with the same key as another row: the first groups in full, the rest counted."""
    keys = list(spec.keys)
    if not all(key in raw.frame for key in keys) or raw.frame.empty:
        return []
    duplicated = raw.frame[keys].duplicated(keep=False)
    if not duplicated.any():
        return []
    groups = raw.frame.loc[duplicated, keys].groupby(keys, sort=False, dropna=False).indices
    problems = []
    listed = 0
    for positions in groups.values():
        positions = raw.frame.index[duplicated][positions]
        values = [shown_value(raw.frame.at[positions[0], key]) or "" for key in keys]
        rows = [raw.row_number(i) for i in positions]
        for row in rows:
            if listed < MATERIALISED:
                others = [str(r) for r in rows if r != row]
                text = f"row{'s' * (len(others) > 1)} {', '.join(others[:EXAMPLES])}"
                text += f" and {len(others) - EXAMPLES} more" if len(others) > EXAMPLES else ""
                rule = f"no duplicate key: same {', '.join(keys)} as {text}"
                problems.append(Problem(raw.path.name, row, ", ".join(keys), ", ".join(values), rule, "duplicate key"))
            listed += 1
    if listed > len(problems):
        rest = listed - len(problems)
        problems.append(Problem(raw.path.name, None, ", ".join(keys), None, "further rows", "duplicate key", rest))
    return problems


def _rule_frame(raw: RawTable, spec: TableSpec, schema: pa.DataFrameSchema, problems: list[Problem]):
    """The rows cross-table rules may use: valid, without protected cells, in complete groups only."""
    if any(key not in raw.frame for key in spec.keys):
        return None
    bad = {p.row for p in problems if p.row is not None}
    bad |= {raw.row_number(position) for position, _ in raw.protected}
    columns = [c for c in spec.columns if c in raw.frame]
    if len(columns) < len(spec.columns):
        return None
    frame = _pandera_input(raw.frame, spec)[columns]
    frame.index = pd.Index([raw.row_number(i) for i in range(len(frame))], name="row")
    group = ["jahr", "kennziffer"] if spec.district_level else ["jahr"]
    bad |= set(frame.index[frame.duplicated(list(spec.keys), keep=False)])  # also those only counted
    is_bad = frame.index.isin(list(bad))
    broken = pd.MultiIndex.from_frame(frame.loc[is_bad, group].dropna().drop_duplicates())
    keep = ~is_bad
    if len(broken):
        keep &= ~pd.MultiIndex.from_frame(frame[group]).isin(broken)
    try:
        typed = schema.validate(frame[keep], lazy=True)
    except pa.errors.SchemaErrors:  # e.g. a rule the problems above did not locate by row
        return None
    return CheckedTable(typed, raw.path.name)


# --- total rows and cells protected at source -----------------------------------------------------


def _totals(raw: RawTable, spec: TableSpec, table: CheckedTable | None) -> tuple[list[Problem], list[dict]]:
    """Each total row checked against its districts, and the cells protected at source with their
    imputed values (see the module docstring)."""
    file = raw.path.name
    problems: list[Problem] = []
    frame = _pandera_input(raw.frame, spec)
    frame.index = pd.Index([raw.row_number(i) for i in range(len(frame))], name="row")
    protected_rows = {(raw.row_number(i), column): symbol for (i, column), symbol in raw.protected.items()}
    imputed: dict[tuple[int, str], int] = {}
    reconciled: set[tuple[int, str]] = set()
    group_keys = [k for k in spec.keys if k != "kennziffer"]
    totals = raw.totals
    protected_totals = totals.attrs.get("protected", {})
    if spec.district_level and not totals.empty and table is not None:
        seen: dict[tuple, int] = {}
        for row in totals.index:
            key = tuple(totals.loc[row, k] for k in group_keys)
            if key in seen:
                rule = f"one total row per {', '.join(group_keys)} (also in row {seen[key]})"
                problems.append(Problem(file, int(row), "kennziffer", None, rule, "total row"))
                continue
            seen[key] = row
            members = frame[np.logical_and.reduce([frame[k] == v for k, v in zip(group_keys, key)])]
            for column in spec.counts:
                total = totals.loc[row, column]
                if (row, column) in protected_totals or not _is_integer(total):
                    continue
                hidden = [r for r in members.index if (r, column) in protected_rows]
                known = int(members[column].drop(hidden).sum())
                if not hidden and known != total:
                    rule = f"total row = sum of the districts (= {known})"
                    problems.append(Problem(file, int(row), column, str(total), rule, "total row"))
                elif hidden and known > total:
                    rule = f"total row ≥ sum of the districts not protected at source (= {known})"
                    problems.append(Problem(file, int(row), column, str(total), rule, "total row"))
                elif hidden:
                    share, extra = divmod(int(total) - known, len(hidden))
                    for k, r in enumerate(sorted(hidden, key=lambda r: int(members.loc[r, "kennziffer"]))):
                        imputed[(r, column)] = share + (k < extra)
                        reconciled.add((r, column))
    cells = []
    for (row, column), symbol in sorted(protected_rows.items()):
        values = frame.loc[row]
        cells.append(
            dict(
                tabelle=spec.name,
                jahr=values["jahr"],
                kennziffer=values["kennziffer"] if spec.district_level else 0,
                schluessel=";".join(f"{k}={values[k]}" for k in spec.keys if k not in ("jahr", "kennziffer")),
                spalte=column,
                zeichen=symbol,
                wert=imputed.get((row, column), 0),
                abgeglichen="ja" if (row, column) in reconciled else "nein",
                _row=row,
            )
        )
    return problems, cells


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
            problems.append(Problem(file, None, "kennziffer", str(code), rule, "every district in every year"))
    code_keys = [key for key in spec.keys if key in spec.codes]
    if code_keys:
        rows = set(frame[["jahr", "kennziffer", *code_keys]].itertuples(index=False, name=None))
        for combination in product(*(spec.codes[key] for key in code_keys)):
            places = [f"{y}/{code}" for y, code in sorted(pairs) if (y, code, *combination) not in rows]
            if places:
                rule = f"a row for every year and district (missing for jahr/kennziffer {_listed(places)})"
                kind = "a row for every code combination"
                problems.append(Problem(file, None, ", ".join(code_keys), ", ".join(combination), rule, kind))
    return problems


# --- bounds --------------------------------------------------------------------------------------


def bounded(problems: Sequence[Problem], examples: int = EXAMPLES) -> list[Problem]:
    """Per file and check the first ``examples`` problems, then one line with the check's total."""
    groups: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    counted: Counter = Counter()
    for problem in problems:
        key = (problem.file, problem.check)
        if problem.count == 1:
            groups[key].append(problem)
        else:
            counted[key] += problem.count
            groups.setdefault(key, [])
    result = []
    for (file, check), found in groups.items():
        found = sorted(set(found), key=Problem.sort_key)
        result += found[:examples]
        total = len(found) + counted[(file, check)]
        if total > examples:
            columns = {p.column for p in found}
            column = columns.pop() if len(columns) == 1 else None
            rule = f"{total - examples} more problem(s) of this check not listed ({total} in all): {check}"
            result.append(Problem(file, None, column, None, rule, check, total - examples))
    return sorted(result, key=Problem.sort_key)


# --- the stage -----------------------------------------------------------------------------------


def check_sheets(sheets: Mapping[str, str]) -> None:
    """``data.sheets`` of the parameters may only name tables of the data contract (else a ConfigError)."""
    unknown = sorted(set(sheets) - set(TABLES))
    if unknown:
        raise ConfigError(
            f"data.sheets names the sheet of {', '.join(map(repr, unknown))}, which is no table of the data "
            f"contract; tables: {', '.join(TABLES)}. Correct the table name in the edition's parameters."
        )


def inspect_raw(
    raw_dir: Path,
    districts: pd.DataFrame,
    years: tuple[int, int],
    names: DistrictNames | None = None,
    sheets: Mapping[str, str] | None = None,
) -> Inspection:
    """Check every raw table in ``raw_dir`` against the data contract; nothing is written.

    ``sheets`` (``data.sheets`` of the edition's parameters) names, per table, the workbook sheet
    that holds its data; tables not named there are found by their header.
    """
    sheets = sheets or {}
    check_sheets(sheets)
    if not raw_dir.is_dir():
        raise DataError(f"Raw data folder {raw_dir} not found. Fetch it (dvc pull) or generate the sample.")
    names = names or district_names(districts)
    district_codes = tuple(int(code) for code in districts["kennziffer"])
    problems: list[Problem] = []
    checked: dict[str, CheckedTable] = {}
    for_rules: dict[str, CheckedTable] = {}
    keyed: dict[str, CheckedTable] = {}
    cells: list[dict] = []
    notes: list[tuple[str, str]] = []
    source_notes: dict[str, str] = {}
    for spec in TABLES.values():
        raw, unreadable = _read(raw_dir, spec, names, sheets.get(spec.name))
        problems.extend(unreadable)
        if raw is None:
            continue
        notes += [(raw.path.name, note) for note in raw.notes]
        if raw.source_note:
            source_notes[spec.name] = raw.source_note
        schema = table_schema(spec, district_codes, years)
        table, found = check_schema(raw, spec, schema)
        problems.extend(found)
        total_problems, protected = _totals(raw, spec, table)
        problems.extend(total_problems)
        cells += protected
        if table is not None and not total_problems:
            checked[spec.name] = table
        rules_table = _rule_frame(raw, spec, schema, found)
        if rules_table is not None:
            for_rules[spec.name] = rules_table
        keys = _valid_keys(raw, spec, district_codes, years) if spec.district_level else None
        if keys is not None:
            keyed[spec.name] = keys
    for rule in RULES:
        if all(name in for_rules for name in rule.tables):
            problems.extend(replace(p, kind=rule.description) for p in rule.check(for_rules))
    for name, table in keyed.items():
        problems.extend(check_completeness(table, TABLES[name], district_codes, years))
    warnings = [
        f"{name} belongs to no table of the data contract and was not read"
        for name in files.unknown_files(raw_dir, list(TABLES))
    ]
    protected = pd.DataFrame(cells, columns=[*PROTECTED_COLUMNS, "_row"]).drop(columns="_row")
    if problems:
        return Inspection(bounded(problems), {}, protected, notes, warnings, source_notes)
    tables = {name: _result(table.frame, TABLES[name], cells) for name, table in checked.items()}
    return Inspection([], tables, protected, notes, warnings, source_notes)


def validate_raw(
    raw_dir: Path,
    districts: pd.DataFrame,
    years: tuple[int, int],
    names: DistrictNames | None = None,
    sheets: Mapping[str, str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Validate every raw table in ``raw_dir``: the typed tables, or :class:`ValidationFailed`.

    ``years`` (first, last) is both the plausible range of ``jahr`` and the range every district
    table must cover completely; ``sheets`` as for :func:`inspect_raw`.
    """
    inspection = inspect_raw(raw_dir, districts, years, names, sheets)
    if inspection.problems:
        raise ValidationFailed(inspection.problems, failure_message(inspection.problems, str(raw_dir)))
    return inspection.tables


def _read(
    raw_dir: Path, spec: TableSpec, names: DistrictNames, sheet: str | None = None
) -> tuple[RawTable | None, list[Problem]]:
    """The raw table, or the problem that keeps it from being read (an absent optional table: none)."""
    try:
        path = find_raw_file(raw_dir, spec)
    except DataError as exc:  # two candidate files
        return None, [Problem(f"{spec.name}.csv", None, None, None, str(exc))]
    if path is None:
        rule = f"required file missing (expected {spec.name}.csv or {spec.name}.xlsx)"
        return None, [Problem(f"{spec.name}.csv", None, None, None, rule)] if spec.required else []
    try:
        return read_raw_table(raw_dir, spec, names, sheet), []
    except DataError as exc:
        return None, [Problem(path.name, None, None, None, str(exc))]


def _result(frame: pd.DataFrame, spec: TableSpec, cells: list[dict]) -> pd.DataFrame:
    frame = frame.copy()
    for cell in cells:
        if cell["tabelle"] == spec.name:
            frame.loc[cell["_row"], cell["spalte"]] = cell["wert"]
    return frame[list(spec.columns)].sort_values(list(spec.keys), ignore_index=True)


def failure_message(problems: Sequence[Problem], folder: str) -> str:
    """The message of :class:`ValidationFailed`: every problem on its own line, then what to do."""
    lines = [f"  {problem}" for problem in problems]
    total = sum(problem.count for problem in problems)
    return (
        f"{total} problem(s) in the raw tables in {folder}:\n"
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


def report_path(edition: Edition) -> Path:
    """The validation report of an edition (:attr:`EditionPaths.validation_report
    <sozialplanung.core.paths.EditionPaths.validation_report>`): beside its processed tables, never in the site."""
    return edition.paths.validation_report


def run_validation(edition: Edition, say: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """The validate stage: check the edition's raw tables and, only if all is well, write them typed
    (with ``quellschutz.csv`` when cells are protected at source). The validation report is written
    either way; ``say`` gets each warning and note (what was read) as a line."""
    districts = read_districts(edition.project.districts_file)
    names = district_names(districts, edition.project.districts_file.parent / ALIAS_FILE)
    raw_dir = edition.paths.raw_dir
    folder = edition.project.relative(raw_dir)
    inspection = inspect_raw(raw_dir, districts, validation_years(edition.config), names, edition.config.data.sheets)
    write_report(report_path(edition), inspection, folder)
    for line in [f"Warning: {w}" for w in inspection.warnings] + [f"{f}: {n}" for f, n in inspection.notes]:
        (say or (lambda _: None))(line)
    if inspection.problems:
        raise ValidationFailed(inspection.problems, failure_message(inspection.problems, folder))
    write_tables(inspection.tables, edition.paths.tables_dir, inspection.protected)
    return inspection.tables
