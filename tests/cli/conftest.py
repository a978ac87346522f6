"""Runs the real `cxloop` command line in a subprocess against the test databases."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cxloop.core.database import make_engine, make_sessionmaker
from cxloop.core.settings import Settings


@dataclass
class Cli:
    """The `cxloop` command with a clean environment: only the CXLOOP_* variables given here."""

    data_dir: Path
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CXLOOP_")}
        env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb", CXLOOP_DATA_DIR=str(self.data_dir))
        if self.database_url:
            env["CXLOOP_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cxloop", *args],
            env=self.env(),
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, database_url=self.database_url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the same database the command used, to check what it stored."""
        engine = make_engine(self.settings().sqlalchemy_url)
        try:
            with make_sessionmaker(engine)() as session:
                yield session
        finally:
            engine.dispose()


def user_facing_url(url: str) -> str:
    """The URL as a user writes it (postgresql://…); Settings adds the psycopg driver."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    """The CLI on the suite's database of this backend (shared with the `server` fixture)."""
    return Cli(data_dir=tmp_path / "data", database_url=user_facing_url(database_url))


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    """A refused command: the exit code, a message naming the problem, and no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output, output
    for needle in needles:
        assert needle in output, output
