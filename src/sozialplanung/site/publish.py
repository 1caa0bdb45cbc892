"""Publishing an edition: choose the engine, build the site model once, let the engine render it.

``auto`` uses Quarto when it is found and the built-in nbconvert engine otherwise. Whatever the
engine, the site gets the same downloads, provenance, print edition and manifest and passes the
same publish gate before it replaces the previous one (:mod:`~sozialplanung.site.install`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import PublishError
from sozialplanung.site.engines.nbconvert import NbconvertEngine, converted_documents
from sozialplanung.site.engines.quarto import QuartoEngine, find_quarto, not_found_error
from sozialplanung.site.install import install_site
from sozialplanung.site.model import Engine, build_model, read_model
from sozialplanung.site.print_edition import printing

ENGINES = ("auto", "nbconvert", "quarto")


def choose_engine(engine: str = "auto", quarto_executable: str | None = None, timeout: float = 600) -> Engine:
    """The engine named ``engine``; ``auto`` takes Quarto when one is found, nbconvert otherwise."""
    if engine not in ENGINES:
        raise PublishError(f"Unknown publishing engine {engine!r}; choose one of {', '.join(ENGINES)}.")
    if engine == "nbconvert" or (engine == "auto" and quarto_executable is None and find_quarto() is None):
        return NbconvertEngine()
    executable = find_quarto(quarto_executable)
    if executable is None:
        raise not_found_error(quarto_executable)
    return QuartoEngine(executable, timeout)


def publish(
    edition: Edition,
    engine: str = "auto",
    quarto_executable: str | None = None,
    timeout: float = 600,
    while_printing: Callable[[], None] | None = None,
) -> Path:
    """Build the HTML edition with the chosen engine; returns the site's ``index.html``.

    The print edition, the longest part, begins as soon as the chapters and profiles are read and
    is made beside everything else (:func:`~sozialplanung.site.print_edition.printing`).
    ``while_printing`` runs meanwhile, before the generated pages are made: ``sozialbericht build``
    computes the previous edition's indicators there, which only the changes page needs."""
    chosen = choose_engine(engine, quarto_executable, timeout)
    read = read_model(edition, chosen.name)
    converted_documents(read)  # before the print edition forks: it and the site share the conversion
    with printing(read) as printed:
        if while_printing is not None:
            while_printing()
        return install_site(build_model(edition, chosen.name, read), chosen.render, printed)
