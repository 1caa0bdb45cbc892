"""Shared fixtures: the repository root and a throw-away copy of the project's inputs."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMMAND_ENV = {
    **os.environ,
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}
"""Environment for git, dvc and sozialbericht run by tests: the venv's commands first, a git identity."""


def run_result(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    """Run a command (the venv's tools first on PATH, a git identity, ``env`` on top); with
    ``check``, fail the test with the command's output unless it succeeds."""
    result = subprocess.run(
        args, cwd=cwd, env={**COMMAND_ENV, **(env or {})}, capture_output=True, text=True, timeout=1800
    )
    if check:
        assert result.returncode == 0, f"{' '.join(map(str, args))} failed in {cwd}:\n{result.stdout}\n{result.stderr}"
    return result


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command the tests need to succeed; its standard output."""
    return run_result(args, cwd, env).stdout


LONGEST_FIRST = (
    "test_verify.py",
    "test_fresh_clone.py",
    "test_claims.py",
    "test_pipeline.py",
    "test_reproducible.py",
    "test_browser.py",
)
"""The modules that build editions, longest first. pytest-xdist hands out modules in collection order
(``make test``: ``--dist loadfile``) and the suite ends when the last long module does, so they start
first and the short modules fill the other worker."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


@pytest.fixture
def repo() -> Path:
    return REPO


def copy_project(target: Path) -> Path:
    """The files a build reads (no data, no outputs), as a new user's checkout would have them."""
    for folder in ("params", "notebooks", "data/reference"):
        shutil.copytree(REPO / folder, target / folder)
    return target


PROFILED_FEW = (211, 234, 243)
"""Altstadt, Lahnberge (small: hidden values, left out of the index) and Oberer Richtsberg (large,
lowest status): enough for tests that need profiles but not all 33."""


def profile_only(project: Path, kennziffern: tuple[int, ...] = PROFILED_FEW, edition: str = "2024") -> Path:
    """Limit the project's edition to profiles of ``kennziffern`` (the ``profiles.districts`` parameter)."""
    params = project / "params" / f"{edition}.yaml"
    text = params.read_text(encoding="utf-8")
    assert "  districts: []" in text, "the params file lost its profiles.districts entry"
    params.write_text(text.replace("  districts: []", f"  districts: {list(kennziffern)}", 1), encoding="utf-8")
    return project


def keep_two_chapters(project: Path, edition: str = "2024") -> Path:
    """A smaller edition for the tests that build through DVC: the first two numbered chapters,
    without the summaries (``00_…``) that link into all of them (the pipeline follows the params;
    dvc.yaml needs no edit). All chapters are built by tests/test_pipeline.py and
    tests/test_reproducible.py."""
    from sozialplanung.core.config import load_config

    params = project / "params" / f"{edition}.yaml"
    chapters = [c.id for c in load_config(params).chapters]
    kept = [c for c in chapters if not c.startswith("00_")][:2]
    text = params.read_text(encoding="utf-8")
    for dropped in (c for c in chapters if c not in kept):
        text = re.sub(rf"^  {dropped}:[^\n]*\n(    .*\n)*", "", text, flags=re.MULTILINE)
    params.write_text(text, encoding="utf-8")
    assert [c.id for c in load_config(params).chapters] == kept
    return project


def committed_files(target: Path) -> Path:
    """The tracked files of the project (as committed, plus edits not yet committed), in a new folder:
    what a clone has, without the repository's history."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


IDENTITY = {
    "GIT_AUTHOR_NAME": "Sozialplanung",
    "GIT_AUTHOR_EMAIL": "sozialplanung@example.org",
    "GIT_COMMITTER_NAME": "Sozialplanung",
    "GIT_COMMITTER_EMAIL": "sozialplanung@example.org",
}


def checkout_env(project: Path) -> dict[str, str]:
    """The shared environment's tools; the checkout's own package code (as `make setup` there would install)."""
    return {**IDENTITY, "PYTHONPATH": str(project / "src")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


# --- the package's import graph (for the layout and the DVC consistency tests) -----------------

PACKAGE = REPO / "src" / "sozialplanung"


def module_name(path: Path) -> str:
    """``src/sozialplanung/data/load.py`` → ``sozialplanung.data.load`` (a package by its ``__init__``)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
"""Every module of the package by its dotted name."""


def imported_modules(source: str, where: object = "") -> set[str]:
    """The sozialplanung modules ``source`` imports anywhere (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("sozialplanung")}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{where}: relative import; the project imports absolutely"
            if not (node.module or "").startswith("sozialplanung"):
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return found


IMPORT_GRAPH = {name: imported_modules(path.read_text(encoding="utf-8"), path) for name, path in MODULES.items()}
"""Module → the package modules it imports."""


def import_closure(modules: set[str]) -> set[str]:
    """``modules`` and every package module they import, directly or through others; a package
    counts with its ``__init__``."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(IMPORT_GRAPH.get(name, ()))
        parent = name.rpartition(".")[0]
        if parent:
            todo.append(parent)
    return seen


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory, worker_id):
    """The sample edition built once per test session in a fresh project: (edition, index page).

    Read-only for its users (tests/test_pipeline.py, test_claims.py, test_browser.py, which may run in
    different pytest-xdist workers): the first worker to need it builds it into the session's shared
    temporary folder under a file lock, the others wait for it and read the same files."""
    from filelock import FileLock

    from sozialplanung.core.config import open_edition
    from sozialplanung.pipeline import build

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder all workers of this session share
    project = shared / "sample" / "project"
    with FileLock(str(shared / "sample.lock")):
        if not (project.parent / "built").is_file():
            shutil.rmtree(project.parent, ignore_errors=True)
            copy_project(project)
            build(open_edition("2024", project), engine="nbconvert", progress=lambda message: None)
            (project.parent / "built").touch()
    edition = open_edition("2024", project)
    return edition, edition.paths.site_dir / "index.html"
