"""Raw data never enters git: the pre-commit hook, the rules behind it, and the repository itself."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from sozialplanung.editions.gitguard import MAX_BYTES, problem, problems

from conftest import REPO

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True)
    assert not check or result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("data/raw/2025/bevoelkerung.csv", True),
        ("data/raw/2025/LIESMICH.txt", True),
        ("data/processed/2025/tables/sgb2.csv", True),
        ("outputs/2025/site/index.html", True),
        ("docs/export_sozialamt.xlsx", True),
        ("auswertung.parquet", True),
        ("data/raw/2025.dvc", False),
        ("data/raw/.gitignore", False),
        ("data/reference/marburg_stadtbezirke.csv", False),
        ("tests/fixtures/kaputt.csv", False),
        ("src/sozialplanung/load.py", False),
        ("dvc.lock", False),
    ],
)
def test_rules(path, refused):
    assert (problem(path, 100) is not None) == refused


def test_large_files_are_refused_anywhere():
    assert problem("notebooks/01_bevoelkerung.ipynb", MAX_BYTES + 1) is not None
    assert problem("notebooks/01_bevoelkerung.ipynb", MAX_BYTES) is None


def test_the_repository_holds_no_raw_data():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode()
    files = [(name, (REPO / name).stat().st_size) for name in listed.split("\0") if name and (REPO / name).is_file()]
    assert files and problems(files) == []


def test_raw_folders_are_ignored_but_their_pointers_are_not():
    """git ignores every edition's raw files, but not the ``.dvc`` pointer ``dvc add`` writes next to
    the folder (else `dvc add` refuses, and DVC does not even look into an ignored ``data/raw/``)."""
    for params in sorted((REPO / "params").glob("*.yaml")):
        raw_dir = yaml.safe_load(params.read_text(encoding="utf-8"))["data"]["raw_dir"]
        assert (
            git(["check-ignore", "-q", "--no-index", f"{raw_dir}/bevoelkerung.csv"], REPO, check=False).returncode == 0
        )
    for pointer in ("data/raw/2025.dvc", "data/raw/sample.dvc"):
        assert git(["check-ignore", "-q", "--no-index", pointer], REPO, check=False).returncode == 1, pointer
        assert git(["check-ignore", "-q", "--no-index", "data/raw/"], REPO, check=False).returncode == 1


@pytest.fixture
def hooked_repo(tmp_path):
    """A git repository with the project's hook installed as `make setup` installs it."""
    root = tmp_path / "repo"
    for name in (".githooks/pre-commit", "src/sozialplanung/editions/gitguard.py", "Makefile"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    git(["init", "-q"], root)
    subprocess.run(["make", "--no-print-directory", "hooks"], cwd=root, check=True, capture_output=True)
    assert git(["config", "core.hooksPath"], root).stdout.strip() == ".githooks"
    git(["add", "-A"], root)
    git(["commit", "-qm", "Projekt"], root)
    return root


def test_hook_refuses_raw_data_and_lets_pointers_through(hooked_repo):
    root = hooked_repo
    raw = root / "data" / "raw" / "2025"
    raw.mkdir(parents=True)
    (raw / "bevoelkerung.csv").write_text("jahr;kennziffer;anzahl\n2025;11;4312\n", encoding="utf-8")
    git(["add", "data/raw/2025/bevoelkerung.csv"], root)
    refused = git(["commit", "-qm", "Rohdaten"], root, check=False)
    assert refused.returncode != 0
    assert "Commit refused" in refused.stderr and "data/raw/2025/bevoelkerung.csv" in refused.stderr
    assert "sozialbericht add-data" in refused.stderr
    assert git(["rev-list", "--count", "HEAD"], root).stdout.strip() == "1"

    git(["rm", "-q", "--cached", "data/raw/2025/bevoelkerung.csv"], root)
    (root / "data" / "raw" / "2025.dvc").write_text("outs:\n- md5: 0123.dir\n  path: '2025'\n", encoding="utf-8")
    (root / "data" / "raw" / ".gitignore").write_text("/2025\n", encoding="utf-8")
    git(["add", "data/raw/2025.dvc", "data/raw/.gitignore"], root)
    git(["commit", "-qm", "Datenstand"], root)
    assert git(["rev-list", "--count", "HEAD"], root).stdout.strip() == "2"


def test_hook_refuses_spreadsheets_anywhere_but_reference_data(hooked_repo):
    root = hooked_repo
    (root / "docs").mkdir()
    (root / "docs" / "export.xlsx").write_bytes(b"PK\x03\x04")
    (root / "data" / "reference").mkdir(parents=True)
    (root / "data" / "reference" / "bezirke.csv").write_text("kennziffer;name\n11;Altstadt\n", encoding="utf-8")
    git(["add", "-A"], root)
    refused = git(["commit", "-qm", "Export"], root, check=False)
    assert refused.returncode != 0 and "docs/export.xlsx" in refused.stderr
    assert "bezirke.csv" not in refused.stderr
    git(["rm", "-q", "--cached", "docs/export.xlsx"], root)
    git(["commit", "-qm", "Referenzdaten"], root)


def test_make_hooks_outside_git_does_nothing(tmp_path):
    shutil.copy2(REPO / "Makefile", tmp_path / "Makefile")
    result = subprocess.run(
        ["make", "--no-print-directory", "hooks"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)},
    )
    assert result.returncode == 0 and result.stdout == ""
