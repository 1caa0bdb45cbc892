"""The ``sozialbericht`` command: one thin subcommand per pipeline stage.

Each subcommand parses its arguments, opens the edition and makes one library call; errors the
project raises on purpose are printed as a message (no traceback) and exit with status 1. A
subcommand imports only the step it runs: ``dvc repro`` starts a process per stage, and the
notebook, solver and spreadsheet libraries take seconds to import.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from sozialplanung.core.config import Edition, latest_edition, open_edition
from sozialplanung.core.errors import SozialplanungError, ValidationFailed

if TYPE_CHECKING:
    from sozialplanung.site.diff import SiteDiff

app = typer.Typer(
    help="Build the Sozialbericht of the Universitätsstadt Marburg from raw data to the HTML edition.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

EditionOption = Annotated[
    str | None, typer.Option("--edition", "-e", help="Edition (reporting year); default: the newest in params/.")
]
ProjectOption = Annotated[Path, typer.Option("--project-dir", "-C", help="The project's top folder.", file_okay=False)]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="nbconvert (built in), quarto (needs Quarto on PATH) or auto (Quarto when found).",
    ),
]

F = TypeVar("F", bound=Callable[..., object])


def _handles_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return command(*args, **kwargs)
        except ValidationFailed as exc:
            _print_problems(exc)
            raise typer.Exit(1) from None
        except SozialplanungError as exc:
            console.print(f"[bold red]Error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _print_problems(exc: ValidationFailed) -> None:
    table = Table(title=f"{len(exc.problems)} problem(s) in the raw data", title_justify="left")
    for header in ("file", "row", "column", "value", "rule"):
        table.add_column(header, overflow="fold")
    for problem in exc.problems:
        table.add_row(problem.file, str(problem.row or ""), problem.column or "", problem.value or "", problem.rule)
    console.print(table)
    console.print("[bold red]Validation failed; nothing was written downstream.[/] Fix the files above and rerun.")


def _open(edition: str | None, project_dir: Path) -> Edition:
    return open_edition(edition or latest_edition(project_dir), project_dir)


def _step(message: str) -> None:
    console.print(f"[cyan]•[/] {message}", highlight=False)


@app.command("generate-sample")
@_handles_errors
def generate_sample(
    edition: EditionOption = None,
    project_dir: ProjectOption = Path("."),
    style: Annotated[
        str, typer.Option(help="tidy (one CSV per table) or export (as the sources deliver it: titles, names, *).")
    ] = "tidy",
) -> None:
    """Write the edition's seeded synthetic raw data (same seed, same bytes)."""
    from sozialplanung.data.sample import generate_sample_data

    opened = _open(edition, project_dir)
    with console.status("Generating synthetic sample data …"):
        files = generate_sample_data(opened, style)
    console.print(f"{len(files)} files written to {opened.project.relative(opened.paths.raw_dir)}")


