"""The optional Quarto engine: a generated Quarto website project, rendered by ``quarto render``.

Quarto is not installable on every machine, so nothing else depends on it: the built-in nbconvert
engine (:mod:`sozialplanung.publish`) builds the same edition. This wrapper writes a Quarto project
into ``outputs/<edition>/quarto/`` holding the cleaned, already executed chapter notebooks (Quarto
must not run them again) and ``.qmd`` pages with the same German content as the nbconvert pages,
runs Quarto in a subprocess and swaps the rendered ``_site`` in as the edition's site.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

import nbformat
import yaml
from markupsafe import Markup

from .config import Edition
from .errors import QuartoError
from .pages import (
    ACCESSIBILITY_PAGE,
    METHOD_PAGE,
    START_PAGE,
    Page,
    render_accessibility,
    render_method,
    render_notice,
    render_provenance,
    render_start,
    site_pages,
)
from .atomic import replace_directory
from .publish import copy_stylesheet, read_chapter, read_indicator_frame, write_text

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


def render_with_quarto(edition: Edition, executable: str, timeout: float) -> Path:
    """Write the Quarto project, render it and install the result as the site; returns its index.html."""
    project = edition.paths.quarto_dir
    write_project(edition, project)
    command = [executable, "render", str(project), "--to", "html"]
    returncode, stderr = _run(command, cwd=project, timeout=timeout)
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
    replace_directory(edition.paths.site_dir, lambda staging: _move_contents(rendered, staging))
    return edition.paths.site_dir / START_PAGE


def _run(command: list[str], cwd: Path, timeout: float) -> tuple[int, str]:
    """Run Quarto; on timeout end it together with the processes it started (pandoc, deno)."""
    try:
        # A session of its own, so a timeout can end Quarto's children too; otherwise they would
        # keep the output pipes open and the wait for them would outlast the timeout.
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", errors="replace", start_new_session=(os.name == "posix"),
        )  # fmt: skip
    except OSError as exc:
        raise QuartoError(f"Quarto could not be started ({exc}).\nCommand: {shlex.join(command)}\n{WHAT_TO_DO}") from None
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
    """The Quarto source of a page: chapters are notebooks, the other pages ``.qmd``."""
    return f"{page.stem}.ipynb" if page.chapter_id else f"{page.stem}.qmd"


def quarto_config(edition: Edition) -> dict:
    """The content of ``_quarto.yml``: German, no execution, no code, nothing from a CDN."""
    pages = site_pages(edition.config)
    return {
        "project": {"type": "website", "output-dir": OUTPUT_DIR, "render": [_source_name(p) for p in pages]},
        "lang": "de",
        "execute": {"enabled": False},  # the notebooks are executed already (Papermill)
        "website": {
            "title": edition.config.title,
            "search": False,
            "navbar": {"left": [{"href": _source_name(p), "text": p.nav_label} for p in pages]},
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


def _front_matter(page: Page) -> str:
    fields = {"title": page.heading, "pagetitle": page.title}
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n"


def _qmd(page: Page, content: Markup) -> str:
    # A raw HTML block: Pandoc passes the shared fragment through unchanged.
    return f"{_front_matter(page)}\n```{{=html}}\n{content}\n```\n"


def write_project(edition: Edition, project: Path) -> None:
    """Write the Quarto project afresh (the folder is generated; nothing in it is kept)."""
    config = edition.config
    # Read and check everything first, so a broken chapter leaves no half-written project.
    chapters = {p.filename: read_chapter(edition, config.chapter(p.chapter_id)) for p in site_pages(config) if p.chapter_id}
    contents = {
        START_PAGE: render_start(edition, read_indicator_frame(edition)),
        METHOD_PAGE.filename: render_method(edition),
        ACCESSIBILITY_PAGE.filename: render_accessibility(edition),
    }
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    write_text(project / "_quarto.yml", yaml.safe_dump(quarto_config(edition), allow_unicode=True, sort_keys=False))
    write_text(project / NOTICE_FILE, str(render_notice(config)) + "\n")
    write_text(project / PROVENANCE_FILE, str(render_provenance(edition, "quarto")) + "\n")
    copy_stylesheet(project)
    for page in site_pages(config):
        if page.chapter_id:
            notebook = chapters[page.filename]
            front_matter = nbformat.v4.new_raw_cell(_front_matter(page))
            front_matter.id = "front-matter"  # a fixed id: the generated project is the same every time
            notebook.cells.insert(0, front_matter)
            write_text(project / _source_name(page), nbformat.writes(notebook) + "\n")
        else:
            write_text(project / _source_name(page), _qmd(page, contents[page.filename]))
