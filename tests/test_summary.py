"""Das Wichtigste in Kürze and its Leichte-Sprache twin: findings computed from hand-made frames,
worked out by hand, and the links into the chapters."""

from __future__ import annotations

import re
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

from sozialplanung.core.anchors import heading_anchor, unique_anchor
from sozialplanung.core.config import open_edition
from sozialplanung.report import claims, sentences
from sozialplanung.report import leichte_sprache as ls
from sozialplanung.report import summary as sm
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.statistics.confidentiality import PRIMARY, PUBLISHED

from conftest import REPO

TOPIC = {topic.key: topic for topic in sm.TOPICS}
DISTRICTS = pd.DataFrame(
    {
        "kennziffer": [211, 213, 243, 244],
        "stadtbezirk": ["Altstadt", "Campusviertel", "Oberer Richtsberg", "Unterer Richtsberg"],
        "nominativ": ["die Altstadt", "das Campusviertel", "der Obere Richtsberg", "der Untere Richtsberg"],
        "dativ": ["in der Altstadt", "im Campusviertel", "am Oberen Richtsberg", "am Unteren Richtsberg"],
        "genitiv": ["der Altstadt", "des Campusviertels", "des Oberen Richtsbergs", "des Unteren Richtsbergs"],
    }
)
PASSIVE = re.compile(r"\b(wird|werden|wurde|wurden|worden)\b", re.IGNORECASE)
SYMBOLS = re.compile(r"(?:^|\s)[.–x](?=$|\s|[,;:)])")
"""A table symbol standing where a number would ("lag bei . je 100", "– Menschen")."""
ABBREVIATION = re.compile(r"\b[A-ZÄÖÜ]{2,}\b|\b\w{1,3}\.\s?\w{1,3}\.|%")
NUMBER_WORDS = re.compile(r"\b(zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)\b", re.IGNORECASE)


def _row(year, kennziffer, indicator, zaehler, nenner, wert, status=PUBLISHED):
    return {
        "jahr": year,
        "kennziffer": kennziffer,
        "indikator": indicator,
        "zaehler": zaehler,
        "nenner": nenner,
        "wert": wert,
        "zaehler_status": status,
        "nenner_status": PUBLISHED,
        "wert_status": status,
    }


def context(rows, *, totals=None, hidden_totals=None, status_classes=None) -> ChapterContext:
    """A chapter context over hand-made frames (the sample edition's parameters: 2024, threshold 3)."""
    chapter = ChapterContext(open_edition("2024", REPO))
    chapter.__dict__.update(
        indicators=pd.DataFrame(rows),
        districts=DISTRICTS[["kennziffer", "stadtbezirk"]],
        district_grammar=sentences.DistrictGrammar.from_frame(DISTRICTS),
        tables={"wohnungsnotfaelle": totals if totals is not None else pd.DataFrame()},
        hidden_totals=hidden_totals
        if hidden_totals is not None
        else pd.DataFrame(columns=["jahr", "tabelle", "spalte", "schluessel", "status"]),
        sozialindex=SimpleNamespace(
            values=pd.DataFrame(
                {"kennziffer": list(status_classes or {}), "status_class": list((status_classes or {}).values())}
            )
        ),
    )
    return chapter


def sgb2_rows(**city_2024):
    """SGB II: the city 78 of 1.000 (7,8) in 2023, 81 of 1.000 (8,1) in 2024; the Altstadt 12,04 and
    the Campusviertel 11,96 (both 12,0: a tie), the Oberer Richtsberg 30,0 but hidden, the Unterer
    Richtsberg 5,0."""
    city = {"zaehler": 81, "nenner": 1000, "wert": 8.1} | city_2024
    status = city.pop("status", PUBLISHED)
    return [
        _row(2023, 0, "sgb2_quote", 78, 1000, 7.8),
        _row(2024, 0, "sgb2_quote", city["zaehler"], city["nenner"], city["wert"], status),
        _row(2024, 211, "sgb2_quote", 301, 2500, 12.04),
        _row(2024, 213, "sgb2_quote", 299, 2500, 11.96),
        _row(2024, 243, "sgb2_quote", 2, 100, 30.0, PRIMARY),  # hidden: never named, though it is highest
        _row(2024, 244, "sgb2_quote", 50, 1000, 5.0),
    ]


