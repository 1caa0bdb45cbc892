"""Real exports load as they come: one test per class of input, for CSV and XLSX where both apply.

The data set is the valid one of ``test_validate`` (2 years × 33 districts, round numbers); each test
writes one table the way an agency would and checks what the loader and the validation make of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sozialplanung.core.errors import ConfigError, DataError, ValidationFailed
from sozialplanung.data import files, load
from sozialplanung.data.contract import TABLES
from sozialplanung.data.districts import ALIAS_FILE, district_names
from sozialplanung.data.layout import PROTECTED_SYMBOLS, ZERO_SYMBOLS
from sozialplanung.data.validate import EXAMPLES, inspect_raw, validate_raw
from test_validate import DISTRICTS, HERE, REPO, YEARS, problems_of, put, row, valid_tables, write_raw

NAMES = district_names(DISTRICTS, REPO / "data" / "reference" / ALIAS_FILE)
WOHNGELD = TABLES["wohngeld"]


def rows_of(frame: pd.DataFrame) -> list[list[object]]:
    return [list(frame.columns), *frame.astype(object).values.tolist()]


def write_table(folder: Path, name: str, rows: list[list[object]], kind: str, merged_title: bool = False) -> Path:
    """``rows`` as ``<name>.csv`` (``;``, UTF-8) or as ``<name>.xlsx`` (first sheet)."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        path = folder / f"{name}.csv"
        path.write_text(files.csv_text([[("" if v is None else str(v)) for v in r] for r in rows]), encoding="utf-8")
        return path
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    if merged_title:
        sheet.merge_cells("A1:C1")
    path = folder / f"{name}.xlsx"
    workbook.save(path)
    return path


def wohngeld_rows() -> list[list[object]]:
    return rows_of(valid_tables()["wohngeld"])


def raw_with(tmp_path: Path, name: str, rows: list[list[object]], kind: str, **options) -> Path:
    """The valid raw folder with table ``name`` replaced by ``rows`` written as ``kind``."""
    tables = valid_tables()
    raw_dir = write_raw({k: v for k, v in tables.items() if k != name}, tmp_path / "raw")
    write_table(raw_dir, name, rows, kind, **options)
    return raw_dir


# --- 1. finding the table in the file ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_title_and_blank_rows_above_the_header(tmp_path, kind):
    rows = [["Wohngeldhaushalte nach Stadtbezirken"], ["Stand: 31.12."], [], *wohngeld_rows()]
    raw_dir = raw_with(tmp_path, "wohngeld", rows, kind, merged_title=True)
    table = load.read_raw_table(raw_dir, WOHNGELD)
    assert table.first_row == 5  # header in row 4
    assert table.frame.loc[0].tolist() == [2023, 211, 12]
    assert "header found in row 4 (above it: Wohngeldhaushalte nach Stadtbezirken / Stand: 31.12.)" in table.notes
    validate_raw(raw_dir, DISTRICTS, YEARS)  # passes


def test_data_on_the_second_sheet_under_a_merged_title(tmp_path):
    raw_dir = write_raw({k: v for k, v in valid_tables().items() if k != "wohngeld"}, tmp_path / "raw")
    workbook = openpyxl.Workbook()
    workbook.active.title = "Hinweise"
    workbook.active.append(["Erläuterungen zur Tabelle"])
    data = workbook.create_sheet("Daten")
    data.append(["Wohngeldhaushalte"])
    data.merge_cells("A1:C1")
    for values in wohngeld_rows():
        data.append(values)
    workbook.save(raw_dir / "wohngeld.xlsx")
    table = load.read_raw_table(raw_dir, WOHNGELD)
    assert "data read from sheet 'Daten' (sheet 2)" in table.notes
    assert table.first_row == 3 and len(table.frame) == 66


