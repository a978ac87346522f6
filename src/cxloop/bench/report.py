"""The ingest benchmark's table: medians side by side, ratios, and the targets of the issue."""

from __future__ import annotations

import os

from rich.table import Table

from cxloop.bench.ingest import IngestReport

SINGLE_RATE, SINGLE_P99_MS = 1000.0, 100.0
BATCH_RATE, BATCH_VS_RAW = 50_000.0, 0.5


def _mark(ok: bool) -> str:
    return "[green]met[/green]" if ok else "[red]missed[/red]"


def _cpu(ms: float | None) -> str:
    return f"{ms:.2f}" if ms is not None else "n/a"


def targets(report: IngestReport) -> dict[str, bool]:
    return {
        "single_rate": report.single.rate >= SINGLE_RATE,
        "single_p99": report.single.p99 < SINGLE_P99_MS,
        "batch_rate": report.batch.rate >= BATCH_RATE,
        "batch_vs_raw": report.batch_vs_raw >= BATCH_VS_RAW,
    }


def table(report: IngestReport) -> Table:
    o = report.options
    met = targets(report)
    title = (
        f"ingest on {report.backend}: {os.cpu_count()} CPUs, {o.workers} server process(es), "
        f"medians of {o.rounds} round(s)"
    )
    t = Table(title=title, title_justify="left")
    for name, justify in (
        ("phase", "left"),
        ("responses/s", "right"),
        ("p50 ms", "right"),
        ("p99 ms", "right"),
        ("server CPU ms/resp", "right"),
        ("target", "left"),
    ):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    s, b, r = report.single, report.batch, report.raw
    t.add_row(
        f"single, {o.concurrency} connections, {o.requests:,}/round",
        f"{s.rate:,.0f}",
        f"{s.p50:.1f}",
        f"{s.p99:.1f}",
        _cpu(s.cpu),
        f">= {SINGLE_RATE:,.0f}/s {_mark(met['single_rate'])}, "
        f"p99 < {SINGLE_P99_MS:.0f} ms {_mark(met['single_p99'])}",
    )
    t.add_row(
        f"batch of {o.batch_size:,}, {o.batch_concurrency} connections, {o.batches}/round",
        f"{b.rate:,.0f}",
        f"{b.p50:.1f}",
        f"{b.p99:.1f}",
        _cpu(b.cpu),
        f">= {BATCH_RATE:,.0f}/s {_mark(met['batch_rate'])}",
    )
    t.add_row("raw insert of the same rows (no HTTP)", f"{r.rate:,.0f}", "", "", "", "baseline")
    t.add_row(
        "batch / raw insert",
        f"{report.batch_vs_raw:.2f}x",
        "",
        "",
        "",
        f">= {BATCH_VS_RAW}x {_mark(met['batch_vs_raw'])}",
    )
    t.caption = f"responses stored: {report.stored:,} (expected {report.expected:,})"
    return t
