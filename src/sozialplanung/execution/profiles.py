"""The ``profiles`` stage: the district profile notebook executed once per statistical district."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sozialplanung.core.atomic import replace_directory
from sozialplanung.core.config import Edition
from sozialplanung.data.load import profile_districts
from sozialplanung.execution.notebook import notebook_parameters, run_notebook


def execute_profiles(
    edition: Edition,
    workers: int | None = None,
    timeout: int = 900,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Run the district profile notebook once per statistical district, in parallel kernels.

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
        def one(kennziffer: int) -> None:
            parameters = {**notebook_parameters(edition), "kennziffer": kennziffer}
            run_notebook(
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
