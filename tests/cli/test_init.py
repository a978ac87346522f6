"""`cxloop init`: creates the database or upgrades it; refuses bad settings clearly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect

from cxloop.core import models_registry  # noqa: F401  (registers every table)
from cxloop.core.database import Base
from tests.cli.conftest import Cli, assert_clean_error
from tests.conftest import PG_ADMIN_URL


@pytest.fixture
def fresh_cli(backend: str, tmp_path: Path) -> Iterator[Cli]:
    """The CLI on an empty database: the default SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield Cli(data_dir=tmp_path / "data")
        return
    name = f"cxloop_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield Cli(data_dir=tmp_path / "data", database_url=f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_init_creates_every_table_and_can_run_again(fresh_cli: Cli, backend: str) -> None:
    first = fresh_cli.run("init")
    assert first.returncode == 0, first.stderr
    assert "database ready" in first.stdout
    if backend == "sqlite":
        assert (fresh_cli.data_dir / "cxloop.sqlite3").is_file()
    with fresh_cli.session() as db:
        tables = set(inspect(db.connection()).get_table_names())
    assert set(Base.metadata.tables) | {"alembic_version"} <= tables

    fresh_cli.run(
        "users", "create", "ana@example.com", "--workspace", "acme", "--password", "long enough"
    )
    again = fresh_cli.run("init")
    assert again.returncode == 0, again.stderr
    created = fresh_cli.run(
        "users", "create", "ana@example.com", "--workspace", "acme", "--password", "x" * 8
    )
    assert_clean_error(created, 1, "ana@example.com is already a member of acme")


def test_unreachable_database_is_a_message_without_the_password(tmp_path: Path) -> None:
    cli = Cli(data_dir=tmp_path, database_url="postgresql://postgres:s3cret@127.0.0.1:1/nowhere")
    result = cli.run("init")
    assert_clean_error(result, 2, "cannot reach the database", "127.0.0.1:1/nowhere")
    assert "s3cret" not in result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    cli = Cli(data_dir=tmp_path, extra_env={"CXLOOP_ENV": "production"})
    assert_clean_error(cli.run("init"), 2, "CXLOOP_SECRET_KEY (32+ characters) is required")
