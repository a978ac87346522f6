"""`cxloop import interactions FILE.csv --workspace SLUG`: a progress bar and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cxloop.core.settings import Settings

console = Console()
err = Console(stderr=True)
SHOWN_REJECTIONS = 20


def import_interactions(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV file: occurred_at, kind, contact_external_id or contact_email, "
            "touchpoint_key, channel, text, external_id, thread_id, value, prop.<name>.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    workspace: Annotated[str, typer.Option(help="Workspace slug.")],
) -> None:
    """Import interactions from a CSV file; bad rows are listed with their line number."""
    from cxloop.accounts import service as accounts
    from cxloop.cli import runtime
    from cxloop.interactions.importer import count_rows, import_interactions_csv

    try:
        settings = Settings()
    except ValueError as exc:
        err.print(f"[red]error:[/red] bad settings: {exc}")
        raise typer.Exit(2) from exc
    runtime.initialise(settings)
    total = count_rows(path)
    columns = (
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with (
        runtime.session(settings) as db,
        Progress(*columns, console=err, transient=True) as progress,
    ):
        task = progress.add_task("rows", total=total)
        workspace_id = accounts.get_workspace(db, workspace).id
        report = import_interactions_csv(
            db, workspace_id, path, on_progress=lambda done: progress.update(task, completed=done)
        )
    console.print(
        f"accepted {report.accepted} rows ({report.duplicates} already imported), "
        f"rejected {len(report.rejected)}"
    )
    for line, message in report.rejected[:SHOWN_REJECTIONS]:
        console.print(f"  line {line}: {message}", markup=False, highlight=False)
    if len(report.rejected) > SHOWN_REJECTIONS:
        console.print(f"  ... and {len(report.rejected) - SHOWN_REJECTIONS} more")
    if report.rejected:
        raise typer.Exit(1)
