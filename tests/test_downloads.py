"""Downloads: payloads from executed notebooks, links under the tables, CSV and XLSX files."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from IPython.core.formatters import DisplayFormatter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sozialplanung.core.config import load_config
from sozialplanung.core.errors import PublishError
from sozialplanung.report.tables import Column, report_table
from sozialplanung.site.downloads import (
    CONTENTS_SHEET,
    chapter_workbook,
    download_footer,
    link_downloads,
    link_notebook_downloads,
    published_number,
    sheet_names,
    short_title,
    table_csv,
    tables_in_notebook,
    write_chapter_downloads,
)
from sozialplanung.statistics.confidentiality import Confidentiality

from publish_helpers import make_edition

STICHTAG = date(2024, 12, 31)
FOOTER = ["Sozialbericht 2024, Stichtag 31.12.2024", "Synthetische Beispieldaten – keine amtliche Statistik."]
CHAPTER = "02_existenzsicherung"


def sgb2_table(caption: str = "SGB II nach Stadtbezirken 2024", **options):
    frame = pd.DataFrame(
        {
            "stadtbezirk": ["Südviertel", "Lahnberge", "Ronhausen", "Marburg gesamt"],
            "lb": [4120, 2, 0, 5012],
            "ew": [48000, 110, 250, 66000],
            "quote": [4120 / 48000 * 100, 2 / 110 * 100, 0.0, 5012 / 66000 * 100],
            "diff": [-0.44, 0.01, 1.26, float("nan")],
        }
    )
    columns = [
        Column("Stadtbezirk", "stadtbezirk"),
        Column("Leistungsberechtigte", "lb", "count"),
        Column("SGB-II-Quote (je 100 Einwohner)", "quote", "rate", numerator="lb", denominator="ew"),
        Column("Veränderung (Prozentpunkte)", "diff", "change"),
    ]
    return report_table(frame, columns, caption=caption, rule=Confidentiality(3), source="Test; Stadt", **options)


def aktionsplan_table():
    frame = pd.DataFrame({"feld": ["Wohnen; Bauen", "=Arbeit"], "n": [12, 0]})
    columns = [Column("Handlungsfeld", "feld"), Column("Maßnahmen", "n", "number")]
    return report_table(frame, columns, caption="Maßnahmen nach Handlungsfeld 2024", rule=Confidentiality(3))


def shown(table) -> nbformat.NotebookNode:
    """A notebook output as Jupyter stores ``display(table)``."""
    data, _metadata = DisplayFormatter().format(table)
    return new_output("display_data", data=data)


def executed_notebook(*cells) -> nbformat.NotebookNode:
    """Written and read back, so the payloads are nbformat's nodes, as the publisher reads them."""
    return nbformat.reads(nbformat.writes(new_notebook(cells=list(cells))), as_version=4)


# --- collecting ------------------------------------------------------------------------------


def test_tables_are_collected_in_page_order_without_hidden_cells_or_repeats():
    parameters = new_code_cell("x", metadata={"tags": ["parameters"]}, outputs=[shown(sgb2_table("Nur Parameter"))])
    notebook = executed_notebook(
        new_markdown_cell("# Kapitel"),
        parameters,
        new_code_cell("a", outputs=[new_output("stream", name="stdout", text="log"), shown(aktionsplan_table())]),
        new_code_cell("b", outputs=[shown(sgb2_table())]),
        new_code_cell("c", outputs=[shown(aktionsplan_table())]),  # the same table again: one download
    )
    nbformat.validate(notebook)
    tables = tables_in_notebook(notebook)
    assert [t["table_id"] for t in tables] == ["massnahmen-nach-handlungsfeld-2024", "sgb-ii-nach-stadtbezirken-2024"]
    assert tables[1] == sgb2_table().payload()
    assert type(tables[1]) is dict and type(tables[1]["rows"][0]) is list


def test_two_different_tables_with_one_id_are_refused():
    other = sgb2_table(table_id="massnahmen-nach-handlungsfeld-2024")
    notebook = executed_notebook(new_code_cell("a", outputs=[shown(aktionsplan_table()), shown(other)]))
    with pytest.raises(PublishError, match="massnahmen-nach-handlungsfeld-2024.*another caption"):
        tables_in_notebook(notebook)


