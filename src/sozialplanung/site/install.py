"""The last steps of every engine: downloads and open data, provenance, manifest, the publish gate, the swap.

:func:`install_site` lets an engine render the site model into a temporary sibling folder, adds
what every edition has whatever engine rendered it, checks the finished folder with the publish
gate (:mod:`~sozialplanung.site.gate`) and swaps it in only when it passes, so a failed or refused
build never leaves a half-written edition where a good one was. The swap is one atomic exchange
(:func:`~sozialplanung.core.atomic.replace_directory`): at every instant the old or the new site is
at ``outputs/<edition>/site``. Published files are 0644 and folders 0755 whatever the umask, so a
web server's user can read them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sozialplanung.core.atomic import make_public, replace_directory
from sozialplanung.core.parallel import side_by_side
from sozialplanung.report import claims
from sozialplanung.site import attack, gate
from sozialplanung.site.comparison import write_comparison_script
from sozialplanung.site.datapackage import write_datapackage
from sozialplanung.site.downloads import download_footer, write_chapter_downloads
from sozialplanung.site.files import write_text
from sozialplanung.site.manifest import write_manifest
from sozialplanung.site.model import SiteModel
from sozialplanung.site.print_edition import PrintJob
from sozialplanung.site.provenance import PROVENANCE_FILE
from sozialplanung.site.search import write_search_index
from sozialplanung.site.sitemap import START_PAGE


def install_site(model: SiteModel, render: Callable[[SiteModel, Path], None], printed: PrintJob) -> Path:
    """Render ``model`` with ``render`` into a staging folder, finish and check it, and swap it in
    as the edition's site; returns the site's ``index.html``.

    The print edition (``printed``, started before: :func:`~sozialplanung.site.print_edition.printing`)
    is moved in once the gate has passed, so that no check sees it half written."""
    edition = model.edition

    def fill(folder: Path) -> None:
        render(model, folder)
        write_downloads(folder, model)
        write_search_index(folder, [(page.filename, page.heading) for page in model.sitemap.pages])
        write_comparison_script(folder)
        finish_site(folder, model)
        printed.install(folder)
        write_manifest(folder)
        make_public(folder)

    replace_directory(edition.paths.site_dir, fill)
    return edition.paths.site_dir / START_PAGE


def write_downloads(folder: Path, model: SiteModel) -> None:
    """The CSV of every table and the workbook of every page with tables, under ``folder/downloads``,
    and the open-data package of all tables and indicators (:mod:`~sozialplanung.site.datapackage`)."""
    config = model.edition.config
    footer = download_footer(config)
    for document in model.documents:
        write_chapter_downloads(
            folder,
            document.download_id,
            document.page.heading,
            document.tables,
            footer,
            reference_date=config.reference_date,
        )
    pages = {page.filename: page for page in model.sitemap.pages}
    for name, tables in model.generated_tables.items():
        page = pages[name]
        write_chapter_downloads(folder, page.stem, page.heading, tables, footer, reference_date=config.reference_date)
    write_datapackage(folder, model.edition, [(d.download_id, d.page.heading, d.tables) for d in model.documents])


def finish_site(folder: Path, model: SiteModel) -> None:
    """``provenance.json``, then the publish gate over the finished folder: its checks of single
    cells and totals, its attacker over every number the pages link to the data
    (:mod:`~sozialplanung.site.attack`), and the check of every marked statement against the
    published values (:mod:`~sozialplanung.report.claims`). A refused edition raises
    :class:`~sozialplanung.core.errors.PublishError`, and
    :func:`~sozialplanung.core.atomic.replace_directory` throws the folder away."""
    write_text(folder / PROVENANCE_FILE, model.provenance.to_json())
    edition = model.edition
    threshold = edition.config.confidentiality.threshold
    # They read the finished folder and the edition's data, nothing else: they run side by side, on
    # the cores the print edition leaves (it has one of its own).
    gate_findings, attacker_findings, false_claims = side_by_side(
        [
            partial(gate.check_site, folder, threshold),
            partial(attack.check_site, folder, edition),
            partial(claims.check_edition_site, folder, edition),
        ],
        workers=(os.cpu_count() or 1) - 1,
    )
    gate.refuse(gate_findings, threshold)
    attack.refuse(attacker_findings)
    claims.refuse(false_claims)
