"""The optional Quarto engine: a generated Quarto website project, rendered by ``quarto render``.

Quarto is not installable on every machine, so nothing else depends on it: the built-in engine
(:mod:`sozialplanung.site.engines.nbconvert`) renders the same site model. This engine writes a
Quarto project into ``outputs/<edition>/quarto/`` holding the model's cleaned, already executed
chapter and district profile notebooks (Quarto must not run them again; their tables get the
download links here, tables and figures the same anchors and citation lines as in the built-in
engine) and ``.qmd`` pages with the model's generated content, runs Quarto in a
subprocess and hands the rendered ``_site`` on to be finished like any engine's output
(:mod:`sozialplanung.site.install`).
"""

from __future__ import annotations

import copy
import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

import nbformat
import yaml
from markupsafe import Markup

from sozialplanung.core.errors import QuartoError
from sozialplanung.site.citation import Citation, cite_notebook
from sozialplanung.site.downloads import link_notebook_downloads
from sozialplanung.site.files import copy_stylesheet, write_text
from sozialplanung.site.model import Document, SiteModel
from sozialplanung.site.pages import page_title, render_browse, render_licence, render_notices, render_provenance
from sozialplanung.site.provenance import Provenance
from sozialplanung.site.sitemap import START_PAGE, Page, SiteMap

OUTPUT_DIR = "_site"
NOTICE_FILE = "_hinweis.html"
PROVENANCE_FILE = "_herkunft.html"
STDERR_LINES = 20
WHAT_TO_DO = (
    "Install Quarto (https://quarto.org/docs/download/) and make sure `quarto` is on PATH, "
    "or publish with the built-in engine: --engine nbconvert."
)


def find_quarto(executable: str | None = None) -> str | None:
    """The Quarto executable to use: an explicit name or path wins, else ``quarto`` on PATH."""
    return shutil.which(executable) if executable else shutil.which("quarto")


def not_found_error(executable: str | None = None) -> QuartoError:
    where = f"at {executable}" if executable else "on PATH"
    return QuartoError(f"Quarto was not found {where}. {WHAT_TO_DO}")


class QuartoEngine:
    """Renders a site model with Quarto: a generated website project, then ``quarto render``."""

    name = "quarto"

    def __init__(self, executable: str, timeout: float = 600) -> None:
        self.executable = executable
        self.timeout = timeout

    def render(self, model: SiteModel, folder: Path) -> None:
        """Write the Quarto project, render it and move the rendered site into ``folder``."""
        project = model.edition.paths.quarto_dir
        write_project(model, project)
        command = [self.executable, "render", str(project), "--to", "html"]
        returncode, stderr = _run(command, cwd=project, timeout=self.timeout)
        if returncode != 0:
            tail = "\n".join(stderr.rstrip().splitlines()[-STDERR_LINES:]) or "(no error output)"
            raise QuartoError(
                f"Quarto failed with exit code {returncode}.\nCommand: {shlex.join(command)}\n"
                f"Last lines of its error output:\n{tail}\n"
                "Fix what Quarto reports, or publish with the built-in engine: --engine nbconvert."
            )
        rendered = project / OUTPUT_DIR
        if not (rendered / START_PAGE).is_file():
            raise QuartoError(
                f"Quarto finished but wrote no {OUTPUT_DIR}/{START_PAGE} in {project}.\n"
                f"Command: {shlex.join(command)}\n{WHAT_TO_DO}"
            )
        _move_contents(rendered, folder)


def _run(command: list[str], cwd: Path, timeout: float) -> tuple[int, str]:
    """Run Quarto; on timeout end it together with the processes it started (pandoc, deno)."""
    try:
        # A session of its own, so a timeout can end Quarto's children too; otherwise they would
        # keep the output pipes open and the wait for them would outlast the timeout.
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=(os.name == "posix"),
        )
    except OSError as exc:
        raise QuartoError(
            f"Quarto could not be started ({exc}).\nCommand: {shlex.join(command)}\n{WHAT_TO_DO}"
        ) from None
    try:
        _stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.communicate()
        raise QuartoError(
            f"Quarto timed out after {timeout:g} s and was stopped.\nCommand: {shlex.join(command)}\n"
            "Allow more time (--timeout) or publish with the built-in engine: --engine nbconvert."
        ) from None
    return process.returncode, stderr


