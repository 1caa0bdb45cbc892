"""The whole pipeline in order, for ``sozialbericht build`` and the tests.

``dvc repro`` runs the same steps as separate stages (see ``dvc.yaml``); this module runs them in one
process for a folder without DVC. Each step is the same library call either way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import ConfigError
from sozialplanung.data.load import read_districts
from sozialplanung.data.sample import generate_sample
from sozialplanung.data.validate import run_validation
from sozialplanung.execution import kernel as execute
from sozialplanung.site.publish import publish
from sozialplanung.statistics.indicators import run_indicators

Progress = Callable[[str], None]


def generate_sample_data(edition: Edition) -> list[Path]:
    """Write the edition's synthetic raw tables (only for editions built on sample data)."""
    if not edition.config.data.synthetic:
        raise ConfigError(
            f"Edition {edition.config.edition} uses real raw data ({edition.config.data.raw_dir}); "
            "there is no sample data to generate. Add the raw tables with `dvc add` instead."
        )
    sample = edition.config.sample
    districts = read_districts(edition.project.districts_file)
    return generate_sample(edition.paths.raw_dir, districts, sample.seed, sample.first_year, sample.last_year)


def execute_chapters(edition: Edition, chapter_ids: list[str] | None = None, progress: Progress = print) -> list[Path]:
    """Execute the given chapters (all of the edition's by default), one kernel per core at a time.

    Each chapter writes only its own executed notebook, so they run side by side; the first
    failure is raised (in chapter order) once the running chapters have finished.
    """
    ids = chapter_ids or [chapter.id for chapter in edition.config.chapters]

    def run(chapter_id: str) -> Path:
        progress(f"Executing chapter {chapter_id}")
        return execute.execute_chapter(edition, chapter_id)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = [pool.submit(run, chapter_id) for chapter_id in ids]
    return [future.result() for future in futures]


def execute_profiles(edition: Edition, progress: Progress = print) -> list[Path]:
    """Execute the district profile once per statistical district."""
    progress("Executing the district profiles")
    return execute.execute_profiles(edition)


def build(edition: Edition, engine: str = "auto", progress: Progress = print) -> Path:
    """Every step from raw data to the published site; returns the site's start page."""
    if edition.config.data.synthetic:
        progress("Generating synthetic sample data")
        generate_sample_data(edition)
    progress("Validating raw data")
    run_validation(edition)
    progress("Computing indicators")
    run_indicators(edition)
    execute_chapters(edition, progress=progress)
    execute_profiles(edition, progress=progress)
    progress("Publishing the HTML edition")
    return publish(edition, engine=engine)