def easy_lines(finding: sm.Finding) -> list[str]:
    text = ls.easy_text(finding, {})
    return [*text.sentences, *(s for term in text.terms for s in term.explanation)]


# --- anchors ---------------------------------------------------------------------------------------


def test_heading_anchors_follow_pandocs_documented_examples():
    # https://pandoc.org/MANUAL.html#extension-auto_identifiers
    assert heading_anchor("Heading identifiers in HTML") == "heading-identifiers-in-html"
    assert heading_anchor("Maître d'hôtel") == "maître-dhôtel"
    assert heading_anchor("Dogs?--in my house?") == "dogs--in-my-house"
    assert heading_anchor("HTML, S5, or RTF?") == "html-s5-or-rtf"
    assert heading_anchor("3. Applications") == "applications"
    assert heading_anchor("33") == "section"
    assert heading_anchor("Grundsicherung für Arbeitsuchende (SGB II)") == "grundsicherung-für-arbeitsuchende-sgb-ii"
    assert unique_anchor("Definitionen", {"definitionen", "definitionen-1"}) == "definitionen-2"


def test_every_topic_links_to_a_section_heading_of_its_chapter_notebook():
    """The cheap half of the link check (the built site's half is in test_pipeline.py)."""
    config = open_edition("2024", REPO).config
    for topic in sm.TOPICS:
        assert topic.section.chapter in {c.id for c in config.chapters}, topic.key
        notebook = nbformat.read(REPO / "notebooks" / f"{topic.section.chapter}.ipynb", as_version=4)
        headings = [
            line[3:].strip()
            for cell in notebook.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if line.startswith("## ")
        ]
        assert topic.section.heading in headings, topic.key
        assert topic.section.href == f"{topic.section.chapter}.html#{heading_anchor(topic.section.heading)}"


# --- findings from hand-made frames ----------------------------------------------------------------


def test_a_rate_finding_holds_the_published_numbers_direction_and_tied_districts():
    finding = sm.rate_finding(context(sgb2_rows()), TOPIC["sgb2"])
    assert finding.count.value == 81 and 'data-zelle="indikator/sgb2_quote/zaehler/2024/0"' in finding.count.text
    assert (finding.previous_rate.text, finding.rate.text) == ("7,8", "8,1")
    assert finding.rate_direction == "gestiegen" and finding.count_direction == "gestiegen"
    assert finding.districts == ("Altstadt", "Campusviertel")  # 12,04 and 11,96 are both 12,0
    text = " ".join(sm.standard_sentences(finding))
    assert "Die SGB-II-Quote lag bei 8,1 je 100 Einwohner unter 65 Jahren." in text
    assert "Gegenüber 2023 (7,8) ist sie um 0,3 Prozentpunkte gestiegen." in text
    assert "Am höchsten war die SGB-II-Quote mit je 12,0 in zwei Stadtbezirken (Altstadt und Campusviertel)." in text
    easy = ls.easy_text(finding, {"02_existenzsicherung": "Existenzsicherung und Armut"})
    assert easy.sentences[1:] == (
        "Das ist etwa jede 12. Person unter 65 Jahren.",  # 100 / 8,1 = 12,3
        "Das sind mehr Menschen als im Jahr 2023.",
        "In diesen Stadtteilen bekommen besonders viele Menschen Bürgergeld:",
    )
    assert easy.items == ("Altstadt", "Campusviertel")
    assert (
        easy.link
        == "[Kapitel Existenzsicherung und Armut](02_existenzsicherung.html#grundsicherung-für-arbeitsuchende-sgb-ii)"
    )


def test_a_hidden_value_is_never_named_not_even_as_the_highest():
    finding = sm.rate_finding(context(sgb2_rows()), TOPIC["sgb2"])
    everything = " ".join(sm.standard_sentences(finding) + easy_lines(finding) + list(finding.districts))
    assert "Richtsberg" not in everything.replace("Unterer Richtsberg", "")
    assert "30,0" not in everything


