"""`sozialbericht new-chapter`: a notebook that runs as it is and one params entry, nothing else."""

from __future__ import annotations

import shutil

import nbformat
import papermill
import pytest
import yaml

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import ConfigError
from sozialplanung.data.sample import generate_sample_data
from sozialplanung.data.validate import run_validation
from sozialplanung.editions.new_chapter import new_chapter, register_chapter
from sozialplanung.execution.chapters import execute_chapter
from sozialplanung.site.cleaning import prepare_notebook
from sozialplanung.statistics.indicators import run_indicators

from conftest import BIN, REPO, run, run_result

PARAMS = """title: Bericht
chapters:                      # id -> settings, in report order
  01_bevoelkerung:
    title: Bevölkerung
  03_wohnen:
    title: Wohnen

key_figures:
  - sgb2_quote
"""


def test_a_chapter_is_registered_in_report_order_keeping_comments():
    text = register_chapter(PARAMS, "02_existenzsicherung", "Existenzsicherung und Armut")
    assert list(yaml.safe_load(text)["chapters"]) == ["01_bevoelkerung", "02_existenzsicherung", "03_wohnen"]
    assert "# id -> settings, in report order" in text
    last = register_chapter(PARAMS, "09_gesundheit", "Gesundheit: Vorsorge")
    assert list(yaml.safe_load(last)["chapters"])[-1] == "09_gesundheit"
    assert yaml.safe_load(last)["chapters"]["09_gesundheit"]["title"] == "Gesundheit: Vorsorge"
    assert yaml.safe_load(last)["key_figures"] == ["sgb2_quote"]


def test_new_chapter_writes_the_notebook_and_the_params_entry_and_nothing_else(project):
    shutil.copy(REPO / "dvc.yaml", project / "dvc.yaml")
    before = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    run([str(BIN / "sozialbericht"), "new-chapter", "09_gesundheit", "Gesundheit", "-C", str(project)], project)
    after = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    changed = sorted(str(p) for p in after if before.get(p) != after[p])
    assert changed == ["notebooks/09_gesundheit.ipynb", "params/2024.yaml"]

    config = open_edition("2024", project).config
    assert [c.id for c in config.chapters][-1] == "09_gesundheit"
    assert config.chapter("09_gesundheit").title == "Gesundheit"
    notebook_path = project / "notebooks" / "09_gesundheit.ipynb"
    parameters = papermill.inspect_notebook(str(notebook_path))
    assert {name: p["default"] for name, p in parameters.items()} == {"edition": '"2024"', "project_dir": '".."'}
    notebook = nbformat.read(notebook_path, as_version=4)
    nbformat.validate(notebook)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_the_new_chapter_runs_with_its_defaults_and_says_only_computed_things(project):
    new_chapter(project, "09_gesundheit", "Gesundheit", "2024", indicator="kinderarmut")
    edition = open_edition("2024", project)
    generate_sample_data(edition)
    run_validation(edition)
    run_indicators(edition)
    executed = nbformat.read(execute_chapter(edition, "09_gesundheit"), as_version=4)
    published = prepare_notebook(executed, "Chapter 09_gesundheit", "Gesundheit")
    text = "\n".join(
        str(output["data"].get("text/markdown") or output["data"].get("text/html"))
        for cell in published.cells
        for output in cell.get("outputs", [])
    )
    assert "Kinderarmut (SGB II) am 31.12.2024: **" in text and "Prozentpunkte gegenüber 2019" in text
    assert "synthetischen Beispieldaten" in text and "<figure" in text and "<table" in text
    assert "TODO" not in text and "Lorem" not in text


@pytest.mark.parametrize(
    ("chapter_id", "title", "indicator", "message"),
    [
        ("9_gesundheit", "Gesundheit", None, "two digits"),
        ("09-Gesundheit", "Gesundheit", None, "two digits"),
        ("02_armut", "Armut", None, "params/2024.yaml has 02_existenzsicherung"),
        ("09_gesundheit", "  ", None, "needs a title"),
        ("09_gesundheit", "Gesundheit", "glueck", "Unknown indicator 'glueck'"),
    ],
)
def test_a_bad_chapter_is_refused_and_nothing_is_written(project, chapter_id, title, indicator, message):
    params = (project / "params" / "2024.yaml").read_bytes()
    notebooks = sorted(p.name for p in (project / "notebooks").iterdir())
    with pytest.raises(ConfigError, match=message):
        new_chapter(project, chapter_id, title, "2024", indicator=indicator)
    assert (project / "params" / "2024.yaml").read_bytes() == params
    assert sorted(p.name for p in (project / "notebooks").iterdir()) == notebooks


def test_the_cli_reports_a_refusal_without_a_traceback(project):
    result = run_result(
        [str(BIN / "sozialbericht"), "new-chapter", "01_nochmal", "Noch einmal", "-C", str(project)],
        project,
        check=False,
    )
    assert result.returncode == 1
    assert "01_bevoelkerung" in result.stderr and "Traceback" not in result.stderr
