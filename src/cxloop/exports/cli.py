"""`cxloop export responses --workspace SLUG --output FILE`: a progress bar, then a summary.

Exit codes: 0 the file was written; 1 the request was refused (bad option, unknown survey, the
output exists) or the export failed, and then no file (nor a partial one) is left; 2 bad
settings.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cxloop.core.settings import Settings

console = Console()
err = Console(stderr=True, soft_wrap=True)
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option}: '{value}' is not a date (YYYY-MM-DD)") from None


def _check_output(output: Path, fmt: str | None, force: bool) -> str:
    fmt = fmt or SUFFIXES.get(output.suffix.lower())
    if fmt is None:
        raise _fail("--format: give csv, xlsx or parquet, or name the output .csv, .xlsx, .parquet")
    if not output.parent.is_dir():
        raise _fail(f"--output: the folder {output.parent} does not exist")
    if output.is_dir():
        raise _fail(f"--output: {output} is a folder; name a file")
    if output.exists() and not force:
        raise _fail(f"--output: {output} exists; use --force to replace it")
    return fmt


def export_responses(
    workspace: Annotated[str, typer.Option(help="Workspace slug.")],
    output: Annotated[Path, typer.Option(help="File to write (.csv, .xlsx or .parquet).")],
    format: Annotated[
        str | None,
        typer.Option(help="csv, xlsx or parquet (default: from the output's extension)."),
    ] = None,
    layout: Annotated[
        str, typer.Option(help="long: a row per answer; wide: a row per response.")
    ] = "long",
    survey: Annotated[str | None, typer.Option(help="Only this survey (id).")] = None,
    touchpoint: Annotated[str | None, typer.Option(help="Only this touchpoint (id).")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    language: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (workspace time).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (workspace time).")
    ] = None,
    excel: Annotated[
        bool, typer.Option(help="CSV for Excel: byte order mark, formulas neutralised.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Replace the output file if it exists.")] = False,
) -> None:
    """Export survey responses to CSV, XLSX or Parquet (long or wide), streamed to the file."""
    from cxloop.accounts import service as accounts
    from cxloop.cli import runtime
    from cxloop.exports import service
    from cxloop.exports.schemas import ResponseFilters

    fmt = _check_output(output, format, force)
    filters = ResponseFilters(
        survey_id=survey,
        touchpoint_id=touchpoint,
        channel=channel,
        language=language,
        date_from=_day(date_from, "--from"),
        date_to=_day(date_to, "--to"),
    )
    try:
        settings = Settings()
    except ValueError as exc:
        raise _fail(f"bad settings: {exc}", 2) from exc
    runtime.initialise(settings)
    columns = (
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with (
        runtime.session(settings) as db,
        Progress(*columns, console=err, transient=True) as bar,
    ):
        task = bar.add_task("rows", total=None)
        workspace_id = accounts.get_workspace(db, workspace).id

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            outcome = service.export_responses(
                db, workspace_id, fmt, layout, filters, output, progress, excel=excel
            )
        except OSError as exc:
            raise _fail(f"--output: cannot write {output}: {exc.strerror or exc}") from exc
    rows = f"{outcome.rows} row{'' if outcome.rows == 1 else 's'}"
    console.print(
        f"wrote {rows} to {escape(str(output))} ({outcome.size_bytes:,} bytes)", highlight=False
    )
