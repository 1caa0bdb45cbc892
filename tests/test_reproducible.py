"""Byte-identical rebuilds: the sample edition built twice — in two folders, one after the other, with
different time zones, locales and hash seeds — gives the same bytes in every published file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import BIN, copy_project, profile_only, run

pytestmark = pytest.mark.slow
COMMIT_ENV = {
    "GIT_AUTHOR_NAME": "Sozialplanung",
    "GIT_AUTHOR_EMAIL": "sozialplanung@example.org",
    "GIT_COMMITTER_NAME": "Sozialplanung",
    "GIT_COMMITTER_EMAIL": "sozialplanung@example.org",
    "GIT_AUTHOR_DATE": "2025-01-15T09:00:00+01:00",
    "GIT_COMMITTER_DATE": "2025-01-15T09:00:00+01:00",
}
BUILD_ENVS = (
    {"TZ": "Europe/Berlin", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8", "PYTHONHASHSEED": "1"},
    {"TZ": "America/Los_Angeles", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "4242"},
)


def _build(folder: Path, build_env: dict[str, str]) -> Path:
    """The same commit as a fresh clone would have it, built with `sozialbericht build`."""
    project = profile_only(copy_project(folder))  # three district profiles; the pages are the same code
    (project / ".gitignore").write_text("/data/raw/\n/data/processed/\n/outputs/\n", encoding="utf-8")
    run(["git", "init", "-q"], project, env=COMMIT_ENV)
    run(["git", "add", "-A"], project, env=COMMIT_ENV)
    run(["git", "commit", "-qm", "Ausgabe 2024"], project, env=COMMIT_ENV)
    run([str(BIN / "sozialbericht"), "build", "--edition", "2024", "--engine", "nbconvert"], project, env=build_env)
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
    assert manifest == {
        name: hashlib.sha256(data).hexdigest() for name, data in first.items() if name != "manifest.json"
    }
    for name, data in first.items():
        if name.endswith((".html", ".json", ".css", ".csv")):
            text = data.decode("utf-8-sig")
            assert str(tmp_path) not in text and "/tmp/" not in text, name
