"""The `cxloop` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from cxloop.bench.analytics import analytics as bench_analytics
from cxloop.bench.cli import ingest as bench_ingest
from cxloop.core.errors import CxError
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.responses.cli import import_responses

app = typer.Typer(
    help="cxloop: self-hosted customer experience management.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
import_app = typer.Typer(help="Import data from CSV files.", no_args_is_help=True)
bench_app = typer.Typer(
    help="Benchmarks that print ratios against a baseline.", no_args_is_help=True
)
app.add_typer(users_app, name="users")
app.add_typer(apikey_app, name="apikey")
app.add_typer(import_app, name="import")
text_app = typer.Typer(help="Offline text analytics on CSV files.", no_args_is_help=True)
export_app = typer.Typer(help="Export data to CSV, XLSX or Parquet files.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(bench_app, name="bench")
app.add_typer(text_app, name="text")
import_app.command("responses")(import_responses)
bench_app.command("ingest")(bench_ingest)
bench_app.command("analytics")(bench_analytics)

console = Console()
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        fail(f"bad settings: {exc}", 2)


@app.command()
def init() -> None:
    """Create the database (SQLite by default) or upgrade it to the latest schema."""
    from cxloop.cli import runtime

    settings = load_settings()
    runtime.initialise(settings)
    console.print(f"database ready: {runtime.describe_url(settings)}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default CXLOOP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CXLOOP_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Upgrade the database, then serve the web app and API."""
    from cxloop.cli import runtime

    settings = load_settings()
    runtime.initialise(settings)
    runtime.serve(settings, host or settings.host, port or settings.port, workers)


@app.command()
def demo(
    reset: Annotated[bool, typer.Option(help="Delete the demo workspace first.")] = False,
    contacts: Annotated[int, typer.Option(help="Contacts to create.")] = 5000,
    responses: Annotated[int, typer.Option(help="Responses to create.")] = 20000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Load the demo workspace (realistic journeys, touchpoints, contacts and responses)."""
    from cxloop.cli import runtime
    from cxloop.demo import seed as demo_seed

    settings = load_settings()
    runtime.initialise(settings)
    with runtime.session(settings) as db:
        summary = demo_seed.seed_demo(
            db, contacts=contacts, responses=responses, seed=seed, reset=reset
        )
    console.print(summary)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="Login email.")],
    workspace: Annotated[str, typer.Option(help="Workspace slug (created if missing).")],
    role: Annotated[Role, typer.Option(help="Role in the workspace.")] = Role.viewer,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ] = "",
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user (or add an existing one) in a workspace with a role."""
    from cxloop.accounts import service
    from cxloop.cli import runtime

    settings = load_settings()
    runtime.initialise(settings)
    with runtime.session(settings) as db:
        try:
            ws = service.get_workspace(db, workspace)
        except CxError:
            ws = service.create_workspace(db, workspace, workspace)
        service.create_user(db, email, password, name=name, workspace=ws, role=role)
    console.print(f"user {email} is {role.value} of {workspace}")


@apikey_app.command("create")
def apikey_create(
    workspace: Annotated[str, typer.Option(help="Workspace slug.")],
    role: Annotated[Role, typer.Option(help="Role the key acts with.")] = Role.analyst,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from cxloop.accounts import service
    from cxloop.cli import runtime

    settings = load_settings()
    runtime.initialise(settings)
    with runtime.session(settings) as db:
        key = service.create_api_key(db, service.get_workspace(db, workspace), role, name)
    err.print("Store this key now; it will not be shown again:")
    console.print(key)


@bench_app.command("discovery")
def bench_discovery(
    comments: Annotated[int, typer.Option(min=1, help="Comments to cluster.")] = 10_000,
) -> None:
    """Time theme discovery on N comments against a tokenise-only baseline."""
    from cxloop.text.discovery import benchmark

    benchmark(comments, console.print)


@bench_app.command("text")
def bench_text(
    comments: Annotated[int, typer.Option(min=100, help="Demo comments to analyse.")] = 5000,
    data_dir: Annotated[
        Path | None, typer.Option(help="Labelled data sets (default: ../shared/data).")
    ] = None,
) -> None:
    """Comments/s of language + sentiment + themes, sentiment macro-F1 on the labelled dev sets, and
    theme- and pillar-tagging scores on cxloop's labelled comments."""
    from cxloop.demo.comments import sample_comments
    from cxloop.text import benchmark

    benchmark.run(data_dir, sample_comments(comments), console.print)


def _wire_feature_commands() -> None:
    from cxloop.comments.cli import analyze
    from cxloop.exports.cli import export_responses
    from cxloop.interactions.cli import import_interactions
    from cxloop.jobs.cli import worker
    from cxloop.text.classify_cli import classify as text_classify

    import_app.command("interactions")(import_interactions)
    app.command("analyze")(analyze)
    app.command("worker")(worker)
    text_app.command("classify")(text_classify)
    export_app.command("responses")(export_responses)


_wire_feature_commands()


def main() -> None:
    try:
        app()
    except CxError as exc:
        fail(exc.message)


if __name__ == "__main__":
    main()
