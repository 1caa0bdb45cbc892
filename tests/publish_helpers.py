"""A small edition for the publishing tests: params, reference data, executed chapter notebooks,
one tiny executed profile per statistical district and an indicator file.

Everything is made by hand, so the tests know every number the pages must show.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sozialplanung.core.config import Edition, open_edition
from sozialplanung.data import load, sample
from sozialplanung.data.districts import district_names
from sozialplanung.data.validate import inspect_raw
from sozialplanung.report.tables import TABLE_MIMETYPE

REFERENCE_FILE = Path(__file__).resolve().parents[1] / "data" / "reference" / "marburg_stadtbezirke.csv"
EDITION_TITLE = "Sozialbericht der Universitätsstadt Marburg 2024"
CHAPTERS = (
    ("01_bevoelkerung", "Bevölkerung"),
    ("02_existenzsicherung", "Existenzsicherung und Armut"),
    ("03_methodik", "Methodik und Glossar"),
)
KEY_FIGURES = ("auslaenderanteil", "sgb2_quote", "kinderarmut", "grundsicherung_alter", "marburgpass_quote")
DISTRICTS = tuple(
    (int(row.kennziffer), row.stadtbezirk, row.stadtbereich, row.teil)
    for row in load.read_districts(REFERENCE_FILE).itertuples(index=False)
)
"""(kennziffer, name, stadtbereich, teil) of every statistical district, in kennziffer order."""
PROFILE_PAGES = tuple(f"profil-{kennziffer}.html" for kennziffer, *_ in DISTRICTS)
NAV_PAGES = ("index.html", *(f"{cid}.html" for cid, _ in CHAPTERS), "stadtteile.html", "barrierefreiheit.html")
"""The main navigation: the profiles appear only as their overview."""
PAGES = (*NAV_PAGES[:-1], "vergleich.html", *PROFILE_PAGES, "aenderungen.html", NAV_PAGES[-1], "suche.html")
"""Every page of the site, in the site map's order (the search page is reached from every header)."""
CHAPTER_TABLE_ID = "einwohner-nach-stadtbezirken-2024"
METHOD_TABLE_ID = "definitionen-der-kennzahlen"

STDERR_TEXT = "UserWarning: INTERNES-PROTOKOLL"
STDOUT_TEXT = "Debug: AUSGABE-FUER-ANALYSTEN"
PARAMETER_TEXT = "PARAMETERZELLE-AUSGABE"
CODE_TEXT = "ctx.district_table("
FIGURE_ALT = "Balkendiagramm: Ausländeranteil 2024 nach Stadtbezirken. Höchster Wert: Richtsberg."
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

# (jahr, indicator, zaehler, nenner) of the whole city (kennziffer 0); wert is computed from them.
CITY_VALUES = (
    (2023, "auslaenderanteil", 10010, 77500),
    (2024, "auslaenderanteil", 10234, 77812),
    (2023, "sgb2_quote", 5120, 65800),
    (2024, "sgb2_quote", 4987, 66000),
    (2023, "kinderarmut", 1290, 9000),
    (2024, "kinderarmut", 1290, 9100),
    (2023, "grundsicherung_alter", 410, 14000),
    (2024, "grundsicherung_alter", 2, 14100),  # below the threshold 3: must be hidden
    (2024, "marburgpass_quote", 3012, 77812),  # no value for 2023: no change to show
)


def params_yaml(synthetic: bool = True, threshold: int = 3) -> str:
    chapters = "".join(f"  {cid}:\n    title: {title}\n" for cid, title in CHAPTERS)
    figures = "".join(f"  - {figure}\n" for figure in KEY_FIGURES)
    return (
        'edition: "2024"\n'
        f'title: "{EDITION_TITLE}"\n'
        "year: 2024\n"
        'reference_date: "2024-12-31"\n'
        "first_year: 2019\n"
        "data:\n"
        "  raw_dir: data/raw/2024\n"
        f"  synthetic: {'true' if synthetic else 'false'}\n"
        "sample:\n  seed: 1\n  first_year: 2019\n  last_year: 2024\n"
        f"confidentiality:\n  threshold: {threshold}\n"
        f"chapters:\n{chapters}"
        f"key_figures:\n{figures}"
    )


