"""core.parallel: parts run in forked workers give their results in order, and their errors."""

from __future__ import annotations

import os
from functools import partial

import pytest

from sozialplanung.core.errors import ValidationFailed
from sozialplanung.core.parallel import can_fork, side_by_side
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
