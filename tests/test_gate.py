"""The publish gate: small counts, recoverable hidden cells and leaked internals in a finished edition."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from sozialplanung.core.errors import PublishError
from sozialplanung.site.gate import Finding, check_site, enforce, text_counts

THRESHOLD = 3
PAGE = "02_existenzsicherung.html"
CSV = "downloads/02_existenzsicherung/leistungsberechtigte.csv"
XLSX = "downloads/02_existenzsicherung.xlsx"
CAPTION = "Leistungsberechtigte nach dem SGB II nach Stadtbezirken 2024"
HEADERS = ["Stadtbezirk", "Leistungsberechtigte", "SGB-II-Quote (je 100 Einwohner unter 65 Jahren)"]
# Hidden values behind ".": Lahnberge 2 (primary), Ronhausen 4 and Bortshausen 3 (secondary).
ROWS = [
    ["Altstadt", "313", "7,1"],
    ["Weidenhausen", "52", "7,7"],
    ["Dilschhausen", "\u2013", "\u2013"],
    ["Lahnberge", ".", "."],
    ["Ronhausen", ".", "."],
    ["Bortshausen", ".", "."],
    ["Marburg gesamt", "374", "7,2"],
]
LEGEND = ". = Zahlenwert geheim zu halten (beruht auf weniger als 3 Fällen)"
# A fake image payload whose base64 text happens to look like a path, a traceback and a warning.
DATA_URI = "data:image/png;base64,iVBORw0KGgo/home/user/tmp/Traceback/UserWarning+sgb2+csv/AAAA=="
PROSE = (
    'Am 31.12.2024 erhielten in Marburg <span class="anzahl">374</span> Menschen Leistungen nach dem '
    "SGB II, darunter 1.330 Kinder unter 15 Jahren. Werte, die auf weniger als 3 Fällen beruhen, werden "
    "nicht ausgewiesen (§ 16 BStatG). Jedes 7. Kind ist betroffen; Kinder unter 3 Jahren besonders. "
    "Die Quote lag bei 8,1 je 100 Einwohnerinnen und Einwohner (+2 Personen gegenüber 2023). "
    "Der Aktionsplan umfasst 63 Maßnahmen in 9 Handlungsfeldern, 2 davon wurden abgeschlossen."
)


INDEX = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Startseite</title></head><body><main>
<h1>Sozialbericht 2024</h1><p>Der Bericht gliedert sich in 6 Kapitel; Stichtag 31.12.2024.</p>
<p>Einwohnerinnen und Einwohner 77.954 (+42 Personen gegenüber 2023)</p></main></body></html>
"""


