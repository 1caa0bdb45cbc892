"""Where an edition comes from: edition, Stichtag, git commit, data version, parameters, software.

Every page's footer shows it and every site holds it as ``provenance.json``. It holds nothing that
differs between two builds of the same commit with the same data and environment — no build time,
no absolute path, no host name — so that rebuilding an edition gives the same bytes.

The data version is the DVC hash of the edition's raw-data folder, computed here the way DVC
computes it (md5 of every file, then md5 of the sorted JSON list of ``{"md5", "relpath"}``, with
``.dir`` appended), so it equals the ``md5`` in the raw folder's ``.dvc`` file or in ``dvc.lock`` and
needs neither the ``dvc`` command nor an up-to-date lock file.

Whether the build is a **released edition** is recorded too (:class:`ReleaseState`): it is when it
is built, from a clean working tree, from the source commit of the edition's tag ``edition-<year>``
(the tag's commit may add ``dvc.lock`` on top of it). Every other build is a draft, and every page
says so. The tag is looked up when the site is built, so ``sozialbericht release`` tags the commit
first and then publishes the site again (:mod:`sozialplanung.editions.release`); ``verify``, which
rebuilds a clone of the tag, sees the same tag and builds the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from sozialplanung.core.config import Edition
from sozialplanung.core.scm import GitState, git, git_state, source_pathspec, tag_commit
from sozialplanung.site.manifest import file_digest

PROVENANCE_FILE = "provenance.json"
EDITION_TAG_PREFIX = "edition-"
"""A released edition is the git tag ``edition-<edition>``."""
VERSIONED_PACKAGES = (
    "sozialplanung",
    "pandas",
    "numpy",
    "matplotlib",
    "nbconvert",
    "papermill",
    "dvc",
    "pandera",
    "babel",
    "openpyxl",
)


@dataclass(frozen=True)
class DataVersion:
    """The DVC hash of a raw-data folder (``md5`` is ``None`` when the folder is missing)."""

    path: str
    md5: str | None
    nfiles: int
    size: int


def edition_tag(edition: str) -> str:
    """The git tag of a released edition: ``edition-2024``."""
    return f"{EDITION_TAG_PREFIX}{edition}"


@dataclass(frozen=True)
class ReleaseState:
    """Whether a build is the released edition, and the commit date a draft is shown with.

    ``released`` is true only for a build from a clean tree whose source commit is the source
    commit of the edition's tag; ``commit_date`` is the source commit's committer date
    (``YYYY-MM-DD``), a property of the commit, never the time of the build.
    """

    tag: str
    released: bool = False
    commit_date: str | None = None


@dataclass(frozen=True)
class Provenance:
    edition: str
    title: str
    reference_date: str
    synthetic: bool
    engine: str
    git: GitState
    data: DataVersion
    params_file: str
    params_sha256: str
    parameters: dict
    software: dict[str, str]
    release: ReleaseState

    @property
    def draft(self) -> bool:
        """True for every build that is not the released edition (see :class:`ReleaseState`)."""
        return not (self.exact and self.release.released)

    @property
    def dirty(self) -> bool:
        """True when the build was made from a git working tree with uncommitted changes."""
        return bool(self.git.dirty)

    @property
    def exact(self) -> bool:
        """True when the build is exactly one commit: a git repository, a commit, no changes."""
        return self.git.repository and self.git.commit is not None and not self.git.dirty

    def to_dict(self) -> dict:
        return {
            "edition": self.edition,
            "title": self.title,
            "reference_date": self.reference_date,
            "synthetic_data": self.synthetic,
            "engine": self.engine,
            "git": asdict(self.git),
            "data": asdict(self.data) | {"hash": "md5"},
            "parameters": {"file": self.params_file, "sha256": self.params_sha256, "values": self.parameters},
            "software": self.software,
            "release": asdict(self.release),
        }

    def to_json(self) -> str:
        """Stable JSON: fixed key order, UTF-8 text, ``\\n`` at the end."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> Provenance:
        return cls(
            edition=data["edition"],
            title=data["title"],
            reference_date=data["reference_date"],
            synthetic=data["synthetic_data"],
            engine=data["engine"],
            git=GitState(**data["git"]),
            data=DataVersion(**{k: v for k, v in data["data"].items() if k != "hash"}),
            params_file=data["parameters"]["file"],
            params_sha256=data["parameters"]["sha256"],
            parameters=data["parameters"]["values"],
            software=data["software"],
            # Sites built before the draft mark existed record no release state: they count as drafts.
            release=ReleaseState(**data.get("release", {"tag": edition_tag(data["edition"])})),
        )


