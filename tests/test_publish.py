"""The built-in (nbconvert) HTML edition: pages, navigation, profiles, downloads, content rules,
key figures, the publish gate, atomicity."""

from __future__ import annotations

import csv
import io
import json
import re
from importlib import metadata
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import DataError, PublishError
from sozialplanung.core.paths import TEMPLATES_DIR
from sozialplanung.site.publish import publish

from publish_helpers import (
    CHAPTER_TABLE_ID,
    CODE_TEXT,
    DISTRICTS,
    EDITION_TITLE,
    FIGURE_ALT,
    METHOD_TABLE_ID,
    NAV_PAGES,
    PAGES,
    PARAMETER_TEXT,
    PROFILE_PAGES,
    STDERR_TEXT,
    STDOUT_TEXT,
    chapter_one,
    error_output,
    make_edition,
    profile_notebook,
    profile_rate,
    site_files,
    text_files,
    write_notebook,
    write_profile,
)

NOTICE = "Synthetische Beispieldaten – keine amtliche Statistik. Alle Zahlen dieser Ausgabe sind künstlich erzeugt."


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One edition built once; tests only read it."""
    edition = make_edition(tmp_path_factory.mktemp("projekt"))
    index = publish(edition, engine="nbconvert")
    return edition, index.parent


def soup_of(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def text_of(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def main_nav(soup: BeautifulSoup):
    return soup.find("nav", attrs={"aria-label": "Hauptnavigation"})


def test_every_page_and_the_stylesheet_exist(built):
    edition, site = built
    assert site == edition.paths.site_dir
    for page in PAGES:
        assert (site / page).is_file(), page
    assert (site / "assets" / "style.css").is_file()
    # every chapter, the overview and exactly one profile per district of the reference data
    assert {f"{c.id}.html" for c in edition.config.chapters} <= set(PAGES)
    assert sorted(p.name for p in site.glob("profil-*.html")) == sorted(PROFILE_PAGES)
    assert len(PROFILE_PAGES) == len(DISTRICTS) == 33
    assert sorted(p.name for p in site.glob("*.html")) == sorted(PAGES)


def test_pages_are_german_html_with_title_and_viewport(built):
    _, site = built
    titles = {
        "index.html": "Startseite",
        "01_bevoelkerung.html": "Bevölkerung",
        "03_methodik.html": "Methodik und Glossar",
        "stadtteile.html": "Stadtteilprofile",
        "profil-243.html": "Stadtteilprofil Oberer Richtsberg",
        "barrierefreiheit.html": "Erklärung zur Barrierefreiheit",
    }
    for page in PAGES:
        raw = (site / page).read_text(encoding="utf-8")
        assert raw.startswith('<!DOCTYPE html>\n<html lang="de">')
        soup = BeautifulSoup(raw, "html.parser")
        assert soup.find("meta", charset="utf-8") is not None
        assert soup.find("meta", attrs={"name": "viewport"}) is not None
        assert soup.title.string.endswith(f" – {EDITION_TITLE}")
        if page in titles:
            assert soup.title.string == f"Entwurf: {titles[page]} – {EDITION_TITLE}"  # not released
        assert len(soup.find_all("h1")) == 1, f"{page} must have exactly one h1"
        skip = soup.find("a", class_="sprunglink")
        assert skip["href"] == "#inhalt" and skip.get_text() == "Zum Inhalt springen"
        assert soup.find("main", id="inhalt") is not None
        stylesheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
        assert stylesheets == ["assets/style.css"]


def test_synthetic_notice_on_every_page(built):
    _, site = built
    for page in PAGES:
        assert NOTICE in text_of(soup_of(site, page).find("header")), page


def test_main_navigation_has_one_item_for_the_profiles_and_marks_the_current_page(built):
    _, site = built
    labels = [
        "Startseite",
        "1 Bevölkerung",
        "2 Existenzsicherung und Armut",
        "3 Methodik und Glossar",
        "Stadtteilprofile",
        "Barrierefreiheit",
    ]
    for page in PAGES:
        links = main_nav(soup_of(site, page)).find_all("a")
        assert [a["href"] for a in links] == list(NAV_PAGES)
        assert [a.get_text() for a in links] == labels
        marked = [(a["href"], a["aria-current"]) for a in links if a.has_attr("aria-current")]
        if page in (*PROFILE_PAGES, "vergleich.html"):  # in the section "Stadtteilprofile", not its overview
            assert marked == [("stadtteile.html", "true")], page
        elif page == "aenderungen.html":  # reached from the start page
            assert marked == [("index.html", "true")], page
        elif page == "suche.html":  # reached from every page's search field, not the navigation
            assert marked == [], page
        else:
            assert marked == [(page, "page")], page


def test_every_page_is_reached_by_links_from_the_start_page(built):
    _, site = built
    assert "stadtteile.html" in [a["href"] for a in main_nav(soup_of(site, "index.html")).find_all("a")]
    reached, queue = {"index.html"}, ["index.html"]
    while queue:
        soup = soup_of(site, queue.pop())
        for link in [*soup.find_all("a", href=True), *soup.find_all("form", action=True)]:
            target = (link.get("href") or link["action"]).split("#")[0]
            if target.endswith(".html") and target not in reached:
                assert (site / target).is_file(), f"dead link to {target}"
                reached.add(target)
                queue.append(target)
    assert reached == set(PAGES)


def test_overview_links_every_profile_grouped_by_teil_and_stadtbereich(built):
    _, site = built
    main = soup_of(site, "stadtteile.html").find("main")
    assert main.h1.get_text() == "Stadtteilprofile"
    assert "33 statistischen Stadtbezirke" in text_of(main)
    assert main.find("a")["href"] == "vergleich.html"  # the comparison of all districts first
    links = main.select("section a")
    assert [a["href"] for a in links] == list(PROFILE_PAGES)  # kennziffer order
    assert [a.get_text() for a in links] == [name for _k, name, _area, _part in DISTRICTS]
    shown = []
    for section in main.find_all("section"):
        for area in section.find_all("h3"):
            for item in area.find_next_sibling("ul").find_all("li"):
                shown.append((section.h2.get_text(), area.get_text(), text_of(item)))
    assert shown == [(part, area, f"{name} ({k})") for k, name, area, part in DISTRICTS]
    assert [h.get_text() for h in main.find_all("h2")] == ["Kernstadt", "Außenstadtteile"]


def test_profile_pages_show_the_executed_profile_under_their_own_title(built):
    _, site = built
    for kennziffer, name, area, part in DISTRICTS:
        soup = soup_of(site, f"profil-{kennziffer}.html")
        main = soup.find("main")
        assert main.h1.get_text() == f"Stadtteilprofil {name}"
        intro = f"Der Stadtbezirk {name} (Kennziffer {kennziffer}) gehört zum Stadtbereich {area} ({part})."
        assert intro in text_of(main)
        assert [h.get_text() for h in main.find_all("h2")] == ["Kennzahlen im Vergleich zur Gesamtstadt"]
        cells = [td.get_text() for td in main.find("table").find_all("td")]
        assert cells == [profile_rate(kennziffer), "7,6"]
        raw = str(soup)
        assert PARAMETER_TEXT not in raw and "kennziffer =" not in raw


def test_profiles_link_to_the_neighbouring_profiles_and_the_overview(built):
    _, site = built
    for number, (kennziffer, *_rest) in enumerate(DISTRICTS):
        page = soup_of(site, f"profil-{kennziffer}.html")
        browse = page.find("nav", attrs={"aria-label": "Stadtteilprofile blättern"})
        links = [(a.get("rel"), a["href"], a.get_text()) for a in browse.find_all("a")]
        expected = []
        if number > 0:
            before = DISTRICTS[number - 1]
            expected.append((["prev"], f"profil-{before[0]}.html", f"Vorheriges Profil: {before[1]}"))
        expected.append((None, "stadtteile.html", "Alle Stadtteilprofile"))
        if number + 1 < len(DISTRICTS):
            after = DISTRICTS[number + 1]
            expected.append((["next"], f"profil-{after[0]}.html", f"Nächstes Profil: {after[1]}"))
        assert links == expected, kennziffer
    assert soup_of(site, "stadtteile.html").find("nav", class_="blaettern") is None


def test_every_table_has_its_downloads_and_every_download_link_works(built):
    _, site = built
    tables = 0
    for page in PAGES:
        for wrapper in soup_of(site, page).find_all("div", attrs={"data-table-id": True}):
            tables += 1
            links = {a["data-download"]: a["href"] for a in wrapper.find("p", class_="downloads").find_all("a")}
            assert set(links) == {"csv", "xlsx"}, page
            stem = page.removesuffix(".html")
            csv_file = f"downloads/{stem}/{wrapper['data-table-id']}.csv"
            assert links == {"csv": csv_file, "xlsx": f"downloads/{stem}.xlsx"}
            for href in links.values():
                assert (site / href).is_file(), href
    assert tables == 3 + len(DISTRICTS)  # chapter 1, chapter 3, the district comparison and one per profile
    downloads = {path for path in site_files(site) if path.startswith("downloads/")}
    assert not any(path.startswith("downloads/02_existenzsicherung") for path in downloads)  # no tables, no files
    rows = list(
        csv.reader(io.StringIO(text_files(site)[f"downloads/01_bevoelkerung/{CHAPTER_TABLE_ID}.csv"]), delimiter=";")
    )
    assert rows[:3] == [["Stadtbezirk", "Einwohner"], ["Südviertel", "4.312"], ["Marburg gesamt", "77.812"]]
    assert ["Tabelle: Einwohner nach Stadtbezirken 2024"] in rows
    profile = openpyxl.load_workbook(site / "downloads" / "profil-243.xlsx")
    assert profile["Inhalt"]["A1"].value == "Stadtteilprofil Oberer Richtsberg"
    assert (site / "downloads" / "03_methodik" / f"{METHOD_TABLE_ID}.csv").is_file()
    method = openpyxl.load_workbook(site / "downloads" / "03_methodik.xlsx")
    assert method["Inhalt"]["A1"].value == "3 Methodik und Glossar"


def test_manifest_and_provenance_cover_every_page_and_download(built):
    _edition, site = built
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == set(site_files(site)) - {"manifest.json"}
    assert set(PAGES) | {"provenance.json", "assets/style.css"} <= set(manifest)
    assert "downloads/profil-211/kennzahlen-211-2024.csv" in manifest and "downloads/profil-354.xlsx" in manifest
    assert f"downloads/01_bevoelkerung/{CHAPTER_TABLE_ID}.csv" in manifest
    origin = json.loads((site / "provenance.json").read_text(encoding="utf-8"))
    assert origin["edition"] == "2024" and origin["engine"] == "nbconvert"
    for page in PAGES:
        assert "Herkunft dieser Ausgabe" in text_of(soup_of(site, page).find("footer")), page


def test_chapters_link_to_previous_and_next_chapter(built):
    _, site = built
    first = soup_of(site, "01_bevoelkerung.html").find("nav", attrs={"aria-label": "Kapitel blättern"})
    assert [(a["rel"], a["href"]) for a in first.find_all("a")] == [(["next"], "02_existenzsicherung.html")]
    second = soup_of(site, "02_existenzsicherung.html").find("nav", attrs={"aria-label": "Kapitel blättern"})
    assert [(a["rel"], a["href"], a.get_text()) for a in second.find_all("a")] == [
        (["prev"], "01_bevoelkerung.html", "Vorheriges Kapitel: 1 Bevölkerung"),
        (["next"], "03_methodik.html", "Nächstes Kapitel: 3 Methodik und Glossar"),
    ]
    last = soup_of(site, "03_methodik.html").find("nav", attrs={"aria-label": "Kapitel blättern"})
    assert [(a["rel"], a["href"]) for a in last.find_all("a")] == [(["prev"], "02_existenzsicherung.html")]
    for page in ("index.html", "stadtteile.html", "barrierefreiheit.html"):
        assert soup_of(site, page).find("nav", class_="blaettern") is None, page


def test_chapter_shows_narrative_tables_figures_and_generated_text(built):
    _, site = built
    soup = soup_of(site, "01_bevoelkerung.html")
    main = soup.find("main")
    assert main.find("h1").get_text() == "1 Bevölkerung"
    # The notebook's own "# Bevölkerung" gave way to the page title; its sections sit below it.
    assert [h.get_text() for h in main.find_all("h2")] == ["Übersicht"]
    assert "Marburg wächst." in text_of(main)
    table = main.find("table")
    assert table.caption.get_text() == "Einwohner nach Stadtbezirken 2024"
    assert table.find("td", class_="zahl").get_text() == "4.312"
    image = main.find("figure").find("img")
    assert image["alt"] == FIGURE_ALT and image["src"].startswith("data:image/png;base64,")
    assert main.find("strong").get_text() == "77.812"
    second = soup_of(site, "02_existenzsicherung.html").find("main")
    assert [h.get_text() for h in second.find_all(["h1", "h2"])] == [
        "2 Existenzsicherung und Armut",
        "Leistungen nach dem SGB II",
    ]


def test_no_code_stream_output_parameters_or_traceback_is_published(built):
    _, site = built
    for page in PAGES:
        raw = (site / page).read_text(encoding="utf-8")
        soup = BeautifulSoup(raw, "html.parser")
        assert soup.find("pre") is None and soup.find("code") is None, page
        for forbidden in (
            STDERR_TEXT,
            STDOUT_TEXT,
            PARAMETER_TEXT,
            CODE_TEXT,
            'edition = "2024"',
            "Traceback",
            "<Figure size",
            "ReportTable(",
            "In&nbsp;[",
            "jp-",
            "¶",
        ):
            assert forbidden not in raw, f"{forbidden!r} on {page}"


SCRIPTS = {"suche.html": ["assets/suche-index.js", "assets/suche.js"], "vergleich.html": ["assets/vergleich.js"]}
"""The only pages with scripts, and the edition's own scripts they load."""


