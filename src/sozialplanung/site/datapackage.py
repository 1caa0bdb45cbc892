"""The open-data package of an edition: every published table and indicator as a Frictionless Data Package.

:func:`write_datapackage` writes, beside the German CSV and XLSX downloads::

    downloads/datapackage.json                      the descriptor: schemas, units, licence, sources
    downloads/daten/kennzahlen.csv                  every indicator x district x year: its rate
    downloads/daten/kennzahlen-definitionen.csv     what each indicator counts (numerator, denominator, unit)
    downloads/daten/<page>/<table_id>.csv           every table of every page, as published

The data files are plain tabular CSV for machines (``,``, ``.`` as decimal point, no thousands
separator, UTF-8 without BOM, CRLF) with one header row and nothing below the data; their German
titles, units, notes and sources are in the descriptor, built with the frictionless library.

Every cell is what a page shows or would show: each indicator rate is formatted by
:class:`~sozialplanung.statistics.confidentiality.Confidentiality` from the statuses of the
confidentiality model (``indikatoren_status.csv``), exactly as the tables and the start page do,
and then read back as a number. In ``kennzahlen.csv`` a hidden value (``.``) or one without a base
(``x``) leaves its value column empty and names the symbol in the column beside it (``wert_zeichen``);
a true zero (``–``) is the number 0 with the symbol ``–``. The table resources keep the page's
``.`` and ``x`` in the cell (declared as missing values of the schema) and write ``–`` as 0.

The indicator resource holds the rates only, not their numerators and denominators: published for
every district and year together, the denominators (residents by age group) pin hidden ones by
difference (under 15 = under 65 − 15 to 64), as the publish gate's attacker
(:func:`~sozialplanung.site.attack.attack`) finds when given them; given the rates (one decimal)
besides the pages, it narrows no hidden count below the protection range. Counts appear only in the
tables that the pages show, as they show them.

``created`` is the edition's Stichtag (as in the XLSX workbooks), never the clock: two builds write
the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from frictionless import Field, Package, Resource, Schema

from sozialplanung.core.config import Edition, EditionConfig
from sozialplanung.core.formats import format_date, parse_number
from sozialplanung.data import load
from sozialplanung.report.tables import table_slug
from sozialplanung.site.citation import licence_line
from sozialplanung.site.downloads import DOWNLOADS_DIR, SYMBOLS, download_paths, published_number
from sozialplanung.statistics.confidentiality import (
    LEGEND,
    SYMBOL_CONFIDENTIAL,
    SYMBOL_ZERO,
    Confidentiality,
)
from sozialplanung.statistics.indicators import CITY, INDICATORS, Indicator

DATAPACKAGE_FILE = f"{DOWNLOADS_DIR}/datapackage.json"
"""Where the descriptor goes inside the site; the data files' paths in it are relative to it."""
DATA_DIR = "daten"
"""The data files' folder, relative to the descriptor."""
INDICATORS_RESOURCE = "kennzahlen"
DEFINITIONS_RESOURCE = "kennzahlen-definitionen"
CITY_LABEL = "Gesamtstadt"
TABLE_MISSING_VALUES = ["", SYMBOL_CONFIDENTIAL, "x"]
"""Cells of a table resource that hold no number: empty text, hidden (``.``), no base (``x``)."""
SYMBOL_VALUES = [SYMBOL_CONFIDENTIAL, SYMBOL_ZERO, "x"]
KIND_DESCRIPTIONS = {
    "count": "Anzahl (Personen, Haushalte oder Fälle)",
    "number": "Anzahl",
    "rate": "Quote",
    "change": "Veränderung gegenüber dem Vorjahr bzw. Vergleichsjahr",
    "formatted": "Kennwert",
}
_UNIT_IN_HEADER = re.compile(r"\(((?:je|Prozent)[^()]*)\)")
SYNTHETIC_NOTICE = (
    "Synthetische Beispieldaten – keine amtliche Statistik. Alle Zahlen dieser Ausgabe sind künstlich erzeugt."
)
KEYWORDS = ["Sozialbericht", "Sozialplanung", "Marburg", "Stadtbezirke", "Kennzahlen", "Sozialindex"]


