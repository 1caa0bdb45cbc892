"""Executed notebooks cleaned for readers: only markdown and the publishable outputs of code cells.

Engine-neutral: both engines render the notebooks this module returns. Code, stream output, raw
cells and the parameter cells never reach a page; a notebook with an error output stops the build
instead of publishing a traceback; cells get fixed ids and the notebook keeps only the metadata a
page needs, so builds compare byte for byte.
"""

from __future__ import annotations

import re

import nbformat

from sozialplanung.core.config import ChapterConfig
from sozialplanung.core.errors import PublishError

HIDDEN_CELL_TAGS = frozenset({"parameters", "injected-parameters"})
"""Cells that are never published: the notebook's defaults and Papermill's injected values."""
PUBLISHED_TYPES = ("text/html", "text/markdown")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
PUBLISHED_METADATA = ("kernelspec", "language_info")
"""Notebook metadata a published chapter keeps. Papermill's (start and end times, durations,
absolute input and output paths) differs in every run and never reaches a page."""
_TITLE_HEADING = re.compile(r"^#\s+(?P<text>.+?)\s*#*\s*$")
_CHAPTER_PREFIX = re.compile(r"^(kapitel\s*)?\d+\s*[.:)]?\s*")


def describe_chapter(chapter: ChapterConfig) -> str:
    """How error messages name a chapter."""
    return f"Chapter {chapter.id} ({chapter.title})"


def is_hidden(cell: nbformat.NotebookNode) -> bool:
    """True for a parameter cell, which no page and no download shows."""
    return bool(HIDDEN_CELL_TAGS & set(cell.get("metadata", {}).get("tags", ())))


def prepare_notebook(notebook: nbformat.NotebookNode, where: str, title: str | None = None) -> nbformat.NotebookNode:
    """A copy holding only what readers see: markdown cells and the publishable outputs of code cells.

    Code, stream output (stdout/stderr), raw cells and cells tagged ``parameters`` or
    ``injected-parameters`` are left out; each output keeps one type (HTML before Markdown). A
    leading ``# <title>`` is dropped, as the page shows the title. An error output anywhere raises
    :class:`PublishError` naming the notebook (``where``) and the cell.
    """
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    raise PublishError(
                        f"{where}: cell {number} has an error output "
                        f"({output.get('ename', 'Error')}: {output.get('evalue', '')}). A page with a "
                        "traceback is never published: fix the notebook and execute it again."
                    )
        if is_hidden(cell):
            continue
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(cell.source))
        elif cell.cell_type == "code":
            outputs = [o for o in (_publishable(o, where, number) for o in cell.get("outputs", [])) if o]
            if outputs:
                cells.append(nbformat.v4.new_code_cell("", outputs=outputs))
    if title is not None:
        cells = _without_title_heading(cells, title)
    for number, cell in enumerate(cells, start=1):
        cell.id = f"cell-{number}"  # nbformat's new cells get random ids; builds must not differ
    published = nbformat.v4.new_notebook(cells=cells)
    published.metadata = nbformat.from_dict(
        {key: notebook.metadata[key] for key in PUBLISHED_METADATA if key in notebook.metadata}
    )
    return published


def _publishable(output: nbformat.NotebookNode, where: str, number: int) -> nbformat.NotebookNode | None:
    if output.output_type not in ("display_data", "execute_result"):
        return None  # stream output is the analyst's log, not report content
    data = output.get("data", {})
    for mimetype in PUBLISHED_TYPES:
        if mimetype in data:
            return nbformat.v4.new_output("display_data", data={mimetype: data[mimetype]})
    if any(mimetype in data for mimetype in IMAGE_TYPES):
        raise PublishError(
            f"{where}: cell {number} shows a bare image, which has no alt text. Display "
            "figures as HTML <figure> with alt text and caption (sozialplanung.report.figures does so)."
        )
    return None  # plain-text reprs such as "<Figure size 640x480>" are no report content


def _normalised_title(text: str) -> str:
    return _CHAPTER_PREFIX.sub("", text.strip().casefold()).strip()


def _without_title_heading(cells: list, title: str) -> list:
    """Drop a leading ``# <title>``: the page shows the title from the edition's params."""
    markdown = next((c for c in cells if c.cell_type == "markdown" and c.source.strip()), None)
    if markdown is None or markdown is not cells[0]:
        return cells
    lines = markdown.source.strip().split("\n")
    match = _TITLE_HEADING.match(lines[0])
    if not match or _normalised_title(match["text"]) != _normalised_title(title):
        return cells
    rest = "\n".join(lines[1:]).strip()
    if not rest:
        return cells[1:]
    return [nbformat.v4.new_markdown_cell(rest), *cells[1:]]
