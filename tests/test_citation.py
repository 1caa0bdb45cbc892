"""Licence and citation: the publication parameters, stable anchors, citation lines on both engines."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from pydantic import ValidationError

from sozialplanung.core.config import EditionConfig, PublicationConfig, load_config
from sozialplanung.core.errors import ConfigError
from sozialplanung.site.citation import Citation, anchor_slug, cite_fragment, cite_notebook, figure_title
from sozialplanung.site.engines.quarto import write_project
from sozialplanung.site.model import build_model
from sozialplanung.site.publish import publish
from sozialplanung.site.sitemap import Page

from publish_helpers import PAGES, PROFILE_PAGES, make_edition, params_yaml

CHAPTER = Page("02_existenzsicherung.html", "Existenzsicherung", "2 Existenzsicherung und Armut", "2", "02_x")
PROFILE = Page("profil-211.html", "Stadtteilprofil Altstadt", "Stadtteilprofil Altstadt", "Altstadt", None, 211)
DL_DE = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
DL_DE_URL = "https://www.govdata.de/dl-de/by-2-0"
CITATION = Citation("Universitätsstadt Marburg", 2025, "Sozialbericht 2024", DL_DE, DL_DE_URL)


def config_with(tmp_path: Path, extra: str = "") -> EditionConfig:
    (tmp_path / "2024.yaml").write_text(params_yaml() + extra, encoding="utf-8")
    return load_config(tmp_path / "2024.yaml")


# --- parameters -----------------------------------------------------------------------------------


def test_an_edition_without_the_section_publishes_under_dl_de_by_2_0(tmp_path):
    config = config_with(tmp_path)
    assert config.publication == PublicationConfig()
    licence = config.publication.licence
    assert (licence.name, licence.title, licence.url) == ("dl-de-by-2.0", DL_DE, DL_DE_URL)
    assert config.publication.publisher == "Universitätsstadt Marburg, Fachdienst Sozialplanung"
    assert config.publication_year == 2025  # Stichtag 31.12.2024: published the year after


def test_the_sample_edition_names_its_licence(repo):
    config = load_config(repo / "params" / "2024.yaml")
    assert config.publication.licence.url == DL_DE_URL and config.publication_year == 2025


def test_publication_parameters_are_checked(tmp_path):
    config = config_with(tmp_path, "publication:\n  year: 2026\n  url: https://www.marburg.de/sozialbericht/\n")
    assert config.publication_year == 2026
    assert Citation.of(config).address("profil-211.html", "tabelle-x") == (
        "https://www.marburg.de/sozialbericht/profil-211.html#tabelle-x"
    )
    for wrong in ("  year: 2023\n", "  url: www.marburg.de\n", "  licence:\n    name: DL DE\n", "  lizenz: x\n"):
        with pytest.raises(ConfigError, match="publication"):
            config_with(tmp_path, "publication:\n" + wrong)
    with pytest.raises(ValidationError):
        PublicationConfig(author="")


# --- anchors ----------------------------------------------------------------------------------------


SLUGS = {
    "Leistungsberechtigte nach dem SGB II nach Stadtbezirken 2024": "leistungsberechtigte-nach-dem-sgb-ii-nach-"
    "stadtbezirken",
    "Bevölkerungskennzahlen der Gesamtstadt 2019–2024": "bevoelkerungskennzahlen-der-gesamtstadt",
    "SGB-II-Quote nach Stadtbezirken am 31.12.2024": "sgb-ii-quote-nach-stadtbezirken",
    "Maßnahmen des Aktionsplans nach Umsetzungsstand am 31.12.2023 und am 31.12.2024": "massnahmen-des-"
    "aktionsplans-nach-umsetzungsstand",
    "Maßnahmen mit verändertem Umsetzungsstand seit 2023": "massnahmen-mit-veraendertem-umsetzungsstand",
    "Schwerbehinderte Menschen (GdB ≥ 50) nach Alter und Geschlecht 2024": "schwerbehinderte-menschen-gdb-50-"
    "nach-alter-und-geschlecht",
    "Sozialindex 2024: Statusindikatoren, z-Werte und Klassen": "sozialindex-statusindikatoren-z-werte-und-klassen",
}


@pytest.mark.parametrize(("caption", "slug"), SLUGS.items())
def test_anchor_slug_leaves_out_years_and_dates(caption, slug):
    assert anchor_slug(caption) == slug
    assert anchor_slug(caption.replace("2024", "2025").replace("2023", "2024")) == slug  # the next edition


def test_figure_title_is_the_first_sentence_without_the_source():
    assert figure_title("SGB-II-Quote nach Stadtbezirken am 31.12.2024. Quelle: Statistik der BA.") == (
        "SGB-II-Quote nach Stadtbezirken am 31.12.2024"
    )
    assert figure_title("Einwohner nach Alter am 31.12.2024; nicht ausgewiesene Werte sind leer. Quelle: x") == (
        "Einwohner nach Alter am 31.12.2024"
    )
    assert figure_title("Lage des Stadtbezirks Altstadt") == "Lage des Stadtbezirks Altstadt"


FRAGMENT = (
    '<div class="tabelle-rahmen" data-table-id="sgb-ii-2023"><table><caption>SGB II 2023</caption></table>'
    '<p class="downloads">Tabelle herunterladen</p></div>'
    '<figure class="abbildung"><img alt="Balken" src="data:image/png;base64,AA"><figcaption>SGB-II-Quote am '
    "31.12.2024. Quelle: synthetische Beispieldaten.</figcaption></figure>"
    '<div class="tabelle-rahmen" data-table-id="sgb-ii-2024"><table><caption>SGB II 2024</caption></table></div>'
)


def test_every_table_and_figure_gets_an_anchor_and_a_citation_line():
    soup = BeautifulSoup(cite_fragment(FRAGMENT, CHAPTER, CITATION), "html.parser")
    frames = soup.select("div[data-table-id]")
    assert [frame["id"] for frame in frames] == ["tabelle-sgb-ii", "tabelle-sgb-ii-2"]  # differ only in the year
    assert soup.find("figure")["id"] == "abbildung-sgb-ii-quote"
    lines = soup.select("p.zitiervorschlag")
    assert [" ".join(line.get_text().split()) for line in lines] == [
        "Zitiervorschlag: Universitätsstadt Marburg (2025): Sozialbericht 2024, Kapitel 2 Existenzsicherung und "
        f"Armut, Tabelle „SGB II 2023“. Lizenz: {DL_DE}. Link: 02_existenzsicherung.html#tabelle-sgb-ii",
        "Zitiervorschlag: Universitätsstadt Marburg (2025): Sozialbericht 2024, Kapitel 2 Existenzsicherung und "
        f"Armut, Abbildung „SGB-II-Quote am 31.12.2024“. Lizenz: {DL_DE}. Link: "
        "02_existenzsicherung.html#abbildung-sgb-ii-quote",
        "Zitiervorschlag: Universitätsstadt Marburg (2025): Sozialbericht 2024, Kapitel 2 Existenzsicherung und "
        f"Armut, Tabelle „SGB II 2024“. Lizenz: {DL_DE}. Link: 02_existenzsicherung.html#tabelle-sgb-ii-2",
    ]
    # a table's line is inside its frame, below the download line; a figure's follows the figure
    assert frames[0].find_all("p")[-1] is lines[0]
    assert soup.find("figure").find_next_sibling("p") is lines[1]
    assert [a["href"] for a in lines[0].find_all("a")] == [DL_DE_URL, "02_existenzsicherung.html#tabelle-sgb-ii"]
    assert lines[0].find("a")["rel"] == ["license"]


def test_citing_twice_changes_nothing_and_profiles_are_named_by_their_heading():
    once = cite_fragment(FRAGMENT, PROFILE, CITATION)
    assert cite_fragment(once, PROFILE, CITATION) == once
    assert "Sozialbericht 2024, Stadtteilprofil Altstadt, Tabelle „SGB II 2023“." in once
    assert "profil-211.html#tabelle-sgb-ii" in once


def test_quarto_notebooks_share_anchors_across_their_outputs():
    def cell(html: str):
        return nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={"text/html": html})])

    tables = FRAGMENT.split("<figure")[0], FRAGMENT.split("</figure>")[1]
    notebook = nbformat.v4.new_notebook(cells=[cell(tables[0]), cell(tables[1]), cell("<p>Text</p>")])
    before = copy.deepcopy(notebook)
    cite_notebook(notebook, CHAPTER, CITATION)
    ids = [BeautifulSoup(c.outputs[0].data["text/html"], "html.parser").div["id"] for c in notebook.cells[:2]]
    assert ids == ["tabelle-sgb-ii", "tabelle-sgb-ii-2"]
    assert notebook.cells[2] == before.cells[2]


# --- the published site -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return make_edition(tmp_path_factory.mktemp("projekt"))


@pytest.fixture(scope="module")
def site(edition) -> Path:
    return publish(edition, engine="nbconvert").parent


def test_every_page_names_publisher_and_licence_in_its_footer(site):
    for page in PAGES:
        footer = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser").find("footer")
        notice = footer.find("p", class_="lizenz")
        assert notice is not None, page
        assert " ".join(notice.get_text().split()).startswith(
            f"Herausgeber: Universitätsstadt Marburg, Fachdienst Sozialplanung. Lizenz: {DL_DE}."
        )
        assert notice.find("a", rel="license")["href"] == DL_DE_URL


def test_every_table_and_figure_of_the_site_links_its_own_anchor(site):
    cited = 0
    for page in PAGES:
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        for element in soup.select("div[data-table-id], figure"):
            line = element.find("p", class_="zitiervorschlag", recursive=False) or element.find_next_sibling("p")
            assert line is not None and "zitiervorschlag" in line["class"], (page, element.get("id"))
            assert line.find_all("a")[-1]["href"] == f"{page}#{element['id']}"
            cited += 1
    # chapter 1: a table and a figure; the method chapter: a table; every profile: a table
    assert cited == 4 + len(PROFILE_PAGES)  # and the district comparison's table
    chapter = BeautifulSoup((site / "01_bevoelkerung.html").read_text(encoding="utf-8"), "html.parser")
    assert chapter.find("figure")["id"] == "abbildung-auslaenderanteil-nach-stadtbezirken"
    assert chapter.select_one("div[data-table-id]")["id"] == "tabelle-einwohner-nach-stadtbezirken"


def test_quarto_gets_the_anchors_of_the_built_in_engine(edition, site):
    project = edition.paths.quarto_dir
    write_project(build_model(edition, "quarto"), project)
    notebook = nbformat.read(project / "01_bevoelkerung.ipynb", as_version=4)
    html = "".join(o.data["text/html"] for c in notebook.cells for o in c.get("outputs", []) if "text/html" in o.data)
    quarto_ids = [tag["id"] for tag in BeautifulSoup(html, "html.parser").select("div[data-table-id], figure")]
    page = BeautifulSoup((site / "01_bevoelkerung.html").read_text(encoding="utf-8"), "html.parser")
    assert quarto_ids == [tag["id"] for tag in page.select("div[data-table-id], figure")]
    assert html.count('class="zitiervorschlag"') == len(quarto_ids) == 2
    footer = (project / "_herkunft.html").read_text(encoding="utf-8")
    assert footer.startswith('<p class="lizenz">Herausgeber: Universitätsstadt Marburg')
