"""Benchmark: build the sample edition from scratch in a temporary copy and print how long each step
takes and how much memory the build needed. Prints figures only; nothing here asserts a target.

    .venv/bin/python benchmarks/build_edition.py [--edition 2024]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sozialplanung.core.config import Edition, open_edition
from sozialplanung.data.sample import generate_sample_data
from sozialplanung.data.validate import run_validation
from sozialplanung.execution.chapters import execute_chapters
from sozialplanung.execution.kernels import KernelPool
from sozialplanung.execution.notebook import KERNEL_NAME
from sozialplanung.execution.profiles import execute_profiles
from sozialplanung.pipeline import compute_indicators, prepare_data
from sozialplanung.site.publish import publish
from sozialplanung.statistics.indicators import run_indicators

REPO = Path(__file__).resolve().parents[1]


def copy_project(folder: Path) -> Path:
    """The files a build reads (no data, no outputs), copied into ``folder/project``."""
    project = folder / "project"
    for part in ("params", "notebooks", "data/reference"):
        shutil.copytree(REPO / part, project / part)
    return project


def stage_seconds(edition: Edition) -> list[tuple[str, float]]:
    """Each step of ``sozialbericht build`` and its seconds, one after the other (chapters and
    profiles share one pool of warm kernels, as in the build). The build validates both editions'
    data side by side and computes the previous edition's indicators, which only the changes page
    reads, while the print edition is being made; here each is a step of its own."""
    figures = []
    previous = edition.previous()

    def quiet(_message: str) -> None:
        """The steps' progress lines would interleave with the figures."""

    steps: list[tuple[str, Callable[[], object]]] = []
    if previous is not None:
        steps.append((f"data {previous.config.edition}", lambda: prepare_data(previous, progress=quiet)))
    with KernelPool(KERNEL_NAME) as pool:
        steps += [
            ("sample data", lambda: generate_sample_data(edition)),
            ("validate", lambda: run_validation(edition)),
            ("indicators", lambda: run_indicators(edition)),
            ("chapters", lambda: execute_chapters(edition, pool=pool)),
            ("profiles", lambda: execute_profiles(edition, pool=pool)),
        ]
        if previous is not None:
            steps.append((f"indicators {previous.config.edition}", lambda: compute_indicators(previous, quiet)))
        steps.append(("publish", lambda: publish(edition, engine="nbconvert")))
        for name, step in steps:
            start = time.perf_counter()
            step()
            figures.append((name, time.perf_counter() - start))
    return figures


def print_stages(figures: list[tuple[str, float]]) -> None:
    print(f"{'step':<14}{'seconds':>9}")
    for name, seconds in figures:
        print(f"{name:<14}{seconds:>9.1f}")
    print(f"{'total':<14}{sum(seconds for _, seconds in figures):>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", default="2024")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        edition = open_edition(args.edition, copy_project(Path(folder)))
        print_stages(stage_seconds(edition))
        site = edition.paths.site_dir
        files = [p for p in site.rglob("*") if p.is_file()]
        print(
            f"site: {len(list(site.glob('*.html')))} pages, {len(files)} files, "
            f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB"
        )
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kernels = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory: {own:.0f} MB (this process), {kernels:.0f} MB (largest kernel)")


if __name__ == "__main__":
    main()
