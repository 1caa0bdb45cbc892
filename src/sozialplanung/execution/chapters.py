"""The ``chapter@<id>`` stages: chapter notebooks executed into ``outputs/<edition>/notebooks/``."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sozialplanung.core.atomic import remove_stale_files, temporary_sibling
from sozialplanung.core.config import Edition
from sozialplanung.execution.notebook import notebook_parameters, run_notebook


def execute_chapter(edition: Edition, chapter_id: str, timeout: int = 900) -> Path:
    """Run one chapter notebook; write the executed copy atomically to the edition's outputs.

    A failing cell raises :class:`ChapterExecutionError` naming the chapter, the cell and the
    error; the failed notebook is kept under ``outputs/<edition>/failed/`` for inspection and the
    previous executed copy (if any) is left untouched. The executed copy is written to a hidden
    temporary file first (``.<id>.<pid>.<random>.ipynb``); those of runs that were killed are removed.
    """
    chapter = edition.config.chapter(chapter_id)
    target = edition.paths.executed_notebook(chapter.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_files(target.parent, ".*.ipynb")
    temporary = temporary_sibling(target, keep_suffix=True)
    try:
        run_notebook(
            edition,
            edition.project.notebook(chapter.id),
            Path(temporary),
            notebook_parameters(edition),
            f"Chapter {chapter.id} ({chapter.title})",
            f"{chapter.id}.ipynb",
            timeout,
        )
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def execute_chapters(
    edition: Edition, chapter_ids: list[str] | None = None, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Execute the given chapters (all of the edition's by default), one kernel per core at a time.

    Each chapter writes only its own executed notebook, so they run side by side; the first
    failure is raised (in chapter order) once the running chapters have finished.
    """
    ids = chapter_ids or [chapter.id for chapter in edition.config.chapters]

    def run(chapter_id: str) -> Path:
        if progress:
            progress(f"Executing chapter {chapter_id}")
        return execute_chapter(edition, chapter_id)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = [pool.submit(run, chapter_id) for chapter_id in ids]
    return [future.result() for future in futures]