def collect(edition: Edition, engine: str) -> Provenance:
    """The provenance of a build of ``edition`` now, in its project folder."""
    config, project = edition.config, edition.project
    params_file = project.params_file(config.edition)
    state = git_state(project.root)
    return Provenance(
        edition=config.edition,
        title=config.title,
        reference_date=config.reference_date.isoformat(),
        synthetic=config.data.synthetic,
        engine=engine,
        git=state,
        data=data_version(edition.paths.raw_dir, config.data.raw_dir),
        params_file=project.relative(params_file),
        params_sha256=hashlib.sha256(params_file.read_bytes()).hexdigest() if params_file.is_file() else "",
        parameters=config.model_dump(mode="json"),
        software=software_versions(),
        release=release_state(project.root, config.edition, state),
    )


def release_state(project_root: Path, edition: str, state: GitState) -> ReleaseState:
    """Whether a build of ``edition`` with git state ``state`` is the released edition."""
    tag = edition_tag(edition)
    if not state.repository or state.commit is None:
        return ReleaseState(tag=tag)
    commit_date = git(["log", "-1", "--format=%cs", state.commit], project_root, "Reading the commit date").strip()
    tagged = tag_commit(project_root, tag)
    if tagged is None or state.dirty:
        return ReleaseState(tag=tag, commit_date=commit_date)
    # The tag's commit may only add dvc.lock to the source commit (see GitState).
    source = git(["log", "-1", "--format=%H", tagged, *source_pathspec()], project_root, f"Reading tag {tag}").strip()
    return ReleaseState(tag=tag, released=source == state.commit, commit_date=commit_date)


def read(site_dir: Path) -> Provenance | None:
    """The provenance recorded in a built site, or ``None`` when the site has none."""
    path = site_dir / PROVENANCE_FILE
    if not path.is_file():
        return None
    return Provenance.from_dict(json.loads(path.read_text(encoding="utf-8")))


def software_versions() -> dict[str, str]:
    """Python and the key libraries, in a fixed order."""
    versions = {"Python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "nicht installiert"
    return versions


def data_version(folder: Path, shown_as: str) -> DataVersion:
    """The DVC directory hash of ``folder`` (``shown_as`` is its project-relative name)."""
    if not folder.is_dir():
        return DataVersion(path=shown_as, md5=None, nfiles=0, size=0)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    entries = [{"md5": file_digest(p, "md5"), "relpath": p.relative_to(folder).as_posix()} for p in files]
    entries.sort(key=lambda entry: entry["relpath"])
    listing = json.dumps(entries, sort_keys=True).encode("utf-8")
    return DataVersion(
        path=shown_as,
        md5=hashlib.md5(listing).hexdigest() + ".dir",
        nfiles=len(files),
        size=sum(p.stat().st_size for p in files),
    )


def flat_parameters(values: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Parameters as ``(key, value)`` rows for the footer: nested keys dotted, list items numbered
    (``chapters[1].title``), lists of plain values joined with commas."""
    rows = []
    for key, value in values.items():
        rows.extend(_flat(f"{prefix}{key}", value))
    return rows


def _flat(name: str, value: object) -> list[tuple[str, str]]:
    if isinstance(value, dict) and value:
        return flat_parameters(value, f"{name}.")
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return [row for number, item in enumerate(value, start=1) for row in _flat(f"{name}[{number}]", item)]
    if isinstance(value, list) and value:
        return [(name, ", ".join(_scalar(item) for item in value))]
    return [(name, _scalar(value))]


def _scalar(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)