def test_the_same_table_on_two_sheets_is_an_error(tmp_path):
    workbook = openpyxl.Workbook()
    for values in wohngeld_rows():
        workbook.active.append(values)
    copy = workbook.create_sheet("Kopie")
    for values in wohngeld_rows():
        copy.append(values)
    tmp_path.mkdir(exist_ok=True)
    workbook.save(tmp_path / "wohngeld.xlsx")
    with pytest.raises(DataError, match="the sheets 'Sheet' and 'Kopie' both hold a table wohngeld"):
        load.read_raw_table(tmp_path, WOHNGELD)


def two_sheet_workbook(folder: Path, titles: tuple[str, str] = ("2023", "Daten 2024")) -> Path:
    """``wohngeld.xlsx`` with the table on two sheets: the first with every count 99, the second valid."""
    folder.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.active.title = titles[0]
    header, *data = wohngeld_rows()
    for values in [header, *([jahr, code, 99] for jahr, code, _ in data)]:
        workbook.active.append(values)
    second = workbook.create_sheet(titles[1])
    second.append(["Wohngeldhaushalte nach Stadtbezirken"])
    for values in [header, *data]:
        second.append(values)
    path = folder / "wohngeld.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize("asked", ["Daten 2024", "daten 2024"])
def test_sheet_named_in_the_parameters_is_read(tmp_path, asked):
    raw_dir = write_raw({k: v for k, v in valid_tables().items() if k != "wohngeld"}, tmp_path / "raw")
    two_sheet_workbook(raw_dir)
    with pytest.raises(DataError, match="both hold a table wohngeld; .* name the one to read in data.sheets"):
        load.read_raw_table(raw_dir, WOHNGELD)  # without the parameter: found twice, never picked silently
    table = load.read_raw_table(raw_dir, WOHNGELD, sheet=asked)
    assert "data read from sheet 'Daten 2024' (named in data.sheets)" in table.notes
    assert table.first_row == 3 and table.frame["haushalte"].tolist() == [12] * 66
    tables = validate_raw(raw_dir, DISTRICTS, YEARS, sheets={"wohngeld": asked})
    assert tables["wohngeld"]["haushalte"].sum() == 66 * 12


def test_sheet_named_in_the_parameters_is_used_even_when_another_fits_better(tmp_path):
    """The named sheet is read as it is: no other sheet is searched."""
    two_sheet_workbook(tmp_path, ("Daten", "Alt"))
    table = load.read_raw_table(tmp_path, WOHNGELD, sheet="Alt")
    assert table.frame["haushalte"].tolist() == [12] * 66
    table = load.read_raw_table(tmp_path, WOHNGELD, sheet="Daten")
    assert table.frame["haushalte"].tolist() == [99] * 66


def test_missing_named_sheet_names_the_file_the_sheet_and_the_sheets_present(tmp_path):
    raw_dir = write_raw({k: v for k, v in valid_tables().items() if k != "wohngeld"}, tmp_path / "raw")
    two_sheet_workbook(raw_dir)
    expected = "wohngeld.xlsx has no sheet 'Daten 2025', which data.sheets .* its sheets: '2023', 'Daten 2024'"
    with pytest.raises(DataError, match=expected):
        load.read_raw_table(raw_dir, WOHNGELD, sheet="Daten 2025")
    found = inspect_raw(raw_dir, DISTRICTS, YEARS, NAMES, sheets={"wohngeld": "Daten 2025"})
    [problem] = [p for p in found.problems if p.file == "wohngeld.xlsx"]
    assert "no sheet 'Daten 2025'" in problem.rule and "'2023', 'Daten 2024'" in problem.rule


def test_named_sheet_without_the_header_says_which_sheet(tmp_path):
    two_sheet_workbook(tmp_path)
    workbook = openpyxl.load_workbook(tmp_path / "wohngeld.xlsx")
    workbook.create_sheet("Hinweise").append(["Erläuterungen"])
    workbook.save(tmp_path / "wohngeld.xlsx")
    with pytest.raises(DataError, match=r"wohngeld.xlsx, sheet 'Hinweise' \(named in data.sheets\): no header row"):
        load.read_raw_table(tmp_path, WOHNGELD, sheet="Hinweise")