def test_no_url_to_any_host_and_scripts_only_the_editions_own_for_its_search(built):
    edition, site = built
    files = text_files(site)
    assert any(name.endswith(".csv") for name in files) and not any(name.endswith(".xlsx") for name in files)
    licence = edition.config.publication.licence.url  # the one address named on purpose: a link, never loaded
    for name, text in files.items():
        assert not re.search(rf"(?:src|srcset|poster|data)=\"{re.escape(licence)}", text), name
        assert not re.search(r"https?://", text.replace(licence, ""), re.IGNORECASE), name
        assert "//cdn" not in text.lower() and "@import" not in text, name
        if name.endswith(".html"):
            scripts = BeautifulSoup(text, "html.parser").find_all("script")
            expected = {
                "suche.html": ["assets/suche-index.js", "assets/suche.js"],
                "vergleich.html": ["assets/vergleich.js"],
            }
            expected = expected.get(name, [])
            assert [script.get("src") for script in scripts] == expected, name  # no inline script
            assert all((site / src).is_file() for src in expected)


def test_key_figures_show_the_formatted_city_values(built):
    _, site = built
    cards = soup_of(site, "index.html").find("ul", class_="kennzahlen").find_all("li", recursive=False)
    shown = [
        (
            text_of(card.h3),
            text_of(card.find(class_="kennzahl-wert")),
            text_of(card.find(class_="kennzahl-veraenderung")),
        )
        for card in cards
    ]
    # Expected values worked out by hand from publish_helpers.CITY_VALUES (threshold 3).
    assert shown == [
        ("Einwohnerinnen und Einwohner", "77.812", "+312 Personen gegenüber 2023"),
        # 13,152 vs 12,916, published as 13,2 and 12,9: the card says what the table reader computes
        ("Ausländeranteil", "13,2 je 100 Einwohner", "+0,3 Prozentpunkte gegenüber 2023"),
        ("SGB-II-Quote", "7,6 je 100 Einwohner unter 65 Jahren", "\u22120,2 Prozentpunkte gegenüber 2023"),
        # 14,176 vs 14,333, published as 14,2 and 14,3
        ("Kinderarmut (SGB II)", "14,2 je 100 Einwohner unter 15 Jahren", "\u22120,1 Prozentpunkte gegenüber 2023"),
        ("Grundsicherung im Alter", ".", "Veränderung gegenüber 2023 nicht ausweisbar"),  # 2 cases: hidden
        ("MarburgPass-Quote", "3,9 je 100 Einwohner", "Kein Vergleichswert für 2023"),
    ]
    notes = [text_of(card.find(class_="kennzahl-hinweis")) for card in cards if card.find(class_="kennzahl-hinweis")]
    assert notes == ["Zahlenwert geheim zu halten (beruht auf weniger als 3 Fällen)"]


