"""A new edition: parameters from the previous one, the pipeline pointed at it, raw data under DVC."""

from __future__ import annotations

import shutil
from pathlib import Path

import papermill
import pytest
import yaml
from typer.testing import CliRunner

from sozialplanung.cli import app
from sozialplanung.core.config import latest_edition, load_config, open_edition
from sozialplanung.core.errors import ConfigError
from sozialplanung.editions.datastore import add_raw_data, commit_command, pointer_file, unpushed
from sozialplanung.editions.new_edition import DISABLED_MARK, new_edition, retarget_pipeline
from sozialplanung.site.provenance import data_version

from conftest import BIN, REPO, run
from publish_helpers import make_dvc_project, make_edition


@pytest.fixture
def project(tmp_path):
    """Parameters, notebooks and pipeline of the project, as a new edition starts from them."""
    root = tmp_path / "projekt"
    for folder in ("params", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy2(REPO / "dvc.yaml", root / "dvc.yaml")
    return root


def _stages(root: Path) -> dict:
    return yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))


def test_new_real_edition_from_the_previous_one(project):
    before = (project / "params" / "2024.yaml").read_text(encoding="utf-8")
    created = new_edition(project, 2025)
    assert (created.edition, created.previous, created.raw_dir, created.synthetic) == (
        "2025",
        "2024",
        "data/raw/2025",
        False,
    )
    config = load_config(project / "params" / "2025.yaml")
    old = load_config(project / "params" / "2024.yaml")
    assert config.edition == "2025" and config.year == 2025
    assert config.reference_date.isoformat() == "2025-12-31"
    assert config.title == old.title.replace("2024", "2025") and "2025" in config.title
    assert config.data.raw_dir == "data/raw/2025" and config.data.synthetic is False
    assert (config.chapters, config.key_figures, config.index) == (old.chapters, old.key_figures, old.index)
    text = (project / "params" / "2025.yaml").read_text(encoding="utf-8")
    assert "# Stichtag" in text and "Universitätsstadt" in text  # comments and umlauts kept
    changed = [a for a, b in zip(before.splitlines(), text.splitlines()) if a != b]
    assert len(before.splitlines()) == len(text.splitlines()) and len(changed) <= 8
    assert (project / "params" / "2024.yaml").read_text(encoding="utf-8") == before
    assert latest_edition(project) == "2025"


def test_the_pipeline_reads_the_new_edition_and_has_no_sample_stage_for_real_data(project):
    new_edition(project, 2025)
    pipeline = _stages(project)
    assert pipeline["vars"] == ["params/2025.yaml"]
    assert "sample" not in pipeline["stages"] and {"validate", "publish"} <= set(pipeline["stages"])
    for name, stage in pipeline["stages"].items():
        for entry in stage.get("do", stage).get("params", []):
            assert list(entry) == ["params/2025.yaml"], name
    text = (project / "dvc.yaml").read_text(encoding="utf-8")
    assert DISABLED_MARK in text and "params/2024.yaml" not in text


def test_notebook_defaults_follow_the_new_edition(project):
    created = new_edition(project, 2025)
    notebooks = sorted(project.glob("notebooks/*.ipynb"))
    assert set(notebooks) <= set(created.changed)
    for path in notebooks:
        assert papermill.inspect_notebook(str(path))["edition"]["default"] == '"2025"', path.name


def test_sample_edition_keeps_the_sample_stage_and_generates_up_to_its_year(project):
    created = new_edition(project, 2025, sample=True)
    config = load_config(project / "params" / "2025.yaml")
    assert created.synthetic and config.data.synthetic and config.data.raw_dir == "data/raw/sample-2025"
    assert load_config(project / "params" / "2024.yaml").data.raw_dir == "data/raw/sample-2024"  # its own data
    assert config.sample.last_year == 2025
    assert "sample" in _stages(project)["stages"]


def test_sample_stage_is_switched_off_and_on_without_loss():
    original = (REPO / "dvc.yaml").read_text(encoding="utf-8")
    real = retarget_pipeline(original, "2024", "2025", synthetic=False)
    again = retarget_pipeline(real, "2025", "2026", synthetic=True)
    assert again == original.replace("params/2024.yaml", "params/2026.yaml")


def test_existing_or_invalid_edition_writes_nothing(project):
    with pytest.raises(ConfigError, match="exists already"):
        new_edition(project, 2024)
    pipeline = (project / "dvc.yaml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid"):
        new_edition(project, 2010)  # before first_year 2019
    assert not (project / "params" / "2010.yaml").exists()
    assert (project / "dvc.yaml").read_text(encoding="utf-8") == pipeline


def test_cli_prints_what_changed_and_the_next_steps(project):
    result = CliRunner().invoke(app, ["new-edition", "2025", "--project-dir", str(project)])
    assert result.exit_code == 0, result.output
    for expected in (
        "params/2025.yaml",
        "dvc.yaml",
        "Next steps",
        "sozialbericht add-data --edition 2025",
        "dvc repro",
        "review",
        "sozialbericht release --edition 2025",
        "edition-2025",
    ):
        assert expected.casefold() in result.output.casefold(), expected


