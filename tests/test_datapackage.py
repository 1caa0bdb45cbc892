"""The open-data package: Frictionless descriptor, the indicators as published, every table as data."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from sozialplanung.core.config import load_config
from sozialplanung.data import load
from sozialplanung.site.datapackage import (
    DATAPACKAGE_FILE,
    DEFINITIONS_RESOURCE,
    INDICATORS_RESOURCE,
    indicators_file,
    machine_cell,
    table_file,
    unique_names,
    write_datapackage,
)
from sozialplanung.site.publish import publish
from test_downloads import sgb2_table

from publish_helpers import CITY_VALUES, DISTRICTS, make_edition, params_yaml

NAMES = {0: "Gesamtstadt", 211: "Altstadt", 212: "Weidenhausen"}


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"))))


def frame(*rows: tuple) -> pd.DataFrame:
    """Indicator rows (jahr, kennziffer, indikator, zaehler, nenner, zaehler_status, nenner_status, wert_status)."""
    columns = ["jahr", "kennziffer", "indikator", "zaehler", "nenner", "zaehler_status", "nenner_status", "wert_status"]
    result = pd.DataFrame(rows, columns=columns)
    return result.assign(wert=[z * 100 / n if n else float("nan") for z, n in zip(result.zaehler, result.nenner)])


# --- cells and tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("1.234", ("1234", "")),
        ("8,6", ("8.6", "")),
        ("12,0", ("12.0", "")),
        ("\u2013", ("0", "\u2013")),
        (".", ("", ".")),
        ("x", ("", "x")),
    ],
)
def test_machine_cell(text, cell):
    assert machine_cell(text) == cell


def test_a_table_becomes_plain_data_with_the_symbols_as_missing_values():
    data = table_file("02_existenzsicherung", "2 Existenzsicherung und Armut", sgb2_table().payload())
    assert data.path == "daten/02_existenzsicherung/sgb-ii-nach-stadtbezirken-2024.csv"
    # Südviertel 4120 of 48000 = 8,58… → 8,6; Lahnberge 2 cases → hidden; Ronhausen 0 → "–" → 0;
    # changes −0,44 → −0,4 and +0,01 → ±0,0; the city's change is missing (x).
    assert data.rows == [
        ["Stadtbezirk", "Leistungsberechtigte", "SGB-II-Quote (je 100 Einwohner)", "Veränderung (Prozentpunkte)"],
        ["Südviertel", "4120", "8.6", "-0.4"],
        ["Lahnberge", ".", ".", "0.0"],
        ["Ronhausen", "0", "0", "1.3"],
        ["Marburg gesamt", "5012", "7.6", "x"],
    ]
    descriptor = data.resource.to_descriptor()
    assert descriptor["name"] == "02_existenzsicherung-sgb-ii-nach-stadtbezirken-2024"
    assert descriptor["title"] == "SGB II nach Stadtbezirken 2024"
    assert descriptor["sources"] == [{"title": "Test; Stadt"}]
    fields = descriptor["schema"]["fields"]
    assert [(f["type"], f.get("unit")) for f in fields] == [
        ("string", None),
        ("integer", "Anzahl"),
        ("number", "je 100 Einwohner"),
        ("number", "Prozentpunkte"),
    ]
    assert descriptor["schema"]["missingValues"] == ["", ".", "x"]


def test_a_table_resource_validates_and_reads_back_the_published_numbers(tmp_path):
    data = table_file("02_existenzsicherung", "2 Existenzsicherung und Armut", sgb2_table().payload())
    (tmp_path / data.path).parent.mkdir(parents=True)
    (tmp_path / data.path).write_bytes(b"".join(",".join(row).encode() + b"\r\n" for row in data.rows))
    resource = frictionless.Resource.from_descriptor(data.resource.to_descriptor(), basepath=str(tmp_path))
    report = frictionless.validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = resource.read_rows()
    assert [row["Leistungsberechtigte"] for row in rows] == [4120, None, 0, 5012]
    changes = [row["Veränderung (Prozentpunkte)"] for row in rows]
    assert [None if change is None else float(change) for change in changes] == [-0.4, 0.0, 1.3, None]


def test_field_names_are_unique_and_never_empty():
    assert unique_names(["Jahr", "", "Anzahl", "Anzahl", " Anzahl "]) == [
        "Jahr",
        "Spalte 2",
        "Anzahl",
        "Anzahl (2)",
        "Anzahl (3)",
    ]


def test_a_column_with_text_in_a_numeric_kind_stays_text():
    payload = {
        "table_id": "klassen",
        "caption": "Klassen",
        "headers": ["Stadtbezirk", "Status"],
        "kinds": ["text", "formatted"],
        "decimals": [0, 0],
        "rows": [["Altstadt", "hoch"], ["Waldtal", "."]],
        "notes": [],
        "source": "",
    }
    data = table_file("07_sozialraum", "7 Sozialräumliche Analyse", payload)
    assert data.rows[1:] == [["Altstadt", "hoch"], ["Waldtal", "."]]
    assert [f.type for f in data.resource.schema.fields] == ["string", "string"]
    assert data.resource.sources == []


# --- the indicators ------------------------------------------------------------------------------


def test_indicator_rows_are_published_cells_and_hidden_ones_stay_empty(tmp_path):
    (tmp_path / "2024.yaml").write_text(params_yaml(), encoding="utf-8")
    config = load_config(tmp_path / "2024.yaml")
    rows = frame(
        (2024, 0, "sgb2_quote", 4987, 66000, "", "", ""),
        (2024, 211, "sgb2_quote", 812, 4100, "sekundaer", "", "sekundaer"),  # hidden by the model
        (2024, 212, "sgb2_quote", 2, 90, "primaer", "", "primaer"),
        (2023, 212, "sgb2_quote", 0, 88, "", "", ""),  # a true zero
        (2024, 0, "alleinerziehende", 0, 0, "", "", ""),  # no base: no rate
        (2024, 0, "elb_quote", 40, 1000, "", "", ""),
    )
    data = indicators_file(config, rows, NAMES)
    assert data.path == "daten/kennzahlen.csv"
    # in definition order (SGB-II-Quote, ELB-Quote, …, Alleinerziehende), then year, then district;
    # 4987 / 66000 · 100 = 7,556… → 7,6; 40 / 1000 · 100 = 4,0; no numerators or denominators
    assert data.rows == [
        ["indikator", "jahr", "kennziffer", "stadtbezirk", "wert", "wert_zeichen"],
        ["sgb2_quote", "2023", "212", "Weidenhausen", "0", "–"],
        ["sgb2_quote", "2024", "0", "Gesamtstadt", "7.6", ""],
        ["sgb2_quote", "2024", "211", "Altstadt", "", "."],
        ["sgb2_quote", "2024", "212", "Weidenhausen", "", "."],
        ["elb_quote", "2024", "0", "Gesamtstadt", "4.0", ""],
        ["alleinerziehende", "2024", "0", "Gesamtstadt", "", "x"],
    ]
    schema = data.resource.to_descriptor()["schema"]
    assert schema["primaryKey"] == ["indikator", "jahr", "kennziffer"]
    assert schema["foreignKeys"][0]["reference"] == {"resource": DEFINITIONS_RESOURCE, "fields": ["indikator"]}
    assert [f["type"] for f in schema["fields"]] == ["string", "integer", "integer", "string", "number", "string"]
    assert schema["fields"][5]["constraints"] == {"enum": [".", "–", "x"]}


# --- the package of a published edition ----------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The small edition published, with one district row hidden by the model (secondary)."""
    edition = make_edition(tmp_path_factory.mktemp("projekt"))
    statuses = load.read_frame(edition.paths.indicator_status_file, load.INDICATOR_STATUS_COLUMNS)
    hidden = (statuses["kennziffer"] == 11) & (statuses["indikator"] == "sgb2_quote")
    statuses.loc[hidden, ["zaehler_status", "wert_status"]] = "sekundaer"
    load.write_frame(statuses, edition.paths.indicator_status_file)
    return publish(edition, engine="nbconvert").parent