def html_table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = "".join(
        "<tr>" + f'<th scope="row">{row[0]}</th>' + "".join(f'<td class="zahl">{c}</td>' for c in row[1:]) + "</tr>"
        for row in rows
    )
    return (
        f'<div class="tabelle-rahmen"><table class="tabelle"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def page(rows: list[list[str]] = ROWS, prose: str = PROSE, extra: str = "") -> str:
    measures = html_table(
        "Maßnahmen des Aktionsplans nach Handlungsfeld und Umsetzungsstand 2024",
        ["Handlungsfeld", "Maßnahmen", "umgesetzt", "entfallen"],
        [["Wohnen", "7", "2", "0"], ["Bildung und Erziehung", "8", "1", "1"], ["Insgesamt", "15", "3", "1"]],
    )
    series = html_table(
        "Kennzahlen der Gesamtstadt 2019–2024",
        ["Jahr", "SGB-II-Quote (je 100 Einwohner)"],
        [["2019", "7,7"], ["2024", "8,1"]],
    )
    by_sex = html_table(
        "Schwerbehinderte Menschen nach Alter und Geschlecht 2024",
        ["Alter (Jahre)", "Männer: Anzahl", "Frauen: Anzahl", "Insgesamt: Anzahl"],
        [["unter 18", ".", ".", "5"], ["18 bis 24", "81", "63", "144"]],
    )
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Existenzsicherung</title>
<link rel="stylesheet" href="assets/style.css"></head><body>
<header><nav aria-label="Hauptnavigation"><ul><li><a href="index.html">1 Bevölkerung</a></li>
<li><a href="{PAGE}">2 Existenzsicherung und Armut</a></li></ul></nav></header>
<main><h1>2 Existenzsicherung und Armut</h1><h2>1 Grundsicherung</h2>
<p>{prose}</p>
<figure><img src="{DATA_URI}" alt="Balkendiagramm: SGB-II-Quote nach Stadtbezirken, höchster Wert 15,2 in Waldtal.">
<figcaption>SGB-II-Quote nach Stadtbezirken am 31.12.2024.</figcaption></figure>
{html_table(CAPTION, HEADERS, rows)}
<div class="tabellen-hinweise"><p>{LEGEND}</p></div>
{measures}{series}{by_sex}{extra}
</main><footer><p>Softwarestand: sozialplanung 0.1.0, Python 3.11.7, pandas 3.1.1</p></footer></body></html>
"""


def csv_bytes(rows: list[list[str]] = ROWS, notes: tuple[str, ...] = ()) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    writer.writerow([])
    for line in (f"Tabelle: {CAPTION}", LEGEND, "Quelle: synthetische Beispieldaten", *notes):
        writer.writerow([line])
    return buffer.getvalue().encode("utf-8-sig")


def write_workbook(path: Path, rows: list[list[str]] = ROWS) -> None:
    workbook = Workbook()
    contents = workbook.active
    contents.title = "Inhalt"
    contents["A1"], contents["A3"], contents["B3"] = "Existenzsicherung und Armut", "Tabellenblatt", "Tabelle"
    contents["A4"], contents["B4"] = "1 Leistungsberechtigte", CAPTION
    sheet = workbook.create_sheet("1 Leistungsberechtigte")
    sheet["A1"] = CAPTION
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(row=3, column=column, value=header)
    for number, row in enumerate(rows, start=4):
        for column, value in enumerate(row, start=1):
            is_count = column == 2 and value.replace(".", "").isdigit()
            is_rate = column == 3 and "," in value
            cell_value = (
                int(value.replace(".", "")) if is_count else float(value.replace(",", ".")) if is_rate else value
            )
            sheet.cell(row=number, column=column, value=cell_value)
    sheet.cell(row=len(rows) + 5, column=1, value=LEGEND)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A clean edition: a chapter page, a start page, a stylesheet, a CSV and an XLSX download."""
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "style.css").write_text("body { font-family: sans-serif; }\n", encoding="utf-8")
    (site / "index.html").write_text(INDEX, encoding="utf-8")
    (site / PAGE).write_text(page(), encoding="utf-8")
    (site / CSV).parent.mkdir(parents=True)
    (site / CSV).write_bytes(csv_bytes())
    write_workbook(site / XLSX)
    return site


def by_rule(findings: list[Finding], word: str) -> list[Finding]:
    return [f for f in findings if word in f.rule]


def test_a_clean_edition_passes(site):
    assert check_site(site, THRESHOLD) == []
    enforce(site, THRESHOLD)  # does not raise


def test_data_uris_are_not_scanned_as_text(site):
    assert "/home/user/tmp/Traceback/UserWarning" in (site / PAGE).read_text(encoding="utf-8")
    assert check_site(site, THRESHOLD) == []


def test_a_small_count_in_the_text_names_the_page_and_the_value(site):
    (site / PAGE).write_text(page(prose=PROSE + " In Lahnberge lebten 2 Kinder im SGB II."), encoding="utf-8")
    [finding] = check_site(site, THRESHOLD)
    assert (finding.file, finding.value) == (PAGE, "2")
    assert "2 Kinder" in finding.location and "threshold 3" in finding.rule
    assert PAGE in str(finding) and "'2'" in str(finding)


