"""The print edition: one PDF of the report, made from the site's pages with WeasyPrint.

Marburg's reports go to the city parliament as print documents. The PDF holds a title page (with the
draft mark and the synthetic-data notice where they apply), a table of contents with page numbers,
the summary and the chapters in report order, and the district profiles as an appendix, each with
its figures and tables as the site shows them, then the provenance of the edition. Every page
names the edition, and for sample data that its numbers are synthetic, in its running head, and
its number in the foot ("Seite 3 von 120").

It is built from the same HTML as the site, so it says exactly what the pages say: each chapter's
and profile's content as the built-in engine converts it (whichever engine renders the site), its
ids made unique per page, links between printed pages turned into links
within the PDF, and what print cannot do (download links, page navigation, scripts, forms) left
out. The Leichte-Sprache summary stays a web page of its own. The PDF is tagged (PDF/UA-1: headings,
tables, figures with their alternative texts; document language German) and carries title, author
and subject. WeasyPrint loads nothing: every figure is embedded in the pages, and any other
address is refused.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from markupsafe import Markup, escape

from sozialplanung.core.errors import PublishError
from sozialplanung.core.formats import format_date
from sozialplanung.core.parallel import Beside, beside
from sozialplanung.core.paths import TEMPLATES_DIR
from sozialplanung.site.engines.nbconvert import converted_documents
from sozialplanung.site.model import SiteModel
from sozialplanung.site.pages import DRAFT_TITLE, render_licence, render_notices, render_provenance
from sozialplanung.site.sitemap import EASY_LANGUAGE_SUFFIX, Page, SiteMap, print_file

PRINT_STYLESHEET = TEMPLATES_DIR / "druck.css"
WIDE_TABLE_COLUMNS = 8
"""Tables with more columns are printed on landscape pages."""
_LEFT_OUT = ("p.downloads", "nav", "form", "script", "style", ".sprunglink", "[hidden]")


@dataclass(frozen=True)
class PrintCover:
    """What the print edition says besides the pages: title page, document metadata, running head."""

    title: str
    author: str
    publisher: str
    subject: str
    reference_date: str
    running_head: str
    notices: Markup
    """The draft mark, the synthetic-data notice and the build warning, as every page shows them."""
    provenance: Markup
    """The provenance of the edition, as every page's footer shows it (its last page)."""


def printed_pages(site: SiteMap) -> tuple[list[Page], list[Page]]:
    """The chapters (summary first, without the Leichte-Sprache page) and the profiles of the appendix."""
    chapters = [p for p in site.pages if p.chapter_id is not None and not p.chapter_id.endswith(EASY_LANGUAGE_SUFFIX)]
    profiles = [p for p in site.pages if p.kennziffer is not None]
    return chapters, profiles


def _section(page: Page, content: str, printed: dict[str, str], demote: bool) -> str:
    """A page's content (as the site shows it under its heading) as one section of the print document."""
    main = BeautifulSoup(f"<h1>{escape(page.heading)}</h1>\n{content}", "html.parser")
    stem = printed[page.filename]
    for selector in _LEFT_OUT:
        for element in main.select(selector):
            element.decompose()
    for element in main.find_all(id=True):
        element["id"] = f"{stem}--{element['id']}"
    for element in main.find_all(attrs={"tabindex": True}):
        del element["tabindex"]
    _relink(main, page.filename, printed)
    if demote:  # a profile is a section of the appendix: h1 → h2, …
        for level in range(5, 0, -1):
            for heading in main.find_all(f"h{level}"):
                heading.name = f"h{level + 1}"
    for table in main.find_all("table"):
        header = table.find("tr")
        if header is not None and len(header.find_all(["th", "td"])) > WIDE_TABLE_COLUMNS:
            table["class"] = [*table.get("class", []), "breit"]
    return f'<section class="seite" id="{stem}">\n{main}\n</section>'


def _relink(tag: Tag, current: str, printed: dict[str, str]) -> None:
    """Links to printed pages lead within the PDF; the others (downloads, web-only pages) are
    left out, their words kept."""
    for link in tag.find_all("a", href=True):
        target = _print_target(link["href"], current, printed)
        if target is None:
            link.unwrap()
        else:
            link["href"] = target
            for attribute in ("download", "type", "data-download", "data-table-id", "aria-label"):
                link.attrs.pop(attribute, None)


def _offline(markup: Markup, printed: dict[str, str]) -> str:
    """Markup of the site's frame (notices, provenance) with its links as :func:`_relink` leaves them."""
    soup = BeautifulSoup(str(markup), "html.parser")
    _relink(soup, "", printed)
    return str(soup)


