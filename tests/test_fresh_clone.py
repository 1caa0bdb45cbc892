"""A fresh clone, `make edition`, and the repository is as clean as before: `git status --porcelain` and
`dvc status` print nothing, because every build writes the same bytes and the committed `dvc.lock`
is what a build writes. Then `sozialbericht verify <edition> --rev HEAD` checks it without a tag."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, REPO, checkout_env, run_result

pytestmark = pytest.mark.slow
VENV = BIN.parent


def _run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run_result([str(a) for a in args], cwd, env=checkout_env(cwd), check=check)


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