def test_start_page_introduces_the_report_and_links_its_chapters(built):
    _, site = built
    main = soup_of(site, "index.html").find("main")
    assert main.h1.get_text() == EDITION_TITLE
    assert "Stichtag 31.12.2024" in text_of(main)
    chapters = main.find("ol", class_="kapitelliste").find_all("a")
    assert [(a["href"], a.get_text()) for a in chapters] == [
        ("01_bevoelkerung.html", "1 Bevölkerung"),
        ("02_existenzsicherung.html", "2 Existenzsicherung und Armut"),
        ("03_methodik.html", "3 Methodik und Glossar"),
    ]
    sentence = main.find("a", href="03_methodik.html", string="3 Methodik und Glossar").parent
    assert " ".join(sentence.get_text().split()) == (
        "Die Definitionen aller Kennzahlen und die Regeln der Geheimhaltung stehen im Kapitel 3 Methodik und Glossar."
    )
    profiles = main.find("section", attrs={"aria-labelledby": "stadtteilprofile-titel"})
    assert profiles.find("a")["href"] == "stadtteile.html"


def test_umlauts_are_intact_utf8(built):
    _, site = built
    raw = (site / "01_bevoelkerung.html").read_bytes().decode("utf-8")
    for word in ("Bevölkerung", "Größe", "Ältere", "Jüngere", "Übersicht", "Südviertel", "Ausländeranteil"):
        assert word in raw
    for page in PAGES:
        text = (site / page).read_bytes().decode("utf-8")
        assert "Ã" not in text and "&auml;" not in text and "&#" not in text, page


