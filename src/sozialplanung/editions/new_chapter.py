"""Adding a chapter: a notebook that runs as it is, registered in the edition's parameters.

``sozialbericht new-chapter 09_gesundheit "Gesundheit" --indicator sgb2_quote`` writes
``notebooks/09_gesundheit.ipynb`` — title, the ``parameters`` cell, the imports, the synthetic-data
notice and a first section about one indicator (a sentence computed from the data, a district
chart and table) — and adds the chapter to ``chapters`` in ``params/<edition>.yaml`` in report
order, keeping every comment. Nothing else needs an edit: the ``chapter`` stages of ``dvc.yaml``
are made for every entry of ``chapters``, the site lists every chapter, and the publish stage
depends on the whole folder of executed chapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sozialplanung.core.config import CHAPTER_ID_PATTERN, load_config
from sozialplanung.core.errors import ConfigError
from sozialplanung.core.paths import ProjectPaths
from sozialplanung.statistics.indicators import INDICATOR_BY_ID

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
_CHAPTER_LINE = re.compile(r"^  (?P<id>\d\d_[a-z0-9_]+):\s*(#.*)?$")


@dataclass(frozen=True)
class NewChapter:
    """What ``new-chapter`` wrote."""

    chapter_id: str
    notebook: Path
    params_file: Path


def new_chapter(
    project_dir: str | Path, chapter_id: str, title: str, edition: str, indicator: str | None = None
) -> NewChapter:
    """Scaffold the notebook of chapter ``chapter_id`` and register it in ``params/<edition>.yaml``.

    Refuses (and writes nothing) when the id is malformed or taken, the title is empty or the
    indicator unknown.
    """
    project = ProjectPaths.at(project_dir)
    params_file = project.params_file(edition)
    config = load_config(params_file)
    if not re.fullmatch(CHAPTER_ID_PATTERN, chapter_id):
        raise ConfigError(
            f"Chapter id {chapter_id!r} must be two digits, an underscore and lower-case letters, digits or "
            "underscores, e.g. 09_gesundheit: the digits give its place in the report."
        )
    title = " ".join(title.split())
    if not title:
        raise ConfigError('A chapter needs a title, e.g. "Gesundheit".')
    notebook = project.notebook(chapter_id)
    taken = [c.id for c in config.chapters if c.id == chapter_id or c.id[:2] == chapter_id[:2]]
    if taken or notebook.exists():
        where = f"params/{edition}.yaml has {taken[0]}" if taken else f"{project.relative(notebook)} exists"
        raise ConfigError(f"Chapter {chapter_id} cannot be added: {where}. Choose another number or name.")
    indicator = indicator or config.key_figures[0]
    if indicator not in INDICATOR_BY_ID:
        raise ConfigError(f"Unknown indicator {indicator!r}; known indicators: {', '.join(INDICATOR_BY_ID)}.")

    text = register_chapter(params_file.read_text(encoding="utf-8"), chapter_id, title)
    nbformat.write(chapter_notebook(chapter_id, title, edition, indicator), notebook)
    params_file.write_text(text, encoding="utf-8")
    return NewChapter(chapter_id, notebook, params_file)


def register_chapter(params_text: str, chapter_id: str, title: str) -> str:
    """``params_text`` with ``chapter_id`` added to its ``chapters`` mapping in report order."""
    lines = params_text.split("\n")
    try:
        start = next(n for n, line in enumerate(lines) if re.match(r"^chapters:\s*(#.*)?$", line))
    except StopIteration:
        raise ConfigError("The parameter file has no `chapters:` mapping to add the chapter to.") from None
    end = start + 1
    while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    position = end
    for number in range(start + 1, end):
        match = _CHAPTER_LINE.match(lines[number])
        if match and match["id"] > chapter_id:
            position = number
            break
    entry = [f"  {chapter_id}:", f"    title: {yaml.safe_dump(title, allow_unicode=True).splitlines()[0]}"]
    lines[position:position] = entry
    result = "\n".join(lines)
    chapters = yaml.safe_load(result)["chapters"]
    if chapters.get(chapter_id, {}).get("title") != title:
        raise ConfigError("Could not add the chapter to the parameter file; add it to `chapters` by hand.")
    return result


def chapter_notebook(chapter_id: str, title: str, edition: str, indicator: str) -> nbformat.NotebookNode:
    """A chapter notebook that runs top to bottom with its defaults and publishes only computed text."""
    definition = INDICATOR_BY_ID[indicator]
    points = "Prozentpunkte" if definition.per == 100 else "Punkte"
    prefix = chapter_id.split("_", 1)[1][:3]
    cells = [
        new_markdown_cell(f"# {title}"),
        new_code_cell(
            "# Parameters: Papermill replaces these; the defaults build the sample edition.\n"
            f'edition = "{edition}"\nproject_dir = ".."',
            metadata={"tags": ["parameters"]},
        ),
        new_code_cell(
            "from IPython.display import Markdown, display\n\n"
            "from sozialplanung.report.chapter import open_chapter\n\n"
            "chapter = open_chapter(edition, project_dir)\n"
            "display(Markdown(chapter.synthetic_notice()))"
        ),
        new_markdown_cell(f"## {definition.name}"),
        new_code_cell(
            "display(\n"
            "    Markdown(\n"
            f'        f"{definition.name} am {{chapter.stichtag}}: **{{chapter.rate_text({indicator!r})}}** '
            f'{definition.unit} "\n'
            f'        f"({{chapter.rate_change_text({indicator!r}, chapter.first_year)}} {points} gegenüber '
            '{chapter.first_year})."\n'
            "    )\n"
            ")"
        ),
        new_code_cell(f"display(chapter.district_figure({indicator!r}))"),
        new_code_cell(
            f"display(chapter.district_table([{indicator!r}], caption={definition.name + ' nach Stadtbezirken'!r}))"
        ),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"{prefix}-{number:02d}"  # stable ids: the notebook is committed and diffed
    return new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
