"""What the pages say and which pages there are: site map, navigation, key figures and their
confidentiality, the profile overview — shared by both engines."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sozialplanung.core.errors import PublishError
from sozialplanung.site.pages import district_groups, key_figures, navigation, render_browse, render_start
from sozialplanung.site.sitemap import SiteMap, chapter_number, site_map

from publish_helpers import DISTRICTS, NAV_PAGES, PAGES, indicator_frame, make_edition


@pytest.fixture
def edition(tmp_path):
    return make_edition(tmp_path / "projekt")


def test_pages_in_site_order_and_the_main_navigation(edition):
    site = site_map(edition)
    pages = site.pages
    assert [p.filename for p in pages] == list(PAGES)
    assert [p.filename for p in site.navigation] == list(NAV_PAGES)
    assert [p.chapter_id for p in site.chapters] == ["01_bevoelkerung", "02_existenzsicherung", "03_methodik"]
    assert pages[2].heading == "2 Existenzsicherung und Armut" and pages[2].title == "Existenzsicherung und Armut"
    assert chapter_number("12_wohnen") == 12
    assert [p.kennziffer for p in site.profiles] == [k for k, *_ in DISTRICTS]
    profile = site.profiles[0]
    assert (profile.filename, profile.title, profile.heading, profile.nav_label, profile.section) == (
        "profil-211.html",
        "Stadtteilprofil Altstadt",
        "Stadtteilprofil Altstadt",
        "Altstadt",
        "stadtteile.html",
    )
    assert profile.stem == "profil-211" and profile.from_notebook and not site.overview.from_notebook
    assert site.method_chapter.filename == "03_methodik.html"


def test_current_page_and_section_marks(edition):
    site = site_map(edition)
    marks = {page.filename: mark for page, mark in navigation(site, site.profiles[5]) if mark}
    assert marks == {"stadtteile.html": "true"}
    marks = {page.filename: mark for page, mark in navigation(site, site.overview) if mark}
    assert marks == {"stadtteile.html": "page"}
    marks = {page.filename: mark for page, mark in navigation(site, site.chapters[0]) if mark}
    assert marks == {"01_bevoelkerung.html": "page"}


def test_neighbours_stay_within_chapters_and_within_profiles(edition):
    site = site_map(edition)
    assert site.neighbours(site.chapters[-1]) == (site.chapters[-2], None)
    assert site.neighbours(site.profiles[0]) == (None, site.profiles[1])
    assert site.neighbours(site.profiles[-1]) == (site.profiles[-2], None)
    assert site.neighbours(site.overview) == (None, None) and site.neighbours(site.start) == (None, None)
    assert str(render_browse(site, site.start)) == ""
    browse = BeautifulSoup(str(render_browse(site, site.profiles[1])), "html.parser")
    assert [a.get_text() for a in browse.find_all("a")] == [
        "Vorheriges Profil: Altstadt",
        "Alle Stadtteilprofile",
        "Nächstes Profil: Campusviertel",
    ]


def test_districts_are_grouped_by_teil_then_stadtbereich_in_kennziffer_order(edition):
    groups = district_groups(site_map(edition))
    assert [part for part, _areas in groups] == ["Kernstadt", "Außenstadtteile"]
    kernstadt = dict(groups[0][1])
    assert list(kernstadt) == ["Innere Kernstadt", "Westliche Kernstadt", "Östliche Kernstadt", "Südliche Kernstadt"]
    inner = [p.nav_label for p in kernstadt["Innere Kernstadt"]]
    assert inner == ["Altstadt", "Weidenhausen", "Campusviertel", "Südviertel"]
    flat = [page.kennziffer for _part, areas in groups for _area, pages in areas for page in pages]
    assert flat == [k for k, *_ in DISTRICTS]


def test_start_page_links_the_method_chapter_only_when_there_is_one(edition):
    frame = indicator_frame()
    site = site_map(edition)
    start = BeautifulSoup(str(render_start(edition, frame, site)), "html.parser")
    assert start.find("a", href="03_methodik.html", string="3 Methodik und Glossar") is not None
    assert "Die Definitionen aller Kennzahlen" in start.get_text()
    without = SiteMap.of(edition.config.model_copy(update={"chapters": edition.config.chapters[:2]}), site.districts)
    assert without.method_chapter is None
    start = BeautifulSoup(str(render_start(edition, frame, without)), "html.parser")
    assert start.find("a", href="03_methodik.html") is None
    assert "Die Definitionen aller Kennzahlen" not in start.get_text()


def _with_city(frame: pd.DataFrame, year: int, indicator: str, zaehler: int, nenner: int) -> pd.DataFrame:
    mask = (frame["jahr"] == year) & (frame["indikator"] == indicator) & (frame["kennziffer"] == 0)
    frame = frame.copy()
    frame.loc[mask, ["zaehler", "nenner"]] = [zaehler, nenner]
    frame.loc[mask, "wert"] = zaehler * 100 / nenner
    return frame


def test_true_zero_shows_its_symbol_and_meaning(edition):
    frame = _with_city(indicator_frame(), 2024, "kinderarmut", 0, 9100)
    card = {f.name: f for f in key_figures(edition.config, frame)}["Kinderarmut (SGB II)"]
    assert (card.value, card.unit, card.note) == ("\u2013", "", "nichts vorhanden (genau null)")
    assert card.change == "\u221214,3 Prozentpunkte gegenüber 2023"  # 0 against 14,333


def test_change_is_the_difference_of_the_published_values(edition):
    """13,54 → 13,76 is published as 13,5 → 13,8: the card says +0,3, not the unrounded +0,2."""
    frame = _with_city(
        _with_city(indicator_frame(), 2023, "kinderarmut", 1354, 10000), 2024, "kinderarmut", 1376, 10000
    )
    card = {f.name: f for f in key_figures(edition.config, frame)}["Kinderarmut (SGB II)"]
    assert (card.value, card.change) == ("13,8", "+0,3 Prozentpunkte gegenüber 2023")


def test_change_is_hidden_when_the_previous_value_is_confidential(edition):
    frame = _with_city(indicator_frame(), 2023, "sgb2_quote", 2, 65800)
    card = {f.name: f for f in key_figures(edition.config, frame)}["SGB-II-Quote"]
    assert card.value == "7,6"
    assert card.change == "Veränderung gegenüber 2023 nicht ausweisbar"


def test_missing_city_value_for_the_year_is_an_error(edition):
    frame = indicator_frame()
    frame = frame[~((frame["indikator"] == "sgb2_quote") & (frame["jahr"] == 2024))]
    with pytest.raises(PublishError, match=r"no city value of 'sgb2_quote' for 2024.*indicators stage"):
        render_start(edition, frame, site_map(edition))
