"""Publishing: executed chapter notebooks and district profiles become the German HTML edition.

The built-in engine converts each chapter and each district profile with nbconvert's
``HTMLExporter`` and the project's own template (``templates/nbconvert/sozialbericht``: no code, no
prompts, no MathJax, no scripts) and wraps it in one page layout; Quarto is an optional second
engine (:mod:`sozialplanung.quarto`). Both publish only what a reader should see: stream output,
parameter cells and raw cells are left out, and a notebook with an error output stops the build
instead of publishing a traceback. Every table shown gets its CSV and the page its workbook
(:mod:`sozialplanung.downloads`).

A site is built in a temporary sibling folder, checked by the publish gate
(:mod:`sozialplanung.gate`) and swapped in only when it passes, so a failed or refused build never
leaves a half-written edition where a good one was.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from bs4 import BeautifulSoup
from markupsafe import Markup
from nbconvert import HTMLExporter

from . import gate, load, provenance
from .atomic import replace_directory
from .config import ChapterConfig, Edition
from .downloads import download_footer, link_downloads, tables_in_notebook, write_chapter_downloads
from .errors import PublishError
from .manifest import write_manifest
from .pages import render_accessibility, render_layout, render_overview, render_start
from .paths import TEMPLATES_DIR
from .provenance import PROVENANCE_FILE, Provenance
from .sitemap import START_PAGE, Page, SiteMap, site_map

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
PUBLISHED_METADATA = ("kernelspec", "language_info")
"""Notebook metadata a published chapter keeps. Papermill's (start and end times, durations,
absolute input and output paths) differs in every run and never reaches a page."""


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


# --- reading and cleaning executed notebooks (shared by both engines) -----------------------


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


@dataclass(frozen=True)
class Document:
    """A page made from an executed notebook (a chapter or a district profile).

    ``notebook`` is cleaned for publishing (:func:`prepare_notebook`); ``tables`` are the download
    payloads, collected from the executed notebook because cleaning drops their output type.
    ``where`` names the notebook in error messages.
    """

    page: Page
    where: str
    notebook: nbformat.NotebookNode
    tables: list[dict[str, Any]]

    @property
    def download_id(self) -> str:
        """Names the page's download folder and workbook: ``downloads/<download_id>/…``."""
        return self.page.stem

    @property
    def table_ids(self) -> list[str]:
        return [table["table_id"] for table in self.tables]


def read_documents(edition: Edition, site: SiteMap) -> list[Document]:
    """Every chapter and district profile of ``site``, read and cleaned, in page order.

    A missing notebook raises :class:`PublishError` naming the chapter or the districts and the
    command that makes it; nothing is written.
    """
    documents = []
    for page in site.chapters:
        chapter = edition.config.chapter(page.chapter_id)
        path = edition.paths.executed_notebook(chapter.id)
        if not path.is_file():
            raise PublishError(
                f"{_describe(chapter)} has not been executed: {edition.project.relative(path)} is missing. "
                "Run `sozialbericht execute` (or `dvc repro`) first."
            )
        documents.append(_document(page, path, _describe(chapter), chapter.title))
    _check_profiles(edition, site)
    for district, page in zip(site.districts, site.profiles):
        where = f"District profile {district.kennziffer} ({district.name})"
        documents.append(_document(page, edition.paths.executed_profile(district.kennziffer), where, page.title))
    return documents


def _check_profiles(edition: Edition, site: SiteMap) -> None:
    missing = [d for d in site.districts if not edition.paths.executed_profile(d.kennziffer).is_file()]
    if not missing:
        return
    run = "Run `sozialbericht profiles` (or `dvc repro`) first."
    if len(missing) == 1:
        [district] = missing
        path = edition.project.relative(edition.paths.executed_profile(district.kennziffer))
        raise PublishError(
            f"District profile {district.kennziffer} ({district.name}) has not been executed: {path} is missing. {run}"
        )
    names = ", ".join(f"{d.kennziffer} ({d.name})" for d in missing)
    folder = edition.project.relative(edition.paths.profiles_dir)
    raise PublishError(
        f"{len(missing)} of {len(site.districts)} district profiles have not been executed (no notebook in "
        f"{folder}/): {names}. {run}"
    )


def _document(page: Page, path: Path, where: str, title: str | None) -> Document:
    executed = nbformat.read(path, as_version=4)
    cleaned = prepare_notebook(executed, where, title)
    try:
        tables = tables_in_notebook(executed)
    except PublishError as exc:
        raise PublishError(f"{where}: {exc}") from None
    return Document(page, where, cleaned, tables)


def prepare_chapter(notebook: nbformat.NotebookNode, chapter: ChapterConfig) -> nbformat.NotebookNode:
    """:func:`prepare_notebook` for a chapter: its leading title heading gives way to the page's."""
    return prepare_notebook(notebook, _describe(chapter), chapter.title)


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
        if HIDDEN_CELL_TAGS & set(cell.get("metadata", {}).get("tags", ())):
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
            "figures as HTML <figure> with alt text and caption (sozialplanung.figures does so)."
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


def convert_document(document: Document, exporter: HTMLExporter | None = None) -> Markup:
    """A chapter or profile as a checked HTML fragment for the page layout, with a download line
    under every table."""
    body, _resources = (exporter or _exporter()).from_notebook_node(document.notebook)
    fragment = finish_fragment(body, document.where)
    return Markup(link_downloads(str(fragment), document.download_id, document.table_ids))


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
    site = site_map(edition)
    # Everything is read and rendered before anything is written, so a failing page costs no files.
    documents = read_documents(edition, site)
    exporter = _exporter()
    contents = {document.page.filename: convert_document(document, exporter) for document in documents}
    contents[START_PAGE] = render_start(edition, read_indicator_frame(edition), site)
    contents[site.overview.filename] = render_overview(edition, site)
    contents[site.accessibility.filename] = render_accessibility(edition)
    origin = provenance.collect(edition, engine="nbconvert")

    def write(folder: Path) -> None:
        for page in site.pages:
            write_text(folder / page.filename, render_layout(edition, site, page, contents[page.filename], origin))
        copy_stylesheet(folder)
        write_downloads(folder, edition, documents)
        finish_site(folder, origin, edition)

    replace_directory(edition.paths.site_dir, write)
    return edition.paths.site_dir / START_PAGE


def write_downloads(folder: Path, edition: Edition, documents: list[Document]) -> None:
    """The CSV of every table and the workbook of every page with tables, under ``folder/downloads``."""
    config = edition.config
    footer = download_footer(config)
    for document in documents:
        write_chapter_downloads(folder, document.download_id, document.page.heading, document.tables, footer,
                                reference_date=config.reference_date)  # fmt: skip


def write_text(path: Path, text: str) -> None:
    """UTF-8 with ``\\n`` line ends on every platform, so builds compare byte for byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def finish_site(folder: Path, origin: Provenance, edition: Edition) -> None:
    """The last step of every engine: ``provenance.json``, ``manifest.json`` over every file, then
    the publish gate over the finished folder. A refused edition raises :class:`PublishError`, and
    the caller's :func:`~sozialplanung.atomic.replace_directory` throws the folder away."""
    write_text(folder / PROVENANCE_FILE, origin.to_json())
    write_manifest(folder)
    gate.enforce(folder, edition.config.confidentiality.threshold)


def copy_stylesheet(folder: Path) -> None:
    target = folder / STYLESHEET_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STYLESHEET, target)
