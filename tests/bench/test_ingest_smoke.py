"""The ingest benchmark runs end to end with tiny numbers and reports figures (not timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from cxloop.bench.ingest import IngestOptions, run_ingest
from cxloop.bench.report import table
from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]


def test_every_phase_stores_its_responses_and_reports_rates(backend: str) -> None:
    options = IngestOptions(
        backend=backend,
        requests=30,
        batches=2,
        batch_size=50,
        rounds=1,
        warmup=5,
        concurrency=3,
        pg_admin_url=PG_ADMIN_URL,
    )
    steps: list[str] = []
    report = run_ingest(options, say=steps.append)

    assert report.expected == 5 + 30 + 2 * (2 * 50)
    assert report.stored == report.expected
    for phase in (report.single, report.batch, report.raw):
        assert len(phase.rates) == 1 and phase.rate > 0
    assert 0 < report.single.p50 <= report.single.p99
    assert report.batch_vs_raw > 0
    assert any("raw insert" in step for step in steps)

    console = Console(width=200, record=True)
    console.print(table(report))
    text = console.export_text()
    assert "raw insert of the same rows" in text and "batch / raw insert" in text
    assert f"responses stored: {report.stored:,}" in text


def test_the_command_and_the_script_print_the_table(backend: str, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    args = ["--backend", backend, "--requests", "20", "--batches", "1", "--rounds", "1"]
    args += ["--pg-admin-url", PG_ADMIN_URL, "--json", str(out)]
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_ingest.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ingest on {backend}" in result.stdout
    assert "responses/s" in result.stdout
    [saved] = json.loads(out.read_text())
    assert saved["backend"] == backend
    assert saved["stored"] == saved["expected"] > 1000
    assert saved["single"]["rate"] > 0 and saved["raw"]["rate"] > 0
