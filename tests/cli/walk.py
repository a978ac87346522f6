"""Walks the Typer app: every command path of `cxloop` with its one-line help."""

from __future__ import annotations

from typing import Any

import typer.main

from cxloop.cli.main import app


def summary(command: Any) -> str:
    """The first paragraph of a command's help, on one line."""
    text = str(command.help or "").strip().split("\n\n")[0]
    return " ".join(text.split())


def command_paths() -> dict[str, str]:
    """{"users create": "Create a user …", …} for every command and group below `cxloop`."""
    found: dict[str, str] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if path:
            found[" ".join(path)] = summary(command)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found