def test_method_chapter_is_a_chapter_page_and_there_is_no_separate_method_page(built):
    _, site = built
    main = soup_of(site, "03_methodik.html").find("main")
    assert [h.get_text() for h in main.find_all(["h1", "h2"])] == ["3 Methodik und Glossar", "Kennzahlen"]
    assert "Dieses Kapitel erklärt, wie die Zahlen entstehen." in text_of(main)
    assert main.find("table").caption.get_text() == "Definitionen der Kennzahlen"
    assert not (site / "methodik.html").exists()


def test_accessibility_statement(built):
    _, site = built
    text = text_of(soup_of(site, "barrierefreiheit.html").find("main"))
    for phrase in (
        "BITV 2.0",
        "HVBIT",
        "teilweise vereinbar",
        "Nicht barrierefreie Inhalte",
        "Barrieren melden",
        "Universitätsstadt Marburg, Fachdienst Sozialplanung",
        "über die Kontaktangaben der Universitätsstadt Marburg",
        "Durchsetzungsverfahren",
    ):
        assert phrase in text
    assert "@" not in text and "Tel" not in text


def test_footer_provenance(built):
    _, site = built
    for page in PAGES:
        footer = text_of(soup_of(site, page).find("footer"))
        assert f"Ausgabe: {EDITION_TITLE} (Ausgabe 2024)" in footer
        assert "Stichtag: 31.12.2024" in footer
        assert "Datengrundlage: synthetische Beispieldaten" in footer
        assert f"sozialplanung {metadata.version('sozialplanung')}" in footer
        for package in ("pandas", "nbconvert"):
            assert f"{package} {metadata.version(package)}" in footer
        assert "Python 3." in footer


