"""`--help` works on every command and group, and shows its one-line help."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.cli.walk import command_paths

PATHS = command_paths()


@pytest.mark.parametrize("path", ["", *PATHS])
def test_help_works_on_every_command(path: str, tmp_path: Path) -> None:
    result = Cli(data_dir=tmp_path).run(*path.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert f"Usage: python -m cxloop {path}".rstrip() in result.stdout
    first_words = " ".join(PATHS.get(path, "cxloop: self-hosted").split()[:4])
    assert first_words in " ".join(result.stdout.split())
    assert not (tmp_path / "cxloop.sqlite3").exists(), "--help must not touch the database"


def test_the_command_tree_has_the_commands_the_readme_promises() -> None:
    assert {"init", "serve", "demo", "users create", "apikey create"} <= set(PATHS)
