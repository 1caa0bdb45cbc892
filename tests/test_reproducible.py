"""Byte-identical rebuilds: the sample edition built twice — in two folders, one after the other, with
different time zones, locales and hash seeds — gives the same bytes in every published file."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_project

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
COMMIT_ENV = {"GIT_AUTHOR_NAME": "Sozialplanung", "GIT_AUTHOR_EMAIL": "sozialplanung@example.org",
              "GIT_COMMITTER_NAME": "Sozialplanung", "GIT_COMMITTER_EMAIL": "sozialplanung@example.org",
              "GIT_AUTHOR_DATE": "2025-01-15T09:00:00+01:00", "GIT_COMMITTER_DATE": "2025-01-15T09:00:00+01:00"}  # fmt: skip
BUILD_ENVS = (
    {"TZ": "Europe/Berlin", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8", "PYTHONHASHSEED": "1"},
    {"TZ": "America/Los_Angeles", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "4242"},
)


def _run(args: list[str], cwd: Path, extra: dict[str, str]) -> None:
    env = {**os.environ, **extra, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(REPO / "src")}  # fmt: skip
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _build(folder: Path, build_env: dict[str, str]) -> Path:
    """The same commit as a fresh clone would have it, built with `sozialbericht build`."""
    project = copy_project(folder)
    (project / ".gitignore").write_text("/data/raw/\n/data/processed/\n/outputs/\n", encoding="utf-8")
    _run(["git", "init", "-q"], project, COMMIT_ENV)
    _run(["git", "add", "-A"], project, COMMIT_ENV)
    _run(["git", "commit", "-qm", "Ausgabe 2024"], project, COMMIT_ENV)
    _run([str(BIN / "sozialbericht"), "build", "--edition", "2024", "--engine", "nbconvert"], project, build_env)
    return project / "outputs" / "2024" / "site"


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_builds_in_two_folders_are_byte_identical(tmp_path):
    first = _files(_build(tmp_path / "a" / "sozialbericht", BUILD_ENVS[0]))
    second = _files(_build(tmp_path / "zweiter-ordner" / "tiefer" / "projekt", BUILD_ENVS[1]))

    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == [], f"differ between the two builds: {different}"

    # The comparison covers a real edition: pages, stylesheet, provenance and its manifest.
    assert {"index.html", "assets/style.css", "provenance.json", "manifest.json"} <= set(first)
    assert len([name for name in first if name.endswith(".html")]) >= 8
    provenance = json.loads(first["provenance.json"])
    assert provenance["git"]["repository"] and provenance["git"]["dirty"] is False
    assert provenance["data"]["md5"].endswith(".dir")
    manifest = json.loads(first["manifest.json"])
    assert manifest == {name: hashlib.sha256(data).hexdigest() for name, data in first.items() if name != "manifest.json"}
    for name, data in first.items():
        if name.endswith((".html", ".json", ".css", ".csv")):
            text = data.decode("utf-8-sig")
            assert str(tmp_path) not in text and "/tmp/" not in text, name