def test_a_broken_payload_is_refused():
    output = shown(sgb2_table())
    del output.data["application/vnd.sozialplanung.table+json"]["rows"]
    with pytest.raises(PublishError, match="cell 1 lacks rows"):
        tables_in_notebook(executed_notebook(new_code_cell("a", outputs=[output])))


# --- links under the tables ------------------------------------------------------------------


def test_link_downloads_puts_exact_links_under_each_table():
    fragment = f"<h2>SGB II</h2>{sgb2_table().to_html()}<p>Text</p>{aktionsplan_table().to_html()}"
    soup = BeautifulSoup(link_downloads(fragment, CHAPTER), "html.parser")
    lines = soup.find_all("p", class_="downloads")
    assert len(lines) == 2
    first = lines[0]
    assert first.parent["data-table-id"] == "sgb-ii-nach-stadtbezirken-2024"
    assert first.find_previous_sibling("table") is not None  # under the table, inside its frame
    assert " ".join(first.get_text().split()) == "Tabelle herunterladen: CSV · Excel (alle Tabellen dieser Seite)"
    csv_link, xlsx_link = first.find_all("a")
    assert csv_link["href"] == "downloads/02_existenzsicherung/sgb-ii-nach-stadtbezirken-2024.csv"
    assert csv_link["aria-label"] == "Tabelle „SGB II nach Stadtbezirken 2024“ als CSV herunterladen"
    assert (csv_link["data-download"], csv_link["type"]) == ("csv", "text/csv")
    assert xlsx_link["href"] == "downloads/02_existenzsicherung.xlsx"
    assert xlsx_link["aria-label"] == "Excel (alle Tabellen dieser Seite) herunterladen"
    assert xlsx_link["data-download"] == "xlsx" and xlsx_link.has_attr("download")
    assert lines[1].a["href"] == "downloads/02_existenzsicherung/massnahmen-nach-handlungsfeld-2024.csv"


def test_link_downloads_is_idempotent_and_leaves_other_html_alone():
    once = link_downloads(sgb2_table().to_html(), CHAPTER)
    assert link_downloads(once, CHAPTER) == once
    plain = '<table class="tabelle"><caption>Von Hand</caption><tr><td>1</td></tr></table>'
    assert link_downloads(plain, CHAPTER) == plain


def test_a_table_without_download_is_refused_rather_than_linked_dead():
    with pytest.raises(PublishError, match="no download"):
        link_downloads(sgb2_table().to_html(), CHAPTER, table_ids=["eine-andere-tabelle"])
    with pytest.raises(PublishError, match="cannot name a download folder"):
        link_downloads(sgb2_table().to_html(), "../etc")


def test_link_notebook_downloads_links_the_html_outputs_for_quarto():
    notebook = executed_notebook(new_code_cell("a", outputs=[shown(sgb2_table())]))
    link_notebook_downloads(notebook, CHAPTER, table_ids=["sgb-ii-nach-stadtbezirken-2024"])
    html = notebook.cells[0].outputs[0].data["text/html"]
    assert 'href="downloads/02_existenzsicherung/sgb-ii-nach-stadtbezirken-2024.csv"' in html
    nbformat.validate(notebook)


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_is_german_excel_friendly_and_shows_only_published_cells():
    data = table_csv(sgb2_table().payload(), FOOTER)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert data.decode("utf-8-sig") == (
        "Stadtbezirk;Leistungsberechtigte;SGB-II-Quote (je 100 Einwohner);Veränderung (Prozentpunkte)\r\n"
        "Südviertel;4.120;8,6;-0,4\r\n"
        "Lahnberge;.;.;0,0\r\n"
        "Ronhausen;–;–;+1,3\r\n"
        "Marburg gesamt;5.012;7,6;x\r\n"
        "\r\n"
        "Tabelle: SGB II nach Stadtbezirken 2024\r\n"
        ". = Zahlenwert geheim zu halten (beruht auf weniger als 3 Fällen)\r\n"
        "– = nichts vorhanden (genau null)\r\n"
        "x = Aussage nicht sinnvoll (keine Bezugsgröße)\r\n"
        '"Quelle: Test; Stadt"\r\n'
        "Sozialbericht 2024, Stichtag 31.12.2024\r\n"
        "Synthetische Beispieldaten – keine amtliche Statistik.\r\n"
    )


