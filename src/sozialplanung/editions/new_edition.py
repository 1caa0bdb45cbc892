"""Starting a new edition: its parameter file, the pipeline pointed at it, and what to do next.

``sozialbericht new-edition 2025`` copies the newest earlier edition's ``params/<year>.yaml`` and
changes what belongs to the year (edition, title, year, Stichtag, raw-data folder: ``data/raw/<year>``
for real data, ``data/raw/sample-<year>`` for a sample edition, never another edition's; the edition
it was copied from becomes ``previous_edition``, the one the changes page compares with), keeping every
comment; it points ``dvc.yaml`` at the new file (the pipeline always builds one edition — a past
edition is its git tag plus the data version its ``dvc.lock`` records) and sets the chapter
notebooks' default edition. An edition on real data has no ``sample`` stage: its raw folder is
tracked with ``dvc add``, so the stage is commented out (and commented in again for a sample edition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from sozialplanung.core.config import load_config
from sozialplanung.core.errors import ConfigError
from sozialplanung.core.paths import ProjectPaths
from sozialplanung.editions.datastore import commit_command

PIPELINE_FILE = "dvc.yaml"
SAMPLE_STAGE = "sample"
PREVIOUS_STAGE = "previous"
DISABLED_MARK = "# [sample stage disabled: this edition uses real raw data tracked with `dvc add`]"
_DISABLED_PREFIX = "#~ "


@dataclass(frozen=True)
class NewEdition:
    """What ``new-edition`` wrote, and the steps that follow."""

    edition: str
    previous: str
    params_file: Path
    changed: tuple[Path, ...]
    raw_dir: str
    synthetic: bool

    def next_steps(self) -> list[str]:
        e = self.edition
        if self.synthetic:
            data = [f"The sample stage generates synthetic data into {self.raw_dir}; nothing to add."]
        else:
            data = [
                f"Put the raw tables of {e} (CSV or XLSX, see the data contract in the README) into one folder and run",
                f"    sozialbericht add-data --edition {e} /path/to/folder",
                f"  (copies them to {self.raw_dir}, runs `dvc add` and `dvc push` to the DVC remote).",
            ]
        return [
            f"1. Review params/{e}.yaml (title, first_year, chapters, key figures, thresholds).",
            *[f"2. {line}" if number == 0 else line for number, line in enumerate(data)],
            f"3. Commit: {commit_command(e, self.raw_dir, self.synthetic)}",
            f"4. Build: dvc repro   (validates the data, then writes outputs/{e}/site)",
            f'5. Review outputs/{e}/site/index.html, fix and rebuild; then: git commit -am "Ausgabe {e} gebaut"',
            f"6. Release: dvc push && sozialbericht release --edition {e}   (tags edition-{e}),"
            f" then git push origin edition-{e}",
        ]


def sample_raw_dir(edition: str) -> str:
    """A sample edition's own raw folder: building one edition never touches another's data."""
    return f"data/raw/sample-{edition}"


def previous_edition(project: ProjectPaths, edition: str) -> str:
    """The newest edition before ``edition`` (or the newest of all when none is earlier)."""
    editions = project.editions()
    if not editions:
        raise ConfigError("There is no edition in params/ to start from; pass --from with a parameter file's name.")
    earlier = [e for e in editions if _sort_key(e) < _sort_key(edition)]
    return (earlier or editions)[-1]


def _sort_key(edition: str) -> tuple[int, str]:
    return (int(edition), edition) if edition.isdigit() else (0, edition)


def new_edition(project_dir: str | Path, year: int, sample: bool = False, source: str | None = None) -> NewEdition:
    """Write ``params/<year>.yaml`` from an earlier edition and point the pipeline at it."""
    project = ProjectPaths.at(project_dir)
    edition = str(year)
    target = project.params_file(edition)
    if target.exists():
        raise ConfigError(f"params/{edition}.yaml exists already; edit it, or remove it to start over.")
    previous = source or previous_edition(project, edition)
    old = load_config(project.params_file(previous))
    raw_dir = sample_raw_dir(edition) if sample else f"data/raw/{edition}"
    text = edition_parameters(
        project.params_file(previous).read_text(encoding="utf-8"), old.year, year, raw_dir, sample, previous
    )
    pipeline = project.root / PIPELINE_FILE
    pipeline_text = (
        retarget_pipeline(pipeline.read_text(encoding="utf-8"), previous, edition, sample, old.data.synthetic)
        if pipeline.is_file()
        else None
    )
    target.write_text(text, encoding="utf-8", newline="\n")
    try:
        load_config(target)
    except ConfigError as exc:
        target.unlink()
        raise ConfigError(f"The new parameter file would be invalid, so none was written:\n{exc}") from None
    changed = [target]
    if pipeline_text is not None:
        pipeline.write_text(pipeline_text, encoding="utf-8", newline="\n")
        changed.append(pipeline)
    changed += set_notebook_defaults(project, previous, edition)
    return NewEdition(edition, previous, target, tuple(changed), raw_dir, sample)


# --- parameter file ------------------------------------------------------------------------


def _replace_value(text: str, key: str, value: str, section: str | None = None, comment: str | None = None) -> str:
    """Set the scalar of ``key`` (top level, or inside the top-level ``section``), keeping its
    comment (or replacing it with ``comment``)."""
    if section is None:
        start, end = 0, len(text)
        pattern = re.compile(rf"^({re.escape(key)}:[ \t]*)([^#\n]*?)([ \t]*(#[^\n]*)?)$", re.MULTILINE)
    else:
        heading = re.search(rf"^{re.escape(section)}:[^\n]*$", text, re.MULTILINE)
        if heading is None:
            raise ConfigError(f"The parameter file has no section {section!r}.")
        start = heading.end()
        following = re.search(r"^\S", text[start:], re.MULTILINE)
        end = start + following.start() if following else len(text)
        pattern = re.compile(rf"^([ \t]+{re.escape(key)}:[ \t]*)([^#\n]*?)([ \t]*(#[^\n]*)?)$", re.MULTILINE)
    block = text[start:end]
    match = pattern.search(block)
    if match is None:
        raise ConfigError(f"The parameter file has no key {section + '.' if section else ''}{key}.")
    old_value = match.group(2)
    # Keep the column of a trailing comment where the new value allows it.
    padding = match.group(3)
    if comment is not None:
        padding = (padding[: len(padding) - len(padding.lstrip(" \t"))] or " ") + f"# {comment}"
    if padding.strip():
        spaces = len(padding) - len(padding.lstrip(" \t"))
        padding = " " * max(1, spaces + len(old_value) - len(value)) + padding.lstrip(" \t")
    block = block[: match.start()] + match.group(1) + value + padding + block[match.end() :]
    return text[:start] + block + text[end:]


def _title(text: str) -> str:
    match = re.search(r"^title:[ \t]*(.+?)[ \t]*(#.*)?$", text, re.MULTILINE)
    if match is None:
        raise ConfigError("The parameter file has no title.")
    return str(yaml.safe_load(match.group(1)))


def edition_parameters(
    text: str, old_year: int, year: int, raw_dir: str, synthetic: bool, previous: str | None = None
) -> str:
    """The previous edition's parameter text with everything that belongs to the year changed; the
    changes page compares with ``previous`` (the edition copied from)."""
    title = _title(text)
    new_title = re.sub(rf"\b{old_year}\b", str(year), title) if str(old_year) in title else f"{title} {year}"
    text = _replace_value(text, "edition", f'"{year}"')
    text = _replace_value(text, "title", f'"{new_title}"')
    text = _replace_value(text, "year", str(year))
    text = _replace_value(text, "reference_date", f'"{year}-12-31"')
    if previous is not None:
        text = _set_previous_edition(text, previous)
    text = _replace_value(text, "raw_dir", raw_dir, section="data")
    note = 'true only for generated sample data (every page then says "synthetische Beispieldaten")'
    text = _replace_value(text, "synthetic", "true" if synthetic else "false", section="data", comment=note)
    if synthetic:
        text = _replace_value(text, "last_year", str(year), section="sample")
    kind = "sample edition built from synthetic data" if synthetic else f"real raw data in {raw_dir}, tracked by DVC"
    return re.sub(r"\A# Edition parameters:[^\n]*", f"# Edition parameters: Sozialbericht {year} ({kind}).", text)


PREVIOUS_COMMENT = "compared with on the changes page (aenderungen.html); null: none"


def _set_previous_edition(text: str, previous: str) -> str:
    if re.search(r"^previous_edition:", text, re.MULTILINE):
        return _replace_value(text, "previous_edition", f'"{previous}"', comment=PREVIOUS_COMMENT)
    line = f'previous_edition: "{previous}"       # {PREVIOUS_COMMENT}\n'
    first = re.search(r"^first_year:[^\n]*\n", text, re.MULTILINE)
    if first is None:
        raise ConfigError("The parameter file has no first_year.")
    return text[: first.end()] + line + text[first.end() :]


# --- dvc.yaml -----------------------------------------------------------------------------------


def _active_stage(lines: list[str], name: str) -> tuple[int, int] | None:
    """Line range of stage ``name`` (indented by two spaces under ``stages:``)."""
    for number, line in enumerate(lines):
        if line.rstrip() == f"  {name}:":
            end = number + 1
            while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
                end += 1
            while not lines[end - 1].strip():
                end -= 1  # blank lines after the stage belong to the gap, not the stage
            return number, end
    return None


PREVIOUS_SAMPLE_OUT = "      - data/raw/sample-${previous_edition}  # a sample edition's data is generated here"
PREVIOUS_RAW_DEP = "      - data/raw/${previous_edition}  # its raw data, tracked with dvc add"


def _previous_raw_data(lines: list[str], previous_synthetic: bool) -> list[str]:
    """The previous-edition stage generates a sample edition's raw data (an output) and reads a real
    edition's, tracked with ``dvc add`` (a dependency)."""
    lines = [line for line in lines if line not in (PREVIOUS_SAMPLE_OUT, PREVIOUS_RAW_DEP)]
    stage = _active_stage(lines, PREVIOUS_STAGE)
    if stage is None:
        return lines
    start, end = stage
    heading = "    outs:" if previous_synthetic else "    deps:"
    place = next((n for n in range(start, end) if lines[n] == heading), None)
    if place is None:
        raise ConfigError(f"The {PREVIOUS_STAGE} stage of {PIPELINE_FILE} has no {heading.strip()}; edit it by hand.")
    lines.insert(place + 1, PREVIOUS_SAMPLE_OUT if previous_synthetic else PREVIOUS_RAW_DEP)
    return lines


