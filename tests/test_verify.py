"""`sozialbericht verify` with real git, real DVC and a local-folder remote: release an edition, rebuild
it from a fresh clone byte for byte, and find exactly the files that one changed raw value changes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sozialplanung.core.config import load_config
from sozialplanung.core.errors import ConfigError
from sozialplanung.data.load import read_districts
from sozialplanung.data.sample import generate_sample
from sozialplanung.editions.verify import verify_edition
from sozialplanung.site.manifest import compare, hash_site

from conftest import BIN, COMMAND_ENV, REPO, profile_only, run_result

VERIFY = [str(BIN / "sozialbericht"), "verify"]
EDITION = "2025"
SITE = Path("outputs") / EDITION / "site"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Sozialplanung",
    "GIT_AUTHOR_EMAIL": "sozialplanung@example.org",
    "GIT_COMMITTER_NAME": "Sozialplanung",
    "GIT_COMMITTER_EMAIL": "sozialplanung@example.org",
}


def env_for(project: Path) -> dict[str, str]:
    """The venv's tools first on PATH (conftest); the checkout's own package code first on PYTHONPATH."""
    return {**COMMAND_ENV, **GIT_IDENTITY, "PYTHONPATH": str(project / "src")}


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run_result(args, cwd, env=env_for(cwd), check=check)


def copy_working_tree(target: Path) -> Path:
    """The project's files as they would be committed: tracked and new (not ignored) files."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in sorted(set(filter(None, listed.split("\0")))):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def keep_two_chapters(project: Path) -> None:
    """A smaller edition for a quicker test: the first two chapters and three district profiles."""
    params = project / "params" / f"{EDITION}.yaml"
    chapters = [c.id for c in load_config(params).chapters]
    text = params.read_text(encoding="utf-8")
    for dropped in chapters[2:]:
        text = re.sub(rf"^  {dropped}:\n(    .*\n)*", "", text, flags=re.MULTILINE)
    params.write_text(text, encoding="utf-8")  # the pipeline follows the params: dvc.yaml needs no edit
    profile_only(project, edition=EDITION)
    assert [c.id for c in load_config(params).chapters] == chapters[:2]


def change_one_value(raw_dir: Path) -> str:
    """Add 7 residents to one cell of the reporting year; returns the changed line."""
    path = raw_dir / "bevoelkerung.csv"
    data = path.read_bytes()
    bom = "\ufeff".encode() if data.startswith("\ufeff".encode()) else b""
    lines = data[len(bom) :].decode("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(f"{EDITION};232;20-24;w;deutsch;"))
    fields = lines[number].split(";")
    fields[-1] = str(int(fields[-1]) + 7)
    lines[number] = ";".join(fields)
    path.write_bytes(bom + "\n".join(lines).encode("utf-8"))
    return lines[number]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """init → new edition → add raw data (dvc add + push) → build → commit → push → release (tag)."""
    base = tmp_path_factory.mktemp("verify")
    origin = copy_working_tree(base / "origin")
    run(["git", "init", "-q"], origin)
    run(["git", "add", "-A"], origin)
    run(["git", "commit", "-qm", "Projekt"], origin)
    run([str(BIN / "dvc"), "remote", "add", "--default", "--force", "lokal", str(base / "dvc-speicher")], origin)

    new = run([str(BIN / "sozialbericht"), "new-edition", EDITION], origin)
    assert "Next steps" in new.stdout + new.stderr
    keep_two_chapters(origin)
    export = base / "export"
    generate_sample(export, read_districts(origin / "data/reference/marburg_stadtbezirke.csv"), 20251231, 2019, 2025)
    run([str(BIN / "sozialbericht"), "add-data", "--edition", EDITION, str(export)], origin)
    run(["git", "add", "-A"], origin)
    run(["git", "commit", "-qm", f"Ausgabe {EDITION}: Parameter und Rohdaten (DVC)"], origin)
    assert not run(["git", "ls-files", "data/raw"], origin).stdout.strip().endswith(".csv")

    run([str(BIN / "dvc"), "repro"], origin)
    run(["git", "commit", "-qam", f"Ausgabe {EDITION} gebaut"], origin)
    run([str(BIN / "dvc"), "push"], origin)
    run([str(BIN / "sozialbericht"), "release", "--edition", EDITION], origin)
    assert run(["git", "tag"], origin).stdout.split() == [f"edition-{EDITION}"]
    return base, origin


def fresh_clone(released, name: str) -> Path:
    base, origin = released
    clone = base / name
    run(["git", "clone", "-q", str(origin), str(clone)], base)
    run([str(BIN / "dvc"), "pull"], clone)
    assert (clone / f"data/raw/{EDITION}/bevoelkerung.csv").is_file() and (clone / SITE / "manifest.json").is_file()
    return clone


@pytest.mark.slow
def test_fresh_clone_verifies_and_one_changed_value_is_reported_exactly(released):
    exact, changed = fresh_clone(released, "klon"), fresh_clone(released, "klon-geaendert")
    # The unchanged clone verifies while the other clone rebuilds with one changed raw value.
    verifying = subprocess.Popen(
        [*VERIFY, EDITION], cwd=exact, env=env_for(exact), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        published_before = hash_site(changed / SITE)
        change_one_value(changed / "data" / "raw" / EDITION)
        run([str(BIN / "sozialbericht"), "add-data", "--edition", EDITION, "--no-push"], changed)
        run([str(BIN / "dvc"), "repro"], changed)
    finally:
        stdout, stderr = verifying.communicate(timeout=1800)
    assert verifying.returncode == 0, f"{stdout}\n{stderr}"
    assert "Identical" in stderr and "differs" not in stdout
    assert run(["git", "worktree", "list"], exact).stdout.count("\n") == 1  # the temporary worktree is gone

    expected = {d.path for d in compare(published_before, hash_site(changed / SITE))}
    assert expected and "assets/style.css" not in expected and "provenance.json" in expected
    result = run([*VERIFY, EDITION, "--keep"], changed, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    kept = Path(re.search(r"^Rebuilt site kept at (.+)$", result.stdout, re.MULTILINE)[1])
    assert hash_site(kept) == published_before  # the rebuild from the tag is the edition as first published
    reported = {line.split(maxsplit=1)[1] for line in result.stdout.splitlines() if line.startswith("differs:")}
    assert reported == expected
    assert f"{len(expected)} of" in result.stderr and "files differ" in result.stderr
    assert "missing:" not in result.stdout and "extra:" not in result.stdout
    run(["git", "worktree", "remove", "--force", str(kept.parents[2])], changed)
    shutil.rmtree(kept.parents[3])


def test_verify_without_a_tag_says_how_to_release(tmp_path):
    project = tmp_path / "projekt"
    (project / "params").mkdir(parents=True)
    run(["git", "init", "-q"], project)
    with pytest.raises(ConfigError, match="sozialbericht release --edition 2030"):
        verify_edition(project, "2030")