@dataclass(frozen=True)
class DataFile:
    """One CSV of the package: its path relative to the descriptor, its rows and its resource."""

    path: str
    rows: list[list[str]]
    resource: Resource


PageTables = tuple[str, str, list[dict[str, Any]]]
"""A page's download id (``02_existenzsicherung``, ``profil-211``), its heading and its table payloads."""


def write_datapackage(folder: Path, edition: Edition, pages: Iterable[PageTables]) -> Path:
    """Write the descriptor and every data file of ``edition`` under ``folder/downloads``: the
    indicators, their definitions and the tables of ``pages``; returns the descriptor's path."""
    frame = read_published_indicators(edition)
    files = [
        indicators_file(edition.config, frame, district_names(edition)),
        definitions_file(edition.config, frame),
    ]
    for page_id, heading, tables in pages:
        files += [table_file(page_id, heading, table) for table in tables]
    descriptor = folder / DATAPACKAGE_FILE
    for data in files:
        target = descriptor.parent / data.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(csv_bytes(data.rows))
    package = package_of(edition.config, [data.resource for data in files])
    descriptor.write_text(package.to_json() + "\n", encoding="utf-8", newline="\n")
    return descriptor


def csv_bytes(rows: Iterable[list[str]]) -> bytes:
    """Rows as CSV the way Table Schema's default dialect reads them: ``,``, ``"``, CRLF, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --- the indicators --------------------------------------------------------------------------------


def read_published_indicators(edition: Edition) -> pd.DataFrame:
    """The indicator file with the confidentiality model's statuses, one row per indicator, year
    and district (0 = the city)."""
    frame = load.read_indicators(edition.paths.indicators_file)
    statuses = load.read_frame(edition.paths.indicator_status_file, load.INDICATOR_STATUS_COLUMNS)
    return frame.merge(statuses, on=["jahr", "kennziffer", "indikator"], how="inner", validate="one_to_one")


def district_names(edition: Edition) -> dict[int, str]:
    """Kennziffer → name of every statistical district of the reference data, and 0 → Gesamtstadt."""
    districts = load.read_districts(edition.project.districts_file)
    return {CITY: CITY_LABEL, **dict(zip(districts["kennziffer"].astype(int), districts["stadtbezirk"]))}


def machine_cell(text: str) -> tuple[str, str]:
    """A published cell as ``(value, symbol)`` for a data file: ``"1.234"`` → ``("1234", "")``,
    ``"8,6"`` → ``("8.6", "")``, ``"–"`` → ``("0", "–")``, ``"."`` → ``("", ".")``, ``"x"`` → ``("", "x")``."""
    if text == SYMBOL_ZERO:
        return "0", SYMBOL_ZERO
    if text in SYMBOLS:
        return "", text
    return str(parse_number(text)), ""


def indicator_cells(row: Any, rule: Confidentiality) -> list[str]:
    """``wert, wert_zeichen`` of one indicator row: the rate formatted as the pages show it, read back."""
    return list(machine_cell(rule.rate_cell(row.wert, row.zaehler, row.nenner, row.wert_status)))


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {definition.id: number for number, definition in enumerate(INDICATORS)}
    return frame.assign(_rang=frame["indikator"].map(rank)).sort_values(["_rang", "jahr", "kennziffer"])


def _symbol_field(name: str, of: str) -> Field:
    return Field.from_descriptor(
        {
            "name": name,
            "type": "string",
            "title": f"Zeichen zu {of}",
            "description": "Leer: Zahl veröffentlicht. "
            + "; ".join(f"{symbol} = {LEGEND[symbol].split(' (')[0]}" for symbol in SYMBOL_VALUES)
            + ". Bei . und x bleibt die Zahl leer, bei – ist sie 0.",
            "constraints": {"enum": SYMBOL_VALUES},
        }
    )


def indicators_file(config: EditionConfig, frame: pd.DataFrame, names: dict[int, str]) -> DataFile:
    """``kennzahlen.csv``: every indicator of every district and year as the site publishes it."""
    rule = Confidentiality(config.confidentiality.threshold)
    ids = [definition.id for definition in INDICATORS if definition.id in set(frame["indikator"])]
    header = ["indikator", "jahr", "kennziffer", "stadtbezirk"]
    header += ["wert", "wert_zeichen"]
    rows = [header]
    for row in _order(frame).itertuples(index=False):
        rows.append(
            [
                row.indikator,
                str(row.jahr),
                str(row.kennziffer),
                names.get(row.kennziffer, str(row.kennziffer)),
                *indicator_cells(row, rule),
            ]
        )
    fields = [
        {
            "name": "indikator",
            "type": "string",
            "title": "Kennzahl",
            "description": f"Kennung der Kennzahl; Definition in der Ressource {DEFINITIONS_RESOURCE}",
            "constraints": {"required": True, "enum": ids},
        },
        {"name": "jahr", "type": "integer", "title": "Jahr", "description": "Stichtag 31.12. des Jahres"},
        {
            "name": "kennziffer",
            "type": "integer",
            "title": "Kennziffer",
            "description": f"Kennziffer des statistischen Stadtbezirks; 0 = {CITY_LABEL}",
        },
        {"name": "stadtbezirk", "type": "string", "title": "Stadtbezirk"},
        {
            "name": "wert",
            "type": "number",
            "title": "Wert",
            "description": "Wert der Kennzahl, eine Nachkommastelle, in der Einheit der Definition "
            f"(Spalte einheit in {DEFINITIONS_RESOURCE}; je 100 = Prozent)",
        },
    ]
    by_name = {field["name"]: Field.from_descriptor(field) for field in fields}
    schema = Schema(
        fields=[
            by_name[name] if name in by_name else _symbol_field(name, name.removesuffix("_zeichen")) for name in header
        ],
        primary_key=["indikator", "jahr", "kennziffer"],
        foreign_keys=[
            {"fields": ["indikator"], "reference": {"resource": DEFINITIONS_RESOURCE, "fields": ["indikator"]}}
        ],
    )
    description = (
        f"Alle Kennzahlen für die Gesamtstadt (Kennziffer 0) und die statistischen Stadtbezirke, "
        f"{config.first_year} bis {config.year}, wie der Bericht sie veröffentlicht. "
        f"Werte, die auf weniger als {config.confidentiality.threshold} Fällen beruhen oder aus denen sich solche "
        "Werte errechnen ließen, sind geheim gehalten: Die Zahl bleibt leer, die Zeichen-Spalte enthält „.“."
    )
    return DataFile(
        f"{DATA_DIR}/{INDICATORS_RESOURCE}.csv",
        rows,
        _resource(INDICATORS_RESOURCE, f"{DATA_DIR}/{INDICATORS_RESOURCE}.csv", "Kennzahlen", description, schema),
    )


def _level(definition: Indicator) -> str:
    return "nur Gesamtstadt" if definition.level == "stadt" else "Stadtbezirke und Gesamtstadt"


def definitions_file(config: EditionConfig, frame: pd.DataFrame) -> DataFile:
    """``kennzahlen-definitionen.csv``: what every indicator of ``frame`` counts, from the same
    definitions the computation uses (:data:`~sozialplanung.statistics.indicators.INDICATORS`)."""
    present = set(frame["indikator"])
    header = ["indikator", "name", "einheit", "je", "zaehler", "nenner", "ebene", "hinweis", "quelle"]
    rows = [header]
    for definition in INDICATORS:
        if definition.id in present:
            rows.append(
                [
                    definition.id,
                    definition.name,
                    definition.unit,
                    str(definition.per),
                    definition.numerator,
                    definition.denominator,
                    _level(definition),
                    definition.note,
                    definition.source,
                ]
            )
    titles = {
        "indikator": ("Kennzahl", "Kennung der Kennzahl"),
        "name": ("Name", "Name der Kennzahl im Bericht"),
        "einheit": ("Einheit", "Einheit des Werts, z. B. „je 100 Einwohner“ (je 100 = Prozent)"),
        "je": ("Bezug", "Wert = Zähler / Nenner × Bezug"),
        "zaehler": ("Zähler", "Was der Zähler zählt"),
        "nenner": ("Nenner", "Was der Nenner (die Bezugsgröße) zählt"),
        "ebene": ("Ebene", "Für welche Gebiete die Kennzahl vorliegt"),
        "hinweis": ("Hinweis", "Grenzen der Definition"),
        "quelle": ("Quelle", "Datenquellen von Zähler und Nenner"),
    }
    schema = Schema(
        fields=[
            Field.from_descriptor(
                {
                    "name": name,
                    "type": "integer" if name == "je" else "string",
                    "title": titles[name][0],
                    "description": titles[name][1],
                }
            )
            for name in header
        ],
        primary_key=["indikator"],
    )
    description = "Definition jeder Kennzahl: Zähler, Nenner, Einheit, Hinweise und Quellen."
    if config.data.synthetic:
        description += " Die Quellen nennen, woher die Zahlen in einer Ausgabe mit echten Daten stammen."
    path = f"{DATA_DIR}/{DEFINITIONS_RESOURCE}.csv"
    resource = _resource(DEFINITIONS_RESOURCE, path, "Definitionen der Kennzahlen", description, schema)
    return DataFile(path, rows, resource)


# --- the tables of the pages ------------------------------------------------------------------------


def table_file(page_id: str, page_heading: str, table: dict[str, Any]) -> DataFile:
    """One published table (a download payload) as a data file and its resource: numbers as numbers,
    ``–`` as 0, ``.`` and ``x`` kept as the schema's missing values, text as published."""
    csv_path, _xlsx = download_paths(page_id, table["table_id"])
    path = f"{DATA_DIR}/{csv_path.removeprefix(DOWNLOADS_DIR + '/')}"
    columns = [_column(table, j) for j in range(len(table["headers"]))]
    names = unique_names(table["headers"])
    rows = [names, *([column[1][i] for column in columns] for i in range(len(table["rows"])))]
    fields = []
    for name, header, (field_type, _cells), kind in zip(names, table["headers"], columns, table["kinds"]):
        descriptor: dict[str, Any] = {"name": name, "type": field_type, "title": header}
        if kind in KIND_DESCRIPTIONS:
            descriptor["description"] = KIND_DESCRIPTIONS[kind]
            unit = "Anzahl" if kind in ("count", "number") else _header_unit(header)
            if unit and field_type != "string":
                descriptor["unit"] = unit
        fields.append(Field.from_descriptor(descriptor))
    schema = Schema(fields=fields, missing_values=TABLE_MISSING_VALUES)
    description = " ".join([f"{page_heading}.", *table["notes"]])
    resource = _resource(
        resource_name(page_id, table["table_id"]),
        path,
        table["caption"],
        description,
        schema,
        sources=[table["source"]] if table["source"] else [],
    )
    return DataFile(path, rows, resource)


