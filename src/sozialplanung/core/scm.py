"""Running ``git`` and ``dvc`` as subprocesses, and the git state a build is made from.

Editions are reproducible from a git tag plus a DVC data version, so provenance, release and
verification all ask git and DVC the same few questions; this module asks them. ``dvc`` is called
as a command (it is installed next to the package, in the same environment) so that the project
relies on DVC's command-line contract rather than its internal Python API.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sozialplanung.core.errors import SozialplanungError

LOCK_FILE = "dvc.lock"
"""Written by ``dvc repro`` while it builds: a record of the build, not one of its inputs."""
BUILD_FOLDERS = ("outputs", "data/raw", "data/processed")
"""Folders a build reads or writes that are DVC's, never git's (ignored in the dirty check)."""


class ToolError(SozialplanungError):
    """``git`` or ``dvc`` is missing or a call of it failed."""


@dataclass(frozen=True)
class GitState:
    """The source a build is made from.

    ``commit`` is the newest commit that changed anything in the project other than ``dvc.lock``:
    ``dvc repro`` rewrites ``dvc.lock`` while it builds, so the lock is committed *after* the build,
    and the commit that adds only the lock must name the same source as the build before it.
    ``dirty`` is true when tracked files (other than ``dvc.lock``) or untracked, not ignored files
    differ from that commit. Without git, ``repository`` is false and both are ``None``.
    """

    repository: bool
    commit: str | None = None
    dirty: bool | None = None


def tool_environment(source_dir: Path | None = None) -> dict[str, str]:
    """Environment for ``dvc`` and ``sozialbericht`` subprocesses.

    The running interpreter's ``bin`` folder comes first on ``PATH`` (so the environment's
    ``dvc`` and ``sozialbericht`` are used); ``source_dir`` (a ``src`` folder) comes first on
    ``PYTHONPATH``, so a rebuild of an old edition runs that edition's package code, not the
    installed one.
    """
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if source_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(source_dir), env.get("PYTHONPATH", "")) if p)
    return env


def _run(
    tool: str, args: list[str], cwd: Path, env: dict[str, str] | None, timeout: float
) -> subprocess.CompletedProcess:
    executable = shutil.which(tool, path=(env or tool_environment())["PATH"])
    if executable is None:
        raise ToolError(f"`{tool}` was not found on PATH. Install it (for dvc: `make setup`) and try again.")
    try:
        return subprocess.run(
            [executable, *args],
            cwd=cwd,
            env=env or tool_environment(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"`{tool} {' '.join(args)}` did not finish within {timeout:g} s.") from None


def _checked(tool: str, args: list[str], cwd: Path, env: dict[str, str] | None, timeout: float, what: str) -> str:
    result = _run(tool, args, cwd, env, timeout)
    if result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip() or "(no output)").splitlines()[-15:]
        raise ToolError(
            f"{what} failed: `{tool} {' '.join(args)}` exited with {result.returncode} in {cwd}.\n" + "\n".join(output)
        )
    return result.stdout


def git(args: list[str], cwd: Path, what: str = "A git command", timeout: float = 120) -> str:
    """Run git in ``cwd`` (never taking optional locks); its stdout, or :class:`ToolError`."""
    return _checked("git", ["--no-optional-locks", *args], cwd, None, timeout, what)


def dvc(
    args: list[str], cwd: Path, what: str = "A dvc command", env: dict[str, str] | None = None, timeout: float = 3600
) -> str:
    """Run dvc in ``cwd``; its stdout, or :class:`ToolError` with the end of its messages."""
    return _checked("dvc", args, cwd, env or tool_environment(), timeout, what)


def in_git_repository(path: Path) -> bool:
    if shutil.which("git") is None:
        return False
    result = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path, capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.strip() == "true"


def source_pathspec() -> list[str]:
    """Everything in the project (the current folder) except ``dvc.lock``."""
    return ["--", ".", f":(exclude){LOCK_FILE}"]


def git_state(project_root: Path) -> GitState:
    """Source commit and dirtiness of the project at ``project_root`` (see :class:`GitState`)."""
    if not in_git_repository(project_root):
        return GitState(repository=False)
    log = _run("git", ["--no-optional-locks", "log", "-1", "--format=%H", *source_pathspec()], project_root, None, 60)
    commit = log.stdout.strip() if log.returncode == 0 and log.stdout.strip() else None
    excluded = [f":(exclude){folder}" for folder in BUILD_FOLDERS]
    status = git(
        ["status", "--porcelain", "--untracked-files=all", *source_pathspec(), *excluded],
        project_root,
        "Reading the git status",
    )
    return GitState(repository=True, commit=commit, dirty=bool(status.strip()) or commit is None)


def working_tree_changes(project_root: Path) -> list[str]:
    """Every change git sees in the project, ``dvc.lock`` included (``git status --porcelain``)."""
    status = git(["status", "--porcelain", "--untracked-files=all", "--", "."], project_root, "Reading the git status")
    return [line for line in status.splitlines() if line.strip()]


def git_ignores(project_root: Path, relative_path: str) -> bool:
    """Whether git ignores a path (``git check-ignore``; exit status 1 means "not ignored")."""
    return _run("git", ["check-ignore", "-q", relative_path], project_root, None, 60).returncode == 0


def tag_commit(project_root: Path, tag: str) -> str | None:
    """The commit a tag points to, or ``None`` when there is no such tag."""
    result = _run("git", ["rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], project_root, None, 60)
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None