def test_real_data_edition_names_its_raw_data_and_shows_no_notice(tmp_path):
    edition = make_edition(tmp_path / "projekt", synthetic=False)
    site = publish(edition, engine="nbconvert").parent
    for page in PAGES:
        soup = soup_of(site, page)
        assert "Synthetische Beispieldaten" not in soup.get_text()
        assert "Datengrundlage: Rohdaten: data/raw/2024" in text_of(soup.find("footer"))


def test_stylesheet_is_local_accessible_and_readable():
    css = (TEMPLATES_DIR / "style.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "system-ui" in css
    assert ":focus-visible" in css and "outline: 3px solid" in css
    assert "max-width: 100%" in css
    assert re.search(r"td\.zahl[^{]*\{[^}]*text-align: right", css)
    colours = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", css))

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for text in ("text", "text-muted", "link", "link-visited"):
        for background in ("page", "zebra", "notice-bg"):
            assert contrast(colours[text], colours[background]) >= 4.5, (text, background)
    assert contrast(colours["focus"], colours["page"]) >= 3.0


def test_two_builds_in_different_folders_are_byte_identical(tmp_path):
    first = publish(make_edition(tmp_path / "eins"), engine="nbconvert").parent
    second = publish(make_edition(tmp_path / "zwei"), engine="nbconvert").parent
    assert site_files(first) == site_files(second)
    # pages, stylesheet, search index and script, comparison script, provenance.json, manifest.json, the print
    # edition and a CSV plus a workbook for each page with a table (chapters 1 and 3, every profile); the open
    # data: datapackage.json, the indicators, their definitions and a data CSV per table; the search's text of
    # every page
    tables = 3 + len(DISTRICTS)  # chapters 1 and 3, the comparison, every profile
    searched = {name.removeprefix("assets/suchtexte/") for name in site_files(first) if "/suchtexte/" in name}
    assert searched == {page.removesuffix(".html") + ".js" for page in PAGES}
    assert len(site_files(first)) == 2 * len(PAGES) + 7 + 2 * tables + 3 + tables - 1  # comparison: kennzahlen.csv


def test_error_output_stops_the_build_and_keeps_the_previous_site(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    site = publish(edition, engine="nbconvert").parent
    before = site_files(site)
    broken = chapter_one()
    broken.cells.append(error_output())
    write_notebook(edition, "01_bevoelkerung", broken)
    with pytest.raises(PublishError) as caught:
        publish(edition, engine="nbconvert")
    message = str(caught.value)
    assert "01_bevoelkerung (Bevölkerung)" in message and f"cell {len(broken.cells)}" in message
    assert "ZeroDivisionError" in message
    assert site_files(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["notebooks", "profile", "site"]  # no staging left


def test_the_publish_gate_stops_a_small_count_and_keeps_the_previous_site(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    site = publish(edition, engine="nbconvert").parent
    before = site_files(site)
    leaking = chapter_one()
    leaking.cells.append(new_markdown_cell("In Lahnberge lebten 2 Kinder in Bedarfsgemeinschaften."))
    write_notebook(edition, "01_bevoelkerung", leaking)
    with pytest.raises(PublishError) as caught:
        publish(edition, engine="nbconvert")
    message = str(caught.value)
    assert "publish gate" in message and "01_bevoelkerung.html" in message and "'2'" in message
    assert "2 Kinder" in message and "previous edition stays in place" in message
    assert site_files(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["notebooks", "profile", "site"]


def test_missing_profiles_name_the_districts_and_the_command(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    edition.paths.executed_profile(243).unlink()
    with pytest.raises(PublishError) as caught:
        publish(edition, engine="nbconvert")
    message = str(caught.value)
    assert "District profile 243 (Oberer Richtsberg) has not been executed" in message
    assert "outputs/2024/profile/243.ipynb is missing" in message
    assert "sozialbericht profiles" in message and "dvc repro" in message
    edition.paths.executed_profile(244).unlink()
    with pytest.raises(
        PublishError,
        match=r"2 of 33 district profiles .*243 \(Oberer Richtsberg\), "
        r"244 \(Unterer Richtsberg\)\. Run `sozialbericht profiles`",
    ):
        publish(edition, engine="nbconvert")
    assert not edition.paths.site_dir.exists()


def test_a_profile_with_an_error_output_names_the_district(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    broken = profile_notebook(*DISTRICTS[0])
    broken.cells.append(error_output())
    write_profile(edition, DISTRICTS[0][0], broken)
    with pytest.raises(PublishError, match=r"District profile 211 \(Altstadt\): cell 5 has an error output"):
        publish(edition, engine="nbconvert")


def test_failure_while_writing_removes_the_staging_folder_and_keeps_the_site(tmp_path, monkeypatch):
    edition = make_edition(tmp_path / "projekt")
    site = publish(edition, engine="nbconvert").parent
    before = site_files(site)

    def broken_copy(folder: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("sozialplanung.site.engines.nbconvert.copy_stylesheet", broken_copy)
    with pytest.raises(OSError, match="disk full"):
        publish(edition, engine="nbconvert")
    assert site_files(site) == before
    assert [p.name for p in site.parent.iterdir() if p.name.startswith(".")] == []


def test_failure_while_the_print_edition_is_made_ends_it_and_keeps_the_site(tmp_path):
    # sozialbericht build computes the previous edition's indicators there (the changes page needs them)
    edition = make_edition(tmp_path / "projekt")
    site = publish(edition, engine="nbconvert").parent
    before = site_files(site)
    spare_folders = []

    def failing() -> None:
        spare_folders.extend(p for p in site.parent.iterdir() if p.name.startswith(".druck-"))
        raise DataError("Vorausgabe: Spalte fehlt")

    with pytest.raises(DataError, match="Spalte fehlt"):
        publish(edition, engine="nbconvert", while_printing=failing)
    assert len(spare_folders) == 1  # the print edition had begun
    assert site_files(site) == before
    assert [p.name for p in site.parent.iterdir() if p.name.startswith(".")] == []


def test_error_in_a_parameters_cell_is_reported_too(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    notebook = chapter_one()
    notebook.cells[1].outputs.append(error_output().outputs[0])
    write_notebook(edition, "01_bevoelkerung", notebook)
    with pytest.raises(PublishError, match="cell 2 has an error output"):
        publish(edition, engine="nbconvert")


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ('<img src="data:image/png;base64,AAAA">', "image without alt text"),
        ("<table><tr><td>1</td></tr></table>", "table without <caption>"),
        ('<script>alert("x")</script>', "JavaScript"),
        ('<img src="https://example.org/logo.png" alt="Logo">', "outside the page"),
        ('<link rel="stylesheet" href="https://cdn.example.org/a.css">', "outside stylesheet"),
        ("<style>@import 'x.css';</style><p>x</p>", "through url() or @import"),
        ('<div style="background: url(bild.png)">x</div>', "through CSS"),
    ],
)
def test_unpublishable_html_output_is_refused(tmp_path, html, problem):
    edition = make_edition(tmp_path / "projekt")
    notebook = chapter_one()
    notebook.cells.append(new_code_cell("x", outputs=[new_output("display_data", data={"text/html": html})]))
    write_notebook(edition, "01_bevoelkerung", notebook)
    with pytest.raises(PublishError, match=re.escape(problem)) as caught:
        publish(edition, engine="nbconvert")
    assert "01_bevoelkerung" in str(caught.value)


def test_embedded_resources_are_published(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    notebook = chapter_one()
    html = "<div style=\"background: url('data:image/png;base64,AAAA')\"><p>Eingebettet</p></div>"
    notebook.cells.append(new_code_cell("x", outputs=[new_output("display_data", data={"text/html": html})]))
    write_notebook(edition, "01_bevoelkerung", notebook)
    page = publish(edition, engine="nbconvert").parent / "01_bevoelkerung.html"
    assert "Eingebettet" in page.read_text(encoding="utf-8")


def test_bare_image_output_is_refused(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    notebook = chapter_one()
    notebook.cells.append(new_code_cell("plt.show()", outputs=[new_output("display_data", data={"image/png": "AAAA"})]))
    write_notebook(edition, "01_bevoelkerung", notebook)
    with pytest.raises(PublishError, match="bare image"):
        publish(edition, engine="nbconvert")


def test_missing_inputs_say_which_stage_to_run(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    edition.paths.executed_notebook("02_existenzsicherung").unlink()
    with pytest.raises(PublishError, match=r"02_existenzsicherung.*has not been executed.*sozialbericht execute"):
        publish(edition, engine="nbconvert")
    write_notebook(edition, "02_existenzsicherung", chapter_one())
    edition.paths.indicators_file.unlink()
    with pytest.raises(PublishError, match="sozialbericht indicators"):
        publish(edition, engine="nbconvert")
    assert not edition.paths.site_dir.exists()


def test_unknown_key_figure_is_refused(tmp_path):
    root = tmp_path / "projekt"
    make_edition(root)
    params = root / "params" / "2024.yaml"
    params.write_text(
        params.read_text(encoding="utf-8").replace("  - kinderarmut\n", "  - gluecksquote\n"), encoding="utf-8"
    )
    with pytest.raises(PublishError, match="gluecksquote"):
        publish(open_edition("2024", project_dir=root), engine="nbconvert")


def test_unknown_engine_is_refused(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    with pytest.raises(PublishError, match="Unknown publishing engine 'pdf'"):
        publish(edition, engine="pdf")
    assert not edition.paths.site_dir.exists()


def test_publish_with_nbconvert_engine_returns_the_start_page(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    index = publish(edition, engine="nbconvert")
    assert index == edition.paths.site_dir / "index.html" and index.is_file()
