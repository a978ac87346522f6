"""`cxloop bench analytics`: dashboard queries on N synthetic responses, three ways.

Generates N responses (bulk insert into a fresh SQLite file), builds the DuckDB copy, then
times the fixed query set (``analytics_queries``) through cxloop's service layer, as
hand-written DuckDB SQL over the same copy and as a pandas pipeline (its own process), and
prints medians, ratios, peak memory and the copy's catch-up time after new responses.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from sqlalchemy.orm import Session

from cxloop.analytics import registry
from cxloop.bench import analytics_data as data
from cxloop.bench import analytics_queries as queries
from cxloop.core.database import make_engine
from cxloop.core.migrate import upgrade
from cxloop.core.settings import Settings

Echo = Callable[[str], object]
TARGET_MS, TARGET_VS_PANDAS, TARGET_VS_DUCKDB = 150.0, 20.0, 2.0
TARGET_PEAK_MB, TARGET_CATCH_UP_S = 2048.0, 2.0


def _median(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    result = fn()  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _export(store: Any, folder: Path) -> None:
    """Parquet copies of the rows for the pandas process (an analyst's extract)."""
    for table, sql in (
        ("answers", "SELECT * FROM answers"),
        ("touchpoints", "SELECT * FROM touchpoints"),
        ("contact_attrs", "SELECT * FROM contact_attrs"),
    ):
        store.con.execute(f"COPY ({sql}) TO '{folder / table}.parquet' (FORMAT parquet)")


def _pandas(folder: Path, windows: dict[str, Any], rounds: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "cxloop.bench.analytics_pandas",
        str(folder),
        json.dumps(windows, default=str),
        str(rounds),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)  # noqa: S603 - own module
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(
    responses: int,
    *,
    rounds: int = 5,
    pandas_rounds: int = 3,
    catch_up: int = 100_000,
    drivers_responses: int = 100_000,
    memory_limit: str = "1GB",
    folder: Path | None = None,
    seed: int = 1,
    echo: Echo = print,
) -> dict[str, Any]:
    """Runs the whole benchmark and returns its figures (also echoed as a table)."""
    tmp = tempfile.TemporaryDirectory(prefix="cxloop-bench-") if folder is None else None
    work = Path(tmp.name) if tmp else Path(folder or ".")
    try:
        return _run(
            responses,
            rounds,
            pandas_rounds,
            catch_up,
            drivers_responses,
            memory_limit,
            work,
            seed,
            echo,
        )
    finally:
        if tmp:
            tmp.cleanup()


def _run(
    responses: int,
    rounds: int,
    pandas_rounds: int,
    catch_up: int,
    drivers_n: int,
    memory_limit: str,
    work: Path,
    seed: int,
    echo: Echo,
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    db_path = work / "bench.sqlite3"
    settings = Settings(
        data_dir=work,
        database_url=f"sqlite:///{db_path}",
        analytics_engine="duckdb",
        analytics_path=str(work / "copy.duckdb"),
        analytics_verify_seconds=10**9,
    )
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    figures: dict[str, Any] = {"responses": responses}
    with Session(engine) as db:
        program = data.create_program(db, rng)
    engine.dispose()  # the bulk load takes the scratch file for itself
    started = time.perf_counter()
    data.bulk_load(str(db_path), program, responses, rng, echo)
    figures["load_s"] = time.perf_counter() - started
    echo(f"loaded {responses:,} responses in {figures['load_s']:.1f} s")

    store = registry.get_store(engine, settings)
    assert store is not None
    store.con.execute(f"SET memory_limit = '{memory_limit}'")
    started = time.perf_counter()
    store.catch_up(engine, verify=True)
    figures["build_s"] = time.perf_counter() - started
    echo(f"built the DuckDB copy ({store.row_count():,} answers) in {figures['build_s']:.1f} s")

    ws = program.workspace_id
    (since,) = store.execute(
        "SELECT submitted_at FROM answers WHERE workspace_id = ? AND kind = 'nps' "
        "ORDER BY submitted_at DESC LIMIT 1 OFFSET ?",
        [ws, min(drivers_n, responses) - 1],
    )[0]
    win = queries.Windows(
        this=(date(2025, 12, 1), date(2025, 12, 31)),
        last=(date(2025, 11, 1), date(2025, 11, 30)),
        drivers_since=since,
        timezone=data.TIMEZONE,
    )
    with Session(engine) as db:
        service = [_median(fn, rounds) for fn in queries.service_queries(db, ws, settings, win)]
    duck = [_median(fn, rounds) for fn in queries.duckdb_queries(store, ws, win)]
    _export(store, work)
    windows = {
        "workspace_id": ws,
        "this": win.this,
        "last": win.last,
        "drivers_since": since,
        "timezone": win.timezone,
    }
    echo("running the pandas baseline in its own process ...")
    pandas = _pandas(work, windows, pandas_rounds)

    data.append_recent(str(db_path), program, catch_up, rng)
    started = time.perf_counter()
    added = store.catch_up(engine, verify=False)
    figures["catch_up_s"] = time.perf_counter() - started
    figures["catch_up_answers"] = added
    started = time.perf_counter()
    store.catch_up(engine, verify=True)
    figures["verify_s"] = time.perf_counter() - started
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["pandas_peak_mb"] = pandas["peak_mb"]
    figures["pandas_load_s"] = pandas["load_s"]
    figures["queries"] = [
        {
            "name": name,
            "service_ms": 1000 * s[0],
            "duckdb_ms": 1000 * d[0],
            "pandas_ms": 1000 * p,
            "vs_pandas": p / s[0],
            "vs_duckdb": s[0] / d[0],
            "agree": tuple(s[1]) == tuple(d[1]) == tuple(pc),
        }
        for name, s, d, p, pc in zip(
            queries.NAMES, service, duck, pandas["medians_s"], pandas["checks"], strict=True
        )
    ]
    _report(figures, echo)
    return figures


def _report(f: dict[str, Any], echo: Echo) -> None:
    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    echo(f"\nanalytics, {f['responses']:,} responses (medians; targets at 10M)")
    echo(
        f"{'query':<22}{'service ms':>11}{'duckdb ms':>10}{'pandas ms':>10}"
        f"{'x pandas':>9}{'/ duckdb':>9}  agree  targets"
    )
    for q in f["queries"]:
        ok = (
            q["service_ms"] <= TARGET_MS
            and q["vs_pandas"] >= TARGET_VS_PANDAS
            and q["vs_duckdb"] <= TARGET_VS_DUCKDB
        )
        echo(
            f"{q['name']:<22}{q['service_ms']:>11.1f}{q['duckdb_ms']:>10.1f}"
            f"{q['pandas_ms']:>10.1f}{q['vs_pandas']:>9.1f}{q['vs_duckdb']:>9.2f}  "
            f"{'yes' if q['agree'] else 'NO':<5}  {mark(ok)}"
        )
    echo(
        f"peak memory {f['peak_mb']:.0f} MB (pandas process {f['pandas_peak_mb']:.0f} MB, "
        f"its Parquet load {f['pandas_load_s']:.1f} s): {mark(f['peak_mb'] < TARGET_PEAK_MB)}"
    )
    echo(
        f"catch-up after new responses: {f['catch_up_answers']:,} answers in "
        f"{f['catch_up_s']:.2f} s: {mark(f['catch_up_s'] < TARGET_CATCH_UP_S)}; row-count "
        f"verification {f['verify_s']:.2f} s; initial build {f['build_s']:.1f} s"
    )


def analytics(
    responses: Annotated[
        int, typer.Option(min=1000, help="Synthetic responses to generate.")
    ] = 1_000_000,
    rounds: Annotated[int, typer.Option(min=1, help="Timed rounds per query (median).")] = 5,
    pandas_rounds: Annotated[int, typer.Option(min=1, help="Rounds of the pandas baseline.")] = 3,
    catch_up: Annotated[
        int, typer.Option(min=1, help="New responses for the catch-up timing.")
    ] = 100_000,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures here.")
    ] = None,
) -> None:
    """Time dashboard queries on N synthetic responses: service vs pandas vs DuckDB SQL."""
    figures = run(
        responses, rounds=rounds, pandas_rounds=pandas_rounds, catch_up=catch_up, echo=typer.echo
    )
    if json_out is not None:
        json_out.write_text(json.dumps(figures, indent=2, default=str))


__all__ = ["analytics", "run"]