def _print_target(href: str, current: str, printed: dict[str, str]) -> str | None:
    """Where a link of a printed page leads inside the PDF; None when it leads out of the print."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
        return href if href.startswith(("https://", "http://", "mailto:")) else None
    filename, _, fragment = href.partition("#")
    filename = filename or current
    if filename not in printed:
        return None
    return f"#{printed[filename]}--{fragment}" if fragment else f"#{printed[filename]}"


def _contents(chapters: list[Page], profiles: list[Page], printed: dict[str, str]) -> str:
    items = "".join(f'<li><a href="#{printed[p.filename]}">{escape(p.heading)}</a></li>' for p in chapters)
    appendix = "".join(f'<li><a href="#{printed[p.filename]}">{escape(p.heading)}</a></li>' for p in profiles)
    if profiles:
        items += f'<li><a href="#anhang">Anhang: Stadtteilprofile</a><ol class="profile">{appendix}</ol></li>'
    return f'<nav class="inhaltsverzeichnis" aria-label="Inhalt"><h1 id="inhalt">Inhalt</h1><ol>{items}</ol></nav>'


def print_document(model: SiteModel, cover: PrintCover) -> str:
    """The HTML the PDF is made from: the site model's chapters and profiles, converted as the
    built-in engine converts them (whichever engine renders the site)."""
    chapters, profiles = printed_pages(model.sitemap)
    printed = {p.filename: p.stem for p in [*chapters, *profiles]}
    converted = converted_documents(model)

    def section(page: Page, demote: bool) -> str:
        return _section(page, converted[page.filename], printed, demote)

    sections = [section(page, demote=False) for page in chapters]
    if profiles:
        sections.append(
            '<section class="seite" id="anhang"><h1>Anhang: Stadtteilprofile</h1>'
            f"<p>Für jeden der {len(profiles)} statistischen Stadtbezirke ein Profil mit den wichtigsten Kennzahlen, "
            "in der Reihenfolge der Kennziffern.</p></section>"
        )
        sections += [section(page, demote=True) for page in profiles]
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{escape(cover.title)}</title>
<meta name="author" content="{escape(cover.author)}">
<meta name="description" content="{escape(cover.subject)}">
</head>
<body>
<section class="titelseite">
<p class="herausgeber">{escape(cover.publisher)}</p>
<h1 class="titel">{escape(cover.title)}</h1>
<p class="stichtag">Stichtag {escape(cover.reference_date)}</p>
{_offline(cover.notices, printed)}
</section>
{_contents(chapters, profiles, printed)}
{"".join(sections)}
<section class="seite herkunft" id="herkunft">{_offline(cover.provenance, printed)}</section>
</body>
</html>
"""


def print_stylesheet(running_head: str) -> str:
    """The print stylesheet, with ``running_head`` at the top of every page but the title page."""
    quoted = running_head.replace("\\", "\\\\").replace('"', '\\"')
    return f'@page {{ @top-left {{ content: "{quoted}"; }} }}\n' + PRINT_STYLESHEET.read_text(encoding="utf-8")


class PrintJob:
    """The print edition being made in a process of its own, into a spare folder (:func:`printing`)."""

    def __init__(self, making: Beside, pdf: Path, edition: str) -> None:
        self._making, self._pdf, self._edition = making, pdf, edition

    def install(self, site: Path) -> None:
        """Wait for the PDF (raising its error, if it failed) and move it to its place in the site
        folder ``site``: called once the site has passed the publish gate, so no check sees a
        half-written PDF."""
        self._making.result()
        target = site / print_file(self._edition)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(self._pdf, target)


@contextmanager
def printing(model: SiteModel) -> Iterator[PrintJob]:
    """Start making the print edition of ``model`` (its chapters and profiles, read by
    :func:`~sozialplanung.site.model.read_model`: it needs no generated page) in a forked process,
    the longest part of publishing, while the block makes the site; the PDF waits in a spare folder
    beside the site until :meth:`PrintJob.install`. If the block fails, the process is ended and
    the spare folder removed."""
    outputs = model.edition.paths.site_dir.parent
    outputs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=outputs, prefix=".druck-") as spare:
        pdf = Path(spare) / "druck.pdf"
        with beside(partial(write_print_edition, model, pdf)) as making:
            yield PrintJob(making, pdf, model.edition.config.edition)


def write_print_edition(model: SiteModel, target: Path) -> None:
    """The PDF of the site ``model`` (see the module docstring) as ``target``; it belongs in the
    site at :func:`~sozialplanung.site.sitemap.print_file`."""
    from weasyprint import CSS, HTML, URLFetcher

    class _NothingFromOutside(URLFetcher):
        """Everything the print shows is in its document (figures as data: URIs): any address it would
        load is an error."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):  # a figure embedded in its page
                return super().fetch(url, headers)
            raise PublishError(f"The print edition would load {url}; its pages must embed what they show.")

    cover = cover_of(model)
    html = HTML(string=print_document(model, cover), url_fetcher=_NothingFromOutside())
    target.parent.mkdir(parents=True, exist_ok=True)
    stylesheet = CSS(string=print_stylesheet(cover.running_head))
    html.write_pdf(target, stylesheets=[stylesheet], pdf_variant="pdf/ua-1")


def cover_of(model: SiteModel) -> PrintCover:
    """The print edition's title page, metadata and running head for the site ``model``."""
    config, provenance = model.edition.config, model.provenance
    stichtag = format_date(config.reference_date)
    running = config.title + (f" – {DRAFT_TITLE}" if provenance.draft else "")
    if config.data.synthetic:
        running += " – Synthetische Beispieldaten"
    return PrintCover(
        title=config.title,
        author=config.publication.author,
        publisher=config.publication.publisher,
        subject=f"{config.title}, Stichtag {stichtag}: Bericht mit Kapiteln und Stadtteilprofilen",
        reference_date=stichtag,
        running_head=running,
        notices=render_notices(config, provenance),
        provenance=render_licence(config) + render_provenance(provenance),
    )
