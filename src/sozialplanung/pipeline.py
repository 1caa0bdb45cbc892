"""The whole pipeline in order, for ``sozialbericht build`` and the tests.

``dvc repro`` runs the same steps as separate stages (see ``dvc.yaml``); this module runs them in one
process for a folder without DVC. Each step is the same library call either way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sozialplanung.core.config import Edition
from sozialplanung.data.sample import generate_sample_data
from sozialplanung.data.validate import run_validation
from sozialplanung.execution.chapters import execute_chapters
from sozialplanung.execution.profiles import execute_profiles
from sozialplanung.site.publish import publish
from sozialplanung.statistics.indicators import run_indicators

Progress = Callable[[str], None]


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