def test_csv_reads_back_as_a_table_up_to_the_empty_line():
    data = table_csv(aktionsplan_table().payload(), FOOTER)
    block = data.decode("utf-8-sig").split("\r\n\r\n")[0]
    frame = pd.read_csv(io.StringIO(block), sep=";", thousands=".", decimal=",", dtype={"Maßnahmen": "str"})
    assert list(frame.columns) == ["Handlungsfeld", "Maßnahmen"]
    assert frame["Handlungsfeld"].tolist() == ["Wohnen; Bauen", "=Arbeit"]
    assert frame["Maßnahmen"].tolist() == ["12", "0"]


@pytest.mark.parametrize(
    ("value", "kind", "number"),
    [
        ("1.234", "count", 1234),
        ("8,6", "rate", 8.6),
        ("1.234,50", "rate", 1234.5),
        ("\u22120,4", "change", -0.4),
        ("+1,3", "change", 1.3),
        ("±0,0", "change", 0.0),
        ("0", "number", 0),
        (".", "count", None),
        ("\u2013", "rate", None),
        ("x", "rate", None),
        ("2024", "text", None),
        ("k. A.", "count", None),
    ],
)
def test_published_number(value, kind, number):
    assert published_number(value, kind) == number
    assert type(published_number(value, kind)) is type(number)


# --- XLSX --------------------------------------------------------------------------------------


def workbook_of(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_workbook_has_a_contents_sheet_and_one_sheet_per_table():
    tables = [sgb2_table().payload(), aktionsplan_table().payload()]
    book = workbook_of(chapter_workbook("2 Existenzsicherung und Armut", tables, FOOTER, STICHTAG))
    assert book.sheetnames == [CONTENTS_SHEET, "SGB II nach Stadtbezirken 2024", "Maßnahmen nach Handlungsfeld"]
    contents = book[CONTENTS_SHEET]
    assert contents["A1"].value == "2 Existenzsicherung und Armut" and contents["A1"].font.b
    assert [(contents.cell(r, 1).value, contents.cell(r, 2).value) for r in (4, 5)] == [
        ("SGB II nach Stadtbezirken 2024", "SGB II nach Stadtbezirken 2024"),
        ("Maßnahmen nach Handlungsfeld", "Maßnahmen nach Handlungsfeld 2024"),
    ]
    assert contents["A4"].hyperlink.location == "'SGB II nach Stadtbezirken 2024'!A1"
    assert [contents.cell(r, 1).value for r in (7, 8)] == FOOTER
    assert book.properties.created == book.properties.modified == datetime(2024, 12, 31)
    assert book.properties.title == "2 Existenzsicherung und Armut"


def test_table_sheet_holds_caption_header_numbers_symbols_and_notes():
    book = workbook_of(chapter_workbook("Kapitel", [sgb2_table().payload()], FOOTER, STICHTAG))
    sheet = book["SGB II nach Stadtbezirken 2024"]
    assert sheet["A1"].value == "SGB II nach Stadtbezirken 2024" and sheet["A1"].font.b
    assert sheet["A2"].value is None
    header = [cell for cell in sheet[3] if cell.value is not None]
    assert [c.value for c in header] == [
        "Stadtbezirk",
        "Leistungsberechtigte",
        "SGB-II-Quote (je 100 Einwohner)",
        "Veränderung (Prozentpunkte)",
    ]
    assert all(c.font.b for c in header)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=7)]
    assert rows == [
        ["Südviertel", 4120, 8.6, -0.4],
        ["Lahnberge", ".", ".", 0],
        ["Ronhausen", "\u2013", "\u2013", 1.3],
        ["Marburg gesamt", 5012, 7.6, "x"],
    ]
    assert sheet["B4"].data_type == "n" and sheet["B4"].number_format == "#,##0"
    assert sheet["C4"].number_format == "#,##0.0"
    assert sheet["D4"].number_format == '"+"#,##0.0;"\u2212"#,##0.0;"±"0.0'
    assert sheet["B5"].data_type == "s" and sheet["B5"].alignment.horizontal == "right"
    below = [sheet.cell(r, 1).value for r in range(9, 15)]
    assert below == [
        ". = Zahlenwert geheim zu halten (beruht auf weniger als 3 Fällen)",
        "\u2013 = nichts vorhanden (genau null)",
        "x = Aussage nicht sinnvoll (keine Bezugsgröße)",
        "Quelle: Test; Stadt",
        *FOOTER,
    ]
    assert sheet.freeze_panes == "B4"
    assert sheet.column_dimensions["A"].width >= len("Marburg gesamt")


