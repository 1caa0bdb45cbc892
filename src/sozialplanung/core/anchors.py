"""Fragment identifiers of headings, so a link can point into a section of another page.

Both publishing engines give every heading of a chapter the same ``id``: Quarto through Pandoc's
automatic identifiers, the nbconvert engine through :func:`heading_anchor`, which follows Pandoc's
rules (https://pandoc.org/MANUAL.html#extension-auto_identifiers): keep letters, digits, ``_``,
``-`` and ``.``; spaces become hyphens; lower case; drop everything before the first letter;
``section`` when nothing is left; a repeated identifier gets ``-1``, ``-2`` … appended.
"""

from __future__ import annotations

from collections.abc import Collection

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
