"""Releasing: an edition is tagged only when it is committed, built from that commit and pushed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sozialplanung.cli import app
from sozialplanung.editions.datastore import add_raw_data
from sozialplanung.editions.release import REPUBLISH, ReleaseError, release, release_problems, tag_name
from sozialplanung.site.manifest import check_site
from sozialplanung.site.provenance import read
from sozialplanung.site.publish import publish

from conftest import BIN, COMMAND_ENV, run
from publish_helpers import make_dvc_project, make_edition


def commit(root: Path, message: str) -> None:
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", message], root)


@pytest.fixture
def ready(tmp_path, monkeypatch):
    """A real-data edition: data added and pushed, everything committed, the site built from the commit."""
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, COMMAND_ENV[key])
    root, edition = make_dvc_project(tmp_path)
    export = tmp_path / "export"
    export.mkdir()
    (export / "bevoelkerung.csv").write_text("jahr;kennziffer;anzahl\n2024;11;4312\n", encoding="utf-8")
    add_raw_data(edition, export)
    commit(root, "Ausgabe 2024")
    publish(edition, engine="nbconvert")
    return edition


def test_a_ready_edition_is_tagged_once(ready):
    root = ready.project.root
    assert release_problems(ready) == []
    index = ready.paths.site_dir / "index.html"
    assert "hinweis-entwurf" in index.read_text(encoding="utf-8")  # built before the tag: a draft
    result = CliRunner().invoke(app, ["release", "--edition", "2024", "--project-dir", str(root)])
    assert result.exit_code == 0, result.output
    assert "edition-2024" in result.output and "git push origin edition-2024" in result.output
    head = run(["git", "rev-parse", "HEAD"], root).strip()
    assert run(["git", "rev-parse", "edition-2024^{commit}"], root).strip() == head
    message = run(["git", "tag", "-l", "--format=%(contents)", "edition-2024"], root)
    assert "Stichtag 31.12.2024" in message and f"Source commit: {head}" in message and ".dir" in message
    # Published again after tagging: the released edition carries no draft mark, and it is intact.
    page = index.read_text(encoding="utf-8")
    assert "hinweis-entwurf" not in page and "Entwurf" not in page
    assert read(ready.paths.site_dir).release.released and not check_site(ready.paths.site_dir)
    with pytest.raises(ReleaseError, match="exists already"):
        release(ready)


def test_uncommitted_changes_and_a_stale_site_are_refused(ready):
    root = ready.project.root
    params = ready.project.params_file("2024")
    params.write_text(params.read_text(encoding="utf-8") + "# Änderung\n", encoding="utf-8")
    problems = "\n".join(release_problems(ready))
    assert "Uncommitted changes" in problems and "params/2024.yaml" in problems

    publish(ready, engine="nbconvert")  # built from the uncommitted change ...
    commit(root, "Änderung")  # ... and committed afterwards: the site names no commit
    problems = "\n".join(release_problems(ready))
    assert "Uncommitted changes" not in problems
    assert "built from uncommitted changes" in problems and REPUBLISH in problems
    publish(ready, engine="nbconvert")
    assert release_problems(ready) == []
    assert tag_name("2024") not in run(["git", "tag"], root)


def test_a_site_changed_after_the_build_is_refused(ready):
    index = ready.paths.site_dir / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace("Marburg", "Gießen"), encoding="utf-8")
    problems = "\n".join(release_problems(ready))
    assert "do not match its manifest.json" in problems and "index.html" in problems


def test_unpushed_data_and_a_missing_remote_are_refused(ready, tmp_path):
    root = ready.project.root
    raw = ready.paths.raw_dir / "sgb2.csv"
    raw.write_text("jahr;kennziffer;elb\n2024;11;312\n", encoding="utf-8")
    run([str(BIN / "dvc"), "add", "-q", "data/raw/2024"], root)
    commit(root, "Mehr Daten")
    publish(ready, engine="nbconvert")
    problems = "\n".join(release_problems(ready))
    assert "run `dvc push`" in problems and "data/raw/2024" in problems
    run([str(BIN / "dvc"), "remote", "remove", "lokal"], root)
    commit(root, "Kein Speicher")
    with pytest.raises(ReleaseError, match="No default DVC remote"):
        release(ready)


def test_the_pipeline_must_be_up_to_date(ready):
    (ready.paths.raw_dir / "bevoelkerung.csv").write_text("jahr;kennziffer;anzahl\n2024;11;4313\n", encoding="utf-8")
    problems = "\n".join(release_problems(ready))
    assert "not up to date" in problems and "data/raw/2024.dvc" in problems
    assert "was built from raw data" in problems


def test_outside_git_there_is_nothing_to_tag(tmp_path):
    edition = make_edition(tmp_path / "projekt")
    assert release_problems(edition) == [
        f"{edition.project.root} is not a git repository; an edition is released as a git tag."
    ]


def test_the_default_remote_inside_the_checkout_is_refused(ready):
    root = ready.project.root
    run([str(BIN / "dvc"), "remote", "modify", "lokal", "url", ".dvc/speicher"], root)  # as shipped
    run([str(BIN / "dvc"), "push", "-q"], root)
    commit(root, "Speicher im Projekt")
    publish(ready, engine="nbconvert")
    problems = "\n".join(release_problems(ready))
    assert "is .dvc/speicher, inside this checkout" in problems and "dvc remote modify lokal url" in problems
    assert "dvc push`. Not pushed" not in problems  # everything is pushed; only the place is wrong