def test_text_that_looks_like_a_formula_stays_text():
    book = workbook_of(chapter_workbook("Kapitel", [aktionsplan_table().payload()], [], STICHTAG))
    cell = book["Maßnahmen nach Handlungsfeld"]["A5"]
    assert cell.value == "=Arbeit" and cell.data_type == "s"


def test_sheet_names_are_unique_short_and_allowed():
    captions = ["Einwohner: [alt/neu] *?\\ nach Stadtbezirken 2024"] * 3 + ["Ä" * 40, "Kurz", "inhalt"]
    names = sheet_names(captions)
    assert names == [
        "Einwohner 2024",  # "alt neu" ends on lowercase words, which end no title
        "Einwohner 2024 (2)",
        "Einwohner 2024 (3)",
        "Ä" * 31,  # one word longer than a sheet name: cut, as nothing else is left
        "Kurz",
        "inhalt (2)",  # Excel compares sheet names regardless of case
    ]
    book = workbook_of(
        chapter_workbook(
            "Kapitel",
            [sgb2_table(caption, table_id=f"t-{i}").payload() for i, caption in enumerate(captions)],
            [],
            STICHTAG,
        )
    )
    assert book.sheetnames == [CONTENTS_SHEET, *names]


SAMPLE_TABLES = {
    "01_bevoelkerung": [
        ("Einwohner, Ausländeranteil, Jugend- und Altenquotient nach Stadtbezirken 2024", ""),
        ("Bevölkerungskennzahlen der Gesamtstadt 2019–2024", ""),
    ],
    "02_existenzsicherung": [
        ("Leistungsberechtigte nach dem SGB II nach Stadtbezirken 2024", "SGB II nach Stadtbezirken 2024"),
        (
            "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren nach Stadtbezirken 2024",
            "Kinder unter 15 im SGB II 2024",
        ),
        ("MarburgPass und Wohngeld nach Stadtbezirken 2024", ""),
        ("Kennzahlen der Existenzsicherung in der Gesamtstadt 2019–2024", "Existenzsicherung 2019–2024"),
    ],
    "03_wohnen": [
        ("Wohnungen, geförderte Wohnungen und Wohngeld nach Stadtbezirken 2024", "Wohnungen und Wohngeld 2024"),
        ("Wohngeld und geförderte Wohnungen in der Gesamtstadt 2019–2024", "Wohngeld, geförderte Wohnungen"),
        ("Wohnungsnotfälle und Wohnungslosenhilfe in der Gesamtstadt 2019–2024", ""),
    ],
    "04_familie": [
        ("Familien, Alleinerziehende und Kinderarmut nach Stadtbezirken 2024", ""),
        ("Kinder und Familien in der Gesamtstadt 2019–2024", ""),
    ],
    "05_arbeit": [
        ("Arbeitslose und Langzeitarbeitslose nach Rechtskreisen 2019–2024", "Arbeitslose nach Rechtskreisen"),
        (
            "Arbeitslose und erwerbsfähige Leistungsberechtigte nach Stadtbezirken 2024",
            "Arbeitslose nach Bezirken 2024",
        ),
    ],
    "06_teilhabe": [
        ("Schwerbehinderte Menschen (GdB ≥ 50) nach Alter und Geschlecht 2024", ""),
        ("Maßnahmen des Aktionsplans nach Handlungsfeld und Umsetzungsstand 2024", ""),
        ("Maßnahmen mit verändertem Umsetzungsstand seit 2023", ""),
        ("Alle Maßnahmen des Aktionsplans und ihr Umsetzungsstand am 31.12.2024", ""),
    ],
    "07_sozialraum": [
        ("Stadtbezirke nach sozialem Status 2024", "Sozialer Status 2024"),
        ("Sozialindex 2024: Statusindikatoren, z-Werte und Klassen nach Stadtbezirken", ""),
    ],
    "08_methodik": [
        ("Definitionen der Kennzahlen", ""),
        ("Statusindikatoren des Sozialindex und ihre Gewichte", ""),
        ("Klassen des sozialen Status", ""),
        ("Klassen der Dynamik", ""),
    ],
    "profil-243": [
        ("Kennzahlen Oberer Richtsberg und Gesamtstadt 2024", "Kennzahlen 2024"),
        ("Einwohnerinnen und Einwohner Oberer Richtsberg 2019–2024", "Einwohner 2019–2024"),
    ],
}
"""The captions and short names of the sample edition's tables per workbook (as its site shows them)."""
SAMPLE_SHEETS = {
    "01_bevoelkerung": ["Einwohner, Ausländeranteil 2024", "Bevölkerungskennzahlen 2019–24"],
    "02_existenzsicherung": [
        "SGB II nach Stadtbezirken 2024",
        "Kinder unter 15 im SGB II 2024",
        "MarburgPass und Wohngeld 2024",
        "Existenzsicherung 2019–2024",
    ],
    "03_wohnen": ["Wohnungen und Wohngeld 2024", "Wohngeld, geförderte Wohnungen", "Wohnungsnotfälle 2019–2024"],
    "04_familie": ["Familien, Alleinerziehende 2024", "Kinder und Familien 2019–2024"],
    "05_arbeit": ["Arbeitslose nach Rechtskreisen", "Arbeitslose nach Bezirken 2024"],
    "06_teilhabe": [
        "Schwerbehinderte Menschen 2024",
        "Maßnahmen des Aktionsplans 2024",
        "Maßnahmen seit 2023",
        "Alle Maßnahmen am 31.12.2024",
    ],
    "07_sozialraum": ["Sozialer Status 2024", "Sozialindex 2024"],
    "08_methodik": [
        "Definitionen der Kennzahlen",
        "Statusindikatoren",
        "Klassen des sozialen Status",
        "Klassen der Dynamik",
    ],
    "profil-243": ["Kennzahlen 2024", "Einwohner 2019–2024"],
}
WEAK_ENDINGS = {"der", "die", "das", "dem", "den", "des", "und", "oder", "nach", "in", "im", "am", "mit", "seit", "von"}


