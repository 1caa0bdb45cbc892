"""`dvc repro` on the committed project: builds everything, then nothing, then only what a change touches."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import BIN, run_result

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path) -> str:
    result = run_result(args, cwd)
    return result.stdout + result.stderr


def _ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", output))


def test_repro_builds_all_then_nothing_then_only_the_changed_chapter(built_origin, tmp_path):
    origin, first = built_origin  # the committed project, `dvc repro` once (two chapters, three profiles)
    chapters = {
        f"chapter@{c}" for c in yaml.safe_load((origin / "params/2024.yaml").read_text(encoding="utf-8"))["chapters"]
    }
    assert _ran(first) == {"sample", "validate", "indicators", "profiles", "publish", *chapters}
    assert (origin / "outputs/2024/site/index.html").is_file()

    second = _run([str(BIN / "dvc"), "repro"], origin)
    assert _ran(second) == set()
    assert "up to date" in second

    clone = tmp_path / "kopie"
    shutil.copytree(origin, clone, symlinks=True)  # the origin stays as it is for other tests
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
