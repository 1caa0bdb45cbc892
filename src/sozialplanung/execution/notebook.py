"""Running one notebook with Papermill, with the parameters every notebook of an edition gets, in a
warm kernel of a :class:`~sozialplanung.execution.kernels.KernelPool` or a fresh one.

A notebook reads its edition through ``open_chapter(edition, project_dir)``; Papermill injects only
the edition, the project folder and, for a district profile, the district's ``kennziffer``, so the
typed config stays the single source of every other setting. The kernel runs in ``notebooks/``
(as in Jupyter), hence ``project_dir=".."``.

An executed notebook is a DVC output, so it is written the same byte for byte on every run
(:func:`deterministic`): without Papermill's start and end times, durations and absolute input and
output paths, without per-cell execution timestamps, and with fixed cell ids. When and how long each
notebook ran goes to ``outputs/<edition>/logs/execution.log`` instead, which no stage tracks.
"""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import ChapterExecutionError
from sozialplanung.execution.kernels import ENGINE_NAME, EncryptedKernelManager, WarmKernel

KERNEL_NAME = "python3"
PROJECT_DIR_FROM_NOTEBOOKS = ".."
KEPT_PAPERMILL_METADATA = ("default_parameters", "parameters", "version")
"""Papermill's notebook metadata that is the same on every run (times, durations and paths are not)."""
RUN_CELL_METADATA = ("execution", "papermill")
"""Per-cell metadata of one run: nbclient's timestamps, Papermill's times, durations and status."""
INJECTED_CELL_ID = "injected-parameters"
_LOG_LOCK = threading.Lock()


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
    kernel: WarmKernel | None = None,
) -> None:
    """Execute ``source`` into ``target`` with ``parameters`` in ``kernel`` (a warm one, its namespace
    reset first) or else in a fresh kernel started in ``notebooks/``; on a failing cell keep the
    executed notebook under ``outputs/<edition>/failed/`` (as ``failed_name``) and raise
    :class:`ChapterExecutionError` naming ``label``, the cell and the error."""
    project = edition.project
    if not source.is_file():
        raise ChapterExecutionError(f"{label}: notebook {project.relative(source)} not found.")
    started, clock = datetime.now(UTC), time.monotonic()
    outcome = "failed"
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            request_save_on_cell_execute=False,  # one write at the end, not one per cell
            log_output=False,
            execution_timeout=timeout,
            language="python",
            **(
                {"engine_name": ENGINE_NAME, "kernel": kernel}
                if kernel is not None
                else {"kernel_manager_class": EncryptedKernelManager}
            ),
            # The kernel's working folder, given to nbclient rather than papermill's ``cwd``: that
            # changes the folder of this whole process, which races when kernels start in threads.
            resources={"metadata": {"path": str(project.notebooks_dir)}},
        )
        nbformat.write(deterministic(nbformat.read(target, as_version=nbformat.NO_CONVERT)), target)
        outcome = "ok"
    except PapermillExecutionError as exc:
        failed = edition.paths.failed_dir / failed_name
        failed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, failed)
        raise ChapterExecutionError(
            f"{label} failed in cell {exc.cell_index} (execution count {exc.exec_count}): "
            f"{exc.ename}: {exc.evalue}\nThe executed notebook with the error is kept at {project.relative(failed)}."
        ) from None
    finally:
        log_run(edition, label, started, time.monotonic() - clock, outcome)


def deterministic(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` without what differs between two runs of the same inputs (see the module doc).

    Cells keep the ids of the source notebook; Papermill's injected parameter cell (a random id)
    gets a fixed one, and a cell without an id, or with one taken before it, gets ``cell-<n>``.
    """
    meta = notebook.metadata.get("papermill")
    if meta is not None:
        notebook.metadata["papermill"] = {key: meta[key] for key in KEPT_PAPERMILL_METADATA if key in meta}
    seen: set[str] = set()
    ids = (notebook.nbformat, notebook.nbformat_minor) >= (4, 5)  # cell ids came with nbformat 4.5
    for number, cell in enumerate(notebook.cells, start=1):
        for key in RUN_CELL_METADATA:
            cell.metadata.pop(key, None)
        if not ids:
            continue
        if "injected-parameters" in cell.metadata.get("tags", ()):
            cell["id"] = INJECTED_CELL_ID
        if not cell.get("id") or cell["id"] in seen:
            cell["id"] = f"cell-{number}"
        seen.add(cell["id"])
    return notebook


def log_run(edition: Edition, label: str, started: datetime, seconds: float, outcome: str) -> None:
    """Append one line to ``outputs/<edition>/logs/execution.log``: start (UTC), seconds, outcome, notebook."""
    log = edition.paths.execution_log
    line = f"{started.isoformat(timespec='seconds')}\t{seconds:8.1f} s\t{outcome}\t{label}\n"
    with _LOG_LOCK:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as file:
            file.write(line)