def test_enforce_fails_on_a_small_count_planted_in_a_page_text_and_a_download(site):
    enforce(site, THRESHOLD)  # clean before
    (site / PAGE).write_text(page(prose=PROSE + " In Lahnberge lebten 2 Kinder."), encoding="utf-8")
    rows = [["Ronhausen", "2", "."] if row[0] == "Ronhausen" else row for row in ROWS]
    (site / CSV).write_bytes(csv_bytes(rows))
    with pytest.raises(PublishError) as raised:
        enforce(site, THRESHOLD)
    message = str(raised.value)
    assert f"{PAGE}: text: " in message and "2 Kinder" in message
    assert f'{CSV}: row 6, column 2 (row "Ronhausen", column "Leistungsberechtigte"): \'2\'' in message
    assert "count below the threshold 3" in message


def test_a_marked_count_below_the_threshold_is_found(site):
    prose = PROSE.replace('<span class="anzahl">374</span> Menschen', '<span class="anzahl">1</span> Person')
    (site / PAGE).write_text(page(prose=prose), encoding="utf-8")
    [finding] = check_site(site, THRESHOLD)
    assert (finding.file, finding.value) == (PAGE, "1")
    assert finding.location.startswith("marked count")


def test_a_small_count_in_a_page_table_names_table_row_and_column(site):
    rows = [["Lahnberge", "2", "."] if row[0] == "Lahnberge" else row for row in ROWS]
    (site / PAGE).write_text(page(rows=rows), encoding="utf-8")
    [finding] = by_rule(check_site(site, THRESHOLD), "threshold")
    assert (finding.file, finding.value) == (PAGE, "2")
    assert finding.location == f'table "{CAPTION}", row "Lahnberge", column "Leistungsberechtigte"'


def test_a_small_count_in_a_csv_download_names_row_column_and_value(site):
    rows = [["Ronhausen", "2", "."] if row[0] == "Ronhausen" else row for row in ROWS]
    (site / CSV).write_bytes(csv_bytes(rows))
    [finding] = by_rule(check_site(site, THRESHOLD), "threshold")
    assert (finding.file, finding.value) == (CSV, "2")
    assert finding.location.startswith("row 6, column 2 ")  # header in line 1, Ronhausen in line 6
    assert 'row "Ronhausen"' in finding.location and 'column "Leistungsberechtigte"' in finding.location


def test_a_small_count_in_an_xlsx_download_names_sheet_cell_and_value(site):
    workbook = load_workbook(site / XLSX)
    workbook["1 Leistungsberechtigte"]["B9"] = 2  # Bortshausen
    workbook.save(site / XLSX)
    [finding] = by_rule(check_site(site, THRESHOLD), "threshold")
    assert (finding.file, finding.value) == (XLSX, "2")
    assert finding.location.startswith('sheet "1 Leistungsberechtigte", cell B9 ')
    assert 'row "Bortshausen"' in finding.location


def test_measures_years_rates_weights_and_page_links_are_not_counts_of_people(site):
    extra = html_table(
        "Quoten",
        ["Stadtbezirk", "Anteil", "Veränderung", "Kennziffer", "Nr.", "Gewicht", "z-Wert"],
        [["Lahnberge", "2", "1", "1", "2", "1", "2"]],
    )
    extra += '<p>Kapitel: <a href="04_familie.html">4 Familie und Kinder</a></p>'
    (site / PAGE).write_text(page(extra=extra), encoding="utf-8")
    assert check_site(site, THRESHOLD) == []


def test_data_art_on_a_header_overrides_the_guess(site):
    extra = (
        '<table><caption>Plätze</caption><thead><tr><th scope="col">Einrichtung</th>'
        '<th scope="col" data-art="anzahl">Anteil</th><th scope="col" data-art="number">Kinder</th>'
        '</tr></thead><tbody><tr><th scope="row">Kita</th><td>2</td><td>1</td></tr></tbody></table>'
    )
    (site / PAGE).write_text(page(extra=extra), encoding="utf-8")
    [finding] = check_site(site, THRESHOLD)
    assert finding.value == "2" and 'column "Anteil"' in finding.location


