"""The print edition (:mod:`sozialplanung.site.print_edition`): one tagged PDF of the report, made
from the finished pages. The unit tests use a small folder of hand-made pages; the others read the
PDF of the sample edition as a reader (and a screen reader) gets it."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from sozialplanung.site import print_edition
from sozialplanung.site.print_edition import _print_target, _section, print_stylesheet
from sozialplanung.site.sitemap import Page, print_file, site_map

PRINTED = {"01_bevoelkerung.html": "01_bevoelkerung", "profil-211.html": "profil-211"}


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("#einwohner", "#01_bevoelkerung--einwohner"),  # within the page
        ("profil-211.html", "#profil-211"),  # another printed page
        ("profil-211.html#lage", "#profil-211--lage"),
        ("downloads/01_bevoelkerung.xlsx", None),  # a download: no link in print
        ("suche.html", None),  # a web-only page
        ("https://www.govdata.de/dl-de/by-2-0", "https://www.govdata.de/dl-de/by-2-0"),
        ("file:///tmp/site/index.html", None),
    ],
)
def test_links_lead_within_the_pdf_or_out_of_it(href, expected):
    assert _print_target(href, "01_bevoelkerung.html", PRINTED) == expected


def test_a_page_becomes_a_section_with_unique_ids_and_without_what_print_cannot_do():
    wide = "".join(f"<th>Spalte {n}</th>" for n in range(9))
    content = (
        '<h2 id="lage">Lage</h2><p>Siehe <a href="01_bevoelkerung.html#einwohner">Einwohner</a>.</p>'
        "<table><tr><th>Jahr</th><th>Wert</th></tr></table>"
        f"<table><tr>{wide}</tr></table>"
        '<p class="downloads"><a href="downloads/profil-211.xlsx" download>Excel</a></p>'
        '<p>Alle Daten: <a href="downloads/datapackage.json">Datenpaket</a></p>'
        '<form role="search"><input name="q"></form><p hidden>nur für das Skript</p>'
        "<script>alert(1)</script>"
    )
    page = Page("profil-211.html", "Altstadt", "Stadtteilprofil Altstadt", "Altstadt", kennziffer=211)
    section = BeautifulSoup(_section(page, content, PRINTED, demote=True), "html.parser")
    assert section.section["id"] == "profil-211"
    assert section.find("h2").get_text() == "Stadtteilprofil Altstadt"  # a section of the appendix
    assert section.find("h3")["id"] == "profil-211--lage"
    assert section.find("a")["href"] == "#01_bevoelkerung--einwohner"
    assert "Alle Daten: Datenpaket" in section.get_text()  # the words of a download link stay
    assert not section.select("form, script, p.downloads, [hidden]")
    assert [t.get("class") for t in section.find_all("table")] == [None, ["breit"]]  # landscape page


def test_the_running_head_is_a_css_string():
    css = print_stylesheet('Sozialbericht "2024" \\ Entwurf')
    assert css.startswith('@page { @top-left { content: "Sozialbericht \\"2024\\" \\\\ Entwurf"; } }')


# --- the sample edition's PDF ------------------------------------------------------------------


@pytest.fixture(scope="module")
def printed(built_sample):
    edition, index = built_sample
    path = edition.paths.site_dir / print_file(edition.config.edition)
    return edition, index, path, PdfReader(path)


@pytest.mark.slow
def test_the_start_page_links_the_pdf_and_the_manifest_lists_it(printed):
    edition, index, path, _ = printed
    start = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    link = start.find("a", href=print_file(edition.config.edition))
    assert link is not None and link.get_text() == "Sozialbericht 2024 als PDF"
    manifest = (edition.paths.site_dir / "manifest.json").read_text(encoding="utf-8")
    assert f'"{print_file(edition.config.edition)}"' in manifest
    data = path.read_bytes()
    assert b"file:" not in data and str(edition.project.root).encode() not in data  # nothing of this machine


@pytest.mark.slow
def test_the_pdf_is_tagged_german_and_says_what_it_is(printed):
    edition, _, _, reader = printed
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == edition.config.title
    assert reader.metadata.author == edition.config.publication.author


@pytest.mark.slow
def test_every_page_is_numbered_and_says_the_data_is_synthetic(printed):
    _, _, _, reader = printed
    total = len(reader.pages)
    assert total > 100  # 9 chapters and 33 profiles
    first = reader.pages[0].extract_text()
    assert "Synthetische Beispieldaten – keine amtliche Statistik" in first and "Stichtag 31.12.2024" in first
    for number, page in enumerate(reader.pages[1:], start=2):
        text = page.extract_text()
        assert f"Seite {number} von {total}" in text, number
        assert "Synthetische Beispieldaten" in text, number


@pytest.mark.slow
def test_contents_outline_and_page_numbers_lead_to_the_chapters_and_profiles(printed):
    edition, _, _, reader = printed
    chapters, profiles = print_edition.printed_pages(site_map(edition))
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:2] == [edition.config.title, "Inhalt"]  # the title page, the contents
    assert [p.heading for p in chapters] == outline[2 : 2 + len(chapters)]
    assert outline[2 + len(chapters)] == "Anhang: Stadtteilprofile"
    assert len(profiles) == 33
    contents = reader.pages[1].extract_text() + reader.pages[2].extract_text()
    for page in [*chapters, *profiles]:
        found = re.search(rf"{re.escape(page.heading)}[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert found, page.heading
        target = reader.pages[int(found.group(1)) - 1].extract_text()
        assert page.heading in target, (page.heading, found.group(1))


@pytest.mark.slow
def test_the_pdf_says_the_numbers_of_the_pages(printed):
    edition, _, _, reader = printed
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    chapter = BeautifulSoup((edition.paths.site_dir / "01_bevoelkerung.html").read_text("utf-8"), "html.parser")
    sentences = [" ".join(span.get_text().split()) for span in chapter.select("main span.aussage")]
    assert sentences
    for sentence in sentences:  # each computed statement, with its numbers, as the page says it
        assert sentence in text, sentence