# --- raw data under DVC ------------------------------------------------------------------------------


@pytest.fixture
def dvc_project(tmp_path):
    """A git + DVC project of a real-data edition with a local-folder remote."""
    root, edition = make_dvc_project(tmp_path)
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "Projekt"], root)
    export = tmp_path / "export"
    export.mkdir()
    (export / "bevoelkerung.csv").write_text("jahr;kennziffer;anzahl\n2024;11;4312\n", encoding="utf-8")
    (export / "sgb2.csv").write_text("jahr;kennziffer;elb\n2024;11;312\n", encoding="utf-8")
    return edition, export


def test_add_data_tracks_the_raw_folder_and_pushes_it(dvc_project):
    edition, export = dvc_project
    root = edition.project.root
    added = add_raw_data(edition, export)
    assert added.pointer == pointer_file(edition) == root / "data" / "raw" / "2024.dvc"
    assert added.md5 == data_version(edition.paths.raw_dir, "data/raw/2024").md5 and added.nfiles == 2
    assert added.pushed and unpushed(root, ["data/raw/2024.dvc"]) == {}
    staged = run(["git", "diff", "--cached", "--name-only"], root).split()
    assert "data/raw/2024.dvc" in staged and not any(name.endswith(".csv") for name in staged)
    assert run(["git", "check-ignore", "data/raw/2024/bevoelkerung.csv"], root).strip()


def test_add_data_cli_without_remote_says_how_to_configure_one(dvc_project):
    edition, export = dvc_project
    root = edition.project.root
    run([str(BIN / "dvc"), "remote", "remove", "lokal"], root)
    result = CliRunner().invoke(app, ["add-data", str(export), "--edition", "2024", "--project-dir", str(root)])
    assert result.exit_code == 1 and "dvc remote add --default" in result.output
    result = CliRunner().invoke(app, ["add-data", str(export), "--edition", "2024", "-C", str(root), "--no-push"])
    assert result.exit_code == 0, result.output
    assert "not pushed yet" in result.output
    assert commit_command("2024", "data/raw/2024", synthetic=False) in " ".join(result.output.split())


def test_add_data_refuses_sample_editions_and_ignored_pointers(dvc_project, tmp_path):
    edition, export = dvc_project
    root = edition.project.root
    (root / ".gitignore").write_text("/outputs/\n/data/\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data/raw/\.gitignore"):
        add_raw_data(edition, export)
    sample = make_edition(tmp_path / "beispiel", synthetic=True)
    with pytest.raises(ConfigError, match="synthetic"):
        add_raw_data(open_edition("2024", sample.project.root), export)


def test_readme_new_edition_and_add_data_give_the_same_commit_command(project):
    command = commit_command("2025", "data/raw/2025", synthetic=False)
    assert command in (REPO / "README.md").read_text(encoding="utf-8")
    steps = "\n".join(new_edition(project, 2025).next_steps())
    assert command in steps
    sample = new_edition(project, 2026, sample=True, source="2024")
    assert commit_command("2026", sample.raw_dir, synthetic=True) in "\n".join(sample.next_steps())


def test_the_default_remote_is_inside_the_checkout_and_ignored_by_git(repo):
    config = (repo / ".dvc" / "config").read_text(encoding="utf-8")
    assert "url = speicher" in config
    assert run(["git", "check-ignore", ".dvc/speicher/files/md5/00/x"], repo).strip()


def test_the_new_edition_is_compared_with_the_one_it_was_copied_from(project):
    new_edition(project, 2025)
    assert load_config(project / "params" / "2025.yaml").previous_edition == "2024"
    stage = _stages(project)["stages"]["previous"]
    assert stage["cmd"] == "sozialbericht prepare --edition ${previous_edition}"
    assert "data/raw/sample-${previous_edition}" in stage["outs"]  # 2024 is a sample edition: generated


def test_a_previous_edition_on_real_data_is_read_not_generated():
    original = (REPO / "dvc.yaml").read_text(encoding="utf-8")
    real = retarget_pipeline(original, "2024", "2025", synthetic=False, previous_synthetic=True)
    after_real = yaml.safe_load(retarget_pipeline(real, "2025", "2026", synthetic=False, previous_synthetic=False))
    stage = after_real["stages"]["previous"]
    assert "data/raw/${previous_edition}" in stage["deps"]
    assert not any("sample-" in out for out in stage["outs"])
    back = retarget_pipeline(
        retarget_pipeline(real, "2025", "2026", synthetic=False, previous_synthetic=False),
        "2026",
        "2027",
        synthetic=True,
        previous_synthetic=True,
    )
    assert back == original.replace("params/2024.yaml", "params/2027.yaml")
