"""Provenance: git state, DVC data version, parameters and versions — in every footer and provenance.json."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from sozialplanung.core.scm import GitState, git_state
from sozialplanung.site.provenance import VERSIONED_PACKAGES, data_version, flat_parameters, read
from sozialplanung.site.publish import publish

from conftest import BIN, run
from publish_helpers import PAGES, make_edition


def commit_all(root: Path, message: str = "commit") -> str:
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", message], root)
    return run(["git", "rev-parse", "HEAD"], root).strip()


def git_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    run(["git", "init", "-q"], root)
    (root / ".gitignore").write_text("/outputs/\n/data/processed/\n", encoding="utf-8")
    return root


def footers(site: Path) -> dict[str, BeautifulSoup]:
    return {page: BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser") for page in PAGES}


def text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


# --- git state ------------------------------------------------------------------------------------


def test_no_git_repository_is_no_error(tmp_path):
    assert git_state(tmp_path) == GitState(repository=False, commit=None, dirty=None)


def test_source_commit_ignores_the_lock_file_and_build_folders(tmp_path):
    root = git_project(tmp_path / "projekt")
    (root / "params").mkdir()
    (root / "params" / "2024.yaml").write_text("edition: '2024'\n", encoding="utf-8")
    (root / "dvc.lock").write_text("schema: '2.0'\n", encoding="utf-8")
    source = commit_all(root)
    assert git_state(root) == GitState(True, source, False)

    # dvc repro rewrites dvc.lock while it builds, and writes data and outputs: still clean.
    (root / "dvc.lock").write_text("schema: '2.0'\nstages: {}\n", encoding="utf-8")
    for folder in ("outputs/2024/site", "data/raw/2024", "data/processed/2024"):
        (root / folder).mkdir(parents=True)
        (root / folder / "datei.csv").write_text("a;b\n", encoding="utf-8")
    assert git_state(root) == GitState(True, source, False)

    # The commit that adds only the lock names the same source as the build before it.
    run(["git", "add", "dvc.lock"], root)
    run(["git", "commit", "-qm", "lock"], root)
    assert run(["git", "rev-parse", "HEAD"], root).strip() != source
    assert git_state(root) == GitState(True, source, False)

    (root / "notebooks").mkdir()
    (root / "notebooks" / "neu.ipynb").write_text("{}", encoding="utf-8")  # untracked, not ignored
    assert git_state(root) == GitState(True, source, True)
    (root / "notebooks" / "neu.ipynb").unlink()
    (root / "params" / "2024.yaml").write_text("edition: '2024'\ntitle: x\n", encoding="utf-8")
    assert git_state(root).dirty is True
    newer = commit_all(root)
    assert git_state(root) == GitState(True, newer, False)


# --- data version --------------------------------------------------------------------------------


def test_data_version_is_dvcs_directory_hash(tmp_path):
    root = git_project(tmp_path / "projekt")
    run([str(BIN / "dvc"), "init", "-q"], root)
    raw = root / "data" / "raw" / "2025"
    (raw / "unterordner").mkdir(parents=True)
    (raw / "bevoelkerung.csv").write_bytes("\ufeffjahr;kennziffer;anzahl\r\n2025;11;4.312\r\n".encode("utf-8"))
    (raw / "sgb2.xlsx").write_bytes(bytes(range(256)) * 40)
    (raw / "unterordner" / "wohngeld.csv").write_text("jahr;anzahl\n2025;17\n", encoding="cp1252")
    run([str(BIN / "dvc"), "add", "-q", "data/raw/2025"], root)
    recorded = yaml.safe_load((root / "data" / "raw" / "2025.dvc").read_text(encoding="utf-8"))["outs"][0]
    version = data_version(raw, "data/raw/2025")
    assert (version.md5, version.nfiles, version.size) == (recorded["md5"], recorded["nfiles"], recorded["size"])
    assert version.md5.endswith(".dir") and version.path == "data/raw/2025"


def test_missing_raw_folder_has_no_data_version(tmp_path):
    version = data_version(tmp_path / "fehlt", "data/raw/2030")
    assert version.md5 is None and version.nfiles == 0


def test_parameters_are_flattened_for_the_footer():
    rows = flat_parameters(
        {
            "a": 1,
            "data": {"raw_dir": "data/raw/2024", "synthetic": True},
            "liste": ["x", "y"],
            "chapters": [{"id": "01_a", "title": "Ä"}],
            "leer": {},
            "nichts": None,
        }
    )
    assert rows == [
        ("a", "1"),
        ("data.raw_dir", "data/raw/2024"),
        ("data.synthetic", "true"),
        ("liste", "x, y"),
        ("chapters[1].id", "01_a"),
        ("chapters[1].title", "Ä"),
        ("leer", "{}"),
        ("nichts", "null"),
    ]


# --- on the pages ------------------------------------------------------------------------------------


@pytest.fixture
def committed_edition(tmp_path):
    root = git_project(tmp_path / "projekt")
    edition = make_edition(root, synthetic=False)
    raw = edition.paths.raw_dir
    raw.mkdir(parents=True)
    (raw / "bevoelkerung.csv").write_text("jahr;kennziffer;anzahl\n2024;11;4312\n", encoding="utf-8")
    (root / ".gitignore").write_text("/outputs/\n/data/\n", encoding="utf-8")
    return edition, commit_all(root)


def test_every_page_and_provenance_json_name_commit_data_parameters_and_versions(committed_edition):
    edition, commit = committed_edition
    site = publish(edition, engine="nbconvert").parent
    recorded = json.loads((site / "provenance.json").read_text(encoding="utf-8"))
    version = data_version(edition.paths.raw_dir, "data/raw/2024")
    params_file = edition.project.params_file("2024")
    assert recorded["edition"] == "2024" and recorded["reference_date"] == "2024-12-31"
    assert recorded["git"] == {"repository": True, "commit": commit, "dirty": False}
    assert recorded["data"] == {
        "path": "data/raw/2024",
        "md5": version.md5,
        "nfiles": 1,
        "size": version.size,
        "hash": "md5",
    }
    assert recorded["parameters"]["file"] == "params/2024.yaml"
    assert recorded["parameters"]["values"] == edition.config.model_dump(mode="json")
    assert recorded["parameters"]["sha256"] == hashlib.sha256(params_file.read_bytes()).hexdigest()
    assert list(recorded["software"]) == ["Python", *VERSIONED_PACKAGES]
    assert recorded["software"]["pandas"] == metadata.version("pandas")
    raw_json = (site / "provenance.json").read_text(encoding="utf-8")
    assert str(edition.project.root) not in raw_json
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", raw_json)  # no build time
    assert read(site).exact

    for page, soup in footers(site).items():
        footer = text(soup.find("footer"))
        assert f"Git-Commit: {commit}" in footer, page
        assert "Stichtag: 31.12.2024" in footer and "Ausgabe 2024" in footer
        assert f"md5 {version.md5} (1 Datei)" in footer
        assert recorded["parameters"]["sha256"] in footer and "confidentiality.threshold 3" in footer
        for package in ("numpy", "matplotlib", "papermill", "dvc", "pandera", "babel", "openpyxl"):
            assert f"{package} {metadata.version(package)}" in footer, package
        assert soup.find("footer").find("a", href="provenance.json") is not None
        assert "unsauber" not in text(soup).casefold()


def test_a_dirty_build_is_marked_on_every_page(committed_edition):
    edition, commit = committed_edition
    params = edition.project.params_file("2024")
    params.write_text(params.read_text(encoding="utf-8") + "# noch nicht eingecheckt\n", encoding="utf-8")
    site = publish(edition, engine="nbconvert").parent
    assert json.loads((site / "provenance.json").read_text(encoding="utf-8"))["git"]["dirty"] is True
    assert not read(site).exact
    for page, soup in footers(site).items():
        banner = soup.find("header").find(class_="hinweis-unsauber")
        assert banner is not None and "nicht eingecheckten Änderungen" in text(banner), page
        assert f"Git-Commit: {commit} mit nicht eingecheckten Änderungen (unsauberer Build)" in text(
            soup.find("footer")
        )


def test_without_git_the_footer_says_so(tmp_path):
    site = publish(make_edition(tmp_path / "projekt"), engine="nbconvert").parent
    for page, soup in footers(site).items():
        footer = text(soup.find("footer"))
        assert "Git-Commit: kein Git-Repository" in footer, page
        assert "Rohdatenordner data/raw/2024 nicht vorhanden" in footer
        assert soup.find(class_="hinweis-unsauber") is None
