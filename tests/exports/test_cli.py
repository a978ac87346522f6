"""`cxloop export responses`: writes the file with a summary; refused input exits 1 with a clear
message, no traceback and no file."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from cxloop.core.settings import Settings
from cxloop.exports.cli import export_responses
from tests.exports.conftest import Submitted
from tests.exports.tables import number, read_rows

app = typer.Typer()
group = typer.Typer()
app.add_typer(group, name="export")
group.command("responses")(export_responses)


@pytest.fixture
def cli(settings: Settings, database_url: str) -> CliRunner:
    return CliRunner(
        env={"CXLOOP_DATA_DIR": str(settings.data_dir), "CXLOOP_DATABASE_URL": database_url}
    )


def run(cli: CliRunner, sub: Submitted, *args: str) -> Result:
    return cli.invoke(app, ["export", "responses", "--workspace", sub.tenant.workspace.slug, *args])


def test_cli_exports_the_chosen_survey_wide(
    cli: CliRunner, submitted: Submitted, tmp_path: Path
) -> None:
    out = tmp_path / "csat.parquet"
    result = run(
        cli,
        submitted,
        "--output",
        str(out),
        "--layout",
        "wide",
        "--survey",
        submitted.survey_b["id"],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 2 rows to" in result.output
    header, rows = read_rows(out, "parquet")
    assert header[10:] == ["csat", "comment"]
    assert [number(r["csat"]) for r in rows] == [4.0, 2.0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-03-05", "--to", "2024-03-01"], "date_from: must be on or before"),
        (["--from", "2024-13-01"], "--from: '2024-13-01' is not a date"),
        (["--survey", "nope"], "survey_id: survey 'nope' does not exist"),
        (["--layout", "tall"], "layout: unknown value 'tall'"),
        (["--format", "xls"], "format: unknown value 'xls'"),
    ],
)
def test_cli_refuses_bad_input_without_leaving_a_file(
    cli: CliRunner, submitted: Submitted, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(cli, submitted, "--output", str(tmp_path / "out.csv"), *args)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_keeps_an_existing_file_unless_forced(
    cli: CliRunner, submitted: Submitted, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("mine")
    refused = run(cli, submitted, "--output", str(out))
    assert refused.exit_code == 1 and "exists; use --force" in refused.output
    assert out.read_text() == "mine"
    forced = run(cli, submitted, "--output", str(out), "--force", "--excel")
    assert forced.exit_code == 0, forced.output
    assert len(read_rows(out, "csv")[1]) == 11
