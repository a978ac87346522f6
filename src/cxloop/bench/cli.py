"""`cxloop bench ingest`: response ingestion over real HTTP against a raw-insert baseline."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


class Backend(StrEnum):
    sqlite = "sqlite"
    postgresql = "postgresql"
    all = "all"


def ingest(
    backend: Annotated[
        Backend,
        typer.Option(help="Database to run on; all: SQLite, and PostgreSQL when reachable."),
    ] = Backend.all,
    requests: Annotated[
        int, typer.Option(min=1, help="Single-response submissions per round.")
    ] = 5000,
    batches: Annotated[int, typer.Option(min=1, help="Batches of 1,000 per round.")] = 20,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds; medians are reported.")] = 3,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Connections for single submissions.")
    ] = 16,
    batch_concurrency: Annotated[int, typer.Option(min=1, help="Connections for batches.")] = 2,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes (replicas, each on its own port).")
    ] = 2,
    pg_admin_url: Annotated[
        str, typer.Option(help="PostgreSQL URL used to create and drop the temp database.")
    ] = "postgresql://postgres@127.0.0.1:5432/postgres",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the results to this JSON file.")
    ] = None,
) -> None:
    """Measure response ingestion over real HTTP: single submissions and batches against a
    raw insert.

    Starts the server (uvicorn, its own process) on a fresh database, drives it from another
    process, and prints medians, p50/p99 latency and the batch/raw ratio of the same run.
    """
    from cxloop.bench.ingest import IngestOptions, run_ingest
    from cxloop.bench.report import table
    from cxloop.bench.server import DatabaseUnreachable
    from cxloop.core.errors import CxError

    chosen = ["sqlite", "postgresql"] if backend == Backend.all else [backend.value]
    results = []
    for name in chosen:
        options = IngestOptions(
            backend=name,
            requests=requests,
            batches=batches,
            rounds=rounds,
            concurrency=concurrency,
            batch_concurrency=batch_concurrency,
            workers=workers,
            pg_admin_url=pg_admin_url,
        )
        try:
            with err.status(f"benchmarking {name}") as status:
                report = run_ingest(options, say=status.update)
        except DatabaseUnreachable as exc:
            if backend != Backend.all:
                err.print(f"[red]error:[/red] {exc.message}", highlight=False)
                raise typer.Exit(1) from exc
            err.print(f"skipping {name}: {exc.message}", highlight=False)
            continue
        except CxError as exc:
            err.print(f"[red]error:[/red] {exc.message}", highlight=False)
            raise typer.Exit(1) from exc
        console.print(table(report))
        results.append(report.as_dict())
    if json_out:
        json_out.write_text(json.dumps(results, indent=2, default=str))