def retarget_pipeline(text: str, previous: str, edition: str, synthetic: bool, previous_synthetic: bool = True) -> str:
    """``dvc.yaml`` reading ``params/<edition>.yaml``; the sample stage active only for sample data,
    the previous edition's raw data generated (sample) or read (real data)."""
    lines = text.replace(f"params/{previous}.yaml", f"params/{edition}.yaml").split("\n")
    lines = _previous_raw_data(lines, previous_synthetic)
    active = _active_stage(lines, SAMPLE_STAGE)
    disabled = [n for n, line in enumerate(lines) if line.startswith(_DISABLED_PREFIX.rstrip())]
    if active and not synthetic:
        start, end = active
        lines[start:end] = [DISABLED_MARK, *(f"{_DISABLED_PREFIX}{line}".rstrip() for line in lines[start:end])]
    elif synthetic and not active:
        if not disabled:
            raise ConfigError(f"{PIPELINE_FILE} has no sample stage to generate synthetic data; add it back first.")
        enabled = [line.removeprefix(_DISABLED_PREFIX.rstrip()).removeprefix(" ") for line in lines]
        lines = [enabled[n] if n in disabled else line for n, line in enumerate(lines) if line != DISABLED_MARK]
    result = "\n".join(lines)
    stages = (yaml.safe_load(result) or {}).get("stages", {})
    if (SAMPLE_STAGE in stages) != synthetic:
        raise ConfigError(
            f"Could not switch the sample stage in {PIPELINE_FILE} for edition {edition}; edit it by hand."
        )
    return result


# --- notebooks ---------------------------------------------------------------------------------


def set_notebook_defaults(project: ProjectPaths, previous: str, edition: str) -> list[Path]:
    """Set ``edition = "<edition>"`` in each notebook's ``parameters`` cell (outputs stay stripped)."""
    pattern = re.compile(rf'^(edition\s*=\s*)(["\']){re.escape(previous)}\2', re.MULTILINE)
    changed = []
    for path in sorted(project.notebooks_dir.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        if cells and pattern.search(cells[0].source):
            cells[0].source = pattern.sub(rf'\g<1>"{edition}"', cells[0].source)
            nbformat.write(notebook, path)
            changed.append(path)
    return changed
