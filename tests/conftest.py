"""Shared fixtures: the repository root and a throw-away copy of the project's inputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMMAND_ENV = {
    **os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org",
}  # fmt: skip
"""Environment for git, dvc and sozialbericht run by tests: the venv's commands first, a git identity."""


def run(args: list[str], cwd: Path) -> str:
    """Run a command the tests need to succeed; fail with its output otherwise."""
    result = subprocess.run(args, cwd=cwd, env=COMMAND_ENV, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result.stdout


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
