"""Atomic folder and file replacement: a swap that a SIGKILL at any step leaves readable, leftovers
of killed runs removed by the next run, published permissions whatever the umask."""

import os
import signal
import subprocess
import sys

import pytest

from sozialplanung.core import atomic
from sozialplanung.core.atomic import (
    FAULT_STEPS,
    make_public,
    remove_stale_files,
    replace_directory,
    replace_file,
    temporary_sibling,
)


def _fill(files):
    def fill(folder):
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")

    return fill


def _listing(folder):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_new_folder_appears_whole(tmp_path):
    target = tmp_path / "site"
    replace_directory(target, _fill({"index.html": "neu"}))
    assert _listing(target) == {"index.html": "neu"}
    assert oct(target.stat().st_mode & 0o777) == "0o755"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_existing_folder_is_replaced_not_merged(tmp_path):
    target = tmp_path / "site"
    replace_directory(target, _fill({"a.html": "alt", "b.html": "alt"}))
    replace_directory(target, _fill({"a.html": "neu"}))
    assert _listing(target) == {"a.html": "neu"}


def test_failure_while_filling_keeps_the_previous_folder(tmp_path):
    target = tmp_path / "site"
    replace_directory(target, _fill({"a.html": "gut"}))

    def broken(folder):
        (folder / "a.html").write_text("halb", encoding="utf-8")
        raise RuntimeError("Kapitel fehlgeschlagen")

    with pytest.raises(RuntimeError):
        replace_directory(target, broken)
    assert _listing(target) == {"a.html": "gut"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_failure_while_swapping_restores_the_previous_folder(tmp_path, monkeypatch):
    target = tmp_path / "site"
    replace_directory(target, _fill({"a.html": "gut"}))
    monkeypatch.setattr(atomic, "EXCHANGE", False)  # the two-rename fallback
    real_replace = os.replace

    def replace(source, destination):
        if str(destination) == str(target) and not str(source).endswith(".old"):
            raise OSError("rename failed")  # the new folder cannot be moved into place
        return real_replace(source, destination)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError, match="rename failed"):
        replace_directory(target, _fill({"a.html": "neu"}))
    monkeypatch.undo()
    assert _listing(target) == {"a.html": "gut"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_replace_file_writes_or_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "indikatoren.csv"
    replace_file(path, b"alt\n")
    assert path.read_bytes() == b"alt\n"

    def failing(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        replace_file(path, b"neu\n")
    monkeypatch.undo()
    assert path.read_bytes() == b"alt\n"
    assert [p.name for p in tmp_path.iterdir()] == ["indikatoren.csv"]


def test_the_swap_is_one_exchange_on_this_platform(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "name").write_text("a", encoding="utf-8")
    if not atomic.exchange(first, second):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here: the two-rename fallback is used")
    assert (second / "name").read_text(encoding="utf-8") == "a" and not (first / "name").exists()


SWAP_SCRIPT = """
import sys
from pathlib import Path
from sozialplanung.core import atomic

atomic.EXCHANGE = sys.argv[2] == "exchange"


def fill(folder):
    for number in range(20):
        (folder / f"seite-{number}.html").write_text(sys.argv[3], encoding="utf-8")
    (folder / "index.html").write_text(sys.argv[3], encoding="utf-8")


atomic.replace_directory(Path(sys.argv[1]), fill)
"""


def _swap_in_process(target, mode, content, fault=None):
    env = {key: value for key, value in os.environ.items() if key != atomic.FAULT_ENV}
    if fault:
        env[atomic.FAULT_ENV] = fault
    return subprocess.run(
        [sys.executable, "-c", SWAP_SCRIPT, str(target), mode, content], env=env, capture_output=True, text=True
    )


def _site_state(target):
    """The one version every file of the site has ("alt" or "neu"); fails on a missing or mixed site."""
    assert (target / "index.html").is_file(), f"no site at {target}: {sorted(os.listdir(target.parent))}"
    versions = {p.read_text(encoding="utf-8") for p in target.iterdir()}
    assert len(versions) == 1 and len(list(target.iterdir())) == 21, f"a mixed or partial site: {versions}"
    return versions.pop()


@pytest.mark.parametrize("step", [s for s in FAULT_STEPS if s != "moved-aside"])
def test_sigkill_at_each_step_of_the_exchange_leaves_a_whole_site_and_the_next_run_cleans_up(tmp_path, step):
    target = tmp_path / "site"
    assert _swap_in_process(target, "exchange", "alt").returncode == 0
    killed = _swap_in_process(target, "exchange", "neu", fault=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _site_state(target) == ("alt" if step == "filled" else "neu")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.new-")]  # the killed run's leftover

    assert _swap_in_process(target, "exchange", "neuer").returncode == 0
    assert _site_state(target) == "neuer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("step", [s for s in FAULT_STEPS if s != "exchanged"])
def test_without_exchange_a_sigkill_between_the_renames_is_repaired_by_the_next_run(tmp_path, step):
    target = tmp_path / "site"
    assert _swap_in_process(target, "rename", "alt").returncode == 0
    killed = _swap_in_process(target, "rename", "neu", fault=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if step == "moved-aside":
        assert not target.exists()  # the gap two renames cannot avoid; the old site waits next to it
        atomic.remove_leftovers(target)
        assert _site_state(target) == "alt"
    else:
        assert _site_state(target) == ("alt" if step == "filled" else "neu")
    assert _swap_in_process(target, "rename", "neuer").returncode == 0
    assert _site_state(target) == "neuer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_live_runs_staging_folder_is_left_alone(tmp_path):
    target = tmp_path / "site"
    live = tmp_path / f".site.new-{os.getppid()}-0a1b2c3d"
    live.mkdir()
    dead = tmp_path / ".site.new-0a1b2c3d"  # an older version's name, without a process id
    dead.mkdir()
    replace_directory(target, _fill({"index.html": "neu"}))
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "site"]


def test_stale_temporary_files_are_removed_but_not_a_live_ones(tmp_path):
    target = tmp_path / "01_bevoelkerung.ipynb"
    mine = temporary_sibling(target, keep_suffix=True)
    assert mine.name.startswith(".01_bevoelkerung.") and mine.suffix == ".ipynb"
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = tmp_path / f".01_bevoelkerung.{finished.stdout.strip()}.0a1b2c3d.ipynb"
    old_style = tmp_path / ".02_existenzsicherung.k2j4_x9q.ipynb"
    for path in (gone, old_style):
        path.write_text("{}", encoding="utf-8")
    assert set(remove_stale_files(tmp_path, ".*.ipynb")) == {gone, old_style}
    assert [p.name for p in tmp_path.iterdir()] == [mine.name]


def test_make_public_gives_0644_files_and_0755_folders_under_umask_077(tmp_path):
    previous = os.umask(0o077)
    try:
        (tmp_path / "site" / "downloads").mkdir(parents=True)
        (tmp_path / "site" / "index.html").write_text("x", encoding="utf-8")
        (tmp_path / "site" / "downloads" / "a.csv").write_text("x", encoding="utf-8")
        assert (tmp_path / "site" / "index.html").stat().st_mode & 0o777 == 0o600
        make_public(tmp_path / "site")
    finally:
        os.umask(previous)
    modes = {p.relative_to(tmp_path).as_posix(): p.stat().st_mode & 0o777 for p in tmp_path.rglob("*")}
    assert modes == {"site": 0o755, "site/downloads": 0o755, "site/index.html": 0o644, "site/downloads/a.csv": 0o644}
