"""Executing chapter notebooks with Papermill, with the edition's parameters.

A chapter notebook reads its edition through ``open_edition(edition, project_dir)``; Papermill
injects only these two parameters, so the typed config stays the single source of every other
setting. The kernel runs in ``notebooks/`` (as in Jupyter), hence ``project_dir=".."``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import papermill
from papermill.exceptions import PapermillExecutionError

from .config import Edition
from .errors import ChapterExecutionError

KERNEL_NAME = "python3"
PROJECT_DIR_FROM_NOTEBOOKS = ".."


def chapter_parameters(edition: Edition) -> dict[str, str]:
    """The parameters Papermill injects into every chapter notebook."""
    return {"edition": edition.config.edition, "project_dir": PROJECT_DIR_FROM_NOTEBOOKS}


def execute_chapter(edition: Edition, chapter_id: str, timeout: int = 900) -> Path:
    """Run one chapter notebook; write the executed copy atomically to the edition's outputs.

    A failing cell raises :class:`ChapterExecutionError` naming the chapter, the cell and the
    error; the failed notebook is kept under ``outputs/<edition>/failed/`` for inspection and the
    previous executed copy (if any) is left untouched.
    """
    chapter = edition.config.chapter(chapter_id)
    project = edition.project
    source = project.notebook(chapter.id)
    if not source.is_file():
        raise ChapterExecutionError(
            f"Chapter {chapter.id} ({chapter.title}): notebook {project.relative(source)} not found."
        )
    target = edition.paths.executed_notebook(chapter.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{chapter.id}.", suffix=".ipynb", dir=target.parent)
    os.close(handle)
    try:
        papermill.execute_notebook(
            str(source),
            temporary,
            parameters=chapter_parameters(edition),
            kernel_name=KERNEL_NAME,
            cwd=str(project.notebooks_dir),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            language="python",
        )
    except PapermillExecutionError as exc:
        failed = _keep_failed(edition, chapter.id, Path(temporary))
        raise ChapterExecutionError(
            f"Chapter {chapter.id} ({chapter.title}) failed in cell {exc.cell_index} "
            f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}\n"
            f"The executed notebook with the error is kept at {project.relative(failed)}."
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.replace(temporary, target)
    return target


def _keep_failed(edition: Edition, chapter_id: str, temporary: Path) -> Path:
    failed = edition.paths.failed_dir / f"{chapter_id}.ipynb"
    failed.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, failed)
    return failed

