"""Keeping raw data out of git: the check behind the pre-commit hook ``.githooks/pre-commit``.

Raw data is DVC's: git may hold a raw folder's ``.dvc`` pointer, never its files. A commit is
refused when it adds or changes

- any file under ``data/`` or ``outputs/`` other than a ``.dvc`` pointer or a ``.gitignore``
  (the public reference data in ``data/reference/`` is the one exception);
- a data file (CSV, Excel, ODS, Parquet, SPSS, Stata, SAS, archives) outside ``data/reference/`` and
  ``tests/``;
- any file larger than 2 MB.

The module uses the standard library only, so the hook runs it with any Python 3 as a script
(``python3 src/sozialplanung/editions/gitguard.py``) even before the project's environment is installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import PurePosixPath

DVC_FOLDERS = ("data/", "outputs/")
PUBLIC_DATA = ("data/reference/",)
DATA_ALLOWED = (*PUBLIC_DATA, "tests/")
POINTER_NAMES = (".gitignore",)
POINTER_SUFFIX = ".dvc"
DATA_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".xlsx",
        ".xlsm",
        ".xls",
        ".ods",
        ".parquet",
        ".feather",
        ".arrow",
        ".sav",
        ".zsav",
        ".dta",
        ".sas7bdat",
        ".rds",
        ".rdata",
        ".sqlite",
        ".db",
        ".zip",
        ".gz",
        ".7z",
    }
)
MAX_BYTES = 2_000_000
WHAT_TO_DO = (
    "Raw data belongs to DVC, not git: unstage it (git restore --staged <file>) and track its folder with\n"
    "`sozialbericht add-data --edition <year> <folder>` (dvc add + dvc push); commit only the .dvc pointer."
)


def problem(path: str, size: int | None) -> str | None:
    """Why ``path`` (relative, with ``/``) must not be committed, or ``None`` when it may."""
    name = PurePosixPath(path)
    public = path.startswith(PUBLIC_DATA)
    pointer = name.suffix == POINTER_SUFFIX or name.name in POINTER_NAMES
    if path.startswith(DVC_FOLDERS) and not public and not pointer:
        return f"{path}: files under data/ and outputs/ are DVC's (only .dvc pointers go into git)"
    if name.suffix.lower() in DATA_SUFFIXES and not path.startswith(DATA_ALLOWED):
        return f"{path}: a data file ({name.suffix}) outside data/reference/ and tests/"
    if size is not None and size > MAX_BYTES:
        return f"{path}: {size / 1_000_000:.1f} MB is more than git should hold (limit {MAX_BYTES // 1_000_000} MB)"
    return None


def problems(files: list[tuple[str, int | None]]) -> list[str]:
    """The problems of every ``(path, size)``, in order."""
    return [found for path, size in files if (found := problem(path, size)) is not None]


def staged_files(cwd: str = ".") -> list[tuple[str, int | None]]:
    """Files a commit would add or change, with their staged sizes."""
    names = (
        subprocess.run(
            ["git", "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"],
            cwd=cwd,
            capture_output=True,
            check=True,
        )
        .stdout.decode("utf-8", "surrogateescape")
        .split("\0")
    )
    paths = [name for name in names if name]
    if not paths:
        return []
    query = "".join(f":{path}\n" for path in paths).encode("utf-8", "surrogateescape")
    answers = (
        subprocess.run(
            ["git", "cat-file", "--batch-check=%(objectsize)"], cwd=cwd, input=query, capture_output=True, check=True
        )
        .stdout.decode()
        .split()
    )
    sizes = [int(answer) if answer.isdigit() else None for answer in answers]
    return list(zip(paths, sizes + [None] * (len(paths) - len(sizes))))


def main() -> int:
    """Pre-commit hook: print every problem and exit 1, or exit 0."""
    try:
        found = problems(staged_files())
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"pre-commit (raw-data guard): could not read the staged files: {exc}", file=sys.stderr)
        return 1
    if found:
        print("Commit refused: it would put raw data into git.", file=sys.stderr)
        for line in found:
            print(f"  - {line}", file=sys.stderr)
        print(WHAT_TO_DO, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
