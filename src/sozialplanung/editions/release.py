"""Releasing an edition: check that it can be rebuilt exactly, then tag the commit ``edition-<year>``.

A released edition is a git tag plus the data version its ``dvc.lock`` records. Before tagging,
every condition for an exact rebuild is checked, and every failing one is reported at once with
what to do:

- the working tree is committed, ``dvc.lock`` included;
- the pipeline is up to date (``dvc status`` is empty);
- the DVC remote has all data and outputs (``dvc status --cloud`` is empty) and is not the
  default folder inside this checkout, from which no one else could fetch them;
- the built site is intact (its files match its ``manifest.json``) and was built from exactly the
  commit being tagged (clean tree, same source commit, same raw-data version).

Until the tag exists every build is a draft and says so on every page
(:class:`sozialplanung.site.provenance.ReleaseState`). So after tagging, the site is published again,
now without the draft mark; when DVC tracks it (a ``publish`` stage in ``dvc.lock``), the new site is
recorded with ``dvc commit``, ``dvc.lock`` is committed and the tag moved onto that commit (its
source commit is the same) and the site is pushed. A rebuild of the tag (``verify``) then gives the
same bytes as the released site.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import SozialplanungError
from sozialplanung.core.formats import format_date
from sozialplanung.core.scm import LOCK_FILE, dvc, git, git_state, in_git_repository, tag_commit, working_tree_changes
from sozialplanung.editions.datastore import default_remote, pipeline_status, remotes, unpushed
from sozialplanung.site.manifest import check_site
from sozialplanung.site.provenance import EDITION_TAG_PREFIX, data_version, edition_tag, read

TAG_PREFIX = EDITION_TAG_PREFIX
PUBLISH_STAGE = "publish"
SHOWN = 10
REPUBLISH = "dvc repro --force --single-item publish"


class ReleaseError(SozialplanungError):
    """An edition is not ready to be tagged."""


def tag_name(edition: str) -> str:
    return edition_tag(edition)


def _listed(items: list[str]) -> str:
    shown = [f"      {item}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        shown.append(f"      … and {len(items) - SHOWN} more")
    return "\n".join(shown)


def release_problems(edition: Edition) -> list[str]:
    """Everything that stops ``edition`` from being released now (empty: ready)."""
    root, name = edition.project.root, edition.config.edition
    if not in_git_repository(root):
        return [f"{root} is not a git repository; an edition is released as a git tag."]
    problems = []
    existing = tag_commit(root, tag_name(name))
    if existing:
        problems.append(f"Tag {tag_name(name)} exists already (commit {existing[:12]}); an edition is released once.")
    changes = working_tree_changes(root)
    if changes:
        problems.append("Uncommitted changes (commit them, dvc.lock included):\n" + _listed(changes))
    status = pipeline_status(root)
    if status:
        problems.append(
            "The pipeline is not up to date; run `dvc repro` and commit dvc.lock. Changed:\n" + _listed(sorted(status))
        )
    remote = default_remote(root)
    if remote is None:
        problems.append("No default DVC remote is configured (see the README); the data could not be fetched later.")
    else:
        url = remotes(root).get(remote, "")
        if "://" not in url and Path(url).resolve().is_relative_to(root):
            problems.append(
                f"The default DVC remote {remote} is {edition.project.relative(Path(url))}, inside this checkout: "
                "no one else could fetch the data to verify the edition. Point it at shared storage, e.g. "
                f"`dvc remote modify {remote} url /mnt/sozialplanung/dvc-speicher` (see the README), then `dvc push`."
            )
        missing = unpushed(root)
        if missing:
            problems.append(
                "The DVC remote lacks data or outputs; run `dvc push`. Not pushed:\n" + _listed(sorted(missing))
            )
    problems += _site_problems(edition)
    return problems


def _site_problems(edition: Edition) -> list[str]:
    site = edition.paths.site_dir
    built = read(site)
    if built is None:
        return [f"No built edition at {edition.project.relative(site)} (no provenance.json); run `dvc repro`."]
    problems = []
    changed = check_site(site)
    if changed:
        problems.append(
            "The site's files do not match its manifest.json; rebuild it with "
            f"`{REPUBLISH}`:\n" + _listed([d.path for d in changed])
        )
    source = git_state(edition.project.root)
    if built.edition != edition.config.edition:
        problems.append(f"The site is edition {built.edition}, not {edition.config.edition}.")
    if not built.exact or built.git.commit != source.commit:
        was = "uncommitted changes" if built.dirty else f"commit {str(built.git.commit)[:12]}"
        problems.append(
            f"The site was built from {was}, not from the source commit {str(source.commit)[:12]} being tagged. "
            f"Rebuild it from the commit: `{REPUBLISH}`, then `git commit dvc.lock` and `dvc push`."
        )
    current = data_version(edition.paths.raw_dir, edition.config.data.raw_dir)
    if built.data.md5 != current.md5:
        problems.append(
            f"The site was built from raw data {built.data.md5}, but {current.path} is {current.md5}; run `dvc repro`."
        )
    return problems


def release(edition: Edition) -> str:
    """Check the edition and tag ``HEAD`` as ``edition-<edition>``; returns the tag name."""
    problems = release_problems(edition)
    name = tag_name(edition.config.edition)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise ReleaseError(f"Edition {edition.config.edition} cannot be released as {name} yet:\n{listed}")
    built = read(edition.paths.site_dir)
    message = (
        f"{edition.config.title} (Stichtag {format_date(edition.config.reference_date)})\n\n"
        f"Source commit: {built.git.commit}\nData: {built.data.path} md5 {built.data.md5}\n"
    )
    root = edition.project.root
    git(["tag", "--annotate", name, "--message", message], root, f"Tagging {name}")
    try:
        _publish_released(edition, built.engine)
    except BaseException:
        git(["tag", "--delete", name], root, f"Removing the tag {name} again")
        raise
    if _site_tracked_by_dvc(root):
        dvc(["commit", "--force", "--quiet", PUBLISH_STAGE], root, "Recording the released site in dvc.lock")
        git(["add", "--", LOCK_FILE], root, f"Staging {LOCK_FILE}")
        git(
            ["commit", "--quiet", "--message", f"Release {name}: the site without the draft mark", "--", LOCK_FILE],
            root,
            f"Committing {LOCK_FILE} of the released site",
        )
        git(["tag", "--force", "--annotate", name, "--message", message], root, f"Moving {name} onto {LOCK_FILE}")
        dvc(["push", "--quiet", PUBLISH_STAGE], root, "Pushing the released site")
    return name


def _publish_released(edition: Edition, engine: str) -> None:
    """Publish the site again now that the tag exists: the released edition carries no draft mark."""
    from sozialplanung.site.publish import publish  # the publishing engines are imported only here

    publish(edition, engine=engine)
    published = read(edition.paths.site_dir)
    if published is None or published.draft:
        raise ReleaseError(
            f"The site published after tagging {tag_name(edition.config.edition)} is still marked as a draft; "
            "the tag was removed again."
        )


def _site_tracked_by_dvc(root: Path) -> bool:
    """Whether ``dvc.lock`` records a ``publish`` stage (the site is a DVC output)."""
    lock = root / LOCK_FILE
    if not lock.is_file():
        return False
    stages = (yaml.safe_load(lock.read_text(encoding="utf-8")) or {}).get("stages", {})
    return PUBLISH_STAGE in stages
