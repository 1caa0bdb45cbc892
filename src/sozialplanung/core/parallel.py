"""Independent pieces of one step run side by side in forked worker processes.

Used where a step's work falls into parts that share nothing but their inputs (the years of the
confidentiality model, the publish gate's checks), and, with :func:`beside`, for one long part
that runs while its step goes on (the print edition). The workers are forked, so they start at once
with the parent's imports and data and nothing has to be pickled but the results. Where the platform
cannot fork, or one worker is asked for, the parts run here one after another: the results are the
same either way, in the order of the parts.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
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


class Beside:
    """A part running in a forked worker process while this process goes on (see :func:`beside`)."""

    def __init__(self, part: Callable[[], Any]) -> None:
        self._part = part
        self._process: multiprocessing.process.BaseProcess | None = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            # forked: the part and its data are inherited, not pickled
            self._process = context.Process(target=_send_outcome, args=(part, sender), name="beside")
            self._process.start()
            sender.close()

    def result(self) -> Any:
        """The part's result once it has finished; its exception is raised here. Where the platform
        cannot fork, the part runs now, here."""
        if self._process is None:
            return self._part()
        try:
            succeeded, outcome = self._receiver.recv()
        except EOFError:
            succeeded, outcome = False, RuntimeError(f"The worker process ended without a result ({self._part}).")
        finally:
            self._process.join()
            self._receiver.close()
        if not succeeded:
            raise outcome
        return outcome

    @property
    def alive(self) -> bool:
        """Whether the part is still running in its worker."""
        return self._process is not None and self._process.is_alive()

    def stop(self) -> None:
        """End the part unfinished (when what it was for has failed)."""
        if self._process is not None and self.alive:
            self._process.terminate()
            self._process.join()


@contextmanager
def beside(part: Callable[[], Result]) -> Iterator[Beside]:
    """Start ``part`` in a forked worker process and run the block here meanwhile; the block waits
    for it with ``.result()``. If the block fails, the part is ended unfinished.

    For a long part that can start before the rest of its step (the print edition, once the pages
    are converted, beside the downloads, the search index and the publish gate)."""
    running = Beside(part)
    try:
        yield running
    except BaseException:
        running.stop()
        raise
    running.stop()  # nothing is left running when the block did not ask for the result


def _send_outcome(part: Callable[[], Any], sender: Any) -> None:
    try:
        outcome = (True, part())
    except BaseException as error:  # handed to the parent, which raises it
        outcome = (False, error)
    try:
        sender.send(outcome)
    except Exception:  # one that cannot be pickled reaches the parent as text
        sender.send((False, RuntimeError(repr(outcome[1]))))
    finally:
        sender.close()
