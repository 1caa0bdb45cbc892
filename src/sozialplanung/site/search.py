"""Search over every page of the edition, opened from disk as well as served over HTTP.

The index is a script (``assets/suche-index.js``) that the search page loads with a ``<script>``
element, and the search itself is a small local script (``assets/suche.js``). A browser lets a page
opened from disk (``file://``) load scripts beside it but not ``fetch()`` files: that is why
Pagefind, which fetches its index and WebAssembly, finds nothing from disk (its issue #202), and why
this edition ships one index that works both ways instead of two searches.

What a query downloads stays small (budget: 300 kB on the sample edition, for servers that do not
compress): the index every query loads holds the words, their stems and the sections' headings;
the sections' text, from which a result's excerpt is cut, lies in one script per page
(``assets/suchtexte/<page>.js``), loaded only for the pages of the results shown (at most
:data:`RESULTS_SHOWN`). :func:`largest_download` is the most any query can load.

German word forms: every word of the pages is reduced to its stem with the Snowball German stemmer
(``snowballstemmer``, the one Sphinx uses), so "Kindern" finds "Kinder" and "Richtsbergs" finds
"Oberer Richtsberg". The index maps each written form to its stem and each stem to the sections it
occurs in; a query word is looked up as a form (its stem then finds every form) or, while it is
being typed, as the beginning of forms. Forms are compared case-folded, with ß as ss and without
diacritics, so "Suedviertel", "Südviertel" and "sudviertel" meet (the script also reads ae, oe and
ue as umlauts).

Sections are the parts of a page under its headings (``h2``, ``h3``); every heading has a stable
``id`` from its text (:mod:`sozialplanung.core.anchors`), so a result links to its section. Indexed are the
running text, list items and captions of figures and tables; the cells of tables are not (a search
for a number finds its sentence). Navigation, footer and notices are left out: they are on every
page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer
from bs4 import BeautifulSoup

from sozialplanung.core.paths import TEMPLATES_DIR

INDEX_PATH = "assets/suche-index.js"
TEXT_FOLDER = "assets/suchtexte/"
SCRIPT_PATH = "assets/suche.js"
SCRIPT_SOURCE = TEMPLATES_DIR / "suche.js"
INDEX_VARIABLE = "SOZIALBERICHT_SUCHINDEX"
TEXT_VARIABLE = "SOZIALBERICHT_SUCHTEXTE"
RESULTS_SHOWN = 30
"""Results listed at most; the texts of their pages are what a query loads beyond the index."""
SEARCH_PAGE = "suche.html"

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_SECTION_HEADINGS = ("h2", "h3")
_TEXT_ELEMENTS = ("p", "li", "figcaption", "caption", "dt", "dd")
# Notices (blockquotes: the synthetic-data notice of every chapter), navigation and forms are on
# every page and would make every page a hit.
_LEFT_OUT = ("nav", "footer", "script", "style", "noscript", "form", "thead", "tbody", "tfoot", "blockquote")
_stemmer = snowballstemmer.stemmer("german")


def fold(word: str) -> str:
    """A word as the index compares it: case-folded, ß as ss, without diacritics."""
    decomposed = unicodedata.normalize("NFD", word.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """The Snowball German stem of a word, folded like :func:`fold`."""
    return fold(_stemmer.stemWord(word.casefold()))


def words(text: str) -> list[str]:
    """The words of a text; a hyphenated compound also gives its parts ("SGB-II-Quote" → "Quote")."""
    found = []
    for match in _WORD.findall(text):
        found.append(match)
        if "-" in match:
            found += [part for part in match.split("-") if part]
    return found


@dataclass(frozen=True)
class Section:
    page: int
    anchor: str
    heading: str
    text: str


def page_sections(html: str, number: int, title: str) -> list[Section]:
    """The searchable sections of one page: the text before the first heading under the page's
    title, then one section per ``h2``/``h3``."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main")
    if main is None:
        return []
    for element in main.find_all(_LEFT_OUT):
        element.decompose()
    sections = [Section(number, "", title, "")]
    texts: list[list[str]] = [[]]
    for element in main.find_all([*_SECTION_HEADINGS, *_TEXT_ELEMENTS]):
        if element.name in _SECTION_HEADINGS:
            sections.append(Section(number, str(element.get("id", "")), element.get_text(" ", strip=True), ""))
            texts.append([])
        elif element.find_parent(_TEXT_ELEMENTS) is None:  # a list inside a paragraph counts once
            texts[-1].append(" ".join(element.get_text(" ", strip=True).split()))
    filled = [Section(s.page, s.anchor, s.heading, " ".join(t for t in text if t)) for s, text in zip(sections, texts)]
    return [s for s in filled if s.text or s.anchor]


