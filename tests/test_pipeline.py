"""Whole pipeline: build the sample edition in a temporary project and read it as a reviewer would."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sozialplanung.core.formats import format_count
from sozialplanung.data.load import read_tables
from sozialplanung.statistics.confidentiality import Confidentiality
from sozialplanung.statistics.indicators import CITY, compute_indicators

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(built_sample):
    return built_sample


def _pages(edition):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(edition.paths.site_dir.glob("*.html"))}


def _text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


def test_every_page_exists_and_is_reachable_from_the_start_page(built):
    edition, index = built
    assert index == edition.paths.site_dir / "index.html"
    pages = _pages(edition)
    chapters = {f"{chapter.id}.html" for chapter in edition.config.chapters}
    expected = {"index.html", "stadtteile.html", "barrierefreiheit.html", *chapters}
    profiles = {f"profil-{k}.html" for k in pd.read_csv(edition.project.districts_file)["kennziffer"]}
    assert set(pages) == expected | profiles  # exactly one profile page per district, nothing else
    assert len(profiles) == 33
    links = {a["href"] for a in BeautifulSoup(pages["index.html"], "html.parser").select("nav a[href]")}
    assert expected - {"index.html"} <= links
    overview = {a["href"] for a in BeautifulSoup(pages["stadtteile.html"], "html.parser").select("main a[href]")}
    assert profiles <= overview


def test_pages_are_german_and_say_the_data_is_synthetic(built):
    edition, _ = built
    for name, html in _pages(edition).items():
        soup = BeautifulSoup(html, "html.parser")
        assert soup.html["lang"] == "de", name
        assert "Synthetische Beispieldaten" in soup.get_text(), name
        assert "31.12.2024" in soup.get_text(), name


def test_no_code_tracebacks_placeholders_or_third_party_requests(built):
    edition, _ = built
    for path in sorted(edition.paths.site_dir.rglob("*")):
        if path.suffix not in {".html", ".css", ".js", ".json", ".csv"}:
            continue
        content = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", content, re.IGNORECASE), path.name
        if path.suffix == ".html":
            text = _text(content)
            for forbidden in ("Traceback", "from sozialplanung", "display(", "TODO", "nan", "None", "NaN"):
                assert not re.search(rf"\b{re.escape(forbidden)}", text), (path.name, forbidden)
            soup = BeautifulSoup(content, "html.parser")
            assert not soup.select(".jp-InputArea, .input_area, .jp-CodeCell .jp-Cell-inputWrapper"), path.name


def test_every_figure_has_alt_text_and_every_table_a_caption(built):
    edition, _ = built
    pages = _pages(edition)
    for name in ("01_bevoelkerung.html", "02_existenzsicherung.html"):
        soup = BeautifulSoup(pages[name], "html.parser")
        images = soup.find_all("img")
        assert len(images) >= 3, name
        assert all(len(img.get("alt", "")) > 20 for img in images), name
        tables = soup.find_all("table")
        assert len(tables) >= 2, name
        assert all(t.find("caption") and t.find("th") for t in tables), name


def test_key_numbers_on_pages_match_the_raw_data(built):
    edition, _ = built
    raw = pd.read_csv(edition.paths.raw_dir / "sgb2.csv", sep=";", encoding="utf-8-sig")
    people = pd.read_csv(edition.paths.raw_dir / "bevoelkerung.csv", sep=";", encoding="utf-8-sig")
    recipients = int(raw.loc[raw["jahr"] == 2024, "leistungsberechtigte"].sum())
    residents = int(people.loc[people["jahr"] == 2024, "anzahl"].sum())
    chapter = _text(_pages(edition)["02_existenzsicherung.html"])
    assert f"erhielten in Marburg {format_count(recipients)} Menschen Leistungen nach dem SGB II" in chapter
    population = _text(_pages(edition)["01_bevoelkerung.html"])
    assert f"lebten {format_count(residents)} Menschen mit Hauptwohnsitz in Marburg" in population


def test_start_page_key_figures_match_the_indicator_module(built):
    edition, _ = built
    frame = compute_indicators(read_tables(edition.paths.tables_dir))
    rule = Confidentiality(edition.config.confidentiality.threshold)
    start = _text(_pages(edition)["index.html"])
    for indicator_id in edition.config.key_figures:
        row = frame[
            (frame["indikator"] == indicator_id) & (frame["jahr"] == 2024) & (frame["kennziffer"] == CITY)
        ].iloc[0]
        assert rule.rate(row["wert"], row["zaehler"], row["nenner"]) in start, indicator_id


def test_small_districts_show_the_confidentiality_symbol(built):
    edition, _ = built
    soup = BeautifulSoup(_pages(edition)["02_existenzsicherung.html"], "html.parser")
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
        for table in soup.find_all("table")
        for tr in table.select("tbody tr")
        if tr.th
    }
    small = [rows[name] for name in ("Lahnberge", "Dilschhausen", "Ronhausen", "Bortshausen") if name in rows]
    assert small and any("." in cells for cells in small)


def test_every_city_total_on_a_page_is_the_raw_tables_sum_or_hidden(built):
    """Each number keyed ``summe/<table>/<column>/<year>/<codes>`` (text and tables of city totals)
    is the sum of that raw column over the rows with those codes — a nested row (Wohnungslose,
    of them in Notunterkünften) counted once — or ``.``."""
    edition, _ = built
    tables = read_tables(edition.paths.tables_dir)
    rule = Confidentiality(edition.config.confidentiality.threshold)
    checked = set()
    for name, html in _pages(edition).items():
        for cell in BeautifulSoup(html, "html.parser").select('[data-zelle^="summe/"]'):
            _, table, column, year, codes = cell["data-zelle"].split("/")
            frame = tables[table][tables[table]["jahr"] == int(year)]
            for code, _, value in (item.partition("=") for item in codes.split(";") if item):
                frame = frame[frame[code] == value]
            shown = cell.get_text(strip=True)
            assert shown in (".", rule.count(int(frame[column].sum()))), f"{name}: {cell['data-zelle']}"
            checked.add((table, column, codes))
    assert ("wohnungsnotfaelle", "anzahl", "kategorie=wohnungslose_gesamt") in checked
    assert ("schwerbehinderte", "anzahl", "altersgruppe=25-44;geschlecht=w") in checked
    assert len(checked) >= 20
