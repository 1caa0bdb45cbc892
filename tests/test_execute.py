"""Papermill execution of chapter notebooks, with tiny stand-in chapters (real kernel)."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import ChapterExecutionError, DataError
from sozialplanung.execution.chapters import execute_chapter
from sozialplanung.execution.notebook import notebook_parameters

from conftest import PROFILED_FEW, profile_only


def _chapter(project: Path, chapter_id: str, *sources: str) -> None:
    cells = [new_code_cell('edition = "default"\nproject_dir = "nowhere"', metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(source) for source in sources]
    notebook = new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nbformat.write(notebook, project / "notebooks" / f"{chapter_id}.ipynb")


def test_parameters_are_the_edition_and_the_project_relative_to_notebooks(project):
    assert notebook_parameters(open_edition("2024", project)) == {"edition": "2024", "project_dir": ".."}


def test_chapter_runs_in_notebooks_folder_with_injected_parameters(project):
    _chapter(
        project,
        "01_bevoelkerung",
        "import os\nfrom pathlib import Path\nprint(edition, Path(project_dir).resolve() == Path(os.getcwd()).parent)",
    )
    edition = open_edition("2024", project)
    target = execute_chapter(edition, "01_bevoelkerung")
    assert target == edition.paths.executed_notebook("01_bevoelkerung")
    executed = nbformat.read(target, as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "2024 True\n"
    assert not list(target.parent.glob(".*.ipynb"))  # no temporary file left behind


def test_failing_cell_names_chapter_cell_and_error_and_keeps_previous_output(project):
    edition = open_edition("2024", project)
    _chapter(project, "02_existenzsicherung", "x = 1")
    good = execute_chapter(edition, "02_existenzsicherung")
    before = good.read_bytes()

    _chapter(project, "02_existenzsicherung", "x = 1", "raise ValueError('Spalte fehlt')")
    with pytest.raises(ChapterExecutionError) as error:
        execute_chapter(edition, "02_existenzsicherung")
    message = str(error.value)
    assert "Chapter 02_existenzsicherung (Existenzsicherung und Armut)" in message
    assert "cell 3" in message  # parameters, injected parameters, x = 1, then the failing cell
    assert "ValueError: Spalte fehlt" in message
    assert "outputs/2024/failed/02_existenzsicherung.ipynb" in message
    assert good.read_bytes() == before
    assert (edition.paths.failed_dir / "02_existenzsicherung.ipynb").is_file()


def test_missing_notebook_is_reported(project):
    (project / "notebooks" / "01_bevoelkerung.ipynb").unlink()
    with pytest.raises(ChapterExecutionError, match="notebook notebooks/01_bevoelkerung.ipynb not found"):
        execute_chapter(open_edition("2024", project), "01_bevoelkerung")


def test_profiles_run_in_parallel_each_in_the_notebooks_folder(project):
    """Kernels start in threads; each must still see ``notebooks/`` as its working folder."""
    import os

    edition = open_edition("2024", profile_only(project))
    notebook = new_notebook(
        cells=[
            new_code_cell(
                'edition = "default"\nproject_dir = "nowhere"\nkennziffer = 0', metadata={"tags": ["parameters"]}
            ),
            new_code_cell(
                "import os\nassert os.path.basename(os.getcwd()) == 'notebooks', os.getcwd()\nprint(kennziffer)"
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(notebook, project / "notebooks" / "stadtteilprofil.ipynb")
    before = os.getcwd()
    from sozialplanung.execution.profiles import execute_profiles

    paths = execute_profiles(edition, workers=4)
    assert os.getcwd() == before
    assert [int(p.stem) for p in paths] == list(PROFILED_FEW)
    printed = {nbformat.read(p, as_version=4).cells[-1].outputs[0]["text"].strip() for p in paths}
    assert printed == {p.stem for p in paths}


def test_profiles_of_an_unknown_district_are_refused_before_any_kernel_starts(project):
    from sozialplanung.execution.profiles import execute_profiles
    from sozialplanung.site.sitemap import site_map

    edition = open_edition("2024", profile_only(project, (211, 999)))
    with pytest.raises(DataError, match=r"profiles.districts names kennziffer\(n\) 999"):
        execute_profiles(edition)
    with pytest.raises(DataError, match="999"):
        site_map(edition)
    assert not edition.paths.profiles_dir.exists()


def test_an_executed_chapter_is_the_same_bytes_on_every_run_and_its_timings_go_to_a_log(project):
    _chapter(project, "01_bevoelkerung", "print(edition)", "import time\ntime.sleep(0.01)")
    edition = open_edition("2024", project)
    target = execute_chapter(edition, "01_bevoelkerung")
    first = target.read_bytes()
    assert execute_chapter(edition, "01_bevoelkerung").read_bytes() == first

    executed = nbformat.reads(first.decode("utf-8"), as_version=4)
    assert executed.metadata["papermill"] == {
        "default_parameters": {},
        "parameters": {"edition": "2024", "project_dir": ".."},
        "version": executed.metadata["papermill"]["version"],
    }
    assert all(set(cell.metadata) <= {"tags"} for cell in executed.cells), [c.metadata for c in executed.cells]
    source_ids = [
        cell.id for cell in nbformat.read(project / "notebooks" / "01_bevoelkerung.ipynb", as_version=4).cells
    ]
    assert [cell.id for cell in executed.cells] == [source_ids[0], "injected-parameters", *source_ids[1:]]
    text = first.decode("utf-8")
    assert str(project) not in text and "start_time" not in text and "duration" not in text

    log = edition.paths.execution_log.read_text(encoding="utf-8").splitlines()
    assert len(log) == 2 and all(line.endswith("ok\tChapter 01_bevoelkerung (Bevölkerung)") for line in log)
    assert not edition.paths.execution_log.is_relative_to(edition.paths.executed_dir)


def test_a_killed_runs_temporary_chapter_file_is_removed_by_the_next_run(project):
    _chapter(project, "01_bevoelkerung", "x = 1")
    edition = open_edition("2024", project)
    folder = edition.paths.executed_dir
    folder.mkdir(parents=True)
    stale = [folder / ".01_bevoelkerung.abc123xy.ipynb", folder / ".02_existenzsicherung.999999999.0a1b2c3d.ipynb"]
    for path in stale:
        path.write_text("{}", encoding="utf-8")
    execute_chapter(edition, "01_bevoelkerung")
    assert sorted(p.name for p in folder.iterdir()) == ["01_bevoelkerung.ipynb"]
