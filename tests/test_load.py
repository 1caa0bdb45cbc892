"""Tests of sozialplanung.data.load: German raw exports in, plain typed processed tables out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sozialplanung.core.errors import DataError
from sozialplanung.data import load
from sozialplanung.data.contract import TABLES

PLAN = TABLES["aktionsplan"]
SGB2 = TABLES["sgb2"]
TITLE = "Maßnahme für Ältere"
PLAN_HEADER = "jahr;massnahme_nr;handlungsfeld;status;titel;zustaendigkeit;stand"


def raw_file(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


# --- raw CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_csv_encodings_keep_umlauts(tmp_path, encoding):
    text = f"{PLAN_HEADER}\r\n2024;1;Wohnen;umgesetzt;{TITLE};Fachdienst Soziale Leistungen;30.06.2024\r\n"
    raw_file(tmp_path, "aktionsplan.csv", text, encoding)
    frame = load.read_raw_table(tmp_path, PLAN).frame
    assert list(frame.columns) == list(PLAN.columns)  # a BOM must not stick to "jahr"
    assert frame.loc[0, "titel"] == TITLE and frame.loc[0, "zustaendigkeit"] == "Fachdienst Soziale Leistungen"


def test_undecodable_csv_is_a_data_error(tmp_path):
    raw_file(tmp_path, "sgb2.csv", "jahr;kennziffer\n2024;211\n")
    (tmp_path / "sgb2.csv").write_bytes(b"jahr;kennziffer\n\x81\x8d;211\n")  # undefined in cp1252
    with pytest.raises(DataError, match="neither UTF-8 nor Windows-1252"):
        load.read_raw_table(tmp_path, SGB2)


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_separator_is_sniffed_from_the_header(tmp_path, separator):
    columns = SGB2.columns
    values = ["2024", "211", "30", "60", "40", "20", "15", "10"]
    raw_file(tmp_path, "sgb2.csv", separator.join(columns) + "\n" + separator.join(values) + "\n")
    frame = load.read_raw_table(tmp_path, SGB2).frame
    assert frame.loc[0].tolist() == [int(v) for v in values]
    assert frame["elb"].dtype == "int64"


def test_german_numbers_are_parsed_and_others_kept_as_given(tmp_path):
    raw_file(
        tmp_path,
        "wohnen.csv",
        "jahr;kennziffer;wohnungen;sozialwohnungen\n"
        "2024;211;1.234;12,0\n"
        '2024;212;"1.234,0";-3\n'
        "2024;213;12,5;1.23\n"
        "2024;214;;zwölf\n"
        "2024;215;99.999.999.999.999.999.999;0\n",  # too large for int64
    )
    frame = load.read_raw_table(tmp_path, TABLES["wohnen"]).frame
    assert frame["wohnungen"].tolist() == [1234, 1234, "12,5", None, "99.999.999.999.999.999.999"]
    assert frame["sozialwohnungen"].tolist() == [12, -3, "1.23", "zwölf", 0]
    assert frame["kennziffer"].dtype == "int64"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_thousands_dots_round_trip(number):
    german = f"{number:,}".replace(",", ".")
    assert load.parse_integer(german) == number
    assert load.parse_integer(german + ",0") == number


def test_dates_german_or_iso_and_bad_dates_kept(tmp_path):
    rows = ["30.06.2024", "2024-06-30", "1.7.2024", "31.02.2024", "06/30/2024"]
    lines = [f"2024;{n};Wohnen;umgesetzt;{TITLE} {n};Fachdienst;{date}" for n, date in enumerate(rows, 1)]
    raw_file(tmp_path, "aktionsplan.csv", "\n".join([PLAN_HEADER, *lines]) + "\n")
    stand = load.read_raw_table(tmp_path, PLAN).frame["stand"].tolist()
    assert stand == [
        pd.Timestamp(2024, 6, 30),
        pd.Timestamp(2024, 6, 30),
        pd.Timestamp(2024, 7, 1),
        "31.02.2024",
        "06/30/2024",
    ]


def test_whitespace_stripped_empty_cells_missing_and_row_numbers_kept(tmp_path):
    raw_file(
        tmp_path,
        "haushalte.csv",
        "jahr ; kennziffer;haushaltstyp;anzahl;\n"  # trailing separator as Excel writes it
        " 2024 ; 211 ; einpersonen ; 100;\n"
        "\n"  # a blank line inside the data is kept, so the next row is still row 4
        "2024;211;  ;;\n"
        ";;;;\n"
        "\n",
    )
    table = load.read_raw_table(tmp_path, TABLES["haushalte"])
    frame = table.frame
    assert list(frame.columns) == ["jahr", "kennziffer", "haushaltstyp", "anzahl"]
    assert len(frame) == 3  # trailing empty rows dropped
    assert frame.loc[0].tolist() == [2024, 211, "einpersonen", 100]
    assert frame.loc[2, "jahr"] == 2024 and frame.loc[2, "anzahl"] is None
    assert pd.isna(frame.loc[2, "haushaltstyp"])
    assert frame["haushaltstyp"].dtype == "str"
    assert [table.row_number(i) for i in range(len(frame))] == [2, 3, 4]


def test_duplicate_header_is_a_data_error(tmp_path):
    raw_file(tmp_path, "wohngeld.csv", "jahr;kennziffer;haushalte;haushalte\n2024;211;1;2\n")
    with pytest.raises(DataError, match="haushalte more than once"):
        load.read_raw_table(tmp_path, TABLES["wohngeld"])


# --- raw workbook -----------------------------------------------------------------------------------


def test_xlsx_first_sheet_header_in_row_1(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(PLAN.columns))
    sheet.append([2024, 1.0, "Wohnen", " umgesetzt ", TITLE, "Fachdienst", datetime(2024, 6, 30)])
    sheet.append(["2024", "2", "Wohnen", "umgesetzt", f"{TITLE} 2", None, "30.06.2024"])
    sheet.append([2024, 3.5, "Wohnen", "umgesetzt", f"{TITLE} 3", "Fachdienst", "gestern"])
    workbook.create_sheet("Notizen").append(["not read"])
    workbook.save(tmp_path / "aktionsplan.xlsx")
    table = load.read_raw_table(tmp_path, PLAN)
    frame = table.frame
    assert table.path.name == "aktionsplan.xlsx" and table.first_row == 2
    assert frame["jahr"].tolist() == [2024, 2024, 2024] and frame["jahr"].dtype == "int64"
    assert frame["massnahme_nr"].tolist() == [1, 2, 3.5]
    assert frame["status"].tolist() == ["umgesetzt"] * 3 and frame.loc[0, "titel"] == TITLE
    assert pd.isna(frame.loc[1, "zustaendigkeit"])
    assert frame["stand"].tolist() == [pd.Timestamp(2024, 6, 30), pd.Timestamp(2024, 6, 30), "gestern"]


def test_broken_workbook_is_a_data_error(tmp_path):
    raw_file(tmp_path, "sgb2.xlsx", "not a workbook")
    with pytest.raises(DataError, match="cannot be read as an Excel workbook"):
        load.read_raw_table(tmp_path, SGB2)


def test_csv_and_xlsx_of_one_table_is_an_error(tmp_path):
    raw_file(tmp_path, "sgb2.csv", "jahr\n")
    raw_file(tmp_path, "sgb2.xlsx", "")
    with pytest.raises(DataError, match="sgb2.csv and sgb2.xlsx could both hold table sgb2"):
        load.read_raw_table(tmp_path, SGB2)


def test_missing_table_is_a_data_error(tmp_path):
    assert load.find_raw_file(tmp_path, SGB2) is None
    with pytest.raises(DataError, match="Neither sgb2.csv nor sgb2.xlsx found"):
        load.read_raw_table(tmp_path, SGB2)


# --- processed tables -------------------------------------------------------------------------------


def typed_tables() -> dict[str, pd.DataFrame]:
    """Two rows per table in the types the validate stage returns, deliberately not sorted."""
    tables = {}
    for spec in TABLES.values():
        columns = {}
        for name in spec.columns:
            if name == "jahr":
                columns[name] = pd.Series([2024, 2023], dtype="int64")
            elif name in spec.codes:
                columns[name] = pd.Series([spec.codes[name][0]] * 2, dtype="str")
            elif name in spec.texts:
                columns[name] = pd.Series([f"{TITLE}, Teil 1", 'Sagt "NA"'], dtype="str")
            elif name in spec.dates:
                columns[name] = pd.Series(pd.to_datetime(["2024-06-30", "2023-12-31"]), dtype="datetime64[ns]")
            else:
                columns[name] = pd.Series([211, 1_234_567], dtype="int64")
        tables[spec.name] = pd.DataFrame(columns)
    return tables


def test_tables_round_trip_with_types(tmp_path):
    tables = typed_tables()
    load.write_tables(tables, tmp_path / "tables")
    read = load.read_tables(tmp_path / "tables")
    assert set(read) == set(TABLES)
    for name, frame in tables.items():
        expected = frame.sort_values(list(TABLES[name].keys), ignore_index=True)
        pd.testing.assert_frame_equal(read[name], expected)
    plan = read["aktionsplan"]
    assert plan["jahr"].dtype == "int64" and plan["titel"].dtype == "str"
    assert plan["stand"].dtype == "datetime64[ns]" and plan.loc[0, "titel"] == 'Sagt "NA"'  # 2023 sorts first


def test_processed_csv_is_plain_and_byte_identical(tmp_path):
    load.write_tables(typed_tables(), tmp_path / "a")
    load.write_tables(typed_tables(), tmp_path / "b")
    load.write_tables(typed_tables(), tmp_path / "a")  # again into an existing folder
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(f"{name}.csv" for name in TABLES)
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    data = (tmp_path / "a" / "aktionsplan.csv").read_bytes()
    assert data.startswith(b"jahr,massnahme_nr,")  # no BOM, comma separated
    assert b"\r" not in data and b"2023-12-31" in data
    assert '"Maßnahme für Ältere, Teil 1"'.encode() in data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]  # no temporary folders left


def test_absent_optional_table_is_absent(tmp_path):
    tables = typed_tables()
    del tables["mindestsicherung"]
    load.write_tables(tables, tmp_path / "tables")
    assert "mindestsicherung" not in load.read_tables(tmp_path / "tables")


def test_missing_processed_tables_say_what_to_do(tmp_path):
    with pytest.raises(DataError, match="Run the validation stage first"):
        load.read_tables(tmp_path / "tables")
    tables = typed_tables()
    del tables["sgb2"]
    load.write_tables(tables, tmp_path / "tables")
    with pytest.raises(DataError, match="sgb2.csv is missing"):
        load.read_tables(tmp_path / "tables")


def test_failed_write_leaves_the_previous_tables_intact(tmp_path, monkeypatch):
    target = tmp_path / "tables"
    load.write_tables(typed_tables(), target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    real, calls = load._table_bytes, []

    def failing(name, frame):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(name, frame)

    monkeypatch.setattr(load, "_table_bytes", failing)
    changed = {name: frame.assign(jahr=frame["jahr"] + 0) for name, frame in typed_tables().items()}
    changed["sgb2"]["elb"] = 99
    with pytest.raises(OSError, match="disk full"):
        load.write_tables(changed, target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["tables"]


def test_unknown_table_or_missing_column_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a table"):
        load.write_tables({"sonstiges": pd.DataFrame({"jahr": [2024]})}, tmp_path / "tables")
    with pytest.raises(ValueError, match="lacks the column"):
        load.write_tables({"wohngeld": pd.DataFrame({"jahr": [2024]})}, tmp_path / "tables")
    assert list(tmp_path.iterdir()) == []


# --- one processed file: the indicators ------------------------------------------------------------


def indicator_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "jahr": [2024, 2024],
            "kennziffer": [0, 234],
            "indikator": ["sgb2_quote", "sgb2_quote"],
            "zaehler": [5000, 0],
            "nenner": [65000, 0],
            "wert": [100 * 5000 / 65000, np.nan],
        }
    )


def test_indicators_round_trip(tmp_path):
    path = tmp_path / "processed" / "indikatoren.csv"
    load.write_frame(indicator_frame(), path)
    read = load.read_indicators(path)
    pd.testing.assert_frame_equal(read, indicator_frame().astype({"indikator": "str"}))
    assert list(read.dtypes.astype(str)) == ["int64", "int64", "str", "int64", "int64", "float64"]
    first = path.read_bytes()
    load.write_frame(indicator_frame(), path)
    assert path.read_bytes() == first and first.endswith(b"234,sgb2_quote,0,0,\n")


def test_missing_indicator_file_says_what_to_do(tmp_path):
    with pytest.raises(DataError, match="Run the indicator stage first"):
        load.read_indicators(tmp_path / "indikatoren.csv")
