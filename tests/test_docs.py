"""The documentation is checked against the code, so it cannot drift.

docs/cli.md has a section per `cxloop` command with its one-line help; docs/settings.md a row per
setting with its variable, default and description; docs/api.md names only endpoints that exist.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from cxloop.app import create_app
from cxloop.core.settings import Settings
from cxloop.responses.schemas import ResponseCreate
from tests.cli.walk import command_paths

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def squash(text: str) -> str:
    return " ".join(text.split())


def cli_sections() -> dict[str, str]:
    """{"users create": "<section text>", …} from the `## \\`cxloop …\\`` headings."""
    parts = re.split(r"^## `cxloop ([a-z -]+)`\s*$", (DOCS / "cli.md").read_text(), flags=re.M)
    return {path: squash(body) for path, body in zip(parts[1::2], parts[2::2], strict=True)}


def settings_rows() -> dict[str, str]:
    rows = (DOCS / "settings.md").read_text().splitlines()
    return {
        m.group(1): squash(row) for row in rows if (m := re.match(r"\| `(CXLOOP_\w+)` \|", row))
    }


def test_every_command_is_documented_with_its_help() -> None:
    sections = cli_sections()
    for path, summary in command_paths().items():
        assert path in sections, f"docs/cli.md lacks a section: ## `cxloop {path}`\n\n{summary}"
        assert summary in sections[path], f"docs/cli.md, `cxloop {path}`: add the line: {summary}"


def test_every_documented_command_exists() -> None:
    stale = set(cli_sections()) - set(command_paths())
    assert not stale, f"docs/cli.md documents commands that do not exist: {sorted(stale)}"


def test_every_setting_is_documented_with_its_default_and_description() -> None:
    rows = settings_rows()
    for name, field in Settings.model_fields.items():
        var = f"CXLOOP_{name.upper()}"
        assert var in rows, f"docs/settings.md lacks a row for {var}"
        default = "(none)" if field.default is None else f"`{field.default}`"
        assert f"| `{name}` | {default} |" in rows[var], f"{var}: document `{name}` and {default}"
        assert squash(field.description or "") in rows[var], f"{var}: {field.description}"
    stale = set(rows) - {f"CXLOOP_{name.upper()}" for name in Settings.model_fields}
    assert not stale, f"docs/settings.md documents settings that do not exist: {sorted(stale)}"


def test_every_endpoint_named_in_the_api_docs_exists(tmp_path: Path) -> None:
    spec = create_app(Settings(data_dir=tmp_path, secret_key="x" * 40)).openapi()
    named = re.findall(
        r"`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`]*)`", (DOCS / "api.md").read_text()
    )
    assert named
    paths = [(m, p.split("?")[0]) for m, p in named]  # query strings are examples
    missing = [f"{m} {p}" for m, p in paths if m.lower() not in spec["paths"].get(p, {})]
    assert not missing, f"docs/api.md names endpoints the app does not have: {missing}"
    areas = {p.split("/")[3] for p in spec["paths"] if p.startswith("/api/v1/")}
    undocumented = {a for a in areas if f"/api/v1/{a}" not in (DOCS / "api.md").read_text()}
    assert not undocumented, f"docs/api.md does not mention: {sorted(undocumented)}"


@pytest.mark.parametrize("doc", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_relative_links_point_at_files_that_exist(doc: str) -> None:
    path = ROOT / doc if doc == "README.md" else DOCS / doc
    for target in re.findall(r"\]\(([^)#\s]+)", path.read_text()):
        if not re.match(r"[a-z]+:", target):
            assert (path.parent / target).exists(), f"{doc} links to missing {target}"


def test_the_quickstart_commands_exist_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    for script in ("scripts/demo", "scripts/test"):
        assert f"./{script}" in readme
        assert os.access(ROOT / script, os.X_OK), f"{script} is not executable"
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("doc", ["README.md", "docs/api.md"])
def test_the_curl_example_sends_a_valid_response(doc: str) -> None:
    bodies = re.findall(r"-d '(\{.*?\})'", (ROOT / doc).read_text(), flags=re.S)
    assert bodies, f"{doc} has no curl example of submitting a response"
    for body in bodies:
        response = ResponseCreate.model_validate(json.loads(body))
        assert response.answers["nps"] == 9
