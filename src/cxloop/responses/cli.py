"""`cxloop import responses FILE.csv --workspace SLUG`: a progress bar and a summary.

Exit codes: 0 every row imported; 1 the file could not be imported, or some rows were
rejected (they are listed, and written with the reason to FILE.rejected.csv).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cxloop.core.errors import CxError
from cxloop.core.settings import Settings

if TYPE_CHECKING:
    from cxloop.responses.importer import ImportReport

console = Console()
err = Console(stderr=True)
SHOWN_REJECTIONS = 20


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def import_responses(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV file: survey_id, submitted_at, contact_external_id, contact_email, "
            "contact_name, language, channel, touchpoint_id, idempotency_key, one column per "
            "question (answer.<key> or <key>), hidden.<name>.",
        ),
    ],
    workspace: Annotated[str, typer.Option(help="Workspace slug.")],
    survey: Annotated[
        str | None, typer.Option(help="Survey id of every row (instead of a survey_id column).")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Encoding of the file (default: UTF-8 or UTF-16, else Windows-1252)."),
    ] = None,
    rejected: Annotated[
        Path | None,
        typer.Option(help="Where to write the rejected rows (default: FILE.rejected.csv)."),
    ] = None,
) -> None:
    """Import survey responses from a CSV file; bad rows are listed with their line number."""
    from cxloop.accounts import service as accounts
    from cxloop.cli import runtime
    from cxloop.responses.importer import count_records, decode, import_responses_csv

    if not path.is_file():
        raise _fail(f"file: {path} does not exist or is not a file")
    try:
        settings = Settings()
    except ValueError as exc:
        raise _fail(f"bad settings: {exc}", 2) from exc
    try:
        data = path.read_bytes()
        total = count_records(decode(data, encoding)[0])
    except OSError as exc:
        raise _fail(f"file: cannot read {path}: {exc.strerror}") from exc
    except CxError as exc:
        raise _fail(exc.message) from exc
    runtime.initialise(settings)
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with (
        runtime.session(settings) as db,
        Progress(*columns, console=err, transient=True) as progress,
    ):
        task = progress.add_task("rows", total=total)
        workspace_id = accounts.get_workspace(db, workspace).id

        def chunk_done(done: int) -> None:
            db.commit()  # each chunk is durable; re-running skips rows with a stored key
            progress.update(task, completed=done)

        report = import_responses_csv(
            db, workspace_id, data, survey_id=survey, encoding=encoding, on_progress=chunk_done
        )
    _summary(report, path, rejected or path.with_suffix(".rejected.csv"))
    if report.rejected:
        raise typer.Exit(1)


def _summary(report: ImportReport, path: Path, rejected_path: Path) -> None:
    if report.encoding not in ("utf-8", "utf-16"):
        console.print(f"note: {path.name} is not UTF-8; it was read as {report.encoding}")
    console.print(
        f"{report.rows} row{'' if report.rows == 1 else 's'} read: accepted {report.accepted} "
        f"({report.duplicates} already imported), rejected {len(report.rejected)}",
        highlight=False,
    )
    for row in report.rejected[:SHOWN_REJECTIONS]:
        console.print(f"  line {row.line}: {row.message}", markup=False, highlight=False)
    if len(report.rejected) > SHOWN_REJECTIONS:
        console.print(f"  ... and {len(report.rejected) - SHOWN_REJECTIONS} more")
    if report.rejected:
        try:
            _write_rejected(report, rejected_path)
        except OSError as exc:
            err.print(f"could not write {rejected_path}: {exc.strerror}", highlight=False)
        else:
            console.print(f"rejected rows with the reason: {rejected_path}", highlight=False)


def _write_rejected(report: ImportReport, path: Path) -> None:
    """The rejected records as they were, after their line number and the reason."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "error", *report.header])
        for row in report.rejected:
            writer.writerow([row.line, row.message, *row.cells])
