"""``sozialbericht verify``: rebuild a released edition from its tag and data version, compare bytes.

The edition's tag is checked out into a temporary git worktree; its raw data is fetched from the
DVC remote (the data version the tag's ``.dvc`` pointer records; a sample edition regenerates its
synthetic data instead); ``dvc repro --force`` rebuilds every stage with the tag's own package code;
and the SHA-256 of every rebuilt file is compared with the published edition's ``manifest.json``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from sozialplanung.core.errors import ConfigError
from sozialplanung.core.paths import ProjectPaths
from sozialplanung.core.scm import ToolError, dvc, git, tag_commit, tool_environment
from sozialplanung.editions.datastore import default_remote, remotes
from sozialplanung.editions.release import tag_name
from sozialplanung.site.manifest import Difference, compare, hash_site, read_manifest

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Verification:
    """The outcome of one rebuild: the files that differ from the published manifest."""

    edition: str
    tag: str
    commit: str
    compared: int
    differences: tuple[Difference, ...]
    rebuilt_site: Path | None  # kept only with ``keep=True``

    @property
    def identical(self) -> bool:
        return not self.differences


def published_site(project: ProjectPaths, edition: str) -> Path:
    """Where the published edition is by default: the project's own built (or pulled) site."""
    return project.edition(edition, raw_dir="").site_dir


def verify_edition(
    project_dir: str | Path,
    edition: str,
    published: Path | None = None,
    keep: bool = False,
    progress: Progress = print,
) -> Verification:
    """Rebuild ``edition`` from its tag in a temporary worktree and compare it with the published manifest."""
    project = ProjectPaths.at(project_dir)
    root = project.root
    tag = tag_name(edition)
    commit = tag_commit(root, tag)
    if commit is None:
        raise ConfigError(
            f"There is no tag {tag}: edition {edition} has not been released (`sozialbericht release --edition "
            f"{edition}`), or the tags are not fetched (`git fetch --tags`)."
        )
    expected = read_manifest(Path(published) if published else published_site(project, edition))
    workdir = Path(tempfile.mkdtemp(prefix=f"sozialbericht-verify-{edition}-"))
    tree = workdir / "checkout"
    progress(f"Checking out {tag} ({commit[:12]}) into {tree}")
    git(["worktree", "add", "--detach", str(tree), commit], root, f"Checking out {tag}")
    try:
        _use_project_remotes(root, tree)
        _fetch_raw_data(tree, edition, progress)
        progress("Rebuilding every stage with `dvc repro --force` (this takes a few minutes)")
        dvc(["repro", "--force"], tree, f"Rebuilding edition {edition}", env=tool_environment(tree / "src"))
        site = published_site(ProjectPaths.at(tree), edition)
        if not site.is_dir():
            raise ConfigError(f"The rebuild of {tag} wrote no site at {site.relative_to(tree)}.")
        actual = hash_site(site)
        differences = tuple(compare(expected, actual))
        return Verification(edition, tag, commit, len(set(expected) | set(actual)), differences, site if keep else None)
    finally:
        if not keep:
            _remove_worktree(root, tree, workdir)


def _use_project_remotes(root: Path, tree: Path) -> None:
    """Let the checkout fetch from the project's DVC remotes as configured now.

    A local remote's relative URL is resolved against the project (``dvc remote list`` shows it
    absolute); credentials in the project's ``.dvc/config.local`` are copied along.
    """
    local_config = root / ".dvc" / "config.local"
    if local_config.is_file():
        shutil.copyfile(local_config, tree / ".dvc" / "config.local")
    configured = remotes(root)
    for name, url in configured.items():
        dvc(["remote", "add", "--local", "--force", name, url], tree, f"Configuring DVC remote {name}")
    default = default_remote(root)
    if default is not None:
        dvc(["remote", "default", "--local", default], tree, "Choosing the default DVC remote")


def _fetch_raw_data(tree: Path, edition: str, progress: Progress) -> None:
    params_file = ProjectPaths.at(tree).params_file(edition)
    if not params_file.is_file():
        raise ConfigError(f"The tagged commit has no {params_file.relative_to(tree)}.")
    data = (yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}).get("data", {})
    raw_dir = str(data.get("raw_dir", ""))
    pointer = tree / f"{raw_dir}.dvc"
    if pointer.is_file():
        progress(f"Fetching the raw data {raw_dir} from the DVC remote")
        dvc(["pull", pointer.relative_to(tree).as_posix()], tree, f"Fetching {raw_dir} from the DVC remote")
    elif data.get("synthetic"):
        progress(f"Sample edition: the synthetic raw data {raw_dir} is generated again from its seed")
    else:
        progress(f"Fetching the raw data {raw_dir} from the DVC remote")
        dvc(["pull", raw_dir], tree, f"Fetching {raw_dir} from the DVC remote")


def _remove_worktree(root: Path, tree: Path, workdir: Path) -> None:
    try:
        git(["worktree", "remove", "--force", str(tree)], root, "Removing the temporary worktree")
    except ToolError:
        shutil.rmtree(tree, ignore_errors=True)
        git(["worktree", "prune"], root, "Pruning the temporary worktree")
    shutil.rmtree(workdir, ignore_errors=True)
