"""Writing the site's files the same way on every platform (both engines and the last steps use it)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sozialplanung.core.paths import TEMPLATES_DIR

STYLESHEET = TEMPLATES_DIR / "style.css"
STYLESHEET_PATH = "assets/style.css"
"""Where the stylesheet goes inside the site (every page links to it relatively)."""


def write_text(path: Path, text: str) -> None:
    """UTF-8 with ``\\n`` line ends on every platform, so builds compare byte for byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def copy_stylesheet(folder: Path) -> None:
    target = folder / STYLESHEET_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STYLESHEET, target)
