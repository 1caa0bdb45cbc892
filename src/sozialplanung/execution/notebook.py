"""Running one notebook with Papermill, with the parameters every notebook of an edition gets.

A notebook reads its edition through ``open_chapter(edition, project_dir)``; Papermill injects only
the edition, the project folder and, for a district profile, the district's ``kennziffer``, so the
typed config stays the single source of every other setting. The kernel runs in ``notebooks/``
(as in Jupyter), hence ``project_dir=".."``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import papermill
from papermill.exceptions import PapermillExecutionError

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import ChapterExecutionError

KERNEL_NAME = "python3"
PROJECT_DIR_FROM_NOTEBOOKS = ".."


def notebook_parameters(edition: Edition) -> dict[str, object]:
    """The parameters Papermill injects into every chapter and profile notebook."""
    return {"edition": edition.config.edition, "project_dir": PROJECT_DIR_FROM_NOTEBOOKS}


def run_notebook(
    edition: Edition,
    source: Path,
    target: Path,
    parameters: dict[str, object],
    label: str,
    failed_name: str,
    timeout: int,
) -> None:
    """Execute ``source`` into ``target`` with ``parameters`` in a fresh kernel started in
    ``notebooks/``; on a failing cell keep the executed notebook under ``outputs/<edition>/failed/``
    (as ``failed_name``) and raise :class:`ChapterExecutionError` naming ``label``, the cell and the error."""
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