def test_directions_are_judged_on_the_published_rounded_values():
    # 8,14 and 8,06 are both published as 8,1: unchanged, although the raw values fell
    rows = sgb2_rows(wert=8.06, zaehler=79, nenner=980)
    rows[0] = _row(2023, 0, "sgb2_quote", 79, 970, 8.14)
    finding = sm.rate_finding(context(rows), TOPIC["sgb2"])
    assert finding.rate_direction == "unverändert" and finding.count_direction == "unverändert"
    assert "Gegenüber 2023 (8,1) ist sie unverändert geblieben." in " ".join(sm.standard_sentences(finding))
    assert "Das sind genauso viele Menschen wie im Jahr 2023." in ls.easy_text(finding, {}).sentences


def test_a_hidden_city_count_is_said_to_be_hidden_and_compared_with_nothing():
    finding = sm.rate_finding(context(sgb2_rows(zaehler=2, wert=0.2, status=PRIMARY)), TOPIC["sgb2"])
    assert finding.count.value is None and finding.rate.value is None
    assert finding.count_direction is None and finding.rate_direction is None
    standard = sm.standard_sentences(finding)
    assert standard[0] == "Die Zahl für 2024 kann aus Gründen der Geheimhaltung nicht ausgewiesen werden."
    assert not any("Gegenüber" in s or "lag bei" in s for s in standard)
    easy = ls.easy_text(finding, {}).sentences
    assert easy[0] == "Die Zahl für das Jahr 2024 ist geheim." and not any("als im Jahr" in s for s in easy)
    assert not any(SYMBOLS.search(s) for s in standard + list(easy))


def test_the_population_change_is_the_relative_change_of_the_published_counts():
    rows = [_row(2023, 0, "auslaenderanteil", 100, 1000, 10.0), _row(2024, 0, "auslaenderanteil", 99, 990, 10.0)]
    finding = sm.population_finding(context(rows), TOPIC["bevoelkerung"])
    assert finding.count.value == 990 and finding.count_direction == "gesunken"
    assert sm.standard_sentences(finding)[1] == claims.annotate(
        "Gegenüber 2023 ist die Einwohnerzahl um 1,0 % gesunken.",
        claims.Change("stadt", "summe:bevoelkerung:anzahl:", 2023, 2024, "gesunken"),
    )
    assert ls.easy_text(finding, {}).sentences[1] == "Das sind weniger Menschen als im Jahr 2023."


def test_a_hidden_city_total_of_the_previous_year_gives_no_direction():
    totals = pd.DataFrame({"jahr": [2023, 2024], "kategorie": ["wohnungslose_gesamt"] * 2, "anzahl": [2, 40]})
    hidden = pd.DataFrame(
        {
            "jahr": [2023],
            "tabelle": ["wohnungsnotfaelle"],
            "spalte": ["anzahl"],
            "schluessel": ["kategorie=wohnungslose_gesamt"],
            "status": [PRIMARY],
        }
    )
    finding = sm.total_finding(context([], totals=totals, hidden_totals=hidden), TOPIC["wohnungslosigkeit"])
    assert finding.count.value == 40 and finding.previous_count.value is None
    assert finding.count_direction is None
    assert sm.standard_sentences(finding) == [
        'Am 31.12.2024 waren in Marburg <span class="anzahl" '
        'data-zelle="summe/wohnungsnotfaelle/anzahl/2024/kategorie=wohnungslose_gesamt">40</span> '
        "Menschen als wohnungslos bekannt."
    ]


def test_the_sozialindex_names_the_lowest_status_class_that_has_districts():
    chapter = context([], status_classes={243: "sehr niedrig", 244: "niedrig", 211: "sehr niedrig", 213: "hoch"})
    finding = sm.index_finding(chapter, TOPIC["sozialindex"])
    assert finding.status_class == "sehr niedrig" and finding.districts == ("Altstadt", "Oberer Richtsberg")
    assert sm.standard_sentences(finding) == [
        "Nach dem Sozialindex 2024 haben zwei Stadtbezirke einen sehr niedrigen sozialen Status: "
        "Altstadt und Oberer Richtsberg."
    ]
    single = sm.index_finding(context([], status_classes={244: "niedrig", 213: "hoch"}), TOPIC["sozialindex"])
    assert ls.easy_text(single, {}).sentences[1] == (
        "Am Unteren Richtsberg haben besonders viele Menschen wenig Geld oder keine Arbeit."
    )
    none = sm.index_finding(context([], status_classes={213: "hoch"}), TOPIC["sozialindex"])
    assert none.districts == () and "kein Stadtbezirk" in sm.standard_sentences(none)[0]