def test_sheet_named_for_a_text_file_is_an_error(tmp_path):
    raw_dir = write_raw(valid_tables(), tmp_path / "raw")
    with pytest.raises(DataError, match="wohngeld.csv is a text file without sheets, but data.sheets .* 'Daten'"):
        load.read_raw_table(raw_dir, WOHNGELD, sheet="Daten")


def test_sheets_for_a_table_the_contract_does_not_know_are_a_config_error(tmp_path):
    raw_dir = write_raw(valid_tables(), tmp_path / "raw")
    with pytest.raises(ConfigError, match="data.sheets names the sheet of 'wohngled', which is no table"):
        inspect_raw(raw_dir, DISTRICTS, YEARS, NAMES, sheets={"wohngled": "Daten"})


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_footnotes_below_the_data_are_the_source_note(tmp_path, kind):
    notes = ["Quelle: Bundesagentur für Arbeit", "* Werte unter 3 anonymisiert"]
    rows = [*wohngeld_rows(), [], [notes[0]], [notes[1]]]
    raw_dir = raw_with(tmp_path, "wohngeld", rows, kind)
    table = load.read_raw_table(raw_dir, WOHNGELD)
    assert len(table.frame) == 66 and table.source_note == "\n".join(notes)
    assert validate_raw(raw_dir, DISTRICTS, YEARS)["wohngeld"]["haushalte"].sum() == 66 * 12


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_no_header_says_which_columns_are_expected(tmp_path, kind):
    raw_dir = raw_with(tmp_path, "wohngeld", [["Tabelle 1"], ["a", "b", "c"], [1, 2, 3]], kind)
    with pytest.raises(DataError, match=r"no header row found in the first 50 rows; expected a row with the columns"):
        load.read_raw_table(raw_dir, WOHNGELD)


# --- 2. symbols of the sources -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_source_symbols_load_as_protected_and_dash_as_zero(tmp_path, kind):
    """DIN 55301 and the BA: ``*`` anonymised, ``.`` unknown or secret and ``x`` not applicable are
    protected at source (each with its own symbol and meaning); ``-`` (and the dashes ``–``, ``—``)
    is "nichts vorhanden", a true 0 that is not protected."""
    rows = wohngeld_rows()
    symbols = ["*", ".", "x", "…", "-", "–", "—"]
    for position, symbol in enumerate(symbols, start=1):
        rows[position][2] = symbol
    raw_dir = raw_with(tmp_path, "wohngeld", rows, kind)
    table = load.read_raw_table(raw_dir, WOHNGELD)
    assert table.protected == {
        (0, "haushalte"): "*",
        (1, "haushalte"): ".",
        (2, "haushalte"): "x",
        (3, "haushalte"): "…",
    }
    # placeholders for the protected cells, true zeros for the dashes, then an ordinary count
    assert table.frame["haushalte"].tolist()[:8] == [0, 0, 0, 0, 0, 0, 0, 12]
    assert PROTECTED_SYMBOLS["*"].startswith("anonymisiert")
    assert PROTECTED_SYMBOLS["."] == "unbekannt oder geheim zu halten"
    assert "nicht sinnvoll" in PROTECTED_SYMBOLS["x"]  # DIN 55301: Tabellenfach gesperrt, not applicable
    assert not set(ZERO_SYMBOLS) & set(PROTECTED_SYMBOLS)

    # Through the validation: the three source symbols (and …) are listed in quellschutz.csv with
    # their symbol; the dashes are not, and stay 0 in the processed table.
    found = inspect_raw(raw_dir, DISTRICTS, YEARS, NAMES)
    assert found.problems == []
    codes = [int(rows[position][1]) for position in range(1, len(symbols) + 1)]
    protected = found.protected[found.protected["tabelle"] == "wohngeld"]
    assert protected[["jahr", "kennziffer", "zeichen", "wert"]].values.tolist() == [
        [2023, code, symbol, 0] for code, symbol in zip(codes[:4], symbols[:4])
    ]
    written = found.tables["wohngeld"].set_index(["jahr", "kennziffer"])["haushalte"]
    assert [written[(2023, code)] for code in codes[4:]] == [0, 0, 0]


