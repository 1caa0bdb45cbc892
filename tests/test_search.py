"""The site's search: the index (site/search.py) and the script that searches it (templates/suche.js).

The script runs here under Node.js on the index the build writes, as it runs in a browser; the
sample site's index is checked in tests/test_pipeline.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from sozialplanung.site.search import (
    INDEX_VARIABLE,
    SCRIPT_SOURCE,
    TEXT_VARIABLE,
    SearchIndex,
    build_index,
    fold,
    index_script,
    page_sections,
    stem,
    text_file,
    text_script,
    words,
)

PAGE = """<html><body><nav><p>Kinder Navigation</p></nav><main><h1>4 Familie und Kinder</h1>
<blockquote><p>Hinweis: synthetische Daten</p></blockquote>
<p>Einleitung über Familien.</p>
<h2 id="haushalte-mit-kindern">Haushalte mit Kindern</h2><p>In Marburg leben Familien mit Kindern.</p>
<table><caption>Tabelle: Alleinerziehende</caption><tbody><tr><td>Straße 17</td></tr></tbody></table>
<h3 id="lage">Lage</h3><p>Am Oberen Richtsberg wohnen viele Alleinerziehende.</p>
</main><footer><p>Herkunft</p></footer></body></html>"""
PROFILE = """<html><body><main><h1>Stadtteilprofil Südviertel</h1><p>Das Südviertel liegt südlich der Altstadt.</p>
<h2 id="entwicklung">Entwicklung</h2><p>Die SGB-II-Quote des Südviertels sank.</p></main></body></html>"""


def test_words_are_folded_and_stemmed_as_german():
    assert fold("Südviertel") == "sudviertel" and fold("Straße") == "strasse" and fold("GROẞE") == "grosse"
    assert stem("Kindern") == stem("Kinder") == "kind"
    assert stem("Richtsbergs") == stem("Richtsberg") and stem("Oberen") == stem("Oberer")
    assert stem("Bedarfsgemeinschaften") == stem("Bedarfsgemeinschaft")
    assert words("Die SGB-II-Quote sank") == ["Die", "SGB-II-Quote", "SGB", "II", "Quote", "sank"]


def test_sections_hold_running_text_and_captions_not_navigation_notices_or_table_cells():
    sections = page_sections(PAGE, 3, "4 Familie und Kinder")
    assert [(s.page, s.anchor, s.heading) for s in sections] == [
        (3, "", "4 Familie und Kinder"),
        (3, "haushalte-mit-kindern", "Haushalte mit Kindern"),
        (3, "lage", "Lage"),
    ]
    assert sections[0].text == "Einleitung über Familien."
    assert sections[1].text == "In Marburg leben Familien mit Kindern. Tabelle: Alleinerziehende"
    everything = " ".join(s.text for s in sections)
    assert "Navigation" not in everything and "synthetische" not in everything and "Herkunft" not in everything
    assert "17" not in everything and "Straße" not in everything  # table cells are not indexed


def test_the_index_maps_forms_to_stems_and_stems_to_sections():
    index = build_index([("04_familie.html", "4 Familie und Kinder", PAGE), ("profil-214.html", "Südviertel", PROFILE)])
    core = index.core
    assert core["seiten"] == [["04_familie.html", "4 Familie und Kinder"], ["profil-214.html", "Südviertel"]]
    assert core["abschnitte"] == [
        [0, "", "4 Familie und Kinder"],
        [0, "haushalte-mit-kindern", "Haushalte mit Kindern"],
        [0, "lage", "Lage"],
        [1, "", "Südviertel"],
        [1, "entwicklung", "Entwicklung"],
    ]
    forms, hits = core["formen"], core["treffer"]
    assert forms["kindern"] == forms["kinder"] != forms["familien"]
    assert hits[forms["kinder"]] == [0, 1]  # the page title "… Kinder" and the section
    assert hits[forms["sudviertels"]] == hits[forms["sudviertel"]] == [3, 4]
    assert hits[forms["quote"]] == [4]  # "SGB-II-Quote" is found by "Quote"
    assert sorted(set(forms.values())) == list(range(len(hits)))  # stems are numbers, each with its sections
    # the sections' text is not in the index every query loads, but per page, in the sections' order
    assert "Alleinerziehende" not in index_script(core) and "Einleitung" not in index_script(core)
    assert index.texts == {
        "04_familie.html": [
            "Einleitung über Familien.",
            "In Marburg leben Familien mit Kindern. Tabelle: Alleinerziehende",
            "Am Oberen Richtsberg wohnen viele Alleinerziehende.",
        ],
        "profil-214.html": ["Das Südviertel liegt südlich der Altstadt.", "Die SGB-II-Quote des Südviertels sank."],
    }
    assert index_script(core).startswith(f"window.{INDEX_VARIABLE}={{")
    assert text_file("profil-214.html") == "assets/suchtexte/profil-214.js"
    assert text_script("profil-214.html", ["Ä"]) == (
        f'(window.{TEXT_VARIABLE}=window.{TEXT_VARIABLE}||{{}})["profil-214.html"]=["Ä"];\n'
    )


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        pytest.fail("Node.js is needed to run the search script in tests: install it (Debian: apt-get install nodejs)")
    return found


def run_search(index: SearchIndex, queries: list[str]) -> list[list[dict]]:
    """The script's ``search`` for each query, run by Node.js on ``index``, each result with the
    excerpt the script cuts from its section's text."""
    program = (  # the index comes on stdin: a sample edition's is larger than one command-line argument may be
        f"const s = require({json.dumps(str(SCRIPT_SOURCE))});"
        f"const queries = {json.dumps(queries)};"
        "const {core, texts} = JSON.parse(require('fs').readFileSync(0, 'utf-8'));"
        "const withExcerpt = r => Object.assign(r, {snippet: s.snippet(core, s.sectionText(core, texts, r), r.stems)});"
        "process.stdout.write(JSON.stringify(queries.map(q => s.search(core, q).map(withExcerpt))));"
    )
    data = json.dumps({"core": index.core, "texts": index.texts})
    result = subprocess.run([node(), "-e", program], input=data, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


def test_the_script_finds_word_forms_umlaut_spellings_and_beginnings_and_needs_every_word():
    index = build_index([("04_familie.html", "4 Familie und Kinder", PAGE), ("profil-214.html", "Südviertel", PROFILE)])
    by_query = dict(
        zip(
            queries := [
                "Kindern",
                "Suedviertel",
                "SÜDVIERTEL",
                "Richtsbergs Alleinerziehende",
                "Richtsberg Südviertel",
                "Allein",
                "xyz",
                "",
            ],
            run_search(index, queries),
        )
    )
    hrefs = {query: [hit["href"] for hit in hits] for query, hits in by_query.items()}
    # sections whose heading (or page title) holds the word come first, then the report's order
    assert hrefs["Kindern"] == ["04_familie.html", "04_familie.html#haushalte-mit-kindern"]
    assert hrefs["Allein"] == ["04_familie.html#haushalte-mit-kindern", "04_familie.html#lage"]
    assert hrefs["Suedviertel"] == hrefs["SÜDVIERTEL"] == ["profil-214.html", "profil-214.html#entwicklung"]
    assert hrefs["Richtsbergs Alleinerziehende"] == ["04_familie.html#lage"]
    assert hrefs["Richtsberg Südviertel"] == []  # no section holds both
    assert hrefs["xyz"] == [] and hrefs[""] == []
    lage = by_query["Richtsbergs Alleinerziehende"][0]
    marked = [part["text"] for part in lage["snippet"]["parts"] if part["hit"]]
    assert marked == ["Richtsberg", "Alleinerziehende."]  # the words as the page writes them