def test_the_only_hidden_cell_of_a_column_with_a_published_total_is_recoverable(site):
    rows = [
        ["Ronhausen", "4", "."] if r[0] == "Ronhausen" else ["Bortshausen", "3", "."] if r[0] == "Bortshausen" else r
        for r in ROWS
    ]
    (site / PAGE).write_text(page(rows=rows), encoding="utf-8")
    (site / CSV).write_bytes(csv_bytes(rows))
    write_workbook(site / XLSX, rows)
    findings = check_site(site, THRESHOLD)
    assert sorted(f.file for f in findings) == sorted([PAGE, CSV, XLSX])  # each copy gives it away
    for finding in findings:
        assert finding.value == "." and "recomputed from the column total" in finding.rule
        assert 'row "Lahnberge", column "Leistungsberechtigte"' in finding.location
    assert findings[0].location.startswith(f'table "{CAPTION}"')  # the page comes first


def test_a_hidden_cell_shown_in_another_table_of_the_same_column_is_found(site):
    rows = [
        ["Ronhausen", "4", "."] if r[0] == "Ronhausen" else ["Bortshausen", "3", "."] if r[0] == "Bortshausen" else r
        for r in ROWS
    ]
    (site / CSV).write_bytes(csv_bytes(rows))  # the download shows what the page hides
    findings = check_site(site, THRESHOLD)
    shown = by_rule(findings, "is shown in")
    assert {(f.file, f.location.split("row ")[1]) for f in shown} >= {
        (PAGE, '"Ronhausen", column "Leistungsberechtigte"'),
        (PAGE, '"Bortshausen", column "Leistungsberechtigte"'),
    }
    assert all(CSV in f.rule for f in shown)
    recovered = by_rule(findings, "recomputed")
    assert {f.file for f in recovered} == {PAGE, CSV, XLSX}
    assert all('row "Lahnberge"' in f.location for f in recovered)


def test_a_hidden_part_of_a_row_total_is_recoverable(site):
    (site / PAGE).write_text(
        page().replace(
            '<td class="zahl">.</td><td class="zahl">5</td>', '<td class="zahl">3</td><td class="zahl">5</td>'
        ),
        encoding="utf-8",
    )
    [finding] = check_site(site, THRESHOLD)
    assert (
        finding.location == 'table "Schwerbehinderte Menschen nach Alter und Geschlecht 2024", '
        'row "unter 18", column "Männer: Anzahl"'
    )
    assert "row total" in finding.rule


def test_leaked_internals_are_found_one_finding_each_and_enforce_lists_them_all(site):
    (site / PAGE).write_text(page(extra="<p>Erzeugt in /home/statistik/sozialbericht</p>"), encoding="utf-8")
    (site / "suche.json").write_text('{"log": "Traceback (most recent call last):"}', encoding="utf-8")
    (site / CSV).write_bytes(csv_bytes(notes=("Rohdaten: sgb2.csv",)))
    workbook = load_workbook(site / XLSX)
    workbook["Inhalt"]["A10"] = "[IPKernelApp] WARNING | Parent appears to have exited, shutting down."
    workbook.save(site / XLSX)

    findings = check_site(site, THRESHOLD)
    expected = {
        "absolute file path": (PAGE, "/home/statistik/sozialbericht"),
        "Python traceback": ("suche.json", "Traceback (most recent call last)"),
        "raw data file name": (CSV, "sgb2.csv"),
        "log or stderr output": (XLSX, "[IPKernelApp]"),
    }
    assert sorted(f.rule for f in findings) == sorted(expected)
    for finding in findings:
        assert (finding.file, finding.value) == expected[finding.rule]
    assert by_rule(findings, "log")[0].location.startswith('sheet "Inhalt", cell A10')

    with pytest.raises(PublishError) as raised:
        enforce(site, THRESHOLD)
    message = str(raised.value)
    assert "4 problem(s)" in message
    for finding in findings:
        assert str(finding) in message


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Pfad: C:\\Users\\statistik\\bericht.ipynb", "absolute file path"),
        ("siehe file:///tmp/kapitel.html", "absolute file path"),
        ('  File "/opt/app/report.py", line 12, in table', "Python traceback"),
        ("FutureWarning: Series.__getitem__ treating keys as positions", "log or stderr output"),
        ("ValueError: could not convert string", "log or stderr output"),
        ("quelle: Bevoelkerung.xlsx", "raw data file name"),
    ],
)
def test_each_kind_of_leak_is_recognised(site, text, rule):
    (site / "notizen.txt").write_text(f"Hinweis\n{text}\n", encoding="utf-8")
    findings = check_site(site, THRESHOLD)
    assert rule in {f.rule for f in findings}
    assert all(f.file == "notizen.txt" and f.location.startswith("line 2") for f in findings)