def indicator_frame() -> pd.DataFrame:
    rows = [
        {"jahr": year, "kennziffer": 0, "indikator": ind, "zaehler": num, "nenner": den, "wert": num * 100 / den}
        for year, ind, num, den in CITY_VALUES
    ]
    # A district row, so the file is the long format the indicator stage writes.
    rows.append(
        {
            "jahr": 2024,
            "kennziffer": 11,
            "indikator": "sgb2_quote",
            "zaehler": 812,
            "nenner": 4100,
            "wert": 812 * 100 / 4100,
        }
    )
    return pd.DataFrame(rows).astype(
        {
            "jahr": "int64",
            "kennziffer": "int64",
            "indikator": "str",
            "zaehler": "int64",
            "nenner": "int64",
            "wert": "float64",
        }
    )


def chapter_one() -> nbformat.NotebookNode:
    table = table_output(
        CHAPTER_TABLE_ID,
        "Einwohner nach Stadtbezirken 2024",
        ["Stadtbezirk", "Einwohner"],
        ["text", "count"],
        [["Südviertel", "4.312"], ["Marburg gesamt", "77.812"]],
    )
    figure = (
        f'<figure class="abbildung"><img src="data:image/png;base64,{PNG}" alt="{FIGURE_ALT}" width="1" '
        'height="1"><figcaption>Ausländeranteil nach Stadtbezirken am 31.12.2024.</figcaption></figure>'
    )
    return new_notebook(
        cells=[
            new_markdown_cell(
                "# Bevölkerung\n\nMarburg wächst. Die Größe der Stadtbezirke ist sehr "
                "unterschiedlich; Ältere und Jüngere leben in verschiedenen Vierteln."
            ),
            new_code_cell(
                'edition = "2024"\nproject_dir = ".."',
                metadata={"tags": ["parameters"]},
                outputs=[new_output("display_data", data={"text/html": f"<p>{PARAMETER_TEXT}</p>"})],
            ),
            new_code_cell(
                'edition = "2024"',
                metadata={"tags": ["injected-parameters"]},
                outputs=[new_output("stream", name="stdout", text=PARAMETER_TEXT)],
            ),
            new_markdown_cell("## Übersicht\n\nDie Tabelle zeigt die Einwohner der Stadtbezirke."),
            new_code_cell(
                f"{CODE_TEXT}['auslaenderanteil'])",
                execution_count=3,
                outputs=[
                    new_output("stream", name="stderr", text=STDERR_TEXT),
                    new_output("stream", name="stdout", text=STDOUT_TEXT),
                    table,
                    new_output(
                        "execute_result",
                        execution_count=3,
                        data={
                            "text/markdown": "Ende 2024 lebten **77.812** Menschen in Marburg.",
                            "text/plain": "'Ende 2024 ...'",
                        },
                    ),
                ],
            ),
            new_code_cell(
                "ctx.district_figure('auslaenderanteil')",
                execution_count=4,
                outputs=[new_output("display_data", data={"text/html": figure, "text/plain": "<F>"})],
            ),
            new_code_cell(
                "fig",
                execution_count=5,
                outputs=[
                    new_output(
                        "execute_result", execution_count=5, data={"text/plain": "<Figure size 640x480 with 1 Axes>"}
                    )
                ],
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def chapter_two() -> nbformat.NotebookNode:
    return new_notebook(
        cells=[
            new_markdown_cell(
                "# 2 Existenzsicherung und Armut\n\n## Leistungen nach dem SGB II\n\n"
                "Gut jeder vierzehnte Einwohner unter 65 Jahren erhält Leistungen."
            ),
            new_code_cell(
                "ctx.rate_text('sgb2_quote')",
                execution_count=1,
                outputs=[new_output("display_data", data={"text/markdown": "Die SGB-II-Quote beträgt **7,6**."})],
            ),
        ]
    )


def method_chapter() -> nbformat.NotebookNode:
    definitions = table_output(
        METHOD_TABLE_ID,
        "Definitionen der Kennzahlen",
        ["Kennzahl", "Zähler", "Nenner"],
        ["text", "text", "text"],
        [["SGB-II-Quote", "Leistungsberechtigte nach dem SGB II", "Einwohner unter 65 Jahren"]],
    )
    return new_notebook(
        cells=[
            new_markdown_cell("# Methodik und Glossar\n\nDieses Kapitel erklärt, wie die Zahlen entstehen."),
            new_markdown_cell("## Kennzahlen"),
            new_code_cell("display(methods.indicator_table(chapter))", execution_count=1, outputs=[definitions]),
        ]
    )


def table_output(table_id: str, caption: str, headers: list[str], kinds: list[str], rows: list[list[str]]):
    """A shown table as a notebook stores it: the HTML of ``ReportTable`` and its download payload."""
    art = {"text": "text", "count": "anzahl", "rate": "quote"}
    head = "".join(f'<th scope="col" data-art="{art[kind]}">{header}</th>' for header, kind in zip(headers, kinds))
    body = "".join(
        f'<tr><th scope="row">{row[0]}</th>' + "".join(f'<td class="zahl">{cell}</td>' for cell in row[1:]) + "</tr>"
        for row in rows
    )
    html = (
        f'<div class="tabelle-rahmen" data-table-id="{table_id}"><table class="tabelle"><caption>{caption}'
        f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
    payload = {
        "table_id": table_id,
        "caption": caption,
        "headers": headers,
        "kinds": kinds,
        "decimals": [1 if kind == "rate" else 0 for kind in kinds],
        "rows": rows,
        "notes": [],
        "source": "synthetische Beispieldaten",
    }
    data = {"text/html": html, TABLE_MIMETYPE: payload, "text/plain": "ReportTable(...)"}
    return new_output("display_data", data=data)


def profile_rate(kennziffer: int) -> str:
    """The district's SGB II rate on its hand-made profile, e.g. 211 → "6,5"."""
    return f"{kennziffer % 13 + 4},{kennziffer % 9 + 1}"


def profile_notebook(kennziffer: int, name: str, area: str, part: str) -> nbformat.NotebookNode:
    """A tiny executed district profile: parameters, an introduction, a section with one table."""
    table = table_output(
        f"kennzahlen-{kennziffer}-2024",
        f"Kennzahlen {name} und Gesamtstadt 2024",
        ["Kennzahl", name, "Marburg gesamt"],
        ["text", "rate", "rate"],
        [["SGB-II-Quote (je 100 Einwohner unter 65 Jahren)", profile_rate(kennziffer), "7,6"]],
    )
    intro = f"Der Stadtbezirk **{name}** (Kennziffer {kennziffer}) gehört zum Stadtbereich {area} ({part})."
    return new_notebook(
        cells=[
            new_code_cell(
                f"kennziffer = {kennziffer}",
                metadata={"tags": ["injected-parameters"]},
                outputs=[new_output("stream", name="stdout", text=PARAMETER_TEXT)],
            ),
            new_code_cell(
                "display(Markdown(profile.intro_text()))",
                execution_count=1,
                outputs=[new_output("display_data", data={"text/markdown": intro})],
            ),
            new_markdown_cell("## Kennzahlen im Vergleich zur Gesamtstadt"),
            new_code_cell("display(profile.key_table())", execution_count=2, outputs=[table]),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def error_output(cell_source: str = "1 / 0") -> nbformat.NotebookNode:
    return new_code_cell(
        cell_source,
        execution_count=9,
        outputs=[
            new_output(
                "error",
                ename="ZeroDivisionError",
                evalue="division by zero",
                traceback=["Traceback (most recent call last)", "ZeroDivisionError"],
            )
        ],
    )


def write_validated_sample_tables(edition: Edition) -> None:
    """The sample generator's tables of 2023 and 2024, validated, as the edition's processed tables
    (the raw files stay outside the project: tests make their own raw folder)."""
    districts = load.read_districts(edition.project.districts_file)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder)
        sample.generate_sample(raw, districts, 1, 2023, 2024)
        inspection = inspect_raw(raw, districts, (2023, 2024), district_names(districts))
    assert not inspection.problems, inspection.problems
    load.write_tables(inspection.tables, edition.paths.tables_dir, inspection.protected)


def make_edition(root: Path, synthetic: bool = True) -> Edition:
    """A project in ``root`` with params, reference data, executed chapters and profiles and
    indicators; the edition opened."""
    (root / "params").mkdir(parents=True)
    (root / "params" / "2024.yaml").write_text(params_yaml(synthetic), encoding="utf-8")
    edition = open_edition("2024", project_dir=root)
    edition.project.districts_file.parent.mkdir(parents=True)
    shutil.copyfile(REFERENCE_FILE, edition.project.districts_file)
    for (chapter_id, _title), notebook in zip(CHAPTERS, (chapter_one(), chapter_two(), method_chapter())):
        write_notebook(edition, chapter_id, notebook)
    for district in DISTRICTS:
        write_profile(edition, district[0], profile_notebook(*district))
    frame = indicator_frame()
    load.write_frame(frame, edition.paths.indicators_file)
    statuses = frame[["jahr", "kennziffer", "indikator"]].assign(zaehler_status="", nenner_status="", wert_status="")
    load.write_frame(statuses, edition.paths.indicator_status_file)
    # Validated tables (of the sample generator): the gate's attacker reads which cells exist, since
    # the comparison page keys the rates it shows
    write_validated_sample_tables(edition)
    return edition


def write_notebook(edition: Edition, chapter_id: str, notebook: nbformat.NotebookNode) -> None:
    path = edition.paths.executed_notebook(chapter_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def write_profile(edition: Edition, kennziffer: int, notebook: nbformat.NotebookNode) -> None:
    path = edition.paths.executed_profile(kennziffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


BINARY_SUFFIXES = (".xlsx", ".png", ".jpg", ".gif", ".pdf")


def site_files(site_dir: Path) -> dict[str, bytes]:
    """Every file of a site by its path relative to the site, as bytes (workbooks are zip files:
    decode only what :func:`text_files` returns)."""
    return {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in sorted(site_dir.rglob("*")) if p.is_file()}


def text_files(site_dir: Path) -> dict[str, str]:
    """Every text file of a site (pages, CSS, JSON, CSV) decoded as UTF-8; binary files left out."""
    return {
        name: content.decode("utf-8-sig")
        for name, content in site_files(site_dir).items()
        if not name.endswith(BINARY_SUFFIXES)
    }


def make_dvc_project(tmp_path: Path) -> tuple[Path, Edition]:
    """A git + DVC project of a real-data edition with a local-folder remote (``tmp_path/speicher``)."""
    from conftest import BIN, run

    root = tmp_path / "projekt"
    edition = make_edition(root, synthetic=False)
    (root / ".gitignore").write_text("/outputs/\n/data/processed/\n", encoding="utf-8")
    run(["git", "init", "-q"], root)
    run([str(BIN / "dvc"), "init", "-q"], root)
    run([str(BIN / "dvc"), "config", "core.autostage", "true"], root)
    run([str(BIN / "dvc"), "remote", "add", "--default", "lokal", str(tmp_path / "speicher")], root)
    return root, edition