def resource_name(page_id: str, table_id: str) -> str:
    """A table's resource name: ``02_existenzsicherung-sgb-ii-nach-stadtbezirken-2024``."""
    return f"{page_id.lower()}-{table_id}"


def unique_names(headers: list[str]) -> list[str]:
    """Field names from the headers: as shown, an empty one ``Spalte <n>``, a repeated one with `` (2)``."""
    names: list[str] = []
    for number, header in enumerate(headers, start=1):
        name = " ".join(header.split()) or f"Spalte {number}"
        base, count = name, 1
        while name in names:
            count += 1
            name = f"{base} ({count})"
        names.append(name)
    return names


def _header_unit(header: str) -> str | None:
    match = _UNIT_IN_HEADER.search(header)
    return match.group(1) if match else None


def _column(table: dict[str, Any], j: int) -> tuple[str, list[str]]:
    """``(field type, cells)`` of column ``j``: integer or number when every published cell is a number
    or a symbol, else string with the cells as published."""
    kind, decimals = table["kinds"][j], table["decimals"][j]
    shown = [row[j] for row in table["rows"]]
    if kind == "text":
        return "string", shown
    numbers = [None if text in SYMBOLS else published_number(text, kind) for text in shown]
    if any(number is None and text not in SYMBOLS for number, text in zip(numbers, shown)):
        return "string", shown
    integer = decimals == 0 and all(isinstance(number, int) for number in numbers if number is not None)
    cells = [
        "0" if text == SYMBOL_ZERO else text if number is None else str(int(number) if integer else float(number))
        for number, text in zip(numbers, shown)
    ]
    return ("integer" if integer else "number"), cells


