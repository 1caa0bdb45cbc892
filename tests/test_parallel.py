"""core.parallel: parts run in forked workers give their results in order, and their errors; a part
run beside the caller gives its result or error when asked and is ended when the caller fails."""

from __future__ import annotations

import os
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from sozialplanung.core.errors import ValidationFailed
from sozialplanung.core.parallel import beside, can_fork, side_by_side
from sozialplanung.data.problems import Problem


def square_with_pid(value: int) -> tuple[int, int]:
    return value * value, os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


@pytest.mark.skipif(not can_fork(), reason="the platform cannot fork")
def test_parts_run_in_other_processes_and_come_back_in_order():
    results = side_by_side([partial(square_with_pid, n) for n in range(5)], workers=2)
    assert [value for value, _ in results] == [0, 1, 4, 9, 16]
    assert os.getpid() not in {pid for _, pid in results}


def test_one_worker_runs_the_parts_here():
    results = side_by_side([partial(square_with_pid, n) for n in (3, 4)], workers=1)
    assert results == [(9, os.getpid()), (16, os.getpid())]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_failing_part_raises_its_error(workers):
    parts = [partial(square_with_pid, 1), partial(fail, "second"), partial(fail, "third")]
    with pytest.raises(ValueError, match="second"):
        side_by_side(parts, workers)


def reject(problems: list[Problem]) -> None:
    raise ValidationFailed(problems)


@pytest.mark.skipif(not can_fork(), reason="the platform cannot fork")
def test_a_validation_failure_in_a_worker_arrives_with_every_problem():
    problems = [
        Problem("sgb2.csv", 4, "leistungsberechtigte", "-3", "a count is at least 0"),
        Problem("wohngeld.csv", None, "haushalte", None, "column missing"),
    ]
    with pytest.raises(ValidationFailed) as raised:
        side_by_side([partial(square_with_pid, 2), partial(reject, problems)], workers=2)
    assert raised.value.problems == problems
    assert str(raised.value) == "2 problem(s) in the raw data"


def write_then_wait(folder: Path, name: str) -> int:
    (folder / name).write_text("started", encoding="utf-8")
    while not (folder / "go").exists():
        time.sleep(0.01)
    return os.getpid()


@pytest.mark.skipif(not can_fork(), reason="the platform cannot fork")
def test_a_part_beside_runs_while_the_block_runs_and_gives_its_result(tmp_path):
    with beside(partial(write_then_wait, tmp_path, "part")) as part:
        for _ in range(1000):  # it starts without waiting for the block: it writes while the block still runs
            if (tmp_path / "part").exists():
                break
            time.sleep(0.01)
        assert (tmp_path / "part").exists()
        (tmp_path / "go").touch()
        pid = part.result()
    assert pid != os.getpid()


@pytest.mark.skipif(not can_fork(), reason="the platform cannot fork")
def test_a_part_beside_raises_its_error_when_asked_also_one_that_cannot_be_pickled():
    with beside(partial(fail, "printing failed")) as part, pytest.raises(ValueError, match="printing failed"):
        part.result()

    def unpicklable() -> None:
        raise ValueError(threading.Lock())  # a lock cannot cross a pipe

    with beside(unpicklable) as part, pytest.raises(RuntimeError, match="ValueError"):
        part.result()


@pytest.mark.skipif(not can_fork(), reason="the platform cannot fork")
def test_a_failing_block_ends_the_part_beside_unfinished(tmp_path):
    def refuse(part) -> None:
        assert part.alive  # waiting for "go", which never comes
        raise KeyError("the gate refused")

    with pytest.raises(KeyError), beside(partial(write_then_wait, tmp_path, "part")) as part:
        refuse(part)
    assert not part.alive  # ended, not left waiting
