"""Publishing: executed chapter notebooks become the German HTML edition.

The built-in engine converts each chapter with nbconvert's ``HTMLExporter`` and the project's own
template (``templates/nbconvert/sozialbericht``: no code, no prompts, no MathJax, no scripts) and
wraps it in one page layout; Quarto is an optional second engine (:mod:`sozialplanung.quarto`).
Both publish only what a reader should see: stream output, parameter cells and raw cells are left
out, and a notebook with an error output stops the build instead of publishing a traceback.

A site is built in a temporary sibling folder and swapped in at the end, so a failed build never
leaves a half-written edition where a good one was.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
from bs4 import BeautifulSoup
from markupsafe import Markup
from nbconvert import HTMLExporter

from . import load
from .atomic import replace_directory
from .config import ChapterConfig, Edition
from .errors import PublishError
from .pages import (
    ACCESSIBILITY_PAGE,
    METHOD_PAGE,
    START_PAGE,
    render_accessibility,
    render_layout,
    render_method,
    render_start,
    site_pages,
)
from .paths import TEMPLATES_DIR

ENGINES = ("auto", "nbconvert", "quarto")
HIDDEN_CELL_TAGS = frozenset({"parameters", "injected-parameters"})
PUBLISHED_TYPES = ("text/html", "text/markdown")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
NBCONVERT_TEMPLATES = TEMPLATES_DIR / "nbconvert"
NBCONVERT_TEMPLATE = "sozialbericht"
STYLESHEET = TEMPLATES_DIR / "style.css"
STYLESHEET_PATH = "assets/style.css"
"""Where the stylesheet goes inside the site (every page links to it relatively)."""
_NBCONVERT_ALT = "No description has been provided for this image"
"""What HTMLExporter puts into an ``<img>`` without alt text: an English non-description."""
_RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data")
_CSS_URL = re.compile(r"url\(\s*(?!['\"]?\s*data:)|@import", re.IGNORECASE)
_TITLE_HEADING = re.compile(r"^#\s+(?P<text>.+?)\s*#*\s*$")
_CHAPTER_PREFIX = re.compile(r"^(kapitel\s*)?\d+\s*[.:)]?\s*")


def publish(edition: Edition, engine: str = "auto", quarto_executable: str | None = None, timeout: float = 600) -> Path:
    """Build the HTML edition with the chosen engine; returns the site's ``index.html``.

    ``auto`` uses Quarto when it is found and the built-in nbconvert engine otherwise.
    """
    if engine not in ENGINES:
        raise PublishError(f"Unknown publishing engine {engine!r}; choose one of {', '.join(ENGINES)}.")
    # Imported here rather than at the top: the Quarto engine builds on this module's helpers.
    from . import quarto

    if engine == "nbconvert" or (engine == "auto" and quarto_executable is None and quarto.find_quarto() is None):
        return build_site_nbconvert(edition)
    executable = quarto.find_quarto(quarto_executable)
    if executable is None:
        raise quarto.not_found_error(quarto_executable)
    return quarto.render_with_quarto(edition, executable, timeout)


# --- reading and cleaning chapters (shared by both engines) ---------------------------------


def read_indicator_frame(edition: Edition) -> pd.DataFrame:
    path = edition.paths.indicators_file
    if not path.is_file():
        raise PublishError(
            f"Indicator file {edition.project.relative(path)} not found; the start page needs it. "
            "Run `sozialbericht indicators` (or `dvc repro`) first."
        )
    return load.read_indicators(path)


def _describe(chapter: ChapterConfig) -> str:
    return f"Chapter {chapter.id} ({chapter.title})"


def read_chapter(edition: Edition, chapter: ChapterConfig) -> nbformat.NotebookNode:
    """The executed notebook of a chapter, cleaned for publishing (see :func:`prepare_chapter`)."""
    path = edition.paths.executed_notebook(chapter.id)
    if not path.is_file():
        raise PublishError(
            f"{_describe(chapter)} has not been executed: {edition.project.relative(path)} is missing. "
            "Run `sozialbericht execute` (or `dvc repro`) first."
        )
    return prepare_chapter(nbformat.read(path, as_version=4), chapter)


def prepare_chapter(notebook: nbformat.NotebookNode, chapter: ChapterConfig) -> nbformat.NotebookNode:
    """A copy holding only what readers see: markdown cells and the publishable outputs of code cells.

    Code, stream output (stdout/stderr), raw cells and cells tagged ``parameters`` or
    ``injected-parameters`` are left out; each output keeps one type (HTML before Markdown). An
    error output anywhere raises :class:`PublishError` naming the chapter and cell.
    """
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    raise PublishError(
                        f"{_describe(chapter)}: cell {number} has an error output "
                        f"({output.get('ename', 'Error')}: {output.get('evalue', '')}). A page with a "
                        "traceback is never published: fix the notebook and execute the chapter again."
                    )
        if HIDDEN_CELL_TAGS & set(cell.get("metadata", {}).get("tags", ())):
            continue
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(cell.source))
        elif cell.cell_type == "code":
            outputs = [o for o in (_publishable(o, chapter, number) for o in cell.get("outputs", [])) if o]
            if outputs:
                cells.append(nbformat.v4.new_code_cell("", outputs=outputs))
    cells = _without_title_heading(cells, chapter)
    for number, cell in enumerate(cells, start=1):
        cell.id = f"cell-{number}"  # nbformat's new cells get random ids; builds must not differ
    published = nbformat.v4.new_notebook(cells=cells)
    published.metadata = notebook.metadata
    return published


def _publishable(output: nbformat.NotebookNode, chapter: ChapterConfig, number: int) -> nbformat.NotebookNode | None:
    if output.output_type not in ("display_data", "execute_result"):
        return None  # stream output is the analyst's log, not report content
    data = output.get("data", {})
    for mimetype in PUBLISHED_TYPES:
        if mimetype in data:
            return nbformat.v4.new_output("display_data", data={mimetype: data[mimetype]})
    if any(mimetype in data for mimetype in IMAGE_TYPES):
        raise PublishError(
            f"{_describe(chapter)}: cell {number} shows a bare image, which has no alt text. Display "
            "figures as HTML <figure> with alt text and caption (sozialplanung.figures does so)."
        )
    return None  # plain-text reprs such as "<Figure size 640x480>" are no report content


def _normalised_title(text: str) -> str:
    return _CHAPTER_PREFIX.sub("", text.strip().casefold()).strip()


def _without_title_heading(cells: list, chapter: ChapterConfig) -> list:
    """Drop a leading ``# <chapter title>``: the page shows the title from the edition's params."""
    markdown = next((c for c in cells if c.cell_type == "markdown" and c.source.strip()), None)
    if markdown is None or markdown is not cells[0]:
        return cells
    lines = markdown.source.strip().split("\n")
    match = _TITLE_HEADING.match(lines[0])
    if not match or _normalised_title(match["text"]) != _normalised_title(chapter.title):
        return cells
    rest = "\n".join(lines[1:]).strip()
    if not rest:
        return cells[1:]
    return [nbformat.v4.new_markdown_cell(rest), *cells[1:]]


