"""Shared plumbing for CLI commands: settings, migrations, sessions, the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cxloop.core.database import make_engine, make_sessionmaker, session_scope
from cxloop.core.errors import CxError
from cxloop.core.migrate import upgrade
from cxloop.core.settings import Settings

err = Console(stderr=True, soft_wrap=True)


def describe_url(settings: Settings) -> str:
    url = settings.sqlalchemy_url
    if "@" in url:  # hide credentials
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def initialise(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        err.print(
            f"[red]error:[/red] cannot reach the database {describe_url(settings)}: {exc.orig}"
        )
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


@contextmanager
def session(settings: Settings) -> Iterator[Session]:
    """One transaction for a command; a CxError becomes a clear message and exit code 1."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            yield db
    except CxError as exc:
        err.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    err.print(f"cxloop serving on http://{host}:{port}  (database: {describe_url(settings)})")
    if workers > 1:
        uvicorn.run("cxloop.asgi:app", host=host, port=port, workers=workers, log_level="warning")
    else:
        from cxloop.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
