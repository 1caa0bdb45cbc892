"""The ``chapter@<id>`` stages: chapter notebooks executed into ``outputs/<edition>/notebooks/``."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from sozialplanung.core.atomic import remove_stale_files, temporary_sibling
from sozialplanung.core.config import Edition
from sozialplanung.execution.kernels import KernelPool, WarmKernel
from sozialplanung.execution.notebook import KERNEL_NAME, notebook_parameters, run_notebook


def execute_chapter(edition: Edition, chapter_id: str, timeout: int = 900, kernel: WarmKernel | None = None) -> Path:
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
            kernel,
        )
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def execute_chapters(
    edition: Edition,
    chapter_ids: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    pool: KernelPool | None = None,
) -> list[Path]:
    """Execute the given chapters (all of the edition's by default) in ``pool``'s warm kernels (by
    default a pool of its own, one kernel per core).

    Each chapter writes only its own executed notebook, so they run side by side; the first
    failure is raised (in chapter order) once the running chapters have finished.
    """
    ids = chapter_ids or [chapter.id for chapter in edition.config.chapters]

    def run(chapter_id: str) -> Callable[[WarmKernel | None], Path]:
        def job(kernel: WarmKernel | None) -> Path:
            if progress:
                progress(f"Executing chapter {chapter_id}")
            return execute_chapter(edition, chapter_id, kernel=kernel)

        return job

    with nullcontext(pool) if pool else KernelPool(KERNEL_NAME) as kernels:
        futures = [kernels.submit(run(chapter_id)) for chapter_id in ids]
        for future in futures:
            future.exception()  # wait for all before raising the first failure
    return [future.result() for future in futures]