def test_protected_cells_are_reconciled_with_the_total_row(tmp_path):
    """Two `*` among 33 districts of 12 each; the total row publishes 396 = 31 × 12 + 24."""
    frame = valid_tables()["wohngeld"]
    frame = frame[frame["jahr"] == 2024].astype(object)
    frame.loc[frame["kennziffer"] == 234, "haushalte"] = "*"
    frame.loc[frame["kennziffer"] == 326, "haushalte"] = "*"
    rows = [*rows_of(frame), [2024, "Insgesamt", "396"]]
    raw_dir = raw_with(tmp_path, "wohngeld", rows, "csv")
    found = inspect_raw(raw_dir, DISTRICTS, (2024, 2024), NAMES)
    protected = found.protected[found.protected["tabelle"] == "wohngeld"]
    assert protected[["kennziffer", "zeichen", "wert", "abgeglichen"]].values.tolist() == [
        [234, "*", 12, "ja"],
        [326, "*", 12, "ja"],
    ]
    assert [p for p in found.problems if p.file == "wohngeld.csv"] == []


def test_total_row_must_be_at_least_the_known_districts(tmp_path):
    frame = valid_tables()["wohngeld"].astype(object)
    frame.loc[(frame["jahr"] == 2024) & (frame["kennziffer"] == 234), "haushalte"] = "*"
    rows = [*rows_of(frame), [2024, "Insgesamt", "300"]]
    problems = [p for p in problems_with(tmp_path, "wohngeld", rows) if p.file == "wohngeld.csv"]
    assert [(p.row, p.column, p.value, p.rule) for p in problems] == [
        (68, "haushalte", "300", "total row ≥ sum of the districts not protected at source (= 384)")
    ]


def problems_with(tmp_path: Path, name: str, rows: list[list[object]], kind: str = "csv"):
    with pytest.raises(ValidationFailed) as failed:
        validate_raw(raw_with(tmp_path, name, rows, kind), DISTRICTS, YEARS, NAMES)
    return failed.value.problems


# --- 3. district names ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_district_names_and_variants_instead_of_codes(tmp_path, kind):
    rows = wohngeld_rows()
    names = {
        211: "Altstadt",
        213: "Klinikviertel",
        243: "Richtsberg, Oberer",
        351: "Marburg-Cappel",
        214: "SUEDVIERTEL",
    }
    for values in rows[1:]:
        values[1] = names.get(values[1], values[1])
    tables = validate_raw(raw_with(tmp_path, "wohngeld", rows, kind), DISTRICTS, YEARS, NAMES)
    assert sorted(tables["wohngeld"]["kennziffer"].unique()) == sorted(DISTRICTS["kennziffer"])


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_unknown_district_name_offers_the_closest(tmp_path, kind):
    rows = wohngeld_rows()
    rows[row(valid_tables()["wohngeld"], **HERE) - 1][1] = "Richtsberk, Oberer"
    (problem,) = [p for p in problems_with(tmp_path, "wohngeld", rows, kind) if p.file.startswith("wohngeld")]
    assert (problem.row, problem.column, problem.value) == (48, "kennziffer", "Richtsberk, Oberer")
    assert problem.rule.startswith("name of a statistical district (did you mean Oberer Richtsberg")


def test_name_column_beside_the_code_is_checked_and_dropped(tmp_path):
    frame = valid_tables()["wohngeld"]
    names = dict(zip(DISTRICTS["kennziffer"], DISTRICTS["stadtbezirk"]))
    frame.insert(2, "Stadtbezirk", [names[k] for k in frame["kennziffer"]])
    frame.loc[0, "Stadtbezirk"] = "Cappel"  # row 2 is kennziffer 211
    (problem,) = [p for p in problems_with(tmp_path, "wohngeld", rows_of(frame)) if p.file == "wohngeld.csv"]
    assert (problem.row, problem.column, problem.value) == (2, "stadtbezirk", "Cappel")
    assert problem.rule == "stadtbezirk and kennziffer name the same district ('Cappel' is kennziffer 351)"


