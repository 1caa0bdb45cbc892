"""The ``profiles`` stage: the district profile notebook executed once per statistical district."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from sozialplanung.core.atomic import replace_directory
from sozialplanung.core.config import Edition
from sozialplanung.data.load import profile_districts
from sozialplanung.execution.kernels import KernelPool, WarmKernel
from sozialplanung.execution.notebook import KERNEL_NAME, notebook_parameters, run_notebook


def execute_profiles(
    edition: Edition,
    workers: int | None = None,
    timeout: int = 900,
    progress: Callable[[str], None] | None = None,
    pool: KernelPool | None = None,
) -> list[Path]:
    """Run the district profile notebook once per statistical district, in ``pool``'s warm kernels
    (by default a pool of its own with ``workers`` kernels, one per core).

    All profiles are written into a new folder that replaces the previous one only when every
    district succeeded.
    """
    districts = profile_districts(edition)
    if progress:
        progress(f"Executing {len(districts)} district profiles")
    source = edition.project.notebook(edition.config.profiles.notebook)
    codes = [int(k) for k in districts["kennziffer"]]
    names = dict(zip(codes, districts["stadtbezirk"]))

    def fill(folder: Path) -> None:
        def one(kennziffer: int, kernel: WarmKernel | None) -> None:
            parameters = {**notebook_parameters(edition), "kennziffer": kennziffer}
            run_notebook(
                edition,
                source,
                folder / f"{kennziffer}.ipynb",
                parameters,
                f"District profile {kennziffer} ({names[kennziffer]})",
                f"profil-{kennziffer}.ipynb",
                timeout,
                kernel,
            )

        with nullcontext(pool) if pool else KernelPool(KERNEL_NAME, workers) as kernels:
            futures = [kernels.submit(lambda kernel, code=code: one(code, kernel)) for code in codes]
            for future in futures:
                future.exception()  # all finished before the first failure is raised
            for future in futures:
                future.result()

    replace_directory(edition.paths.profiles_dir, fill)
    return [edition.paths.executed_profile(code) for code in codes]
