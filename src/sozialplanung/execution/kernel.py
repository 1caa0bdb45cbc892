"""Executing chapter notebooks and district profiles with Papermill, with the edition's parameters.

A notebook reads its edition through ``open_chapter(edition, project_dir)``; Papermill injects only
the edition, the project folder and, for a district profile, the district's ``kennziffer``, so the
typed config stays the single source of every other setting. The kernel runs in ``notebooks/``
(as in Jupyter), hence ``project_dir=".."``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import papermill
from papermill.exceptions import PapermillExecutionError

from sozialplanung.core.atomic import replace_directory
from sozialplanung.core.config import Edition
from sozialplanung.core.errors import ChapterExecutionError
from sozialplanung.data.load import read_districts, select_districts

KERNEL_NAME = "python3"
PROJECT_DIR_FROM_NOTEBOOKS = ".."


def chapter_parameters(edition: Edition) -> dict[str, object]:
    """The parameters Papermill injects into every chapter notebook."""
    return {"edition": edition.config.edition, "project_dir": PROJECT_DIR_FROM_NOTEBOOKS}


def _run(
    edition: Edition,
    source: Path,
    target: Path,
    parameters: dict[str, object],
    label: str,
    failed_name: str,
    timeout: int,
) -> None:
    """Execute ``source`` into ``target``; on a failing cell keep the notebook and raise."""
    project = edition.project
    if not source.is_file():
        raise ChapterExecutionError(f"{label}: notebook {project.relative(source)} not found.")
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            language="python",
            # The kernel's working folder, given to nbclient rather than papermill's ``cwd``: that
            # changes the folder of this whole process, which races when kernels start in threads.
            resources={"metadata": {"path": str(project.notebooks_dir)}},
        )
    except PapermillExecutionError as exc:
        failed = edition.paths.failed_dir / failed_name
        failed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, failed)
        raise ChapterExecutionError(
            f"{label} failed in cell {exc.cell_index} (execution count {exc.exec_count}): "
            f"{exc.ename}: {exc.evalue}\nThe executed notebook with the error is kept at {project.relative(failed)}."
        ) from None


def execute_chapter(edition: Edition, chapter_id: str, timeout: int = 900) -> Path:
    """Run one chapter notebook; write the executed copy atomically to the edition's outputs.

    A failing cell raises :class:`ChapterExecutionError` naming the chapter, the cell and the
    error; the failed notebook is kept under ``outputs/<edition>/failed/`` for inspection and the
    previous executed copy (if any) is left untouched.
    """
    chapter = edition.config.chapter(chapter_id)
    target = edition.paths.executed_notebook(chapter.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{chapter.id}.", suffix=".ipynb", dir=target.parent)
    os.close(handle)
    try:
        _run(
            edition,
            edition.project.notebook(chapter.id),
            Path(temporary),
            chapter_parameters(edition),
            f"Chapter {chapter.id} ({chapter.title})",
            f"{chapter.id}.ipynb",
            timeout,
        )
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def profile_districts(edition: Edition):
    """The districts that get a profile: every statistical district, or ``profiles.districts``."""
    where = f"params/{edition.config.edition}.yaml: profiles.districts"
    return select_districts(read_districts(edition.project.districts_file), edition.config.profiles.districts, where)


def execute_profiles(edition: Edition, workers: int | None = None, timeout: int = 900) -> list[Path]:
    """Run the district profile notebook once per statistical district, in parallel kernels.

    All profiles are written into a new folder that replaces the previous one only when every
    district succeeded.
    """
    districts = profile_districts(edition)
    source = edition.project.notebook(edition.config.profiles.notebook)
    codes = [int(k) for k in districts["kennziffer"]]
    names = dict(zip(codes, districts["stadtbezirk"]))

    def fill(folder: Path) -> None:
        def one(kennziffer: int) -> None:
            parameters = {**chapter_parameters(edition), "kennziffer": kennziffer}
            _run(
                edition,
                source,
                folder / f"{kennziffer}.ipynb",
                parameters,
                f"District profile {kennziffer} ({names[kennziffer]})",
                f"profil-{kennziffer}.ipynb",
                timeout,
            )

        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            for future in [pool.submit(one, code) for code in codes]:
                future.result()

    replace_directory(edition.paths.profiles_dir, fill)
    return [edition.paths.executed_profile(code) for code in codes]
