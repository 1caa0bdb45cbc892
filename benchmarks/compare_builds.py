"""Benchmark: the sample edition three ways on this machine, one after the other, with wall time, CPU
time and peak memory (a process and all its children together), and the ratios:

- **build**: the project's ``sozialbericht build`` (data, indicators, chapters and profiles in warm
  kernels, publishing), then the same steps one by one in this process for the per-stage figures;
- **naive**: every notebook the plain way, one after the other — the Papermill command, then
  ``jupyter nbconvert --to html`` (notebooks only: it starts from the build's data);
- **floor**: every notebook's code in one warm Python process, one core, no kernel and no HTML (the
  display objects are still formatted, as a kernel would).

For the build it also prints how much of the machine's cores were in use, second by second, and the
idle core-seconds: where a step leaves a core waiting, a better schedule could gain (the print
edition alone at the end of publishing, for one).

Prints figures only; nothing here asserts a target.

    .venv/bin/python benchmarks/compare_builds.py [--edition 2024] [--skip-naive]
"""

from __future__ import annotations

import argparse
import ast
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from build_edition import copy_project, print_stages, stage_seconds  # this folder's other benchmark

from sozialplanung.core.config import open_edition

BIN = Path(sys.executable).parent


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    peak_mb: float
    peak_pss_mb: float
    busy: list[float]
    """The share of all cores in use (the whole machine), second by second."""

    def idle_core_seconds(self) -> float:
        return sum((100 - percent) / 100 * (os.cpu_count() or 1) for percent in self.busy)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure(name: str, commands: list[list[str]], cwd: Path) -> Run:
    """Run ``commands`` one after another: wall time, CPU time of every process they started (all
    are waited for, so the kernel's time counts too), and the peaks of the memory of a command's
    process tree: the summed resident sets (RSS: pages a forked worker shares with its parent count
    in both), sampled every 50 ms, and the summed proportional sets (PSS: a shared page counts once,
    split between the processes sharing it — the physical memory the tree uses), sampled every
    half second. Reading PSS costs about 1.5 ms per process of a few hundred MB (the kernel walks
    its memory map): sampled as often as RSS, over the ten processes of a build, it took a third of
    a core away from the build it measured."""
    peak, peak_pss, cpu_before, start = 0, 0, _children_cpu(), time.perf_counter()
    busy: list[float] = []
    psutil.cpu_percent(None)  # from here on: each call gives the share since the last one
    last_second = time.perf_counter()
    for command in commands:
        process = psutil.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stop = threading.Event()

        def sample(process: psutil.Popen = process, stop: threading.Event = stop) -> None:
            nonlocal peak, peak_pss, last_second
            for tick in itertools.count():
                if stop.wait(0.05):
                    return
                try:
                    tree = [process, *process.children(recursive=True)]
                except psutil.NoSuchProcess:
                    return
                with_pss = tick % 10 == 9
                total = total_pss = 0
                for member in tree:
                    try:
                        memory = member.memory_full_info() if with_pss else member.memory_info()
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    total += memory.rss
                    total_pss += getattr(memory, "pss", memory.rss)  # PSS where the system reports it (Linux)
                peak = max(peak, total)
                if with_pss:
                    peak_pss = max(peak_pss, total_pss)
                if time.perf_counter() - last_second >= 1.0:
                    last_second = time.perf_counter()
                    busy.append(psutil.cpu_percent(None))

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, errors = process.communicate()
        stop.set()
        sampler.join()
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.decode(errors='replace')[-3000:]}")
    return Run(name, time.perf_counter() - start, _children_cpu() - cpu_before, peak / 2**20, peak_pss / 2**20, busy)