def test_the_package_and_every_resource_are_valid(site):
    report = frictionless.validate(site / DATAPACKAGE_FILE)
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    package = frictionless.Package(site / DATAPACKAGE_FILE)
    names = [resource.name for resource in package.resources]
    # the indicators, their definitions, the tables of chapters 1 and 3 and one table per profile
    assert names[:4] == [
        INDICATORS_RESOURCE,
        DEFINITIONS_RESOURCE,
        "01_bevoelkerung-einwohner-nach-stadtbezirken-2024",
        "03_methodik-definitionen-der-kennzahlen",
    ]
    assert len(names) == 4 + len(DISTRICTS)
    rows = {resource.name: resource.read_rows() for resource in package.resources}
    assert len(rows[INDICATORS_RESOURCE]) == len(CITY_VALUES) + 1
    assert len(rows[DEFINITIONS_RESOURCE]) == 5  # the five indicators of the hand-made file
    for resource in package.resources:
        assert frictionless.validate(resource).valid, resource.name
    einwohner = rows["01_bevoelkerung-einwohner-nach-stadtbezirken-2024"]
    assert [(row["Stadtbezirk"], row["Einwohner"]) for row in einwohner] == [
        ("Südviertel", 4312),
        ("Marburg gesamt", 77812),
    ]