@pytest.mark.parametrize("workbook", list(SAMPLE_TABLES))
def test_sample_sheet_names_are_meaningful_short_unique_and_allowed(workbook):
    captions, short_names = zip(*SAMPLE_TABLES[workbook])
    names = sheet_names(list(captions), list(short_names))
    assert names == SAMPLE_SHEETS[workbook]
    assert len({name.casefold() for name in [CONTENTS_SHEET, *names]}) == len(names) + 1
    for name in names:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\") and name == name.strip()
        last = name.split()[-1]
        assert last not in WEAK_ENDINGS and last[-1] not in ",-"


def test_short_titles_keep_the_period_and_end_on_a_noun():
    assert short_title("Stadtbezirke nach sozialem Status 2024") == "Stadtbezirke 2024"
    assert short_title("Kennzahlen der Existenzsicherung in der Gesamtstadt 2019–2024") == "Kennzahlen 2019–2024"
    assert short_title("Maßnahmen nach Handlungsfeld 2024") == "Maßnahmen nach Handlungsfeld"  # all but the year fits
    assert short_title("Statusindikatoren des Sozialindex und ihre Gewichte", 20) == "Statusindikatoren"
    assert short_title("Wohngeld nach Stadtbezirken am 31.12.2024", 24) == "Wohngeld am 31.12.2024"


