"""Tests of sozialplanung.data.validate: one valid raw data set, then one broken input per rule.

The valid data set (2 years × 33 districts) uses round numbers so every bound is easy to see:

    per district and year      bevoelkerung: 10 residents in each of 19 age groups × 2 sexes × 2
                               nationalities = 760; under 15 = 160, under 18 = 200, 15–64 = 440,
                               18–64 = 400, under 65 = 600, 65+ = 160
    haushalte                  100 + 50 + 40 + 20 + 10 = 220; with children 40 + 20 = 60
    sgb2                       bg 30, leistungsberechtigte 60 = elb 40 + nef 20, nef_unter_15 15,
                               bg_alleinerziehende 10
    arbeitslose                SGB II 20 (8 long-term), SGB III 10 (2 long-term)
    city                       per age group and sex 33 × 2 × 10 = 660 residents; 0-17 = 3300
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import ValidationFailed
from sozialplanung.data import load
from sozialplanung.data.contract import (
    ACTION_FIELDS,
    AGE_GROUPS,
    DISABILITY_AGE_GROUPS,
    HOMELESSNESS_CATEGORIES,
    HOUSEHOLD_TYPES,
    MINIMUM_INCOME_BENEFITS,
    NATIONALITIES,
    RECHTSKREISE,
    SEXES,
    TABLES,
)
from sozialplanung.data.rules import RULES
from sozialplanung.data.validate import (
    Problem,
    run_validation,
    validate_raw,
    validation_years,
)

REPO = Path(__file__).resolve().parents[1]
DISTRICTS = load.read_districts(REPO / "data" / "reference" / "marburg_stadtbezirke.csv")
CODES = tuple(int(c) for c in DISTRICTS["kennziffer"])
YEARS = (2023, 2024)
HOUSEHOLDS = {"einpersonen": 100, "paar_ohne_kinder": 50, "paar_mit_kindern": 40, "alleinerziehend": 20, "sonstige": 10}
HOMELESSNESS = {
    "wohnungslose_gesamt": 180,
    "notunterkunft": 50,
    "beratungsfaelle": 300,
    "raeumungsverfahren": 40,
    "probewohnen_plaetze": 10,
}
MEASURES = range(1, 6)
HERE = {"jahr": 2024, "kennziffer": 243}  # where a case breaks a district table (Oberer Richtsberg)


def _grid(**levels) -> pd.DataFrame:
    return pd.DataFrame(list(product(*levels.values())), columns=list(levels))


def valid_tables() -> dict[str, pd.DataFrame]:
    """All 12 raw tables, consistent with each other, as a German export would hold them."""
    years = range(YEARS[0], YEARS[1] + 1)
    district = _grid(jahr=years, kennziffer=CODES)
    bevoelkerung = _grid(
        jahr=years, kennziffer=CODES, altersgruppe=AGE_GROUPS, geschlecht=SEXES, staatsangehoerigkeit=NATIONALITIES
    ).assign(anzahl=10)
    haushalte = _grid(jahr=years, kennziffer=CODES, haushaltstyp=HOUSEHOLD_TYPES)
    haushalte["anzahl"] = haushalte["haushaltstyp"].map(HOUSEHOLDS)
    arbeitslose = _grid(jahr=years, kennziffer=CODES, rechtskreis=RECHTSKREISE)
    sgb2_rows = arbeitslose["rechtskreis"] == "SGB II"
    arbeitslose["arbeitslose"] = np.where(sgb2_rows, 20, 10)
    arbeitslose["langzeitarbeitslose"] = np.where(sgb2_rows, 8, 2)
    notfaelle = _grid(jahr=years, kategorie=HOMELESSNESS_CATEGORIES)
    notfaelle["anzahl"] = notfaelle["kategorie"].map(HOMELESSNESS)
    aktionsplan = _grid(jahr=years, massnahme_nr=MEASURES)
    aktionsplan["handlungsfeld"] = [ACTION_FIELDS[n - 1] for n in aktionsplan["massnahme_nr"]]
    aktionsplan["status"] = "in_umsetzung"
    aktionsplan["titel"] = [f"Maßnahme für Ältere {n}" for n in aktionsplan["massnahme_nr"]]
    aktionsplan["zustaendigkeit"] = "Fachdienst Soziale Leistungen"
    aktionsplan["stand"] = [f"30.06.{year}" for year in aktionsplan["jahr"]]
    return {
        "bevoelkerung": bevoelkerung,
        "haushalte": haushalte,
        "sgb2": district.assign(
            bedarfsgemeinschaften=30, leistungsberechtigte=60, elb=40, nef=20, nef_unter_15=15, bg_alleinerziehende=10
        ),
        "grundsicherung": district.assign(empfaenger_65_plus=5, empfaenger_erwerbsgemindert=3),
        "arbeitslose": arbeitslose,
        "wohngeld": district.assign(haushalte=12),
        "marburgpass": district.assign(inhaber=50, darunter_kinder=20),
        "wohnen": district.assign(wohnungen=400, sozialwohnungen=30),
        "wohnungsnotfaelle": notfaelle,
        "schwerbehinderte": _grid(jahr=years, altersgruppe=DISABILITY_AGE_GROUPS, geschlecht=SEXES).assign(anzahl=100),
        "mindestsicherung": _grid(jahr=years, leistung=MINIMUM_INCOME_BENEFITS).assign(empfaenger=150),
        "aktionsplan": aktionsplan,
    }


def write_raw(tables: dict[str, pd.DataFrame], raw_dir: Path) -> Path:
    raw_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        (raw_dir / f"{name}.csv").write_text(frame.to_csv(sep=";", index=False), encoding="utf-8-sig")
    return raw_dir


def problems_of(tables: dict[str, pd.DataFrame], tmp_path: Path) -> list[Problem]:
    with pytest.raises(ValidationFailed) as failed:
        validate_raw(write_raw(tables, tmp_path / "raw"), DISTRICTS, YEARS)
    return failed.value.problems


def row(frame: pd.DataFrame, **where) -> int:
    """File row number (header = 1) of the one row matching ``where``."""
    (position,) = np.flatnonzero(np.logical_and.reduce([frame[k] == v for k, v in where.items()]))
    return int(position) + 2


def put(tables, table: str, column: str, value, *, where: dict | None = None) -> int:
    """Set one cell (default: year 2024, district 243); the file row number of that cell."""
    frame = tables[table]
    where = where or HERE
    number = row(frame, **where)
    frame[column] = frame[column].astype(object)  # a cell may become a text such as "12,5"
    frame.loc[number - 2, column] = value
    return number


# --- the valid data set ----------------------------------------------------------------------------


def test_valid_data_passes_with_typed_tables(tmp_path):
    tables = validate_raw(write_raw(valid_tables(), tmp_path / "raw"), DISTRICTS, YEARS)
    assert set(tables) == set(TABLES)
    sgb2 = tables["sgb2"]
    assert sgb2["jahr"].dtype == "int64" and sgb2["elb"].dtype == "int64"
    assert list(sgb2.columns) == list(TABLES["sgb2"].columns) and len(sgb2) == 2 * 33
    plan = tables["aktionsplan"]
    assert plan["titel"].dtype == "str" and plan["stand"].dtype == "datetime64[ns]"
    assert plan.loc[0, "stand"] == pd.Timestamp(2023, 6, 30)
    assert plan.loc[0, "titel"] == "Maßnahme für Ältere 1"


def test_optional_table_may_be_absent(tmp_path):
    tables = valid_tables()
    del tables["mindestsicherung"]
    assert "mindestsicherung" not in validate_raw(write_raw(tables, tmp_path / "raw"), DISTRICTS, YEARS)


def test_workbook_rows_are_numbered_as_in_excel(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    tables = valid_tables()
    number = put(tables, "wohngeld", "haushalte", -4)
    raw_dir = write_raw({k: v for k, v in tables.items() if k != "wohngeld"}, tmp_path / "raw")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(tables["wohngeld"].columns))
    for values in tables["wohngeld"].itertuples(index=False):
        sheet.append([int(v) for v in values])
    workbook.save(raw_dir / "wohngeld.xlsx")
    with pytest.raises(ValidationFailed) as failed:
        validate_raw(raw_dir, DISTRICTS, YEARS)
    assert failed.value.problems == [Problem("wohngeld.xlsx", number, "haushalte", "-4", "count ≥ 0")]


# --- layer 1: schema rules, one broken input each --------------------------------------------------
# Each case breaks the valid data set in one place and returns the one problem that must be reported.

WHOLE_NUMBER = "whole number (German format allowed: 1.234 or 12,0)"
MEASURE_2 = {"jahr": 2024, "massnahme_nr": 2}


def wrong_code(t):
    number = put(t, "haushalte", "haushaltstyp", "familie", where={**HERE, "haushaltstyp": "sonstige"})
    rule = f"allowed codes: {', '.join(HOUSEHOLD_TYPES)}"
    return Problem("haushalte.csv", number, "haushaltstyp", "familie", rule)


def negative_count(t):
    return Problem("sgb2.csv", put(t, "sgb2", "nef_unter_15", -3), "nef_unter_15", "-3", "count ≥ 0")


def non_integer_count(t):
    return Problem("sgb2.csv", put(t, "sgb2", "elb", "12,5"), "elb", "12,5", WHOLE_NUMBER)


def missing_count(t):
    return Problem("sgb2.csv", put(t, "sgb2", "elb", ""), "elb", None, "value required")


def unknown_district(t):
    number = put(t, "wohngeld", "kennziffer", 999)
    return Problem("wohngeld.csv", number, "kennziffer", "999", "kennziffer of a statistical district")


def year_out_of_range(t):
    number = put(t, "wohnen", "jahr", 2030, where={"jahr": 2023, "kennziffer": 211})
    return Problem("wohnen.csv", number, "jahr", "2030", "year between 2023 and 2024")


def missing_column(t):
    t["sgb2"] = t["sgb2"].drop(columns="elb")
    return Problem("sgb2.csv", None, "elb", None, "required column missing")


def extra_column(t):
    t["wohnen"]["bemerkung"] = "geschätzt"
    rule = "unexpected column (allowed: jahr, kennziffer, wohnungen, sozialwohnungen)"
    return Problem("wohnen.csv", None, "bemerkung", None, rule)


def missing_required_file(t):
    del t["grundsicherung"]
    rule = "required file missing (expected grundsicherung.csv or grundsicherung.xlsx)"
    return Problem("grundsicherung.csv", None, None, None, rule)


def bad_date(t):
    number = put(t, "aktionsplan", "stand", "31.02.2024", where=MEASURE_2)
    return Problem("aktionsplan.csv", number, "stand", "31.02.2024", "date as dd.mm.yyyy or yyyy-mm-dd")


def empty_text(t):
    return Problem(
        "aktionsplan.csv", put(t, "aktionsplan", "titel", "  ", where=MEASURE_2), "titel", None, "value required"
    )


SCHEMA_CASES = [
    wrong_code,
    negative_count,
    non_integer_count,
    missing_count,
    unknown_district,
    year_out_of_range,
    missing_column,
    extra_column,
    missing_required_file,
    bad_date,
    empty_text,
]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda case: case.__name__)
def test_schema_rule(case, tmp_path):
    tables = valid_tables()
    expected = case(tables)
    assert problems_of(tables, tmp_path) == [expected]


def test_duplicate_key_names_every_duplicated_row(tmp_path):
    tables = valid_tables()
    first = row(tables["sgb2"], **HERE)
    tables["sgb2"] = pd.concat([tables["sgb2"], tables["sgb2"].iloc[[first - 2]]], ignore_index=True)
    last = len(tables["sgb2"]) + 1
    rule = "no duplicate key: same jahr, kennziffer as row {}"
    assert problems_of(tables, tmp_path) == [
        Problem("sgb2.csv", first, "jahr, kennziffer", "2024, 243", rule.format(last)),
        Problem("sgb2.csv", last, "jahr, kennziffer", "2024, 243", rule.format(first)),
    ]


def test_unreadable_files_are_problems_too(tmp_path):
    raw_dir = write_raw(valid_tables(), tmp_path / "raw")
    (raw_dir / "wohnen.xlsx").write_bytes(b"")  # next to wohnen.csv
    (raw_dir / "sgb2.csv").unlink()
    (raw_dir / "sgb2.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ValidationFailed) as failed:
        validate_raw(raw_dir, DISTRICTS, YEARS)
    assert [(p.file, p.rule.split(" (")[0]) for p in failed.value.problems] == [
        ("sgb2.xlsx", "sgb2.xlsx cannot be read as an Excel workbook"),
        (
            "wohnen.csv",
            "wohnen.csv and wohnen.xlsx could both hold table wohnen; keep only the one to use in the raw folder",
        ),
    ]


# --- layer 2: cross-table rules, one broken input each ---------------------------------------------
# The numbers are those of the module docstring; each case breaks exactly one rule.


def sgb2_sum(t):
    number = put(t, "sgb2", "leistungsberechtigte", 61)
    return Problem("sgb2.csv", number, "leistungsberechtigte", "61", "leistungsberechtigte = elb + nef (= 60)")


def sgb2_nef_under_15(t):
    number = put(t, "sgb2", "nef_unter_15", 21)
    return Problem("sgb2.csv", number, "nef_unter_15", "21", "nef_unter_15 ≤ nef (= 20)")


def sgb2_communities_bounded(t):
    number = put(t, "sgb2", "bedarfsgemeinschaften", 61)
    rule = "bedarfsgemeinschaften ≤ leistungsberechtigte (= 60)"
    return Problem("sgb2.csv", number, "bedarfsgemeinschaften", "61", rule)


def sgb2_single_parents(t):
    number = put(t, "sgb2", "bedarfsgemeinschaften", 5)
    rule = "bg_alleinerziehende ≤ bedarfsgemeinschaften (= 5)"
    return Problem("sgb2.csv", number, "bg_alleinerziehende", "10", rule)


def sgb2_community_exists(t):
    put(t, "sgb2", "bg_alleinerziehende", 0)
    number = put(t, "sgb2", "bedarfsgemeinschaften", 0)
    rule = "bedarfsgemeinschaften ≥ 1 whenever leistungsberechtigte ≥ 1"
    return Problem("sgb2.csv", number, "bedarfsgemeinschaften", "0", rule)


def sgb2_children_population(t):
    put(t, "sgb2", "nef", 170)
    put(t, "sgb2", "leistungsberechtigte", 210)
    number = put(t, "sgb2", "nef_unter_15", 165)
    rule = "nef_unter_15 ≤ population under 15 in bevoelkerung (= 160)"
    return Problem("sgb2.csv", number, "nef_unter_15", "165", rule)


def sgb2_elb_population(t):
    put(t, "sgb2", "leistungsberechtigte", 470)
    number = put(t, "sgb2", "elb", 450)
    return Problem("sgb2.csv", number, "elb", "450", "elb ≤ population 15–64 in bevoelkerung (= 440)")


def sgb2_all_population(t):
    put(t, "sgb2", "elb", 430)
    put(t, "sgb2", "nef", 180)
    number = put(t, "sgb2", "leistungsberechtigte", 610)
    rule = "leistungsberechtigte ≤ population under 65 in bevoelkerung (= 600)"
    return Problem("sgb2.csv", number, "leistungsberechtigte", "610", rule)


def sgb2_single_parent_households(t):
    number = put(t, "sgb2", "bg_alleinerziehende", 25)
    rule = "bg_alleinerziehende ≤ single-parent households (alleinerziehend) in haushalte (= 20)"
    return Problem("sgb2.csv", number, "bg_alleinerziehende", "25", rule)


def grundsicherung_elderly(t):
    number = put(t, "grundsicherung", "empfaenger_65_plus", 161)
    rule = "empfaenger_65_plus ≤ population 65+ in bevoelkerung (= 160)"
    return Problem("grundsicherung.csv", number, "empfaenger_65_plus", "161", rule)


def grundsicherung_reduced_capacity(t):
    number = put(t, "grundsicherung", "empfaenger_erwerbsgemindert", 401)
    rule = "empfaenger_erwerbsgemindert ≤ population 18–64 in bevoelkerung (= 400)"
    return Problem("grundsicherung.csv", number, "empfaenger_erwerbsgemindert", "401", rule)


SGB2_ROW = {**HERE, "rechtskreis": "SGB II"}
SGB3_ROW = {**HERE, "rechtskreis": "SGB III"}


def unemployed_long_term(t):
    number = put(t, "arbeitslose", "langzeitarbeitslose", 11, where=SGB3_ROW)
    rule = "langzeitarbeitslose ≤ arbeitslose (= 10)"
    return Problem("arbeitslose.csv", number, "langzeitarbeitslose", "11", rule)


def unemployed_sgb2_elb(t):
    number = put(t, "arbeitslose", "arbeitslose", 41, where=SGB2_ROW)
    rule = "arbeitslose (SGB II) ≤ elb in sgb2 (= 40)"
    return Problem("arbeitslose.csv", number, "arbeitslose", "41", rule)


def unemployed_population(t):
    third = put(t, "arbeitslose", "arbeitslose", 421, where=SGB3_ROW)
    second = row(t["arbeitslose"], **SGB2_ROW)
    rule = f"arbeitslose summed over rechtskreise (rows {second}, {third}) ≤ population 15–64 in bevoelkerung (= 440)"
    return Problem("arbeitslose.csv", second, "arbeitslose", "441", rule)


def wohngeld_households(t):
    number = put(t, "wohngeld", "haushalte", 221)
    rule = "haushalte ≤ all households in haushalte (= 220)"
    return Problem("wohngeld.csv", number, "haushalte", "221", rule)


def marburgpass_children(t):
    number = put(t, "marburgpass", "darunter_kinder", 51)
    return Problem("marburgpass.csv", number, "darunter_kinder", "51", "darunter_kinder ≤ inhaber (= 50)")


def marburgpass_children_population(t):
    put(t, "marburgpass", "inhaber", 300)
    number = put(t, "marburgpass", "darunter_kinder", 201)
    rule = "darunter_kinder ≤ population under 18 in bevoelkerung (= 200)"
    return Problem("marburgpass.csv", number, "darunter_kinder", "201", rule)


def social_housing(t):
    number = put(t, "wohnen", "sozialwohnungen", 401)
    return Problem("wohnen.csv", number, "sozialwohnungen", "401", "sozialwohnungen ≤ wohnungen (= 400)")


def households_population(t):
    rows = ", ".join(str(row(t["haushalte"], **HERE, haushaltstyp=typ)) for typ in HOUSEHOLD_TYPES)
    first = put(t, "haushalte", "anzahl", 641, where={**HERE, "haushaltstyp": "einpersonen"})
    rule = f"anzahl summed over haushaltstypen (rows {rows}) ≤ population in bevoelkerung (= 760)"
    return Problem("haushalte.csv", first, "anzahl", "761", rule)


def households_children_population(t):
    couple = put(t, "haushalte", "anzahl", 181, where={**HERE, "haushaltstyp": "paar_mit_kindern"})
    single = row(t["haushalte"], **HERE, haushaltstyp="alleinerziehend")
    rule = (
        f"anzahl summed over paar_mit_kindern and alleinerziehend (rows {couple}, {single}) "
        "≤ population under 18 in bevoelkerung (= 200)"
    )
    return Problem("haushalte.csv", couple, "anzahl", "201", rule)


def shelter_homeless(t):
    number = put(t, "wohnungsnotfaelle", "anzahl", 181, where={"jahr": 2024, "kategorie": "notunterkunft"})
    rule = "notunterkunft ≤ wohnungslose_gesamt of the same year (= 180)"
    return Problem("wohnungsnotfaelle.csv", number, "anzahl", "181", rule)


def disability_population(t):
    where = {"jahr": 2024, "altersgruppe": "0-17", "geschlecht": "w"}
    number = put(t, "schwerbehinderte", "anzahl", 3301, where=where)
    rule = "anzahl ≤ city population of the same age band and sex in bevoelkerung (= 3300)"
    return Problem("schwerbehinderte.csv", number, "anzahl", "3301", rule)


def measure_every_year(t):
    plan = t["aktionsplan"]
    t["aktionsplan"] = plan[~((plan["jahr"] == 2024) & (plan["massnahme_nr"] == 3))]
    rule = "every measure in every year (missing in 2024)"
    return Problem("aktionsplan.csv", None, "massnahme_nr", "3", rule)


def measure_unchanged(t):
    number = put(t, "aktionsplan", "titel", "Neuer Titel", where=MEASURE_2)
    rule = "titel of measure 2 the same in every year (2023: 'Maßnahme für Ältere 2')"
    return Problem("aktionsplan.csv", number, "titel", "Neuer Titel", rule)


def status_date_in_year(t):
    number = put(t, "aktionsplan", "stand", "31.12.2023", where={"jahr": 2024, "massnahme_nr": 1})
    return Problem("aktionsplan.csv", number, "stand", "2023-12-31", "stand within jahr 2024")


CROSS_TABLE_CASES = [
    sgb2_sum,
    sgb2_nef_under_15,
    sgb2_communities_bounded,
    sgb2_single_parents,
    sgb2_community_exists,  # 1
    sgb2_children_population,
    sgb2_elb_population,
    sgb2_all_population,  # 2
    sgb2_single_parent_households,  # 3
    grundsicherung_elderly,
    grundsicherung_reduced_capacity,  # 4
    unemployed_long_term,
    unemployed_sgb2_elb,
    unemployed_population,  # 5
    wohngeld_households,  # 6
    marburgpass_children,
    marburgpass_children_population,  # 7
    social_housing,  # 8
    households_population,
    households_children_population,  # 9
    shelter_homeless,  # 10
    disability_population,  # 11
    measure_every_year,
    measure_unchanged,
    status_date_in_year,  # 12
]


@pytest.mark.parametrize("case", CROSS_TABLE_CASES, ids=lambda case: case.__name__)
def test_cross_table_rule(case, tmp_path):
    tables = valid_tables()
    expected = case(tables)
    assert problems_of(tables, tmp_path) == [expected]


def test_every_rule_has_a_case():
    assert len(RULES) == len(CROSS_TABLE_CASES)


# --- layer 3: completeness -------------------------------------------------------------------------


def missing_year(t):
    t["marburgpass"] = t["marburgpass"][t["marburgpass"]["jahr"] != 2023]
    return Problem("marburgpass.csv", None, "jahr", "2023", "data for every year from 2023 to 2024")


def missing_district(t):
    sgb2 = t["sgb2"]
    t["sgb2"] = sgb2[(sgb2["jahr"] != 2024) | (sgb2["kennziffer"] != 234)]
    rule = "data for every district in every year (missing in 2024)"
    return Problem("sgb2.csv", None, "kennziffer", "234", rule)


def missing_combination(t):
    bev = t["bevoelkerung"]
    cell = {"altersgruppe": "80+", "geschlecht": "w", "staatsangehoerigkeit": "deutsch"}
    number = row(bev, jahr=2024, kennziffer=211, **cell)
    t["bevoelkerung"] = bev.drop(index=number - 2)
    columns = "altersgruppe, geschlecht, staatsangehoerigkeit"
    rule = "a row for every year and district (missing for jahr/kennziffer 2024/211)"
    return Problem("bevoelkerung.csv", None, columns, "80+, w, deutsch", rule)


@pytest.mark.parametrize("case", [missing_year, missing_district, missing_combination], ids=lambda c: c.__name__)
def test_completeness(case, tmp_path):
    tables = valid_tables()
    expected = case(tables)
    assert problems_of(tables, tmp_path) == [expected]


# --- all problems at once, and the stage -----------------------------------------------------------


def test_all_problems_of_all_files_are_reported_at_once(tmp_path):
    tables = valid_tables()
    expected = [
        bad_date(tables),  # aktionsplan fails its schema
        Problem(
            "sgb2.csv",
            put(tables, "sgb2", "elb", "12,5", where={"jahr": 2023, "kennziffer": 211}),
            "elb",
            "12,5",
            WHOLE_NUMBER,
        ),
        negative_count(tables),  # a second problem in the same file
        social_housing(tables),  # a cross-table rule of a table that passed its schema
    ]
    with pytest.raises(ValidationFailed) as failed:
        validate_raw(write_raw(tables, tmp_path / "raw"), DISTRICTS, YEARS)
    assert failed.value.problems == sorted(expected, key=Problem.sort_key)
    message = str(failed.value)
    assert message.startswith("4 problem(s)")
    assert all(str(problem) in message for problem in expected)


def test_problem_reads_like_a_sentence():
    problem = Problem("sgb2.csv", 14, "nef_unter_15", "-3", "count ≥ 0")
    assert str(problem) == "sgb2.csv, row 14, column nef_unter_15, value '-3': count ≥ 0"
    assert str(Problem("sgb2.csv", None, "elb", None, "required column missing")) == (
        "sgb2.csv, column elb: required column missing"
    )


@pytest.fixture
def edition(project):
    params = {
        "edition": "test2024",
        "title": "Test",
        "year": 2024,
        "reference_date": "2024-12-31",
        "first_year": 2023,
        "data": {"raw_dir": "data/raw/test", "synthetic": False},
        "sample": {"seed": 1, "first_year": 2023, "last_year": 2024},
        "chapters": {},
    }
    (project / "params" / "test2024.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    return open_edition("test2024", project)


def test_validation_years(edition):
    assert validation_years(edition.config) == (2023, 2024)
    synthetic = edition.config.model_copy(
        update={
            "data": edition.config.data.model_copy(update={"synthetic": True}),
            "sample": edition.config.sample.model_copy(update={"first_year": 2019}),
        }
    )
    assert validation_years(synthetic) == (2019, 2024)


def test_run_validation_writes_the_processed_tables(edition):
    write_raw(valid_tables(), edition.paths.raw_dir)
    tables = run_validation(edition)
    written = load.read_tables(edition.paths.tables_dir)
    assert set(written) == set(tables) == set(TABLES)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(written[name], frame)


def test_run_validation_writes_nothing_on_failure(edition):
    tables = valid_tables()
    problem = negative_count(tables)
    write_raw(tables, edition.paths.raw_dir)
    tables_dir = edition.paths.tables_dir
    tables_dir.mkdir(parents=True)
    (tables_dir / "sgb2.csv").write_text("previous run\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        run_validation(edition)
    assert f"in data/raw/test:\n  {problem}\n" in str(failed.value)  # the folder relative to the project
    assert [p.name for p in tables_dir.iterdir()] == ["sgb2.csv"]
    assert (tables_dir / "sgb2.csv").read_text(encoding="utf-8") == "previous run\n"
    # beside the tables only the validation report, which names the problem
    assert sorted(p.name for p in edition.paths.processed_dir.iterdir()) == ["tables", "validierung.html"]
    report = (edition.paths.processed_dir / "validierung.html").read_text(encoding="utf-8")
    assert "nef_unter_15" in report and "Counts are never negative" in report