# --- the descriptor --------------------------------------------------------------------------------


def _resource(
    name: str, path: str, title: str, description: str, schema: Schema, sources: list[str] | None = None
) -> Resource:
    resource = Resource(
        name=name,
        path=path,
        title=title,
        description=description,
        format="csv",
        mediatype="text/csv",
        encoding="utf-8",
        profile="tabular-data-resource",
        schema=schema,
    )
    if sources:
        resource.sources = [{"title": source} for source in sources]
    return resource


def package_name(config: EditionConfig) -> str:
    """The package's name: the edition's title as a slug, ``sozialbericht-der-universitaetsstadt-marburg-2024``."""
    return table_slug(config.title)


def package_of(config: EditionConfig, resources: list[Resource]) -> Package:
    """The descriptor: title, description with the citation, licence, publisher, sources, resources."""
    publication = config.publication
    sources = list(dict.fromkeys(source["title"] for resource in resources for source in resource.sources))
    if config.data.synthetic and not sources:
        sources = ["synthetische Beispieldaten (keine amtliche Statistik)"]
    hidden = LEGEND[SYMBOL_CONFIDENTIAL].format(threshold=config.confidentiality.threshold)
    description = [
        f"Alle Tabellen und Kennzahlen der Ausgabe „{config.title}“, Stichtag {format_date(config.reference_date)}, "
        "als maschinenlesbare Daten, so wie der Bericht sie veröffentlicht.",
        f"Zeichen: {SYMBOL_CONFIDENTIAL} = {hidden}; {SYMBOL_ZERO} = {LEGEND[SYMBOL_ZERO]} (in den Daten als 0); "
        f"x = {LEGEND['x']}.",
        f"Zitiervorschlag: {publication.author} ({config.publication_year}): {config.title}, offene Daten. "
        f"{licence_line(config)}.",
    ]
    if config.data.synthetic:
        description.insert(0, SYNTHETIC_NOTICE)
    package = Package(
        name=package_name(config),
        title=f"{config.title} – offene Daten",
        description=" ".join(description),
        version=config.edition,
        created=f"{config.reference_date.isoformat()}T00:00:00Z",
        licenses=[
            {"name": publication.licence.name, "path": publication.licence.url, "title": publication.licence.title}
        ],
        contributors=[
            {"title": publication.publisher, "roles": ["publisher"]},
            {"title": publication.author, "roles": ["author"]},
        ],
        sources=[{"title": source} for source in sources],
        keywords=KEYWORDS,
        resources=resources,
    )
    if publication.url:
        package.homepage = publication.url
    return package
