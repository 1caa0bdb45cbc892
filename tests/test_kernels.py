"""Warm kernels: a notebook executed in a kernel that already ran others gives the same executed
notebook, byte for byte, as one executed in a kernel of its own (real kernels, tiny notebooks)."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import ChapterExecutionError
from sozialplanung.execution.kernels import KernelPool
from sozialplanung.execution.notebook import KERNEL_NAME, run_notebook

# What a notebook could leave behind for the next one in the same kernel: names, a matplotlib
# setting, a warning already shown (Python shows a warning once per place in a module).
WARNER = "import warnings\n\n\ndef warn():\n    warnings.warn('Achtung', UserWarning)\n"
LEAVES_STATE = (
    "import matplotlib\nleft_behind = 42",
    "matplotlib.rcParams['font.size'] = 31",
    "import warner\nwarner.warn()",
)
SEES_STATE = (
    "import matplotlib\nprint('left_behind' in globals(), matplotlib.rcParams['font.size'])",
    "import warner\nwarner.warn()",
    "1 + 1",
)


def _notebook(folder: Path, name: str, *sources: str) -> Path:
    cells = [new_code_cell('edition = "default"', metadata={"tags": ["parameters"]})]
    notebook = new_notebook(
        cells=cells + [new_code_cell(source) for source in sources],
        metadata={"kernelspec": {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}},
    )
    path = folder / "notebooks" / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def _run(pool: KernelPool, edition, source: Path, target: Path) -> bytes:
    def job(kernel):
        run_notebook(edition, source, target, {"edition": "2024"}, source.stem, source.name, 120, kernel)
        return target.read_bytes()

    return pool.submit(job).result()


def test_a_warm_kernel_gives_the_bytes_of_a_fresh_one(project, tmp_path):
    edition = open_edition("2024", project)
    (project / "notebooks" / "warner.py").write_text(WARNER, encoding="utf-8")
    first, second = _notebook(project, "zuerst", *LEAVES_STATE), _notebook(project, "danach", *SEES_STATE)
    with KernelPool(KERNEL_NAME, workers=1, fresh=True) as fresh:
        alone = _run(fresh, edition, second, tmp_path / "alone.ipynb")
    with KernelPool(KERNEL_NAME, workers=1) as warm:
        _run(warm, edition, first, tmp_path / "first.ipynb")
        after = _run(warm, edition, second, tmp_path / "after.ipynb")
    assert after == alone
    cells = nbformat.reads(after.decode("utf-8"), as_version=4).cells
    assert [cell.execution_count for cell in cells] == [1, 2, 3, 4, 5]
    assert cells[2].outputs[0]["text"] == "False 10.0\n"  # nothing of the first notebook is left
    assert "UserWarning: Achtung" in cells[3].outputs[0]["text"]  # shown again, as in a new kernel
    assert cells[4].outputs[0]["data"]["text/plain"] == "2"


def test_the_kernel_is_kept_between_notebooks_and_replaced_after_a_failure(project, tmp_path):
    edition = open_edition("2024", project)
    pid = "import os\nprint(os.getpid())"
    ok, failing = _notebook(project, "gut", pid), _notebook(project, "kaputt", "raise ValueError('Spalte fehlt')")

    def pid_of(target: Path) -> str:
        return nbformat.read(target, as_version=4).cells[-1].outputs[0]["text"]

    with KernelPool(KERNEL_NAME, workers=1) as warm:
        _run(warm, edition, ok, tmp_path / "a.ipynb")
        _run(warm, edition, ok, tmp_path / "b.ipynb")
        with pytest.raises(ChapterExecutionError, match="ValueError: Spalte fehlt"):
            _run(warm, edition, failing, tmp_path / "c.ipynb")
        _run(warm, edition, ok, tmp_path / "d.ipynb")
    assert pid_of(tmp_path / "a.ipynb") == pid_of(tmp_path / "b.ipynb")
    assert pid_of(tmp_path / "d.ipynb") != pid_of(tmp_path / "b.ipynb")


def test_a_pool_runs_what_was_submitted_before_it_closes(project, tmp_path):
    edition = open_edition("2024", project)
    source = _notebook(project, "zaehlen", "print(edition)")
    with KernelPool(KERNEL_NAME, workers=2) as pool:
        futures = [
            pool.submit(
                lambda kernel, n=n: run_notebook(
                    edition, source, tmp_path / f"{n}.ipynb", {"edition": str(n)}, "n", "n.ipynb", 120, kernel
                )
            )
            for n in range(4)
        ]
    assert all(future.done() for future in futures)
    outputs = [nbformat.read(tmp_path / f"{n}.ipynb", as_version=4).cells[-1].outputs[0]["text"] for n in range(4)]
    assert outputs == ["0\n", "1\n", "2\n", "3\n"]


def test_every_kernel_talks_over_encrypted_sockets_warm_or_fresh(project, tmp_path):
    # Over plain local TCP any user of the machine could read a kernel's outputs; the kernel itself
    # knows whether the manager gave it a CurveZMQ key.
    edition = open_edition("2024", project)
    asks = _notebook(
        project,
        "verschluesselt",
        "from ipykernel.kernelapp import IPKernelApp\n"
        "app = IPKernelApp.instance()\n"
        "print(app.transport, app.curve_secretkey is not None)",
    )
    for fresh in (True, False):
        with KernelPool(KERNEL_NAME, workers=1, fresh=fresh) as pool:
            executed = nbformat.reads(_run(pool, edition, asks, tmp_path / f"{fresh}.ipynb").decode(), as_version=4)
        assert executed.cells[-1].outputs[0]["text"] == "tcp True\n", f"fresh={fresh}"