@pytest.mark.parametrize("label", ["Insgesamt", "Summe", "Marburg gesamt"])
def test_total_rows_are_checked_and_dropped(tmp_path, label):
    rows = [*wohngeld_rows(), [2023, label, "396"], [2024, label, "397"]]
    problems = [p for p in problems_with(tmp_path, "wohngeld", rows) if p.file == "wohngeld.csv"]
    assert [(p.row, p.value, p.rule) for p in problems] == [(69, "397", "total row = sum of the districts (= 396)")]


# --- 4. numbers and text -------------------------------------------------------------------------


def test_comma_number_in_a_comma_separated_file_is_ambiguous(tmp_path):
    (tmp_path / "raw").mkdir()
    text = 'jahr,kennziffer,haushalte\n2024,211,"1,000"\n2024,212,"1 856"\n'
    (tmp_path / "raw" / "wohngeld.csv").write_text(text, encoding="utf-8")
    table = load.read_raw_table(tmp_path / "raw", WOHNGELD)
    (issue,) = table.issues
    assert (issue.row, issue.column, issue.value) == (2, "haushalte", "1,000")
    assert issue.rule.startswith("'1,000' reads as 1000 (thousands comma) or as 1 (decimal comma)")
    assert table.frame["haushalte"].tolist() == ["1,000", 1856]


def test_quoted_text_is_kept_as_written(tmp_path):
    tables = valid_tables()
    put(tables, "aktionsplan", "titel", '"Marburg inklusiv" – Kampagne', where={"jahr": 2023, "massnahme_nr": 1})
    raw_dir = write_raw(tables, tmp_path / "raw")
    text = (
        (raw_dir / "aktionsplan.csv")
        .read_text(encoding="utf-8-sig")
        .replace('"""Marburg inklusiv"" – Kampagne"', '"Marburg inklusiv" – Kampagne')
    )
    (raw_dir / "aktionsplan.csv").write_text(text, encoding="utf-8")
    assert load.read_raw_table(raw_dir, TABLES["aktionsplan"]).frame.loc[0, "titel"] == '"Marburg inklusiv" – Kampagne'


# --- 5. files ------------------------------------------------------------------------------------


def test_file_names_match_without_case_and_unknown_files_are_warned(tmp_path):
    raw_dir = write_raw(valid_tables(), tmp_path / "raw")
    (raw_dir / "wohngeld.csv").rename(raw_dir / "Wohngeld.CSV")
    (raw_dir / "notizen.csv").write_text("x\n", encoding="utf-8")
    (raw_dir / "LIESMICH.txt").write_text("Hinweise\n", encoding="utf-8")
    found = inspect_raw(raw_dir, DISTRICTS, YEARS)
    assert found.problems == [] and "wohngeld" in found.tables
    assert found.warnings == ["notizen.csv belongs to no table of the data contract and was not read"]


def test_two_candidate_files_are_an_error_naming_both(tmp_path):
    raw_dir = write_raw(valid_tables(), tmp_path / "raw")
    (raw_dir / "Wohngeld_2024_neu.csv").write_bytes((raw_dir / "wohngeld.csv").read_bytes())
    problems = problems_of_dir(raw_dir)
    assert [p.rule.split(";")[0] for p in problems] == [
        "Wohngeld_2024_neu.csv and wohngeld.csv could both hold table wohngeld"
    ]


def problems_of_dir(raw_dir: Path):
    with pytest.raises(ValidationFailed) as failed:
        validate_raw(raw_dir, DISTRICTS, YEARS)
    return failed.value.problems


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "utf-8-sig"])
def test_encodings_are_detected(tmp_path, encoding):
    tables = valid_tables()
    raw_dir = write_raw({k: v for k, v in tables.items() if k != "aktionsplan"}, tmp_path / "raw")
    text = tables["aktionsplan"].to_csv(sep="\t" if "16" in encoding else ";", index=False)
    (raw_dir / "aktionsplan.csv").write_bytes(text.encode(encoding))
    frame = load.read_raw_table(raw_dir, TABLES["aktionsplan"]).frame
    assert frame.loc[0, "titel"] == "Maßnahme für Ältere 1"


