"""The built-in engine: every page rendered with nbconvert's ``HTMLExporter`` and one page layout.

Chapters and district profiles are converted with the project's own template
(``templates/nbconvert/sozialbericht``: no code, no prompts, no MathJax, no scripts), checked for
what an edition must never contain, given a download line under every table, an anchor and a
citation line at every table and figure (:mod:`~sozialplanung.site.citation`) and wrapped, like
the generated pages, in ``templates/page.html.j2``.
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path

from bs4 import BeautifulSoup
from markupsafe import Markup
from nbconvert import HTMLExporter

from sozialplanung.core.anchors import anchor_headings
from sozialplanung.core.errors import PublishError
from sozialplanung.core.parallel import side_by_side
from sozialplanung.core.paths import TEMPLATES_DIR
from sozialplanung.site.citation import Citation, cite_fragment
from sozialplanung.site.downloads import link_downloads
from sozialplanung.site.files import copy_stylesheet, write_text
from sozialplanung.site.model import Document, SiteModel
from sozialplanung.site.pages import render_layout

NBCONVERT_TEMPLATES = TEMPLATES_DIR / "nbconvert"
NBCONVERT_TEMPLATE = "sozialbericht"
_NBCONVERT_ALT = "No description has been provided for this image"
"""What HTMLExporter puts into an ``<img>`` without alt text: an English non-description."""
_RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data")
_CSS_URL = re.compile(r"url\(\s*(?!['\"]?\s*data:)|@import", re.IGNORECASE)


class NbconvertEngine:
    """Renders every page of a site model with nbconvert and the project's layout."""

    name = "nbconvert"

    def render(self, model: SiteModel, folder: Path) -> None:
        # Every page is converted before the first is written, so a failing page costs no files.
        contents = dict(model.generated) | converted_documents(model)
        for page in model.sitemap.pages:
            layout = render_layout(model.edition, model.sitemap, page, contents[page.filename], model.provenance)
            write_text(folder / page.filename, layout)
        copy_stylesheet(folder)


def converted_documents(model: SiteModel) -> dict[str, Markup]:
    """Every chapter and profile of ``model`` converted by :func:`convert_document` with the
    edition's citation, by filename; converted once per model (kept in ``model.converted``), so the
    site and the print edition share one conversion. The documents are converted side by side on
    the machine's cores (each page is converted on its own)."""
    if not model.converted and model.documents:
        exporter, citation = html_exporter(), Citation.of(model.edition.config)
        converted = side_by_side(
            [partial(convert_document, document, exporter, citation) for document in model.documents],
            workers=os.cpu_count() or 1,
        )
        model.converted.update(zip((document.page.filename for document in model.documents), converted))
    return model.converted


def html_exporter() -> HTMLExporter:
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


def convert_document(
    document: Document, exporter: HTMLExporter | None = None, citation: Citation | None = None
) -> Markup:
    """A chapter or profile as a checked HTML fragment for the page layout, with a download line
    under every table and, given a ``citation``, an anchor and a citation line at every table and
    figure (:mod:`~sozialplanung.site.citation`)."""
    body, _resources = (exporter or html_exporter()).from_notebook_node(document.notebook)
    fragment = finish_fragment(body, document.where)
    linked = link_downloads(str(fragment), document.download_id, document.table_ids)
    return Markup(linked if citation is None else cite_fragment(linked, document.page, citation))


def finish_fragment(html: str, where: str) -> Markup:
    """Check a chapter's HTML for what the edition must never contain; fit its headings under the h1
    and give each the identifier Quarto would give it (:func:`~sozialplanung.core.anchors.heading_anchor`),
    so links into a section work in both engines."""
    soup = BeautifulSoup(html, "html.parser")
    problems = fragment_problems(soup)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise PublishError(f"{where} cannot be published:\n{listed}")
    # The layout's <h1> is the chapter title; headings of the chapter move one level down.
    if soup.find("h1") is not None:
        for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
            heading.name = f"h{min(int(heading.name[1]) + 1, 6)}"
    anchor_headings(soup)
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
