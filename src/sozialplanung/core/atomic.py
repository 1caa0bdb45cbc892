"""Writing outputs so that a failure never leaves a half-written folder or file where a good one was.

Every stage that writes a folder (raw sample data, processed tables, profiles, the site) fills a
hidden sibling folder first and swaps it in only when everything is written; single files go
through a temporary sibling and ``os.replace``.

The swap of a folder is one ``renameat2(RENAME_EXCHANGE)`` on Linux: the old and the new folder
change places in a single step, so at every instant one complete folder is at the target path (a web
server or a reader of ``manifest.json`` never finds it missing). Where the exchange is not
available (another kernel or file system), two renames are used and the short gap between them is
repaired by the next run.

A run that is killed leaves its hidden sibling behind (``.<name>.new-<pid>-…``, or a temporary
file ``.<name>.<pid>.…``). The name carries the process id, and the next run removes every leftover
whose process is gone (:func:`remove_leftovers`), restoring a folder that a killed two-rename swap
had moved aside. For tests, ``SOZIALPLANUNG_FAULT=<step>`` makes the process kill itself with
SIGKILL at that step of the swap (:data:`FAULT_STEPS`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

FAULT_ENV = "SOZIALPLANUNG_FAULT"
FAULT_STEPS = ("filled", "exchanged", "removing-old", "moved-aside")
"""Where the swap can be killed for a test: after the new folder is written (``filled``); after the
exchange, before the old folder is removed (``exchanged``); halfway through removing it
(``removing-old``); in the two-rename fallback, between the two renames (``moved-aside``).
``verify`` has one more: ``verify-checked-out``, right after it cloned the edition."""
EXCHANGE = True
"""Use ``renameat2(RENAME_EXCHANGE)`` where the platform has it (tests switch it off for the fallback)."""
PUBLIC_FILE_MODE = 0o644
PUBLIC_DIR_MODE = 0o755
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def replace_directory(target: Path, fill: Callable[[Path], None]) -> None:
    """Let ``fill`` write a new folder, then put it in the place of ``target``.

    On any failure the new folder is removed and ``target`` stays as it was. Leftovers of earlier
    runs that were killed are removed first.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    staging = target.with_name(f".{target.name}.new-{os.getpid()}-{secrets.token_hex(4)}")
    staging.mkdir()
    try:
        os.chmod(staging, PUBLIC_DIR_MODE)  # mkdir follows the umask; a 0700 site is hidden from a web server
        fill(staging)
        fault("filled")
        _swap(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; afterwards ``new`` no longer exists."""
    if not target.exists():
        os.replace(new, target)
        return
    if EXCHANGE and exchange(new, target):
        fault("exchanged")
        _remove_tree(new)  # the previous folder, now at the staging name
        return
    # Two renames: between them ``target`` is absent; a killed run leaves the previous folder at
    # ``<staging>.old``, and the next run puts it back (remove_leftovers).
    old = new.with_name(new.name + ".old")
    os.replace(target, old)
    try:
        fault("moved-aside")
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    _remove_tree(old)


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Returns ``False`` (having changed nothing) where the platform or file system cannot exchange.
    """
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _remove_tree(folder: Path) -> None:
    if os.environ.get(FAULT_ENV) == "removing-old":
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        for path in files[: len(files) // 2]:
            path.unlink()
        fault("removing-old")
    shutil.rmtree(folder)


def fault(step: str) -> None:
    """Test hook: die here, as a power cut or ``kill -9`` would, when ``SOZIALPLANUNG_FAULT`` names the step."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


# --- leftovers of killed runs ---------------------------------------------------------------------

_OWNER = re.compile(r"^(?P<pid>\d+)[-.]")


def owner_alive(name_rest: str) -> bool:
    """Whether the process whose id starts ``name_rest`` (``<pid>-…`` or ``<pid>.…``) still runs.

    A name without a process id (written by an older version) counts as a dead run's.
    """
    match = _OWNER.match(name_rest)
    if match is None:
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def remove_leftovers(target: Path) -> list[Path]:
    """Remove what killed runs left next to ``target`` (``.<name>.new-*``); returns what was removed.

    When ``target`` itself is missing because a two-rename swap was killed between its renames, the
    previous folder is put back first.
    """
    prefix = f".{target.name}.new-"
    found = sorted(p for p in target.parent.glob(f"{glob_escape(prefix)}*") if not owner_alive(p.name[len(prefix) :]))
    if not target.exists():
        moved_aside = [p for p in found if p.name.endswith(".old") and p.is_dir()]
        if moved_aside:
            os.replace(moved_aside[-1], target)
            found.remove(moved_aside[-1])
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found


def remove_stale_files(folder: Path, pattern: str) -> list[Path]:
    """Remove the temporary files (:func:`temporary_sibling`) matching ``pattern`` in ``folder`` whose
    process is gone; a matching file without a process id (an older version's) counts as stale."""
    removed = []
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        match = _TEMPORARY.search(path.name)
        if path.is_file() and not (match and owner_alive(f"{match['pid']}.")):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


# --- single files and published permissions -----------------------------------------------------


_TEMPORARY = re.compile(r"\.(?P<pid>\d+)\.[0-9a-f]{8}(\.[^.]*)?$")


def temporary_sibling(path: Path, keep_suffix: bool = False) -> Path:
    """A new, empty hidden file next to ``path``: ``.<name>.<pid>.<random>``, or with ``keep_suffix``
    ``.<stem>.<pid>.<random><suffix>`` (for tools that go by the suffix)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    name, suffix = (path.stem, path.suffix) if keep_suffix else (path.name, "")
    while True:
        candidate = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}{suffix}")
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return candidate
        except FileExistsError:
            continue


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling file and ``os.replace``."""
    temporary = temporary_sibling(path)
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, PUBLIC_FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def make_public(folder: Path) -> None:
    """Files 0644 and folders 0755 throughout ``folder``, whatever the umask they were written with."""
    os.chmod(folder, PUBLIC_DIR_MODE)
    for root, dirs, files in os.walk(folder):
        for names, mode in ((dirs, PUBLIC_DIR_MODE), (files, PUBLIC_FILE_MODE)):
            for name in names:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    os.chmod(path, mode)
