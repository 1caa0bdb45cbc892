"""Fragment identifiers of headings, so a link can point into a section of another page.

Both publishing engines give every heading of a chapter the same ``id``: Quarto through Pandoc's
automatic identifiers, the nbconvert engine through :func:`heading_anchor`, which follows Pandoc's
rules (https://pandoc.org/MANUAL.html#extension-auto_identifiers): keep letters, digits, ``_``,
``-`` and ``.``; spaces become hyphens; lower case; drop everything before the first letter;
``section`` when nothing is left; a repeated identifier gets ``-1``, ``-2`` … appended.
"""

from __future__ import annotations

from collections.abc import Collection

from bs4 import BeautifulSoup, Tag
from markupsafe import Markup

EMPTY_ANCHOR = "section"


def heading_anchor(text: str) -> str:
    """The identifier of a heading: "Grundsicherung für Arbeitsuchende (SGB II)" →
    ``grundsicherung-für-arbeitsuchende-sgb-ii``; "3. Wohnen" → ``wohnen``."""
    kept = "".join(c for c in text if c.isalnum() or c in "_-." or c.isspace())
    slug = "-".join(kept.split()).lower()
    first_letter = next((i for i, c in enumerate(slug) if c.isalpha()), len(slug))
    return slug[first_letter:] or EMPTY_ANCHOR


def unique_anchor(text: str, taken: Collection[str]) -> str:
    """:func:`heading_anchor`, with ``-1``, ``-2`` … appended while it is ``taken`` on the page."""
    anchor = heading_anchor(text)
    candidate, number = anchor, 0
    while candidate in taken:
        number += 1
        candidate = f"{anchor}-{number}"
    return candidate


def anchor_headings(soup: BeautifulSoup | Tag) -> None:
    """Give every heading of ``soup`` without an ``id`` its :func:`unique_anchor` on the page."""
    taken = {str(tag["id"]) for tag in soup.find_all(id=True)}
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        if not heading.get("id"):
            heading["id"] = unique_anchor(heading.get_text(" ", strip=True), taken)
            taken.add(heading["id"])


def with_heading_ids(fragment: Markup) -> Markup:
    """An HTML fragment whose headings have ids (:func:`anchor_headings`); unchanged if they all do."""
    soup = BeautifulSoup(str(fragment), "html.parser")
    if all(heading.get("id") for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])):
        return fragment
    anchor_headings(soup)
    return Markup(str(soup))
