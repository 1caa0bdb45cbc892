"""Writing outputs so that a failure never leaves a half-written folder or file where a good one was.

Every stage that writes a folder (raw sample data, processed tables, the site) fills a hidden
sibling folder first and swaps it in only when everything is written; single files go through a
temporary sibling and ``os.replace``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_directory(target: Path, fill: Callable[[Path], None]) -> None:
    """Let ``fill`` write a new folder, then put it in the place of ``target``.

    On any failure the new folder is removed and ``target`` stays as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp's 0700 would hide a published site from a web server
        fill(staging)
        _swap(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _swap(new: Path, target: Path) -> None:
    if not target.exists():
        os.replace(new, target)
        return
    # POSIX cannot exchange two folders in one step; for the moment between the two renames the
    # folder is absent, which a reader reports as "run the stage", never as a mixed state.
    old = new.with_name(new.name + ".old")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old)


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
