"""Shared fixtures: the repository root and a throw-away copy of the project's inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo() -> Path:
    return REPO


def copy_project(target: Path) -> Path:
    """The files a build reads (no data, no outputs), as a new user's checkout would have them."""
    for folder in ("params", "notebooks", "data/reference"):
        shutil.copytree(REPO / folder, target / folder)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory):
    """The sample edition built once per test session in a fresh project: (edition, index page)."""
    from sozialplanung.config import open_edition
    from sozialplanung.pipeline import build

    project = copy_project(tmp_path_factory.mktemp("sample") / "project")
    edition = open_edition("2024", project)
    return edition, build(edition, engine="nbconvert", progress=lambda message: None)