def test_indicator_values_are_those_of_the_indicator_file(site):
    package = frictionless.Package(site / DATAPACKAGE_FILE)
    rows = package.get_resource(INDICATORS_RESOURCE).read_rows()
    cells = {(row["indikator"], row["jahr"], row["kennziffer"]): row for row in rows}
    # 10234 / 77812 · 100 = 13,152… → 13,2; 1290 / 9100 · 100 = 14,175… → 14,2
    city = cells[("auslaenderanteil", 2024, 0)]
    assert (float(city["wert"]), city["wert_zeichen"], city["stadtbezirk"]) == (13.2, None, "Gesamtstadt")
    assert float(cells[("kinderarmut", 2024, 0)]["wert"]) == 14.2
    hidden = cells[("sgb2_quote", 2024, 11)]  # hidden by the model in the fixture (secondary)
    assert (hidden["wert"], hidden["wert_zeichen"], hidden["stadtbezirk"]) == (None, ".", "11")
    # 2 cases of Grundsicherung im Alter: below the threshold, shown as "." on the start page
    small = cells[("grundsicherung_alter", 2024, 0)]
    assert (small["wert"], small["wert_zeichen"]) == (None, ".")
    assert len(cells) == len(CITY_VALUES) + 1


def test_no_hidden_value_is_in_the_package(site):
    statuses = load.read_frame(
        site.parents[2] / "data" / "processed" / "2024" / "indikatoren_status.csv", load.INDICATOR_STATUS_COLUMNS
    )
    published = read_csv(site / "downloads" / "daten" / "kennzahlen.csv")
    header, body = published[0], published[1:]
    by_key = {(row[0], int(row[1]), int(row[2])): dict(zip(header, row)) for row in body}
    hidden_cells = 0
    for status in statuses.itertuples(index=False):
        row = by_key[(status.indikator, status.jahr, status.kennziffer)]
        if status.wert_status:
            hidden_cells += 1
            assert (row["wert"], row["wert_zeichen"]) == ("", "."), status
    assert hidden_cells == 1  # district 11's rate: 812 / 4100 · 100 = 19,8 must not appear
    assert set(header) == {"indikator", "jahr", "kennziffer", "stadtbezirk", "wert", "wert_zeichen"}
    text = (site / "downloads" / "daten" / "kennzahlen.csv").read_text(encoding="utf-8")
    assert "19.8" not in text and "812" not in text and "4100" not in text


def test_the_descriptor_names_licence_publisher_and_the_edition(site):
    descriptor = json.loads((site / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    assert descriptor["licenses"] == [
        {
            "name": "dl-de-by-2.0",
            "path": "https://www.govdata.de/dl-de/by-2-0",
            "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        }
    ]
    assert descriptor["created"] == "2024-12-31T00:00:00Z" and descriptor["version"] == "2024"
    assert descriptor["contributors"][0] == {
        "title": "Universitätsstadt Marburg, Fachdienst Sozialplanung",
        "roles": ["publisher"],
    }
    assert descriptor["description"].startswith("Synthetische Beispieldaten – keine amtliche Statistik.")
    assert (
        "Zitiervorschlag: Universitätsstadt Marburg (2025): Sozialbericht der Universitätsstadt Marburg 2024"
        in (descriptor["description"])
    )
    definitions = next(r for r in descriptor["resources"] if r["name"] == DEFINITIONS_RESOURCE)
    assert definitions["path"] == "daten/kennzahlen-definitionen.csv"
    rows = read_csv(site / "downloads" / definitions["path"])
    sgb2 = next(row for row in rows if row[0] == "sgb2_quote")
    assert sgb2[1:4] == ["SGB-II-Quote", "je 100 Einwohner unter 65 Jahren", "100"]


def test_start_page_and_footer_link_the_package(site):
    start = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{DATAPACKAGE_FILE}"' in start
    assert start.count(f'href="{DATAPACKAGE_FILE}"') == 2  # the section "Offene Daten" and the footer


def test_two_writes_give_the_same_bytes(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    pages = [("01_bevoelkerung", "1 Bevölkerung", [sgb2_table().payload()])]
    first = write_datapackage(tmp_path / "eins", edition, pages)
    time.sleep(1.1)  # a time stamp with seconds would now differ
    second = write_datapackage(tmp_path / "zwei", edition, pages)
    files = sorted(p.relative_to(first.parent) for p in first.parent.rglob("*") if p.is_file())
    assert len(files) == 4  # descriptor, indicators, definitions, one table
    for name in files:
        assert (first.parent / name).read_bytes() == (second.parent / name).read_bytes(), name