def _move_contents(source: Path, target: Path) -> None:
    for child in sorted(source.iterdir()):
        shutil.move(child, target / child.name)
    source.rmdir()


# --- the generated Quarto project --------------------------------------------------------------


def _source_name(page: Page) -> str:
    """The Quarto source of a page: chapters and profiles are notebooks, the other pages ``.qmd``."""
    return f"{page.stem}.ipynb" if page.from_notebook else f"{page.stem}.qmd"


def quarto_config(title: str, site: SiteMap) -> dict:
    """The content of ``_quarto.yml``: German, no execution, no code, nothing from a CDN."""
    return {
        "project": {"type": "website", "output-dir": OUTPUT_DIR, "render": [_source_name(p) for p in site.pages]},
        "lang": "de",
        "execute": {"enabled": False},  # the notebooks are executed already (Papermill)
        "website": {
            "title": title,
            "search": False,
            "navbar": {"left": [{"href": _source_name(p), "text": p.nav_label} for p in site.navigation]},
        },
        "format": {
            "html": {
                "theme": "none",  # no Bootstrap theme and no web fonts: the project's stylesheet only
                "css": "assets/style.css",
                "echo": False,
                "code-fold": False,
                "code-tools": False,
                "anchor-sections": False,
                "html-math-method": "plain",  # MathJax would come from a CDN
                "link-external-icon": False,
                "include-before-body": NOTICE_FILE,
                "include-after-body": PROVENANCE_FILE,
            }
        },
    }


def _front_matter(page: Page, provenance: Provenance) -> str:
    fields = {"title": page.heading, "pagetitle": page_title(page, provenance)}
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n"


def _raw_html(content: Markup) -> str:
    # A raw HTML block: Pandoc passes the shared fragment through unchanged.
    return f"```{{=html}}\n{content}\n```"


def _qmd(page: Page, content: Markup, provenance: Provenance) -> str:
    return f"{_front_matter(page, provenance)}\n{_raw_html(content)}\n"


def _quarto_notebook(
    site: SiteMap, document: Document, provenance: Provenance, citation: Citation
) -> nbformat.NotebookNode:
    """A document's notebook for Quarto: front matter first, download lines, anchors and citation
    lines at its tables and figures, and the links to its neighbours last (cells with fixed ids:
    the project is the same every time)."""
    notebook = copy.deepcopy(document.notebook)  # the model stays as read
    link_notebook_downloads(notebook, document.download_id, document.table_ids)
    cite_notebook(notebook, document.page, citation)
    front_matter = nbformat.v4.new_raw_cell(_front_matter(document.page, provenance))
    front_matter.id = "front-matter"
    notebook.cells.insert(0, front_matter)
    browse = render_browse(site, document.page).strip()
    if browse:
        links = nbformat.v4.new_markdown_cell(_raw_html(browse))
        links.id = "blaettern"
        notebook.cells.append(links)
    return notebook


def write_project(model: SiteModel, project: Path) -> None:
    """Write the Quarto project of ``model`` afresh (the folder is generated; nothing in it is kept)."""
    site = model.sitemap
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    settings = yaml.safe_dump(quarto_config(model.edition.config.title, site), allow_unicode=True, sort_keys=False)
    write_text(project / "_quarto.yml", settings)
    notice = render_notices(model.edition.config, model.provenance)
    write_text(project / NOTICE_FILE, str(notice) + "\n")
    footer = render_licence(model.edition.config) + render_provenance(model.provenance)
    write_text(project / PROVENANCE_FILE, str(footer) + "\n")
    copy_stylesheet(project)
    citation = Citation.of(model.edition.config)
    for document in model.documents:
        notebook = _quarto_notebook(site, document, model.provenance, citation)
        write_text(project / _source_name(document.page), nbformat.writes(notebook) + "\n")
    for page in site.pages:
        if not page.from_notebook:
            write_text(project / _source_name(page), _qmd(page, model.generated[page.filename], model.provenance))