@dataclass(frozen=True)
class SearchIndex:
    """The index every query loads (``core``, as the script reads it) and each page's sections'
    text, loaded for the results shown (``texts``: page file name → texts in the order of its
    sections in ``core["abschnitte"]``)."""

    core: dict[str, object]
    texts: dict[str, list[str]]


def build_index(pages: list[tuple[str, str, str]]) -> SearchIndex:
    """The search index of ``pages`` (filename, title, HTML).

    In ``core``: ``seiten`` (file name, title), ``abschnitte`` (page number, anchor, heading),
    ``formen`` (each written form, folded, → the number of its stem) and ``treffer`` (per stem
    number, the sections it occurs in); stems are numbered in their sorted order and not shipped
    as text: a query needs to know which forms share a stem, not what the stem is."""
    sections: list[Section] = []
    for number, (_filename, title, html) in enumerate(pages):
        sections += page_sections(html, number, title)
    stem_of: dict[str, str] = {}
    sections_of: dict[str, list[int]] = {}
    for position, section in enumerate(sections):
        for word in words(f"{section.heading} {section.text}"):
            folded = fold(word)
            if folded not in stem_of:
                stem_of[folded] = stem(word)
            found = sections_of.setdefault(stem_of[folded], [])
            if not found or found[-1] != position:
                found.append(position)
    numbers = {root: number for number, root in enumerate(sorted(sections_of))}
    texts: dict[str, list[str]] = {filename: [] for filename, _title, _html in pages}
    for section in sections:
        texts[pages[section.page][0]].append(section.text)
    core = {
        "seiten": [[filename, title] for filename, title, _html in pages],
        "abschnitte": [[s.page, s.anchor, s.heading] for s in sections],
        "formen": {form: numbers[root] for form, root in sorted(stem_of.items())},
        "treffer": [sections_of[root] for root in sorted(sections_of)],
        "texte": TEXT_FOLDER,
        "gezeigt": RESULTS_SHOWN,
    }
    return SearchIndex(core, {filename: found for filename, found in texts.items() if found})


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def index_script(core: dict[str, object]) -> str:
    """The index as a script that defines one global variable (loadable from disk)."""
    return f"window.{INDEX_VARIABLE}={_json(core)};\n"


def text_file(filename: str) -> str:
    """Where the sections' text of page ``filename`` lies, relative to the site."""
    return TEXT_FOLDER + Path(filename).with_suffix(".js").name


def text_script(filename: str, texts: list[str]) -> str:
    """One page's sections' text as a script that adds it to a global object under the page's name."""
    registry = f"window.{TEXT_VARIABLE}"
    return f"({registry}={registry}||{{}})[{_json(filename)}]={_json(texts)};\n"


def write_search_index(folder: Path, pages: list[tuple[str, str]]) -> Path:
    """Index the rendered ``pages`` (filename, title) under ``folder`` (those an engine wrote), write the
    index, the pages' texts and the search script into its assets, and return the index's path."""
    contents = [
        (name, title, (folder / name).read_text(encoding="utf-8")) for name, title in pages if (folder / name).is_file()
    ]
    index = build_index(contents)
    (folder / TEXT_FOLDER).mkdir(parents=True, exist_ok=True)
    target = folder / INDEX_PATH
    target.write_text(index_script(index.core), encoding="utf-8", newline="\n")
    for filename, texts in index.texts.items():
        (folder / text_file(filename)).write_text(text_script(filename, texts), encoding="utf-8", newline="\n")
    (folder / SCRIPT_PATH).write_text(SCRIPT_SOURCE.read_text(encoding="utf-8"), encoding="utf-8", newline="\n")
    return target


def largest_download(folder: Path) -> int:
    """The most bytes any query on the site in ``folder`` can load: the index, the search script and
    the texts of the :data:`RESULTS_SHOWN` pages with the largest texts."""
    texts = sorted((path.stat().st_size for path in (folder / TEXT_FOLDER).glob("*.js")), reverse=True)
    return (folder / INDEX_PATH).stat().st_size + (folder / SCRIPT_PATH).stat().st_size + sum(texts[:RESULTS_SHOWN])


def read_search_index(folder: Path) -> SearchIndex:
    """The index written into the site in ``folder``, read back from its scripts (for checks and the
    search benchmark)."""
    script = (folder / INDEX_PATH).read_text(encoding="utf-8")
    core = json.loads(script.removeprefix(f"window.{INDEX_VARIABLE}=").removesuffix(";\n"))
    registry = f"(window.{TEXT_VARIABLE}=window.{TEXT_VARIABLE}||{{}})["
    texts = {}
    for filename, _title in core["seiten"]:
        path = folder / text_file(filename)
        if path.is_file():
            name, found = path.read_text(encoding="utf-8").removeprefix(registry).removesuffix(";\n").split("]=", 1)
            texts[json.loads(name)] = json.loads(found)
    return SearchIndex(core, texts)
