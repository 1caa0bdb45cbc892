"""`dvc repro` on a fresh clone: builds everything, then nothing, then only what a change touches."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import BIN, REPO, profile_only, run_result

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path) -> str:
    result = run_result(args, cwd)
    return result.stdout + result.stderr


def _ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", output))


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clone of the committed project (tracked files only, as CI and a new user get it)."""
    target = tmp_path_factory.mktemp("dvc") / "clone"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    profile_only(target)  # three district profiles show the stages as well as 33
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "clone"],
    ):
        _run(command, target)
    return target


def test_repro_builds_all_then_nothing_then_only_the_changed_chapter(clone):
    first = _run([str(BIN / "dvc"), "repro"], clone)
    chapters = {
        f"chapter@{c}" for c in yaml.safe_load((clone / "params/2024.yaml").read_text(encoding="utf-8"))["chapters"]
    }
    assert _ran(first) == {"sample", "validate", "indicators", "profiles", "publish", *chapters}
    assert (clone / "outputs/2024/site/index.html").is_file()

    second = _run([str(BIN / "dvc"), "repro"], clone)
    assert _ran(second) == set()
    assert "up to date" in second

    notebook_path = clone / "notebooks/02_existenzsicherung.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells[0].source += "\n\nEin zusätzlicher Satz zur Prüfung."
    nbformat.write(notebook, notebook_path)
    third = _run([str(BIN / "dvc"), "repro"], clone)
    assert _ran(third) == {"chapter@02_existenzsicherung", "publish"}
    assert "Ein zusätzlicher Satz zur Prüfung." in (clone / "outputs/2024/site/02_existenzsicherung.html").read_text(
        encoding="utf-8"
    )

    lock = json.dumps(yaml.safe_load((clone / "dvc.lock").read_text()))
    assert "outputs/2024/site" in lock
