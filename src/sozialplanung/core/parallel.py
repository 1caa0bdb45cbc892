"""Independent pieces of one step run side by side in forked worker processes.

Used where a step's work falls into parts that share nothing but their inputs (the years of the
confidentiality model, the publish gate's checks). The workers are forked, so they start at once
with the parent's imports and data and nothing has to be pickled but the results. Where the platform
cannot fork, or one worker is asked for, the parts run here one after another: the results are the
same either way, in the order of the parts.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Result = TypeVar("Result")

_PARTS: Sequence[Callable[[], Any]] = ()
"""The parts of the running :func:`side_by_side`, inherited by its forked workers."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def side_by_side(parts: Sequence[Callable[[], Result]], workers: int) -> list[Result]:
    """Each part's result, in order; the parts run in up to ``workers`` forked processes.

    An exception of a part is raised here (the first one, in the order of the parts)."""
    global _PARTS
    if workers <= 1 or len(parts) <= 1 or not can_fork():
        return [part() for part in parts]
    _PARTS = parts
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=context) as pool:
            return list(pool.map(_run_part, range(len(parts))))
    finally:
        _PARTS = ()


def _run_part(number: int) -> Any:
    return _PARTS[number]()
