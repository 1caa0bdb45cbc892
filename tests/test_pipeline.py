"""Whole pipeline: build the sample edition in a temporary project and read it as a reviewer would;
the publish gate passes it; and the export-style sample builds the same edition.

The export-style sample (as the BA, the register and the statistics office deliver their files:
titles, footnotes, names instead of codes, ``*`` for small BA values) builds the whole edition, and
every number it publishes is the tidy sample's, except where a cell anonymised at source is hidden.
Both sites are compared as a reader sees them: through the numbers the pages mark with their meaning
(``data-zelle``/``data-zellen``).

The built editions are module fixtures: pytest-xdist (``--dist loadfile``) runs a module in one
worker, so each is built once."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sozialplanung.core.config import open_edition
from sozialplanung.core.formats import format_count, parse_number
from sozialplanung.data import load
from sozialplanung.data.load import read_tables
from sozialplanung.data.sample import generate_sample_data
from sozialplanung.data.validate import run_validation
from sozialplanung.execution.chapters import execute_chapters
from sozialplanung.execution.profiles import execute_profiles
from sozialplanung.report.sentences import number_word
from sozialplanung.site import search
from sozialplanung.site.attack import read_facts
from sozialplanung.site.gate import Finding, check_site
from sozialplanung.site.publish import publish
from sozialplanung.statistics.confidentiality import Confidentiality
from sozialplanung.statistics.indicators import CITY, INDICATOR_CELLS, compute_indicators, run_indicators
from test_search import run_search

from conftest import copy_project, profile_only

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(built_sample):
    return built_sample


def _pages(edition):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(edition.paths.site_dir.glob("*.html"))}


def _text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


def test_the_changes_page_names_each_revised_value_with_both_values(built):
    edition, _index = built
    page = BeautifulSoup(_pages(edition)["aenderungen.html"], "html.parser")
    revised = page.select_one('[data-table-id="korrigierte-werte"] table')
    rows = [[cell.get_text() for cell in row.find_all(["th", "td"])] for row in revised.select("tbody tr")]
    assert rows and all(row[0] == "Wohngeldquote" and row[2] == "2023" for row in rows)
    for _name, _district, _year, before, after, change in rows:
        assert before != after and "." not in (before, after)
        assert parse_number(after) - parse_number(before) == parse_number(change.replace("−", "-"))
    assert f"weist {number_word(len(rows))} Werte früherer Jahre anders aus" in page.get_text()
    start = BeautifulSoup(_pages(edition)["index.html"], "html.parser")
    assert start.select_one('main a[href="aenderungen.html"]') is not None


def test_every_page_exists_and_is_reachable_from_the_start_page(built):
    edition, index = built
    assert index == edition.paths.site_dir / "index.html"
    pages = _pages(edition)
    chapters = {f"{chapter.id}.html" for chapter in edition.config.chapters}
    expected = {"index.html", "stadtteile.html", "barrierefreiheit.html", *chapters}
    profiles = {f"profil-{k}.html" for k in pd.read_csv(edition.project.districts_file)["kennziffer"]}
    # one profile page per district, the comparison of all districts, the changes and the search, nothing else
    assert set(pages) == expected | profiles | {"vergleich.html", "aenderungen.html", "suche.html"}
    assert len(profiles) == 33
    start = BeautifulSoup(pages["index.html"], "html.parser")
    links = {a["href"] for a in start.select("nav a[href]")}
    assert expected - {"index.html"} <= links
    assert start.select_one('form[role="search"]')["action"] == "suche.html"  # every page's header
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
    licence = edition.config.publication.licence.url  # the one address outside: a link, never loaded
    for path in sorted(edition.paths.site_dir.rglob("*")):
        if path.suffix not in {".html", ".css", ".js", ".json", ".csv"}:
            continue
        content = path.read_text(encoding="utf-8")
        outside = content.replace(licence, "")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", outside, re.IGNORECASE), path.name
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


def unresolved_summary_links(site_dir) -> list[str]:
    """Links of the summaries (``00_…``) into the chapters whose page or heading id is missing."""
    from urllib.parse import unquote

    pages = sorted(site_dir.glob("00_*.html"))
    assert len(pages) == 2, pages  # Das Wichtigste in Kürze and the same in Leichte Sprache
    missing = []
    for page in pages:
        links = [
            a["href"] for a in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("main a[href]")
        ]
        into_chapters = [href for href in links if "#" in href and href.split("#")[0].endswith(".html")]
        assert len(into_chapters) >= 10, page.name  # one per key finding
        for href in into_chapters:
            target, anchor = href.split("#", 1)
            path = site_dir / target
            ids = (
                {tag["id"] for tag in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all(id=True)}
                if path.is_file()
                else set()
            )
            if unquote(anchor) not in ids:
                missing.append(f"{page.name}: {href}")
    return missing


def test_every_link_of_the_summaries_resolves_to_a_chapter_heading(built):
    edition, _ = built
    assert unresolved_summary_links(edition.paths.site_dir) == []


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


# --- the publish gate on the sample edition ------------------------------------------------------


@pytest.fixture(scope="module")
def sample_findings(built_sample) -> list[Finding]:
    edition, _ = built_sample
    return check_site(edition.paths.site_dir, edition.config.confidentiality.threshold)


@pytest.mark.slow
def test_the_sample_edition_publishes_no_small_count_and_no_internals(sample_findings):
    assert [str(f) for f in sample_findings if "recomputed" not in f.rule and "is shown in" not in f.rule] == []


@pytest.mark.slow
def test_the_sample_edition_has_no_recoverable_hidden_cell(sample_findings):
    assert [str(f) for f in sample_findings] == []


# --- the export-style sample ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_edition(tmp_path_factory):
    project = profile_only(copy_project(tmp_path_factory.mktemp("export") / "project"))
    edition = open_edition("2024", project)
    previous = edition.previous()  # the changes page compares with it: the same sources, delivered alike
    generate_sample_data(previous, "export")
    run_validation(previous)
    run_indicators(previous)
    generate_sample_data(edition, "export")
    run_validation(edition)
    run_indicators(edition)
    execute_chapters(edition, progress=lambda message: None)
    execute_profiles(edition, progress=lambda message: None)
    publish(edition, engine="nbconvert")  # with both publish gates
    return edition


def number(text: str) -> Decimal | str:
    """A published cell's number (``–`` is zero); symbols (``.``, ``x``) and words (a status class)
    as they are."""
    if text == "\u2013":
        return Decimal(0)
    try:
        return parse_number(text)
    except ValueError:
        return text


def shown(site) -> dict[str, Decimal | str]:
    """Every keyed number of ``site`` as its value, or ``.`` where hidden; a page, its CSV and its
    workbook write one number differently (``36,0``, ``36``), so they are compared as numbers, and
    they must agree."""
    values: dict[str, set[Decimal | str]] = {}
    for fact in read_facts(site):
        values.setdefault(fact.key, set()).add(number(fact.text))
    disagree = {key: found for key, found in values.items() if len(found) > 1}
    assert disagree == {}
    return {key: found.pop() for key, found in values.items()}


def test_every_number_is_the_tidy_samples_or_hidden(export_edition, built_sample):
    tidy_edition, _ = built_sample
    export, tidy = shown(export_edition.paths.site_dir), shown(tidy_edition.paths.site_dir)
    common = [k for k in export if k in tidy and not k.startswith("sozialindex/")]
    assert len(common) > 800  # the chapters and the three profiles both editions have (907 in 2024)
    differ = [k for k in common if export[k] != tidy[k] and "." not in (export[k], tidy[k])]
    assert differ == []
    # what the tidy edition hides and the export one shows must be the true value
    truth = load.read_indicators(tidy_edition.paths.indicators_file).set_index(["indikator", "jahr", "kennziffer"])
    opened = [k for k in common if tidy[k] == "." and export[k] != "."]
    for key in opened:
        kind, indicator_id, part, year, kennziffer = key.split("/")
        assert kind == "indikator", key
        value = truth.loc[(indicator_id, int(year), int(kennziffer)), part]
        expected = Decimal(str(value)).quantize(Decimal("0.1")) if part == "wert" else Decimal(int(value))
        assert export[key] == expected, key


def test_what_rests_on_a_cell_anonymised_at_source_is_hidden(export_edition):
    export = shown(export_edition.paths.site_dir)
    protected = pd.read_csv(export_edition.paths.tables_dir / load.PROTECTED_FILE)
    assert len(protected) > 50
    checked = 0
    for cell in protected.itertuples(index=False):
        for indicator_id, (numerator, denominator) in INDICATOR_CELLS.items():
            for part, side in (("zaehler", numerator), ("nenner", denominator)):
                if not any(c.table == cell.tabelle and cell.spalte in c.columns and not c.where for c in side):
                    continue
                for what in (part, "wert"):
                    key = f"indikator/{indicator_id}/{what}/{cell.jahr}/{cell.kennziffer}"
                    if key in export:
                        assert export[key] == ".", key
                        checked += 1
    assert checked > 20


def test_the_sample_site_is_searchable_and_every_result_links_to_an_existing_section(built):
    edition, _ = built
    site = edition.paths.site_dir
    index = search.read_search_index(site)
    core, texts = index.core, index.texts
    assert (site / "assets" / "suche.js").read_bytes() == search.SCRIPT_SOURCE.read_bytes()
    page_names = {path.name for path in site.glob("*.html")}
    assert {name for name, _title in core["seiten"]} == page_names  # every page, nothing else
    text_files = {path.name for path in (site / search.TEXT_FOLDER).iterdir()}
    assert text_files == {Path(name).with_suffix(".js").name for name in texts}  # nothing the index does not name
    per_page = Counter(page for page, _anchor, _heading in core["abschnitte"])
    assert {core["seiten"][page][0]: count for page, count in per_page.items()} == {
        name: len(found) for name, found in texts.items()
    }  # one text per section, each page's in its own file
    # what a query loads at most: the index, the script, the texts of the pages of the results shown
    sizes = sorted((len(path.read_bytes()) for path in (site / search.TEXT_FOLDER).glob("*.js")), reverse=True)
    most = (
        (site / search.INDEX_PATH).stat().st_size
        + len(search.SCRIPT_SOURCE.read_bytes())
        + sum(sizes[: core["gezeigt"]])
    )
    assert search.largest_download(site) == most <= 300_000
    ids = {
        name: {
            str(e["id"])
            for e in BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser").find_all(id=True)
        }
        for name in page_names
    }
    for page, anchor, _heading in core["abschnitte"]:
        name = core["seiten"][page][0]
        assert not anchor or anchor in ids[name], (name, anchor)
    results = run_search(index, ["Richtsbergs", "Oberen Richtsbergs", "Wohnungslose", "Bedarfsgemeinschaften"])
    assert {"profil-243.html", "profil-244.html"} <= {hit["href"].split("#")[0] for hit in results[0]}
    assert results[1][0]["href"] == "profil-243.html"  # its title holds both words
    assert "profil-244.html" not in {hit["href"] for hit in results[1]}  # the Unterer Richtsberg
    assert any(hit["href"].startswith("03_wohnen.html") for hit in results[2])
    assert any(hit["href"].startswith("08_methodik.html#glossar") for hit in results[3])


def test_running_text_never_sets_two_numbers_side_by_side_or_a_sign_after_um(built):
    """ "am 31.12.2024 3.298 Menschen" reads as one number; "um +0,6 % verändert" says neither way."""
    edition, _ = built
    collisions, signed = [], []
    for name, html in _pages(edition).items():
        main = BeautifulSoup(html, "html.parser").find("main")
        for element in main.find_all(["table", "figure", "nav", "script"]):
            element.decompose()
        text = " ".join(main.get_text(" ", strip=False).split())
        year_then_number = r"\b(?:\d{1,2}\.\d{1,2}\.)?\d{4} \d[\d.,]*"
        collisions += [f"{name}: …{m.group(0)}…" for m in re.finditer(year_then_number, text)]
        signed += [f"{name}: …{m.group(0)}…" for m in re.finditer(r"\bum [+−-]\s?\d[\d.,]*", text)]
    assert collisions == []
    assert signed == []