def test_a_finding_links_only_into_a_chapter_the_edition_has():
    chapter = context(sgb2_rows())
    config = chapter.config.model_copy(update={"chapters": chapter.config.chapters[:1]})
    chapter = ChapterContext(SimpleNamespace(config=config))
    chapter.__dict__.update(context(sgb2_rows()).__dict__ | {"edition": chapter.edition})
    finding = sm.rate_finding(chapter, TOPIC["sgb2"])
    assert not finding.linked
    assert "02_existenzsicherung.html" not in sm.summary_markdown(chapter, [finding])
    assert ls.easy_text(finding, {}).link == ""


# --- Leichte Sprache ---------------------------------------------------------------------------------


def test_leichte_sprache_sentences_are_short_active_digit_only_and_without_symbols_or_abbreviations():
    rows = [
        *sgb2_rows(),
        _row(2023, 0, "kinderarmut", 130, 1000, 13.0),
        _row(2024, 0, "kinderarmut", 138, 1000, 13.8),
        _row(2024, 243, "kinderarmut", 440, 1200, 36.6),
        _row(2024, 244, "kinderarmut", 100, 1000, 10.0),
    ]
    chapter = context(rows, status_classes={243: "sehr niedrig", 211: "sehr niedrig", 213: "sehr niedrig"})
    findings = [
        sm.rate_finding(chapter, TOPIC["sgb2"]),
        sm.rate_finding(chapter, TOPIC["kinderarmut"]),
        sm.index_finding(chapter, TOPIC["sozialindex"]),
    ]
    lines = [line for finding in findings for line in easy_lines(finding)]
    lines += [
        *ls.easy_intro(chapter).split("\n\n"),
        *[term for t in sm.TOPICS for term in (t.easy_count, t.easy_highest)],
    ]
    for line in lines:
        assert len(ls.words(line)) <= ls.MAX_WORDS, line
        assert not PASSIVE.search(line), line
        assert not SYMBOLS.search(re.sub(r"<[^>]+>", "", line)), line
        assert not ABBREVIATION.search(line), line
        assert not NUMBER_WORDS.search(line), line
    assert "Das ist etwa jedes 7. Kind unter 15 Jahren." in lines  # 100 / 13,8 = 7,2
    assert "Am Oberen Richtsberg bekommen besonders viele Kinder Bürgergeld." in lines
    markdown = ls.easy_markdown(chapter, findings)
    assert markdown.count("> **Bürgergeld:**") == 1  # a word is explained once, where it first appears


def test_the_checks_of_leichte_sprache_catch_what_they_are_for():
    assert PASSIVE.search("Das Geld wird vom Amt gezahlt.")
    assert SYMBOLS.search("Die Quote lag bei . je 100.") and SYMBOLS.search("Es waren – Menschen.")
    assert not SYMBOLS.search("Am höchsten war sie mit 12,0 (Altstadt und Campusviertel).")
    assert ABBREVIATION.search("Leistungen nach dem SGB II") and ABBREVIATION.search("z. B. den Bus")
    assert len(ls.words("Eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf 13 14 15 16")) > 15


@pytest.mark.parametrize("notebook", ["00_kurzfassung", "00_leichte_sprache"])
def test_the_summary_notebooks_only_call_the_package(notebook):
    source = "\n".join(c.source for c in nbformat.read(REPO / "notebooks" / f"{notebook}.ipynb", as_version=4).cells)
    assert "key_findings(chapter)" in source
    assert not re.search(r"\d{3,}", source.replace("2024", "")), "numbers come from the data, never typed"