def test_binary_file_is_rejected_by_name(tmp_path):
    tmp_path.joinpath("wohngeld.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DataError, match="wohngeld.csv is a PNG image, not a table in CSV text"):
        load.read_raw_table(tmp_path, WOHNGELD)


def test_mixed_encodings_are_named_as_the_cause(tmp_path):
    lines = [b"jahr;massnahme_nr;titel", "2024;1;Maßnahme".encode(), "2024;2;Maßnahme".encode("cp1252")]
    tmp_path.joinpath("aktionsplan.csv").write_bytes(b"\n".join(lines))
    with pytest.raises(DataError, match=r"aktionsplan.csv mixes encodings: line\(s\) 2 are UTF-8"):
        load.read_raw_table(tmp_path, TABLES["aktionsplan"])
    tmp_path.joinpath("aktionsplan.csv").write_text("jahr;titel\n2024;MaÃŸnahme für Ã„ltere\n", encoding="utf-8")
    with pytest.raises(DataError, match="garbled umlauts"):
        load.read_raw_table(tmp_path, TABLES["aktionsplan"])


def test_too_large_file_is_refused_with_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1024)
    raw_dir = write_raw(valid_tables(), tmp_path / "raw")
    problems = [p for p in problems_of_dir(raw_dir) if p.file == "bevoelkerung.csv"]
    assert len(problems) == 1 and "more than the 0 MiB a raw table may have; it was not read" in problems[0].rule


# --- 6. every problem at once, within bounds -----------------------------------------------------


def test_each_check_lists_a_few_examples_and_its_total(tmp_path):
    tables = valid_tables()
    tables["sgb2"] = pd.concat([tables["sgb2"]] * 3, ignore_index=True)  # every row three times
    problems = [p for p in problems_of(tables, tmp_path) if p.file == "sgb2.csv"]
    assert len(problems) == EXAMPLES + 1
    assert problems[0].rule == f"{198 - EXAMPLES} more problem(s) of this check not listed (198 in all): duplicate key"
    assert problems[1].row == 2 and problems[1].rule == "no duplicate key: same jahr, kennziffer as rows 68, 134"


def test_cross_table_rules_run_on_what_parsed(tmp_path):
    tables = valid_tables()
    put(tables, "sgb2", "elb", "viele")  # a schema problem in one row of sgb2 …
    other = {"jahr": 2023, "kennziffer": 211}
    number = put(tables, "sgb2", "leistungsberechtigte", 61, where=other)  # … and a rule broken in another
    problems = problems_of(tables, tmp_path)
    assert [(p.row, p.column, p.rule) for p in problems] == [
        (number, "leistungsberechtigte", "leistungsberechtigte = elb + nef (= 60)"),
        (row(tables["sgb2"], **HERE), "elb", "whole number (German format allowed: 1.234 or 12,0)"),
    ]


def test_order_of_problems_is_the_same_under_any_hash_seed(tmp_path):
    tables = valid_tables()
    for code in (211, 212, 213):
        put(tables, "wohngeld", "haushalte", "zwölf", where={"jahr": 2024, "kennziffer": code})
        put(tables, "sgb2", "nef", -1, where={"jahr": 2023, "kennziffer": code})
    raw_dir = write_raw(tables, tmp_path / "raw")
    script = (
        "import sys; from pathlib import Path; from test_validate import DISTRICTS, YEARS;"
        "from sozialplanung.data.validate import inspect_raw;"
        "print([str(p) for p in inspect_raw(Path(sys.argv[1]), DISTRICTS, YEARS).problems])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(raw_dir)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO / "tests",
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