@app.command()
@_handles_errors
def validate(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Check every raw table against the data contract; write typed tables only if all pass."""
    from sozialplanung.data.validate import report_path, run_validation

    opened = _open(edition, project_dir)
    with console.status("Validating raw data …"):
        try:
            tables = run_validation(opened, say=_step)
        finally:
            console.print(f"Validation report: {opened.project.relative(report_path(opened))}", highlight=False)
    console.print(f"[green]OK[/]: {len(tables)} tables valid → {opened.project.relative(opened.paths.tables_dir)}")


@app.command()
@_handles_errors
def indicators(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Compute every indicator per district and year, and for the whole city."""
    from sozialplanung.statistics.indicators import run_indicators

    opened = _open(edition, project_dir)
    with console.status("Computing indicators …"):
        frame = run_indicators(opened)
    console.print(f"{len(frame)} values → {opened.project.relative(opened.paths.indicators_file)}")


@app.command()
@_handles_errors
def prepare(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Sample data (for a sample edition), validation and indicators in one go: what a later
    edition's changes page reads of this one."""
    from sozialplanung import pipeline

    opened = _open(edition, project_dir)
    pipeline.prepare(opened, progress=_step)
    console.print(f"Indicators → {opened.project.relative(opened.paths.indicators_file)}")


@app.command()
@_handles_errors
def execute(
    edition: EditionOption = None,
    project_dir: ProjectOption = Path("."),
    chapter: Annotated[
        list[str] | None, typer.Option("--chapter", "-c", help="Chapter id (repeatable); default: all.")
    ] = None,
) -> None:
    """Execute chapter notebooks with Papermill and the edition's parameters."""
    from sozialplanung.execution.chapters import execute_chapters

    opened = _open(edition, project_dir)
    executed = execute_chapters(opened, chapter, progress=_step)
    console.print(f"{len(executed)} chapter(s) executed → {opened.project.relative(opened.paths.executed_dir)}")


@app.command()
@_handles_errors
def profiles(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Execute the district profile notebook once per statistical district (in parallel)."""
    from sozialplanung.execution.profiles import execute_profiles

    opened = _open(edition, project_dir)
    executed = execute_profiles(opened, progress=_step)
    console.print(f"{len(executed)} profiles executed → {opened.project.relative(opened.paths.profiles_dir)}")


@app.command()
@_handles_errors
def publish(
    edition: EditionOption = None,
    project_dir: ProjectOption = Path("."),
    engine: EngineOption = "auto",
    quarto: Annotated[str | None, typer.Option(help="Path of the quarto executable.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds Quarto may take.")] = 600.0,
) -> None:
    """Turn the executed chapters into the HTML edition."""
    from sozialplanung.site.publish import publish as publish_edition

    opened = _open(edition, project_dir)
    with console.status("Building the HTML edition …"):
        index = publish_edition(opened, engine=engine, quarto_executable=quarto, timeout=timeout)
    _warn_exposed(opened)
    console.print(f"[green]Done[/]: open {opened.project.relative(index)} in a browser.")


@app.command()
@_handles_errors
def build(
    edition: EditionOption = None,
    project_dir: ProjectOption = Path("."),
    engine: EngineOption = "auto",
    fresh_kernels: Annotated[
        bool, typer.Option("--fresh-kernels", help="A new kernel for every notebook (slower; same site).")
    ] = False,
) -> None:
    """Run every stage in one go: sample data, validate, indicators, chapters, profiles, publish."""
    from sozialplanung import pipeline

    opened = _open(edition, project_dir)
    index = pipeline.build(opened, engine=engine, progress=_step, fresh_kernels=fresh_kernels)
    _warn_exposed(opened)
    console.print(f"[green]Edition built[/]: open {opened.project.relative(index)} in a browser.")


def _warn_exposed(opened: Edition) -> None:
    from sozialplanung.site.changes import exposure_warning

    warning = exposure_warning(opened)
    if warning is not None:
        console.print(f"[yellow]Warning[/]: {warning}", highlight=False)


# --- editions, data versions and exact rebuilds ------------------------------------------------


@app.command("new-edition")
@_handles_errors
def new_edition(
    year: Annotated[int, typer.Argument(help="Reporting year of the new edition, e.g. 2025.")],
    project_dir: ProjectOption = Path("."),
    sample: Annotated[bool, typer.Option("--sample", help="Build it from synthetic sample data.")] = False,
    source: Annotated[
        str | None, typer.Option("--from", help="Edition to copy the parameters from; default: the newest earlier one.")
    ] = None,
) -> None:
    """Start a new edition: params/<year>.yaml from the previous one, dvc.yaml pointed at it."""
    from sozialplanung.editions import new_edition as editions

    created = editions.new_edition(project_dir, year, sample=sample, source=source)
    root = created.params_file.parents[1]
    console.print(f"[green]Edition {created.edition}[/] started from {created.previous}. Changed:", highlight=False)
    for path in created.changed:
        console.print(f"  {path.relative_to(root).as_posix()}", highlight=False)
    console.print("\nNext steps:", highlight=False)
    for line in created.next_steps():
        console.print(line, highlight=False, soft_wrap=True)


@app.command("new-chapter")
@_handles_errors
def new_chapter(
    chapter_id: Annotated[str, typer.Argument(help="Id of the chapter: its number and a name, e.g. 09_gesundheit.")],
    title: Annotated[str, typer.Argument(help='Title of the chapter, e.g. "Gesundheit".')],
    edition: EditionOption = None,
    project_dir: ProjectOption = Path("."),
    indicator: Annotated[
        str | None,
        typer.Option(help="Indicator of the first section; default: the edition's first key figure."),
    ] = None,
) -> None:
    """Add a chapter: scaffold notebooks/<id>.ipynb and register it in params/<edition>.yaml."""
    from sozialplanung.editions import new_chapter as chapters

    created = chapters.new_chapter(
        project_dir, chapter_id, title, edition or latest_edition(project_dir), indicator=indicator
    )
    root = created.params_file.parents[1]
    console.print(f"[green]Chapter {created.chapter_id}[/] added:", highlight=False)
    for path in (created.notebook, created.params_file):
        console.print(f"  {path.relative_to(root).as_posix()}", highlight=False)
    console.print(
        f"Write the chapter in Jupyter (jupyter lab {created.notebook.relative_to(root).as_posix()}), "
        "then `dvc repro` executes it and adds its page to the site.",
        highlight=False,
        soft_wrap=True,
    )


@app.command("add-data")
@_handles_errors
def add_data(
    source: Annotated[
        Path | None,
        typer.Argument(help="Folder with the exported raw tables; default: the edition's raw folder as it is."),
    ] = None,
    edition: EditionOption = None,
    project_dir: ProjectOption = Path("."),
    push: Annotated[bool, typer.Option("--push/--no-push", help="Push the data to the DVC remote.")] = True,
) -> None:
    """Track the edition's raw data with DVC (dvc add) and push it to the DVC remote."""
    from sozialplanung.editions import datastore

    opened = _open(edition, project_dir)
    with console.status("Adding the raw data to DVC …"):
        added = datastore.add_raw_data(opened, source, push=push)
    pointer = opened.project.relative(added.pointer)
    where = "pushed to the DVC remote" if added.pushed else "not pushed yet (run `dvc push`)"
    console.print(f"[green]Data version[/] {added.md5} ({added.nfiles} files), {where}.", highlight=False)
    config = opened.config
    console.print(
        f"Commit the pointer {pointer}: {datastore.commit_command(config.edition, config.data.raw_dir, False)}",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
@_handles_errors
def release(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Tag the commit as edition-<year> after checking it rebuilds exactly (committed, built, pushed)."""
    from sozialplanung.editions import release as releasing

    opened = _open(edition, project_dir)
    with console.status("Checking the edition …"):
        tag = releasing.release(opened)
    console.print(f"[green]Released[/]: tagged {tag}. Publish the tag: git push origin {tag}", highlight=False)


@app.command("diff")
def diff(
    old_site: Annotated[
        Path, typer.Argument(help="The earlier build's site folder, e.g. a copy of outputs/2024/site.")
    ],
    new_site: Annotated[Path, typer.Argument(help="The later build's site folder.")],
    output_format: Annotated[
        str, typer.Option("--format", help="text (for the terminal), markdown (for a review ticket) or json.")
    ] = "text",
) -> None:
    """List, page by page, the numbers (by cell key) and sentences that changed between two built sites.
    Exit status 0: no differences; 1: differences; 2: an error (a folder missing or not a site)."""
    from sozialplanung.site import diff as diffing

    formats = ("text", "markdown", "json")
    if output_format not in formats:
        console.print(f"[bold red]Error:[/] unknown --format {output_format!r}; choose one of {', '.join(formats)}.")
        raise typer.Exit(2)
    try:
        result = diffing.diff_sites(old_site, new_site)
    except diffing.DiffError as exc:
        console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if output_format == "json":
        typer.echo(result.to_json(), nl=False)
    elif output_format == "markdown":
        typer.echo(result.to_markdown(), nl=False)
    else:
        _print_diff(result)
    raise typer.Exit(0 if result.identical else 1)


def _print_diff(result: SiteDiff) -> None:
    """The terminal view: removed words red and struck through, added words green."""
    from rich.text import Text

    out = Console(highlight=False, soft_wrap=True)
    styles = {"equal": "", "delete": "red strike", "insert": "bold green"}
    out.print(Text.assemble(("old: ", "bold"), result.old, ("  new: ", "bold"), result.new))
    for label, pages, style in (("Page added", result.added, "green"), ("Page removed", result.removed, "red")):
        for page in pages:
            out.print(Text.assemble((f"{label}: ", style), page))
    for page in result.pages:
        out.print()
        out.print(Text.assemble((page.page, "bold cyan"), " – ", page.title))
        for number in page.numbers:
            out.print(
                Text.assemble(
                    "  number ",
                    (number.key, "cyan"),
                    ": ",
                    (number.old or "(not shown)", "red"),
                    " → ",
                    (number.new or "(not shown)", "green"),
                )
            )
        for sentence in page.sentences:
            if sentence.kind == "removed":
                out.print(Text.assemble(("  - ", "red"), (sentence.old, "red")))
            elif sentence.kind == "added":
                out.print(Text.assemble(("  + ", "green"), (sentence.new, "green")))
            else:
                words = Text("  ~ ", style="yellow")
                for number, (operation, text) in enumerate(sentence.words()):
                    words.append((" " if number else "") + text, style=styles[operation])
                out.print(words)
    out.print()
    out.print(Text(result.summary(), style="bold"))


@app.command()
@_handles_errors
def verify(
    edition: Annotated[str | None, typer.Argument(help="Edition to verify; default: the newest in params/.")] = None,
    project_dir: ProjectOption = Path("."),
    published: Annotated[
        Path | None, typer.Option(help="Published site folder or its manifest.json; default: outputs/<edition>/site.")
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(help="Commit to rebuild instead of the edition's tag, e.g. HEAD for an edition without a tag."),
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the temporary checkout with the rebuilt edition.")] = False,
) -> None:
    """Check the published files against their manifest, rebuild the edition from its tag (or --rev) and
    data version, and compare every file and stage output."""
    from sozialplanung.editions import verify as verifying

    result = verifying.verify_edition(
        project_dir, edition or latest_edition(project_dir), published=published, keep=keep, progress=_step, rev=rev
    )
    for note in result.notes:
        console.print(note, highlight=False, soft_wrap=True)
    sections = (
        ("Published files that differ from their manifest.json (changed after publishing):", result.published_changes),
        ("Raw data:", result.data_problems),
        ("Rebuilt files that differ from the published manifest.json:", result.differences),
        ("Stage outputs that differ from dvc.lock:", result.lock_differences),
        ("Why the rebuild differs:", result.reasons),
    )
    for heading, items in sections:
        if items:
            typer.echo(heading)
            for item in items:
                typer.echo(f"  {item.describe() if hasattr(item, 'describe') else item}")
    if result.rebuilt_site is not None:
        typer.echo(f"Rebuilt site kept at {result.rebuilt_site}")
    where = f"{result.ref} ({result.commit[:12]})"
    if not result.identical:
        counts = [
            f"{len(result.published_changes)} published file(s) changed" if result.published_changes else "",
            f"{len(result.data_problems)} raw-data problem(s)" if result.data_problems else "",
            f"{len(result.differences)} of {result.compared} files differ" if result.differences else "",
            f"{len(result.lock_differences)} stage output(s) differ" if result.lock_differences else "",
            "" if result.rebuilt else "not rebuilt",
        ]
        console.print(
            f"[bold red]Not verified[/] ({where}): " + "; ".join(c for c in counts if c) + ".",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console.print(
        f"[green]Identical[/]: all {result.compared} files and every stage output of {where} rebuilt byte for byte.",
        highlight=False,
        soft_wrap=True,
    )
