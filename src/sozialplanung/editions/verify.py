"""``sozialbericht verify``: check a published edition, trusting nothing, then rebuild it and compare bytes.

In this order:

1. **The published files** are hashed against their own ``manifest.json``; each file that differs,
   is missing or is not listed is named (a page changed after publishing).
2. **The source**: the edition's tag (``edition-<year>``, or any ``--rev`` such as ``HEAD`` for an
   edition that has no tag yet) is cloned into a temporary folder next to nothing the project
   registers (a plain ``git clone --shared``, no worktree), so a killed run leaves no git state behind;
   the next run removes its folder.
3. **The data**: the raw data is pulled from the DVC remote and hashed again against the md5 the
   tag's ``.dvc`` pointer records, file by file (a corrupted object in the remote is named); a sample
   edition regenerates its synthetic data from the seed instead.
4. **The rebuild**: ``dvc repro --force`` with the tag's own package code; every stage output is
   compared with the tag's ``dvc.lock`` and every published file with the published manifest. When
   they differ, the published and the rebuilt ``provenance.json`` say why: data version,
   parameters, source commit or software versions.
5. **The local raw data**, when the project has it, is compared file by file with the rebuild's.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sozialplanung.core.atomic import fault, owner_alive
from sozialplanung.core.errors import ConfigError
from sozialplanung.core.paths import ProjectPaths
from sozialplanung.core.scm import LOCK_FILE, ToolError, dvc, git, tag_commit, tool_environment
from sozialplanung.editions.datastore import default_remote, remotes
from sozialplanung.editions.release import tag_name
from sozialplanung.site.manifest import (
    MANIFEST_FILE,
    Difference,
    check_site,
    compare,
    file_digest,
    hash_site,
    read_manifest,
)
from sozialplanung.site.provenance import PROVENANCE_FILE, Provenance, data_version, flat_parameters

Progress = Callable[[str], None]
WORKDIR_PREFIX = "sozialbericht-verify-"
"""Temporary checkouts: ``sozialbericht-verify-<pid>-<edition>-…`` (removed by the next run once the
process is gone); with ``--keep`` ``sozialbericht-verify-kept-<edition>-…`` (never removed)."""


@dataclass(frozen=True)
class Verification:
    """Everything ``verify`` found; ``identical`` only when nothing at all differs."""

    edition: str
    ref: str
    commit: str
    published_changes: tuple[Difference, ...] = ()
    """Published files that differ from the published manifest (changed after publishing)."""
    data_problems: tuple[str, ...] = ()
    """Pulled data that does not match its pointer; local raw data that differs from the edition's."""
    compared: int = 0
    differences: tuple[Difference, ...] = ()
    """Rebuilt files that differ from the published manifest."""
    lock_differences: tuple[str, ...] = ()
    """Stage outputs of the rebuild that differ from the ref's ``dvc.lock``."""
    reasons: tuple[str, ...] = ()
    """Why the rebuild differs: data version, parameters, code, software versions."""
    notes: tuple[str, ...] = field(default=())
    rebuilt: bool = False
    rebuilt_site: Path | None = None  # kept only with ``keep=True``

    @property
    def identical(self) -> bool:
        return self.rebuilt and not (
            self.published_changes or self.data_problems or self.differences or self.lock_differences
        )


def published_site(project: ProjectPaths, edition: str) -> Path:
    """Where the published edition is by default: the project's own built (or pulled) site."""
    return project.edition(edition, raw_dir="").site_dir


def resolve(root: Path, edition: str, rev: str | None) -> tuple[str, str]:
    """The ref to rebuild (the edition's tag unless ``rev`` is given) and its commit."""
    if rev is None:
        tag = tag_name(edition)
        commit = tag_commit(root, tag)
        if commit is None:
            raise ConfigError(
                f"There is no tag {tag}: edition {edition} has not been released (`sozialbericht release --edition "
                f"{edition}`), or the tags are not fetched (`git fetch --tags`). To check an edition that has no "
                f"tag, e.g. the sample edition of a fresh clone, name a commit: "
                f"sozialbericht verify {edition} --rev HEAD"
            )
        return tag, commit
    try:
        commit = git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root, f"Finding {rev}").strip()
    except ToolError:
        raise ConfigError(f"{rev} is not a commit, branch or tag of this repository.") from None
    return rev, commit


