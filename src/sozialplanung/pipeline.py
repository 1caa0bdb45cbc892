"""The whole pipeline in order, for ``sozialbericht build`` and the tests.

``dvc repro`` runs the same steps as separate stages (see ``dvc.yaml``); this module runs them in one
process for a folder without DVC. Each step is the same library call either way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from sozialplanung.core.config import Edition
from sozialplanung.core.parallel import side_by_side
from sozialplanung.data.sample import generate_sample_data
from sozialplanung.data.validate import run_validation
from sozialplanung.execution.chapters import execute_chapters
from sozialplanung.execution.kernels import KernelPool
from sozialplanung.execution.notebook import KERNEL_NAME
from sozialplanung.execution.profiles import execute_profiles
from sozialplanung.site.publish import publish
from sozialplanung.statistics.indicators import run_indicators

Progress = Callable[[str], None]


def prepare(edition: Edition, progress: Progress = print) -> None:
    """The steps up to the indicators: sample data (for a sample edition), validation, indicators."""
    prepare_data(edition, progress)
    compute_indicators(edition, progress)


def prepare_data(edition: Edition, progress: Progress = print) -> None:
    """Sample data (for a sample edition), then the validation of the raw data."""
    if edition.config.data.synthetic:
        progress(f"Generating synthetic sample data ({edition.config.edition})")
        generate_sample_data(edition)
    progress(f"Validating raw data ({edition.config.edition})")
    run_validation(edition)


def compute_indicators(edition: Edition, progress: Progress = print) -> None:
    progress(f"Computing indicators ({edition.config.edition})")
    run_indicators(edition)


def build(edition: Edition, engine: str = "auto", progress: Progress = print, fresh_kernels: bool = False) -> Path:
    """Every step from raw data to the published site; returns the site's start page.

    Both editions' raw data are validated first, side by side, so that bad data stops the build
    before any work; this edition's indicators follow. The previous edition's indicators
    (``previous_edition``), which only the changes page needs, are computed while the print
    edition is being made, when a core would otherwise wait for it. Chapters and profiles share one
    pool of warm kernels and go into it together (the profiles need no chapter), so no kernel waits
    for the last chapter while the other works; a failed chapter is raised before a failed profile.
    ``fresh_kernels`` starts a kernel per notebook instead (slower; the site is the same byte for byte).
    """
    previous = edition.previous()
    editions = [edition] if previous is None else [previous, edition]
    # the two editions share nothing but the reference data
    side_by_side([partial(prepare_data, e, progress) for e in editions], workers=os.cpu_count() or 1)
    compute_indicators(edition, progress)
    with KernelPool(KERNEL_NAME, fresh=fresh_kernels) as pool, ThreadPoolExecutor(max_workers=2) as steps:
        chapters = steps.submit(execute_chapters, edition, progress=progress, pool=pool)
        profiles = steps.submit(execute_profiles, edition, progress=progress, pool=pool)
        for step in (chapters, profiles):
            step.exception()  # both finished before the first failure is raised
        chapters.result()
        profiles.result()
    progress("Publishing the HTML edition")
    previous_indicators = None if previous is None else partial(compute_indicators, previous, progress)
    return publish(edition, engine=engine, while_printing=previous_indicators)
