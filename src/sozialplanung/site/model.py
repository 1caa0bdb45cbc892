"""The engine-neutral site model: everything a page shows, read and checked once, before any engine.

:func:`build_model` reads every executed chapter and district profile, cleans it
(:mod:`~sozialplanung.site.cleaning`), collects its table downloads and the build's provenance
(:func:`read_model`), then renders the generated pages (start page, profile overview,
accessibility statement, search, comparison, changes). An engine in
:mod:`sozialplanung.site.engines` only turns this model into HTML; nothing here knows an engine.
Everything is read before anything is written, so a broken notebook costs no files.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import nbformat
import pandas as pd
from markupsafe import Markup

from sozialplanung.core.anchors import with_heading_ids
from sozialplanung.core.config import Edition
from sozialplanung.core.errors import PublishError
from sozialplanung.data import load
from sozialplanung.site import provenance
from sozialplanung.site.cleaning import describe_chapter, prepare_notebook
from sozialplanung.site.downloads import tables_in_notebook
from sozialplanung.site.pages import (
    render_accessibility,
    render_changes,
    render_comparison,
    render_overview,
    render_search,
    render_start,
)
from sozialplanung.site.provenance import Provenance
from sozialplanung.site.sitemap import START_PAGE, Page, SiteMap, site_map


@dataclass(frozen=True)
class Document:
    """A page made from an executed notebook (a chapter or a district profile).

    ``notebook`` is cleaned for publishing (:func:`~sozialplanung.site.cleaning.prepare_notebook`);
    ``tables`` are the download payloads, collected from the executed notebook because cleaning
    drops their output type. ``where`` names the notebook in error messages.
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


@dataclass(frozen=True)
class SiteModel:
    """One edition's site before rendering: pages, their content, downloads and provenance.

    ``documents`` are the pages made from notebooks (chapters, then profiles); ``generated``
    holds the HTML content of every other page by filename (start page, overview, accessibility).
    """

    edition: Edition
    sitemap: SiteMap
    documents: tuple[Document, ...]
    generated: dict[str, Markup]
    provenance: Provenance
    generated_tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The download payloads of tables on generated pages (district comparison, changes), by filename."""
    converted: dict[str, Markup] = field(default_factory=dict, compare=False, repr=False)
    """The chapters and profiles as the built-in engine converts them, by filename, once they are
    (:func:`~sozialplanung.site.engines.nbconvert.converted_documents`): the site and the print
    edition share one conversion."""


class Engine(Protocol):
    """What :mod:`sozialplanung.site.publish` asks of a publishing engine."""

    name: str
    """As the provenance names it: ``nbconvert`` or ``quarto``."""

    def render(self, model: SiteModel, folder: Path) -> None:
        """Write the model's pages (HTML and stylesheet) into the empty ``folder``."""


def build_model(edition: Edition, engine: str, read: SiteModel | None = None) -> SiteModel:
    """Read, clean and check every page of ``edition`` for the engine named ``engine``; with ``read``
    (:func:`read_model` of the same edition and engine) only the generated pages are added to it."""
    read = read or read_model(edition, engine)
    site = read.sitemap
    start = render_start(edition, read_indicator_frame(edition), site)  # first: it names a missing input
    comparison, comparison_tables = render_comparison(edition, site)
    changes, changes_tables = render_changes(edition, site)
    generated = {
        START_PAGE: start,
        site.overview.filename: render_overview(edition, site),
        site.accessibility.filename: render_accessibility(edition, site),
        site.search.filename: render_search(),
        site.comparison.filename: comparison,
        site.changes.filename: changes,
    }
    return replace(
        read,
        generated={name: with_heading_ids(content) for name, content in generated.items()},
        generated_tables={site.comparison.filename: comparison_tables, site.changes.filename: changes_tables},
    )


def read_model(edition: Edition, engine: str) -> SiteModel:
    """The pages made from notebooks, read, cleaned and checked, and the build's provenance; no
    generated page yet (:func:`build_model` adds them). It is all the print edition needs, which
    can therefore begin before the generated pages are made (the changes page needs the previous
    edition's indicators)."""
    site = site_map(edition)
    documents = tuple(read_documents(edition, site))
    return SiteModel(edition, site, documents, {}, provenance.collect(edition, engine=engine))


def read_indicator_frame(edition: Edition) -> pd.DataFrame:
    path = edition.paths.indicators_file
    if not path.is_file():
        raise PublishError(
            f"Indicator file {edition.project.relative(path)} not found; the start page needs it. "
            "Run `sozialbericht indicators` (or `dvc repro`) first."
        )
    frame = load.read_indicators(path)
    statuses = load.read_frame(edition.paths.indicator_status_file, load.INDICATOR_STATUS_COLUMNS)
    return frame.merge(statuses, on=["jahr", "kennziffer", "indikator"], how="inner", validate="one_to_one")


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
                f"{describe_chapter(chapter)} has not been executed: {edition.project.relative(path)} is missing. "
                "Run `sozialbericht execute` (or `dvc repro`) first."
            )
        documents.append(_document(page, path, describe_chapter(chapter), chapter.title))
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