def verify_edition(
    project_dir: str | Path,
    edition: str,
    published: Path | None = None,
    keep: bool = False,
    progress: Progress = print,
    rev: str | None = None,
) -> Verification:
    """Check the published files, then rebuild ``edition`` from its tag (or ``rev``) and compare."""
    project = ProjectPaths.at(project_dir)
    root = project.root
    ref, commit = resolve(root, edition, rev)
    location = Path(published) if published else published_site(project, edition)
    result = {"edition": edition, "ref": ref, "commit": commit}

    expected, published_provenance, notes = None, None, []
    published_changes: tuple[Difference, ...] = ()
    if location.is_dir() and (location / MANIFEST_FILE).is_file():
        progress(f"Hashing the published files in {_shown(project, location)} against their {MANIFEST_FILE}")
        published_changes = tuple(check_site(location))
        expected = read_manifest(location)
        published_provenance = _provenance(location / PROVENANCE_FILE)
    elif location.is_file() or published is not None:
        expected = read_manifest(location)
        published_provenance = _provenance(location.with_name(PROVENANCE_FILE))
        notes.append(f"Only the manifest {_shown(project, location)} was given: the published files were not hashed.")
    else:
        notes.append(
            f"No published site at {_shown(project, location)}: the rebuild is compared with the stage outputs "
            f"that {LOCK_FILE} of {ref} records (name a published site with --published)."
        )

    removed = remove_stale_checkouts()
    if removed:
        progress(f"Removed {len(removed)} checkout(s) left by verify runs that were killed")
    workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{'kept' if keep else os.getpid()}-{edition}-"))
    tree = workdir / "checkout"
    try:
        progress(f"Checking out {ref} ({commit[:12]}) into {tree}")
        git(["clone", "--quiet", "--shared", "--no-checkout", str(root), str(tree)], root, f"Cloning {ref}")
        git(["checkout", "--quiet", "--detach", commit], tree, f"Checking out {ref}")
        fault("verify-checked-out")
        _use_project_remotes(root, tree)
        raw_dir, problems = _fetch_raw_data(tree, edition, progress)
        if problems:
            return Verification(
                **result, published_changes=published_changes, data_problems=tuple(problems), notes=tuple(notes)
            )
        progress("Rebuilding every stage with `dvc repro --force` (this takes a few minutes)")
        dvc(["repro", "--force"], tree, f"Rebuilding edition {edition}", env=tool_environment(tree / "src"))
        site = published_site(ProjectPaths.at(tree), edition)
        if not site.is_dir():
            raise ConfigError(f"The rebuild of {ref} wrote no site at {site.relative_to(tree)}.")
        actual = hash_site(site)
        differences = tuple(compare(expected, actual)) if expected is not None else ()
        lock_differences = tuple(_lock_differences(tree, commit))
        reasons: tuple[str, ...] = ()
        if differences or lock_differences:
            reasons = tuple(explain(published_provenance, _provenance(site / PROVENANCE_FILE)))
        local = tuple(_local_data_differences(root, tree, raw_dir))
        return Verification(
            **result,
            published_changes=published_changes,
            data_problems=local,
            compared=len(set(expected or {}) | set(actual)),
            differences=differences,
            lock_differences=lock_differences,
            reasons=reasons,
            notes=tuple(notes),
            rebuilt=True,
            rebuilt_site=site if keep else None,
        )
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _shown(project: ProjectPaths, path: Path) -> str:
    return project.relative(path) if Path(path).resolve().is_relative_to(project.root) else str(path)


