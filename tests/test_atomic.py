import os

import pytest

from sozialplanung.core import atomic
from sozialplanung.core.atomic import replace_directory, replace_file


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
