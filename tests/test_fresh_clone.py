"""`dvc repro` on the committed project builds everything, then nothing, then only what a change
touches. A fresh clone, `make edition`, and the repository is as clean as before: `git status
--porcelain` and `dvc status` print nothing, because every build writes the same bytes and the
committed `dvc.lock` is what a build writes. Then `sozialbericht verify <edition> --rev HEAD` checks
it without a tag.

Both use one built origin (module fixture): pytest-xdist (``--dist loadfile``) runs a module in one
worker, so it is built once."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import BIN, REPO, checkout_env, committed_files, keep_two_chapters, profile_only, run, run_result

pytestmark = pytest.mark.slow
VENV = BIN.parent


def _run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run_result([str(a) for a in args], cwd, env=checkout_env(cwd), check=check)


@pytest.fixture(scope="module")
def built_origin(tmp_path_factory) -> tuple[Path, str]:
    """The project as a developer commits it (two chapters, three profiles) in a new repository:
    sources committed, `dvc repro`, and the dvc.lock that build wrote committed. Returns the folder
    and what the first `dvc repro` printed. Tests must not change it; copy it first."""
    origin = keep_two_chapters(profile_only(committed_files(tmp_path_factory.mktemp("origin") / "projekt")))
    env = checkout_env(origin)
    run(["git", "init", "-q"], origin, env)
    run(["git", "add", "-A"], origin, env)
    run(["git", "commit", "-qm", "Ausgabe 2024"], origin, env)
    result = run_result([str(BIN / "dvc"), "repro"], origin, env)
    changed = run(["git", "status", "--porcelain"], origin, env).splitlines()
    assert {line[3:] for line in changed} <= {"dvc.lock"}, changed  # a build changes nothing else
    run(["git", "commit", "-qam", "Ausgabe 2024 gebaut"], origin, env)
    return origin, result.stdout + result.stderr


def _output(args: list[str], cwd: Path) -> str:
    result = _run(args, cwd)
    return result.stdout + result.stderr


def _ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", output))


def test_repro_builds_all_then_nothing_then_only_the_changed_chapter(built_origin, tmp_path):
    origin, first = built_origin  # the committed project, `dvc repro` once (two chapters, three profiles)
    chapters = {
        f"chapter@{c}" for c in yaml.safe_load((origin / "params/2024.yaml").read_text(encoding="utf-8"))["chapters"]
    }
    assert _ran(first) == {"sample", "previous", "validate", "indicators", "profiles", "publish", *chapters}
    assert (origin / "outputs/2024/site/index.html").is_file()

    second = _output([str(BIN / "dvc"), "repro"], origin)
    assert _ran(second) == set()
    assert "up to date" in second

    clone = tmp_path / "kopie"
    shutil.copytree(origin, clone, symlinks=True)  # the origin stays as it is for other tests
    notebook_path = clone / "notebooks/02_existenzsicherung.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells[0].source += "\n\nEin zusätzlicher Satz zur Prüfung."
    nbformat.write(notebook, notebook_path)
    third = _output([str(BIN / "dvc"), "repro"], clone)
    assert _ran(third) == {"chapter@02_existenzsicherung", "publish"}
    assert "Ein zusätzlicher Satz zur Prüfung." in (clone / "outputs/2024/site/02_existenzsicherung.html").read_text(
        encoding="utf-8"
    )

    lock = json.dumps(yaml.safe_load((clone / "dvc.lock").read_text()))
    assert "outputs/2024/site" in lock


def test_the_committed_dvc_lock_records_the_committed_sources(tmp_path):
    """`dvc status` of an unbuilt clone of HEAD: outputs are missing, but no source or parameter changed.
    Fails when code, notebooks or parameters were committed without rebuilding and committing dvc.lock."""
    project = tmp_path / "kopie"
    _run(["git", "clone", "-q", REPO, project], tmp_path)  # HEAD: what is committed, not the working tree
    status = json.loads(_run([BIN / "dvc", "status", "--json"], project).stdout or "{}")
    stale = {}
    for stage, entries in status.items():
        for entry in entries:
            # Upstream outputs are missing ("deleted") before a build; a changed source or parameter is not.
            changed = {path: what for path, what in entry.get("changed deps", {}).items() if what != "deleted"}
            if changed or "changed params" in entry or "changed command" in entry:
                stale[stage] = entry
    assert stale == {}, (
        "dvc.lock does not describe the committed sources; rebuild it from HEAD and commit it "
        f"(`make lock && git commit dvc.lock`):\n{json.dumps(stale, indent=1)}"
    )


def test_fresh_clone_make_edition_leaves_git_and_dvc_clean_and_verifies_without_a_tag(tmp_path, built_origin):
    # The project as a developer commits it: sources, then (after a build) the dvc.lock that build wrote.
    origin, _ = built_origin

    # A new user: clone, `make edition` (with the shared environment instead of a new .venv).
    clone = tmp_path / "ein" / "anderer" / "ordner"
    _run(["git", "clone", "-q", origin, clone], tmp_path)
    stamp = f"{VENV}/.installed"
    _run(["make", "edition", f"VENV={VENV}", "-o", stamp], clone)
    assert (clone / "outputs/2024/site/index.html").is_file()
    assert _run(["git", "status", "--porcelain"], clone).stdout == ""
    assert json.loads(_run([BIN / "dvc", "status", "--json"], clone).stdout or "{}") == {}

    # Running a chapter again outside DVC writes the same bytes: DVC still sees nothing to do.
    _run([BIN / "sozialbericht", "execute", "--chapter", "01_bevoelkerung"], clone)
    assert json.loads(_run([BIN / "dvc", "status", "--json"], clone).stdout or "{}") == {}
    assert (clone / "outputs/2024/logs/execution.log").is_file()

    started = time.monotonic()
    verified = _run([BIN / "sozialbericht", "verify", "2024", "--rev", "HEAD"], clone, check=False)
    print(f"verify --rev HEAD (two chapters, three profiles): {time.monotonic() - started:.0f} s")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Hashing the published files" in verified.stderr and "Identical" in verified.stderr
    assert _run(["git", "status", "--porcelain"], clone).stdout == ""
    assert _run(["git", "worktree", "list"], clone).stdout.count("\n") == 1