# --- the nbconvert engine ------------------------------------------------------------------


def _exporter() -> HTMLExporter:
    return HTMLExporter(
        extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],  # only ours: not the working directory
        template_name=NBCONVERT_TEMPLATE,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_raw=True,
        exclude_unknown=True,
        exclude_anchor_links=True,  # "¶" links are noise for screen readers
    )


def convert_chapter(notebook: nbformat.NotebookNode, chapter: ChapterConfig) -> Markup:
    """A cleaned chapter notebook as a checked HTML fragment for the page layout."""
    body, _resources = _exporter().from_notebook_node(notebook)
    return finish_fragment(body, _describe(chapter))


def finish_fragment(html: str, where: str) -> Markup:
    """Check a chapter's HTML for what the edition must never contain; fit its headings under the h1."""
    soup = BeautifulSoup(html, "html.parser")
    problems = fragment_problems(soup)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise PublishError(f"{where} cannot be published:\n{listed}")
    # The layout's <h1> is the chapter title; headings of the chapter move one level down.
    if soup.find("h1") is not None:
        for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
            heading.name = f"h{min(int(heading.name[1]) + 1, 6)}"
    return Markup(str(soup).strip())


def _snippet(tag) -> str:
    text = str(tag)
    return text if len(text) <= 90 else text[:87] + "..."


def fragment_problems(soup: BeautifulSoup) -> list[str]:
    """Everything that breaks the publishing rules: scripts, outside resources, images without alt
    text, tables without caption."""
    problems = []
    for script in soup.find_all("script"):
        problems.append(f"contains JavaScript, which the edition does not use: {_snippet(script)}")
    for tag in soup.find_all(True):
        for attribute in _RESOURCE_ATTRIBUTES:
            value = tag.get(attribute)
            if value is not None and not str(value).strip().startswith("data:"):
                problems.append(f"loads a resource from outside the page (embed it as data: URI): {_snippet(tag)}")
        if tag.name == "link" and tag.get("href"):
            problems.append(f"links an outside stylesheet or resource: {_snippet(tag)}")
        if _CSS_URL.search(tag.get("style", "")):
            problems.append(f"loads a resource through CSS: {_snippet(tag)}")
    for style in soup.find_all("style"):
        if _CSS_URL.search(style.get_text()):
            problems.append("a <style> element loads a resource through url() or @import")
    for image in soup.find_all("img"):
        if image.get("alt") in (None, _NBCONVERT_ALT):
            problems.append(f"image without alt text: {_snippet(image)}")
    for table in soup.find_all("table"):
        if table.find("caption") is None:
            problems.append(f"table without <caption>: {_snippet(table)}")
    return problems


def build_site_nbconvert(edition: Edition) -> Path:
    """The whole edition with the built-in engine; returns ``index.html`` of the site."""
    config = edition.config
    contents: dict[str, Markup] = {}
    # Everything is rendered before anything is written, so a failing chapter costs no files.
    for page in site_pages(config):
        if page.chapter_id is not None:
            chapter = config.chapter(page.chapter_id)
            contents[page.filename] = convert_chapter(read_chapter(edition, chapter), chapter)
    contents[START_PAGE] = render_start(edition, read_indicator_frame(edition))
    contents[METHOD_PAGE.filename] = render_method(edition)
    contents[ACCESSIBILITY_PAGE.filename] = render_accessibility(edition)

    def write(folder: Path) -> None:
        for page in site_pages(config):
            write_text(folder / page.filename, render_layout(edition, page, contents[page.filename]))
        copy_stylesheet(folder)

    replace_directory(edition.paths.site_dir, write)
    return edition.paths.site_dir / START_PAGE


def write_text(path: Path, text: str) -> None:
    """UTF-8 with ``\\n`` line ends on every platform, so builds compare byte for byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def copy_stylesheet(folder: Path) -> None:
    target = folder / STYLESHEET_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STYLESHEET, target)