def _notebook_runs(project: Path, edition: str) -> list[tuple[Path, dict[str, object]]]:
    """Every notebook of the edition with its parameters: the chapters, then one profile per district."""
    from sozialplanung.data.load import profile_districts

    opened = open_edition(edition, project)
    base = {"edition": edition, "project_dir": ".."}
    runs = [(opened.project.notebook(chapter.id), base) for chapter in opened.config.chapters]
    profile = opened.project.notebook(opened.config.profiles.notebook)
    runs += [(profile, {**base, "kennziffer": int(k)}) for k in profile_districts(opened)["kennziffer"]]
    return runs


def naive_commands(project: Path, edition: str) -> list[list[str]]:
    out = project / "naive"
    out.mkdir(exist_ok=True)
    commands = []
    for number, (source, parameters) in enumerate(_notebook_runs(project, edition)):
        target = out / f"{number:02d}-{source.stem}.ipynb"
        flags = [item for key, value in parameters.items() for item in ("-p", key, str(value))]
        commands.append([str(BIN / "papermill"), str(source), str(target), *flags, "--cwd", str(source.parent)])
        commands.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(target)])
    return commands


def floor(project: Path, edition: str) -> None:
    """Execute every notebook's code in this process (called in a child process by ``main``)."""
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()

    def display(*objects: object, **_options: object) -> None:
        for item in objects:
            formatter.format(item)

    IPython.display.display = display
    os.chdir(project / "notebooks")
    for source, parameters in _notebook_runs(project, edition):
        namespace: dict[str, object] = {"__name__": "__main__", "display": display}
        cells = [cell.source for cell in nbformat.read(source, as_version=4).cells if cell.cell_type == "code"]
        exec(cells[0], namespace)  # the parameters cell, then what Papermill would inject
        namespace.update(parameters)
        for cell in cells[1:]:
            tree = ast.parse(cell)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, source.name, "exec"), namespace)
            if last is not None:
                display(eval(compile(ast.Expression(last.value), source.name, "eval"), namespace))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", default="2024")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive way (about 5 minutes)")
    parser.add_argument("--floor-in", type=Path, help=argparse.SUPPRESS)  # the child process of the floor run
    args = parser.parse_args()
    if args.floor_in:
        floor(args.floor_in, args.edition)
        return
    print(f"{os.cpu_count()} cores; edition {args.edition} of the synthetic sample", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        project = copy_project(Path(folder) / "a")
        build = [str(BIN / "sozialbericht"), "build", "--edition", args.edition, "--engine", "nbconvert"]
        runs = [_measure("build", [build], project)]
        count = len(_notebook_runs(project, args.edition))
        if not args.skip_naive:
            runs.append(_measure("naive", naive_commands(project, args.edition), project))
        me = [str(BIN / "python"), str(Path(__file__).resolve()), "--edition", args.edition]
        runs.append(_measure("floor", [[*me, "--floor-in", str(project)]], project))
        per_stage = stage_seconds(open_edition(args.edition, copy_project(Path(folder) / "b")))

    by_name = {run.name: run for run in runs}
    header = f"{'way':<8}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}{'peak PSS MB':>13}{'wall / build':>14}"
    print(f"\n{count} notebooks\n{header}")
    for run in runs:
        ratio = run.wall / by_name["build"].wall
        print(f"{run.name:<8}{run.wall:>9.1f}{run.cpu:>9.1f}{run.peak_mb:>13.0f}{run.peak_pss_mb:>13.0f}{ratio:>14.2f}")
    if "naive" in by_name:
        print(f"the build is {by_name['naive'].wall / by_name['build'].wall:.1f}× faster than the naive way")
    build_run = by_name["build"]
    print(
        f"\nthe build's use of the {os.cpu_count()} cores, second by second (% of all): "
        + " ".join(f"{percent:.0f}" for percent in build_run.busy)
        + f"\nidle core-seconds during the build: {build_run.idle_core_seconds():.1f} "
        "(work a perfect schedule could have done meanwhile)"
    )
    print("\nthe build's steps, one by one in one process")
    print_stages(per_stage)


if __name__ == "__main__":
    main()
