"""Stable anchors and a citation line for every table and figure of a page, and the licence notice.

Every published table (``div[data-table-id]``) and figure (``figure``) of a chapter or district
profile gets an ``id`` that a link can point to, and below it a suggested citation in German that
names author, year of publication, edition, page and caption, the licence and the link to the
anchor (:func:`cite_fragment`). Both engines apply it: nbconvert to the converted page fragment,
Quarto to the HTML outputs of the notebook it renders (:func:`cite_notebook`).

An anchor is made from the caption without years and dates (``Leistungsberechtigte nach dem SGB II
nach Stadtbezirken 2024`` → ``tabelle-leistungsberechtigte-nach-dem-sgb-ii-nach-stadtbezirken``), so
it stays the same from build to build and from one edition to the next, where the captions name
another year; the page (chapter id or district) is the link's file name. Two tables or figures of a
page whose captions differ only in their years are told apart by ``-2``, ``-3`` … in page order.

Author, publisher, year of publication, web address and licence come from the edition's
``publication`` parameters (:class:`~sozialplanung.core.config.PublicationConfig`; default: the
Datenlizenz Deutschland – Namensnennung – Version 2.0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag

from sozialplanung.core.config import EditionConfig
from sozialplanung.report.tables import table_slug
from sozialplanung.site.sitemap import Page

CITATION_CLASS = "zitiervorschlag"
TABLE_PREFIX, FIGURE_PREFIX = "tabelle", "abbildung"
_DATE = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)\d\d\b")
_YEARS = re.compile(r"\b(?:19|20)\d\d(?:\s*[–-]\s*(?:19|20)\d\d)?\b")
_SOURCE = re.compile(r"\s*\bQuelle:.*$", re.DOTALL)
_SENTENCE_END = re.compile(r"\.(?:\s|$)|;")
_DANGLING = frozenset(
    {"am", "ab", "bis", "das", "dem", "den", "der", "des", "die", "im", "in", "seit", "und", "vom", "von", "zum", "zur"}
)
"""Words left at the end of a caption once its years are gone ("… am 31.12.2024" → "… am")."""


@dataclass(frozen=True)
class Citation:
    """What every citation line of an edition says besides the caption."""

    author: str
    year: int
    work: str
    licence_title: str
    licence_url: str
    base_url: str | None = None

    @classmethod
    def of(cls, config: EditionConfig) -> Citation:
        publication = config.publication
        return cls(
            author=publication.author,
            year=config.publication_year,
            work=config.title,
            licence_title=publication.licence.title,
            licence_url=publication.licence.url,
            base_url=publication.url,
        )

    def address(self, filename: str, anchor: str) -> str:
        """The link to an anchor: absolute when the edition's web address is known, else relative."""
        relative = f"{filename}#{anchor}"
        return f"{self.base_url.rstrip('/')}/{relative}" if self.base_url else relative

    def text(self, part: str, kind: str, caption: str) -> str:
        """``Universitätsstadt Marburg (2025): <edition>, <part>, Tabelle „<caption>“.``"""
        return f"{self.author} ({self.year}): {self.work}, {part}, {kind} „{caption}“."


def page_part(page: Page) -> str:
    """How a citation names the page: ``Kapitel 2 Existenzsicherung und Armut`` or the profile's heading."""
    return f"Kapitel {page.heading}" if page.chapter_id is not None else page.heading


def licence_notice(config: EditionConfig) -> tuple[str, str, str]:
    """``(text before the link, licence title, licence URL)`` of the notice in every footer and download."""
    publication = config.publication
    return f"Herausgeber: {publication.publisher}. Lizenz: ", publication.licence.title, publication.licence.url


def licence_line(config: EditionConfig) -> str:
    """The licence notice as one line of plain text (downloads)."""
    before, title, url = licence_notice(config)
    return f"{before}{title} ({url})"


def anchor_slug(caption: str) -> str:
    """The part of an anchor made from a caption: its slug without years, dates and the words left
    dangling at the end by them."""
    text = _YEARS.sub(" ", _DATE.sub(" ", caption))
    words = table_slug(text).split("-")
    while len(words) > 1 and words[-1] in _DANGLING:
        words.pop()
    return "-".join(words)


def figure_title(figcaption: str) -> str:
    """A figure's title: its caption without the source, up to the end of its first sentence or clause (``;``)."""
    text = " ".join(_SOURCE.sub("", figcaption).split())
    match = _SENTENCE_END.search(text)
    return (text[: match.start()] if match else text).strip()


def _caption(element: Tag, name: str) -> str:
    found = element.find(name)
    return " ".join(found.get_text(" ").split()) if found is not None else ""


def _anchor(prefix: str, caption: str, fallback: int, used: set[str]) -> str:
    base = f"{prefix}-{anchor_slug(caption) if caption else fallback}"
    anchor, number = base, 1
    while anchor in used:
        number += 1
        anchor = f"{base}-{number}"
    used.add(anchor)
    return anchor


def _citation_line(soup: BeautifulSoup, citation: Citation, text: str, href: str) -> Tag:
    line = soup.new_tag("p", attrs={"class": CITATION_CLASS})
    line.append(f"Zitiervorschlag: {text} Lizenz: ")
    licence = soup.new_tag("a", attrs={"href": citation.licence_url, "rel": "license"})
    licence.string = citation.licence_title
    line.append(licence)
    line.append(". Link: ")
    link = soup.new_tag("a", attrs={"href": href})
    link.string = href
    line.append(link)
    return line


def cite_fragment(html: str, page: Page, citation: Citation, used: set[str] | None = None) -> str:
    """Give every table and figure of ``html`` (a page's content) its anchor and citation line.

    ``used`` collects the anchors already given on the page (for a page made of several fragments,
    as Quarto's outputs are); applying this twice gives the same result.
    """
    used = set() if used is None else used
    soup = BeautifulSoup(html, "html.parser")
    for old in soup.find_all("p", class_=CITATION_CLASS):
        old.decompose()
    part = page_part(page)
    elements = soup.find_all(lambda tag: tag.name == "figure" or (tag.name == "div" and tag.has_attr("data-table-id")))
    for number, element in enumerate(elements, start=1):
        if element.name == "figure":
            caption = figure_title(_caption(element, "figcaption"))
            anchor = _anchor(FIGURE_PREFIX, caption, number, used)
            text = citation.text(part, "Abbildung", caption or f"Nr. {number}")
        else:
            caption = _caption(element, "caption")
            anchor = _anchor(TABLE_PREFIX, caption, number, used)
            text = citation.text(part, "Tabelle", caption or str(element["data-table-id"]))
        element["id"] = anchor
        line = _citation_line(soup, citation, text, citation.address(page.filename, anchor))
        if element.name == "figure":
            element.insert_after(line)
        else:
            element.append(line)
    return str(soup)


def cite_notebook(notebook: Any, page: Page, citation: Citation) -> None:
    """:func:`cite_fragment` applied in place to every HTML output of a (cleaned) notebook, with the
    anchors shared across its outputs. For engines that render the notebook themselves (Quarto)."""
    used: set[str] = set()
    for output in _html_outputs(notebook.cells):
        html = output["data"]["text/html"]
        html = "".join(html) if isinstance(html, list) else html
        if "data-table-id" in html or "<figure" in html:
            output["data"]["text/html"] = cite_fragment(html, page, citation, used)


def _html_outputs(cells: Iterable[Any]) -> Iterable[Any]:
    for cell in cells:
        for output in cell.get("outputs", []):
            if "text/html" in output.get("data", {}):
                yield output