def test_a_raw_data_file_copied_into_the_site_is_found(site):
    (site / "downloads" / "wohngeld.csv").write_bytes(b"jahr;kennziffer;haushalte\r\n2024;11;250\r\n")
    findings = check_site(site, THRESHOLD)
    assert [(f.file, f.rule) for f in findings] == [("downloads/wohngeld.csv", "raw data file copied into the site")]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Es gab 2 Kinder und 1 Person.", ["2", "1"]),
        ("2 wohnungslose Menschen und 2 Einwohner*innen", ["2", "2"]),
        ("In 1 Bedarfsgemeinschaft; 2 Haushalte Alleinerziehender", ["1", "2"]),
        ("1.330 Kinder unter 15 Jahren und 3 Kinder", []),
        ("unter 3 Jahren, weniger als 3 Fällen, mehr als 2 Kindern, je 1 Einwohner", []),
        ("§ 2 SGB II; Kapitel 2 Kinder und Jugend; jedes 2. Kind; +2 Personen; 2-Personen-Haushalte", []),
        ("am 1.2.2024 Kinder; 2,5 Kinder je Familie; 2 Maßnahmen; 2 davon", []),
    ],
)
def test_text_counts(text, values):
    assert [value for value, _ in text_counts(text, THRESHOLD)] == values


def test_a_count_marked_on_its_cell_is_a_count_whatever_the_header(site):
    extra = (
        '<table><caption>Quoten</caption><thead><tr><th scope="col">Stadtbezirk</th><th scope="col">Anteil</th>'
        '</tr></thead><tbody><tr><th scope="row">Lahnberge</th><td data-art="anzahl">2</td></tr>'
        '<tr><th scope="row">Ronhausen</th><td><span class="anzahl">1</span></td></tr></tbody></table>'
    )
    (site / PAGE).write_text(page(extra=extra), encoding="utf-8")
    assert sorted((f.value, f.location) for f in check_site(site, THRESHOLD)) == [
        ("1", 'table "Quoten", row "Ronhausen", column "Anteil"'),
        ("2", 'table "Quoten", row "Lahnberge", column "Anteil"'),
    ]


def test_an_unreadable_workbook_stops_the_edition(site):
    (site / XLSX).write_bytes(b"kein Arbeitsblatt")
    [finding] = check_site(site, THRESHOLD)
    assert finding.file == XLSX and "unreadable workbook" in finding.rule


def test_a_missing_site_folder_is_an_error_not_a_pass(tmp_path):
    with pytest.raises(PublishError, match="no edition"):
        enforce(tmp_path / "fehlt", THRESHOLD)


def test_bases_and_limits_are_not_counts_even_under_a_high_threshold():
    text = "Quote (je 100 Einwohner); Bezirke (weniger als 300 Einwohner); auf 100 Menschen kamen 8 Arbeitslose."
    assert [value for value, _ in text_counts(text, 1000)] == ["8"]


def test_threshold_must_be_positive(site):
    with pytest.raises(ValueError, match="at least 1"):
        check_site(site, 0)
