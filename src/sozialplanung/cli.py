"""The ``sozialbericht`` command: one thin subcommand per pipeline stage.

Each subcommand parses its arguments, opens the edition and makes one library call; errors the
project raises on purpose are printed as a message (no traceback) and exit with status 1.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from . import pipeline
from .config import Edition, latest_edition, open_edition
from .errors import SozialplanungError, ValidationFailed
from .indicators import run_indicators
from .publish import publish as publish_edition
from .validate import run_validation

app = typer.Typer(
    help="Build the Sozialbericht of the Universitätsstadt Marburg from raw data to the HTML edition.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

EditionOption = Annotated[
    str | None, typer.Option("--edition", "-e", help="Edition (reporting year); default: the newest in params/.")
]
ProjectOption = Annotated[
    Path, typer.Option("--project-dir", "-C", help="The project's top folder.", file_okay=False)
]
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
def generate_sample(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Write the edition's seeded synthetic raw data (same seed, same bytes)."""
    opened = _open(edition, project_dir)
    with console.status("Generating synthetic sample data …"):
        files = pipeline.generate_sample_data(opened)
    console.print(f"{len(files)} files written to {opened.project.relative(opened.paths.raw_dir)}")


@app.command()
@_handles_errors
def validate(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Check every raw table against the data contract; write typed tables only if all pass."""
    opened = _open(edition, project_dir)
    with console.status("Validating raw data …"):
        tables = run_validation(opened)
    console.print(f"[green]OK[/]: {len(tables)} tables valid → {opened.project.relative(opened.paths.tables_dir)}")


@app.command()
@_handles_errors
def indicators(edition: EditionOption = None, project_dir: ProjectOption = Path(".")) -> None:
    """Compute every indicator per district and year, and for the whole city."""
    opened = _open(edition, project_dir)
    with console.status("Computing indicators …"):
        frame = run_indicators(opened)
    console.print(f"{len(frame)} values → {opened.project.relative(opened.paths.indicators_file)}")


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
    opened = _open(edition, project_dir)
    executed = pipeline.execute_chapters(opened, chapter, progress=_step)
    console.print(f"{len(executed)} chapter(s) executed → {opened.project.relative(opened.paths.executed_dir)}")


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
    opened = _open(edition, project_dir)
    with console.status("Building the HTML edition …"):
        index = publish_edition(opened, engine=engine, quarto_executable=quarto, timeout=timeout)
    console.print(f"[green]Done[/]: open {opened.project.relative(index)} in a browser.")


@app.command()
@_handles_errors
def build(
    edition: EditionOption = None,
    project_dir: ProjectOption = Path("."),
    engine: EngineOption = "auto",
) -> None:
    """Run every stage in one go: sample data, validate, indicators, chapters, publish."""
    opened = _open(edition, project_dir)
    index = pipeline.build(opened, engine=engine, progress=_step)
    console.print(f"[green]Edition built[/]: open {opened.project.relative(index)} in a browser.")