def test_a_table_carries_its_short_sheet_name_into_the_workbook():
    table = sgb2_table("Leistungsberechtigte nach dem SGB II nach Stadtbezirken 2024", sheet_name="SGB II 2024")
    notebook = executed_notebook(new_code_cell("a", outputs=[shown(table), shown(aktionsplan_table())]))
    book = workbook_of(chapter_workbook("Kapitel", tables_in_notebook(notebook), [], STICHTAG))
    assert book.sheetnames == [CONTENTS_SHEET, "SGB II 2024", "Maßnahmen nach Handlungsfeld"]
    assert book["SGB II 2024"]["A1"].value == "Leistungsberechtigte nach dem SGB II nach Stadtbezirken 2024"
    with pytest.raises(ValueError, match="longer than Excel's 31 characters"):
        sgb2_table(sheet_name="Leistungsberechtigte nach Stadtbezirken 2024")


# --- writing the files ---------------------------------------------------------------------------


def write(folder: Path) -> list[Path]:
    tables = [sgb2_table().payload(), aktionsplan_table().payload()]
    return write_chapter_downloads(folder, CHAPTER, "2 Existenzsicherung", tables, FOOTER, reference_date=STICHTAG)


def test_files_go_to_the_paths_the_links_name(tmp_path):
    written = write(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "downloads/02_existenzsicherung/sgb-ii-nach-stadtbezirken-2024.csv",
        "downloads/02_existenzsicherung/massnahmen-nach-handlungsfeld-2024.csv",
        "downloads/02_existenzsicherung.xlsx",
    ]
    page = BeautifulSoup(link_downloads(sgb2_table().to_html(), CHAPTER), "html.parser")
    assert all((tmp_path / a["href"]).is_file() for a in page.find_all("a"))


def test_two_writes_are_byte_identical(tmp_path):
    first = write(tmp_path / "eins")
    time.sleep(1.1)  # a timestamp with seconds would now differ
    second = write(tmp_path / "zwei")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    with zipfile.ZipFile(first[-1]) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "2024-12-31T00:00:00Z" in archive.read("docProps/core.xml").decode()


def test_a_chapter_without_tables_gets_no_files(tmp_path):
    assert write_chapter_downloads(tmp_path, CHAPTER, "Kapitel", [], FOOTER, reference_date=STICHTAG) == []
    assert list(tmp_path.iterdir()) == []


def test_footer_names_the_edition_and_synthetic_data(tmp_path):
    config = make_edition(tmp_path / "projekt").config
    licence = (
        "Herausgeber: Universitätsstadt Marburg, Fachdienst Sozialplanung. Lizenz: Datenlizenz Deutschland – "
        "Namensnennung – Version 2.0 (https://www.govdata.de/dl-de/by-2-0)"
    )
    assert download_footer(config) == [
        "Sozialbericht der Universitätsstadt Marburg 2024, Stichtag 31.12.2024",
        "Synthetische Beispieldaten – keine amtliche Statistik. Alle Zahlen dieser Ausgabe sind künstlich erzeugt.",
        licence,
    ]
    real = make_edition(tmp_path / "echt", synthetic=False)
    assert download_footer(real.config) == [
        "Sozialbericht der Universitätsstadt Marburg 2024, Stichtag 31.12.2024",
        licence,
    ]


def test_footer_names_the_licence_the_edition_configures(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    params = edition.paths.project.params_file("2024")
    params.write_text(
        params.read_text(encoding="utf-8")
        + "publication:\n  publisher: Stadt Musterstadt, Statistikstelle\n  licence:\n    name: cc-by-4.0\n"
        "    title: Creative Commons Namensnennung 4.0 International\n"
        "    url: https://creativecommons.org/licenses/by/4.0/\n",
        encoding="utf-8",
    )
    config = load_config(params)
    assert download_footer(config)[-1] == (
        "Herausgeber: Stadt Musterstadt, Statistikstelle. Lizenz: Creative Commons Namensnennung 4.0 International "
        "(https://creativecommons.org/licenses/by/4.0/)"
    )
    csv_text = table_csv(sgb2_table().payload(), download_footer(config)).decode("utf-8-sig")
    assert csv_text.rstrip("\r\n").endswith("(https://creativecommons.org/licenses/by/4.0/)")