def _provenance(path: Path) -> Provenance | None:
    try:
        return Provenance.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_stale_checkouts(folder: Path | None = None) -> list[Path]:
    """Remove the temporary checkouts of verify runs that were killed (their process is gone)."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    for path in sorted(folder.glob(f"{WORKDIR_PREFIX}*")):
        rest = path.name[len(WORKDIR_PREFIX) :]
        if path.is_dir() and not rest.startswith("kept-") and not owner_alive(rest):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


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


def _fetch_raw_data(tree: Path, edition: str, progress: Progress) -> tuple[str, list[str]]:
    """Pull (or, for a sample edition, leave to the sample stage) the raw data; its folder and any
    mismatch between the pulled files and the hash the pointer records."""
    params_file = ProjectPaths.at(tree).params_file(edition)
    if not params_file.is_file():
        raise ConfigError(f"The checked-out commit has no {params_file.relative_to(tree)}.")
    data = (yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}).get("data", {})
    raw_dir = str(data.get("raw_dir", ""))
    pointer = tree / f"{raw_dir}.dvc"
    if not pointer.is_file() and data.get("synthetic"):
        progress(f"Sample edition: the synthetic raw data {raw_dir} is generated again from its seed")
        return raw_dir, []
    if not pointer.is_file():
        raise ConfigError(f"The checked-out commit has no {raw_dir}.dvc, so the data version is unknown.")
    progress(f"Fetching the raw data {raw_dir} from the DVC remote")
    dvc(["pull", pointer.relative_to(tree).as_posix()], tree, f"Fetching {raw_dir} from the DVC remote")
    progress(f"Hashing the pulled data against {raw_dir}.dvc")
    return raw_dir, pulled_data_problems(tree, raw_dir, pointer)


def pulled_data_problems(tree: Path, raw_dir: str, pointer: Path) -> list[str]:
    """How the pulled raw folder differs from the md5 its pointer records, file by file."""
    recorded = yaml.safe_load(pointer.read_text(encoding="utf-8"))["outs"][0]["md5"]
    folder = tree / raw_dir
    if data_version(folder, raw_dir).md5 == recorded:
        return []
    listing = _cache_object(tree, recorded)
    head = f"{raw_dir}: the pulled data is not the version {pointer.name} records ({recorded})"
    if listing is None or hashlib.md5(listing.read_bytes()).hexdigest() + ".dir" != recorded:
        return [f"{head}; its file list in the DVC remote is missing or corrupted (md5 {recorded})."]
    problems = []
    expected = {entry["relpath"]: entry["md5"] for entry in json.loads(listing.read_bytes())}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for relpath in sorted(expected.keys() | present):
        name = f"{raw_dir}/{relpath}"
        if relpath not in present:
            problems.append(f"{name}: missing after `dvc pull`")
        elif relpath not in expected:
            problems.append(f"{name}: pulled, but not part of the data version")
        elif (actual := file_digest(folder / relpath, "md5")) != expected[relpath]:
            where = f"files/md5/{expected[relpath][:2]}/{expected[relpath][2:]}"
            problems.append(
                f"{name}: md5 {actual}, but the data version lists {expected[relpath]} — the object {where} "
                "in the DVC remote is corrupted; restore it from a good copy (`dvc push` from a checkout that has it)."
            )
    return [head + ":", *problems] if problems else [head + "."]


def _cache_object(tree: Path, md5: str) -> Path | None:
    value = md5.removesuffix(".dir")
    suffix = ".dir" if md5.endswith(".dir") else ""
    for cache in (tree / ".dvc" / "cache" / "files" / "md5", tree / ".dvc" / "cache"):
        candidate = cache / value[:2] / f"{value[2:]}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def lock_outputs(text: str) -> dict[str, str]:
    """Every stage output in a ``dvc.lock`` text: path → md5."""
    stages = (yaml.safe_load(text) or {}).get("stages", {})
    return {out["path"]: out.get("md5", "") for stage in stages.values() for out in stage.get("outs", [])}


def _lock_differences(tree: Path, commit: str) -> list[str]:
    try:
        committed = git(["show", f"{commit}:{LOCK_FILE}"], tree, f"Reading {LOCK_FILE}")
    except ToolError:
        return []  # nothing recorded to compare with
    recorded, rebuilt = lock_outputs(committed), lock_outputs((tree / LOCK_FILE).read_text(encoding="utf-8"))
    return [
        f"{path}: {recorded.get(path) or 'not recorded'} in {LOCK_FILE}, {rebuilt.get(path) or 'not built'} rebuilt"
        for path in sorted(recorded.keys() | rebuilt.keys())
        if recorded.get(path) != rebuilt.get(path)
    ]


def explain(published: Provenance | None, rebuilt: Provenance | None) -> list[str]:
    """Why a rebuild differs, from the two ``provenance.json``: data, parameters, code, software."""
    if published is None or rebuilt is None:
        which = "published site" if published is None else "rebuild"
        return [f"The {which} has no readable {PROVENANCE_FILE}, so no cause can be named."]
    reasons = []
    if published.data.md5 != rebuilt.data.md5:
        reasons.append(
            f"Data version: published from {published.data.path} {published.data.md5}, "
            f"rebuilt from {rebuilt.data.path} {rebuilt.data.md5}."
        )
    if published.params_sha256 != rebuilt.params_sha256:
        before, after = dict(flat_parameters(published.parameters)), dict(flat_parameters(rebuilt.parameters))
        changed = [
            f"{key}: {before.get(key, '–')} → {after.get(key, '–')}"
            for key in sorted(before.keys() | after.keys())
            if before.get(key) != after.get(key)
        ]
        reasons.append(
            f"Parameters: {published.params_file} differs (sha256 {published.params_sha256[:12]} published, "
            f"{rebuilt.params_sha256[:12]} rebuilt)"
            + (": " + "; ".join(changed) if changed else " (comments or layout).")
        )
    if published.git.commit != rebuilt.git.commit or published.dirty:
        was = f"commit {str(published.git.commit)[:12]}" + (" with uncommitted changes" if published.dirty else "")
        reasons.append(f"Code: published from {was}, rebuilt from commit {str(rebuilt.git.commit)[:12]}.")
    software = [
        f"{name} {published.software.get(name, '–')} → {rebuilt.software.get(name, '–')}"
        for name in dict.fromkeys([*published.software, *rebuilt.software])
        if published.software.get(name) != rebuilt.software.get(name)
    ]
    if software:
        reasons.append(
            "Software versions (published → rebuilt): "
            + ", ".join(software)
            + ". Run verify in an environment installed from the tag's constraints.txt "
            "(`make setup` in a checkout of it)."
        )
    if published.engine != rebuilt.engine:
        reasons.append(f"Publishing engine: {published.engine} published, {rebuilt.engine} rebuilt.")
    if not reasons:
        reasons.append(
            "Same data version, parameters, source commit and software versions: the build itself is not "
            'deterministic here (see the README, "Byte-identical builds").'
        )
    return reasons


def _local_data_differences(root: Path, tree: Path, raw_dir: str) -> list[str]:
    """The project's own raw folder against the rebuild's, file by file (nothing when it has none)."""
    local, rebuilt = root / raw_dir, tree / raw_dir
    if not raw_dir or not local.is_dir() or not rebuilt.is_dir():
        return []
    mine = {p.relative_to(local).as_posix(): p for p in local.rglob("*") if p.is_file()}
    theirs = {p.relative_to(rebuilt).as_posix(): p for p in rebuilt.rglob("*") if p.is_file()}
    problems = []
    for relpath in sorted(mine.keys() | theirs.keys()):
        if relpath not in mine:
            problems.append(f"{raw_dir}/{relpath}: missing in this project's raw data")
        elif relpath not in theirs:
            problems.append(f"{raw_dir}/{relpath}: in this project's raw data, but not in the edition's")
        elif file_digest(mine[relpath], "md5") != file_digest(theirs[relpath], "md5"):
            problems.append(
                f"{raw_dir}/{relpath}: this project's copy differs from the edition's data version "
                f"(restore it with `dvc checkout {raw_dir}`)"
            )
    return problems
